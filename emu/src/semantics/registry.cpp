#include "registry.hpp"

namespace asmk::emu::detail {

const Registry& Registry::instance() {
  static const Registry registry = [] {
    Registry r;
    register_salu(r);
    register_smem(r);
    register_branch(r);
    register_valu_arith(r);
    register_valu_convert(r);
    register_valu_packed(r);
    register_vopc(r);
    register_lane_ops(r);
    register_ds(r);
    register_mubuf(r);
    register_global_flat(r);
    register_mfma(r);
    return r;
  }();
  return registry;
}

const char* instr_class_name(InstrClass c) {
  switch (c) {
    case InstrClass::salu: return "salu";
    case InstrClass::smem: return "smem";
    case InstrClass::valu: return "valu";
    case InstrClass::vmem: return "vmem";
    case InstrClass::lds: return "lds";
    case InstrClass::mfma: return "mfma";
    case InstrClass::branch: return "branch";
    case InstrClass::special: return "special";
    default: return "?";
  }
}

}  // namespace asmk::emu::detail
