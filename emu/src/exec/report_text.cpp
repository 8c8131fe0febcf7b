// Names of fault kinds and trace classes, and the one-line text of a report.
#include <sstream>

#include "asmk/emu/launch.hpp"

namespace asmk::emu {

std::string_view fault_kind_name(FaultKind kind) {
  switch (kind) {
    case FaultKind::unmapped_address: return "unmapped_address";
    case FaultKind::lds_out_of_range: return "lds_out_of_range";
    case FaultKind::misaligned: return "misaligned";
    case FaultKind::missing_waitcnt: return "missing_waitcnt";
    case FaultKind::hazard: return "hazard";
    case FaultKind::bad_instruction: return "bad_instruction";
    case FaultKind::bad_branch: return "bad_branch";
    case FaultKind::runaway: return "runaway";
    case FaultKind::cancelled: return "cancelled";
    case FaultKind::lds_race: return "lds_race";
  }
  return "?";
}

std::string_view trace_class_name(TraceClass c) {
  switch (c) {
    case TraceClass::salu: return "salu";
    case TraceClass::valu: return "valu";
    case TraceClass::trans: return "trans";
    case TraceClass::valu64: return "valu64";
    case TraceClass::mfma: return "mfma";
    case TraceClass::smem: return "smem";
    case TraceClass::vmem_load: return "vmem_load";
    case TraceClass::vmem_store: return "vmem_store";
    case TraceClass::vmem_atomic: return "vmem_atomic";
    case TraceClass::lds: return "lds";
    case TraceClass::branch: return "branch";
    case TraceClass::waitcnt: return "waitcnt";
    case TraceClass::barrier: return "barrier";
    case TraceClass::other: return "other";
  }
  return "?";
}

std::string Report::to_string() const {
  std::ostringstream os;
  os << fault_kind_name(kind) << ": kernel " << kernel << " workgroup (" << workgroup.x << "," << workgroup.y << ","
     << workgroup.z << ") wave " << wave;
  if (lane >= 0) os << " lane " << lane;
  if (pc < 0) os << " pc -0x" << std::hex << -pc << std::dec;
  else os << " pc 0x" << std::hex << pc << std::dec;
  if (address) os << " address 0x" << std::hex << address << std::dec;
  os << ": " << instruction << " -- " << message;
  return os.str();
}

}  // namespace asmk::emu
