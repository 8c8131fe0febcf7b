#include "asmk/perf/trace_ops.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <tuple>
#include <unordered_map>

namespace asmk::perf {
namespace {

OpClass op_class(emu::TraceClass cls, const std::string& mnemonic) {
  using emu::TraceClass;
  switch (cls) {
    case TraceClass::salu: return OpClass::salu;
    case TraceClass::valu:
    case TraceClass::valu64: return OpClass::valu;
    case TraceClass::trans: return OpClass::valu_trans;
    case TraceClass::mfma: return OpClass::mfma;
    case TraceClass::smem: return OpClass::smem;
    case TraceClass::vmem_load: return OpClass::vmem_load;
    case TraceClass::vmem_store:
    case TraceClass::vmem_atomic: return OpClass::vmem_store;
    case TraceClass::lds:
      return mnemonic.rfind("ds_write", 0) == 0 || mnemonic.rfind("ds_store", 0) == 0 ? OpClass::lds_write
                                                                                     : OpClass::lds_read;
    case TraceClass::branch: return mnemonic == "s_endpgm" ? OpClass::end : OpClass::branch;
    case TraceClass::waitcnt: return OpClass::waitcnt;
    case TraceClass::barrier: return OpClass::barrier;
    case TraceClass::other: return mnemonic == "s_nop" ? OpClass::nop : OpClass::other;
  }
  return OpClass::other;
}

// v_mfma_*_f8f6f4 runs at twice the fp8 rate when both operands are 6- or 4-bit (cbsz and blgp
// 2 = fp6, 3 = bf6, 4 = fp4): such instructions get the mnemonic "<name>.f6f4" (the machine files
// give its cost under that name).
uint32_t narrow_format_variant(std::vector<std::string>& mnemonics, const std::string& mnemonic,
                               const std::string& text, uint32_t id) {
  auto format_code = [&](const char* key) {
    const size_t at = text.find(key);
    return at == std::string::npos ? 0 : std::atoi(text.c_str() + at + std::strlen(key));
  };
  if (format_code("cbsz:") < 2 || format_code("blgp:") < 2) return id;
  const std::string narrow = mnemonic + ".f6f4";
  const auto it = std::find(mnemonics.begin(), mnemonics.end(), narrow);
  if (it != mnemonics.end()) return static_cast<uint32_t>(it - mnemonics.begin());
  mnemonics.push_back(narrow);
  return static_cast<uint32_t>(mnemonics.size() - 1);
}

// The maximum encodable count means "does not wait on this counter" (launch.hpp).
constexpr uint8_t kNoVmWait = 63, kNoLgkmWait = 15;

}  // namespace

Expected<std::vector<WorkgroupProgram>> programs_from_trace(const emu::CodeObject& code_object,
                                                            const emu::Kernel& kernel,
                                                            const emu::LaunchReport& report) {
  if (report.traces.empty()) return Status::error("kernel " + kernel.name + ": the launch recorded no trace");
  auto listing = code_object.listing(kernel.name);
  if (!listing) return listing.status();
  std::unordered_map<int64_t, const std::string*> text_at;
  for (const auto& line : *listing) text_at[static_cast<int64_t>(line.pc)] = &line.text;

  // Group the wave traces by workgroup, waves in order.
  std::map<std::tuple<uint32_t, uint32_t, uint32_t>, std::map<uint32_t, const emu::WaveTrace*>> by_workgroup;
  for (const auto& wave : report.traces)
    by_workgroup[{wave.workgroup.z, wave.workgroup.y, wave.workgroup.x}][wave.wave] = &wave;

  std::vector<WorkgroupProgram> programs;
  for (const auto& [id, waves] : by_workgroup) {
    WorkgroupProgram program;
    for (const auto& [index, trace] : waves) {
      WaveProgram wave;
      wave.mnemonics = report.trace_mnemonics;
      wave.ops.reserve(trace->entries.size());
      for (const auto& entry : trace->entries) {
        const std::string& mnemonic = report.trace_mnemonics.at(entry.mnemonic_id);
        Op op;
        op.cls = op_class(entry.cls, mnemonic);
        op.mnemonic = entry.mnemonic_id;
        op.bytes = entry.bytes;
        op.lds_conflict_cycles = entry.lds_conflict_cycles;
        if (op.cls == OpClass::waitcnt) {
          op.wait_vm = entry.vmcnt >= kNoVmWait ? -1 : entry.vmcnt;
          op.wait_lgkm = entry.lgkmcnt >= kNoLgkmWait ? -1 : entry.lgkmcnt;
        }
        const auto text = text_at.find(entry.pc);
        if (text != text_at.end() && op.cls == OpClass::mfma && mnemonic.ends_with("f8f6f4"))
          op.mnemonic = narrow_format_variant(wave.mnemonics, mnemonic, *text->second, op.mnemonic);
        if (text != text_at.end()) {
          if (op.cls == OpClass::nop) op.nop_cycles = nop_wait_states(*text->second);
          // Register operands matter only for MFMA results (dependency latency).
          if (op.cls == OpClass::mfma || op.cls == OpClass::valu || op.cls == OpClass::valu_trans ||
              op.cls == OpClass::vmem_store || op.cls == OpClass::lds_write)
            op.regs = vector_registers(*text->second);
        }
        wave.ops.push_back(std::move(op));
      }
      program.waves.push_back(std::move(wave));
    }
    programs.push_back(std::move(program));
  }
  return programs;
}

}  // namespace asmk::perf
