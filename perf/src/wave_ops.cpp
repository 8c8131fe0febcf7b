#include "asmk/perf/wave_ops.hpp"

#include <cctype>
#include <cstdlib>

namespace asmk::perf {

const char* op_class_name(OpClass cls) {
  switch (cls) {
    case OpClass::salu: return "salu";
    case OpClass::smem: return "smem";
    case OpClass::valu: return "valu";
    case OpClass::valu_trans: return "valu_trans";
    case OpClass::mfma: return "mfma";
    case OpClass::vmem_load: return "vmem_load";
    case OpClass::vmem_store: return "vmem_store";
    case OpClass::lds_read: return "lds_read";
    case OpClass::lds_write: return "lds_write";
    case OpClass::branch: return "branch";
    case OpClass::waitcnt: return "waitcnt";
    case OpClass::barrier: return "barrier";
    case OpClass::nop: return "nop";
    case OpClass::end: return "end";
    case OpClass::other: return "other";
  }
  return "other";
}

uint64_t WorkgroupProgram::global_bytes() const {
  uint64_t total = 0;
  for (const auto& wave : waves)
    for (const auto& op : wave.ops)
      if (op.cls == OpClass::vmem_load || op.cls == OpClass::vmem_store) total += op.bytes;
  return total;
}

std::vector<RegRange> vector_registers(const std::string& text) {
  std::vector<RegRange> regs;
  const size_t operands = text.find(' ');
  if (operands == std::string::npos) return regs;
  // Operand tokens: v7, a3, v[0:15], a[4:7]; stop at modifiers after the operands is not needed
  // because modifiers never start with a register name preceded by a separator.
  for (size_t i = operands; i < text.size(); ++i) {
    const char c = text[i];
    if ((c != 'v' && c != 'a') || (i > 0 && (std::isalnum(static_cast<unsigned char>(text[i - 1])) || text[i - 1] == '_')))
      continue;
    const char* p = text.c_str() + i + 1;
    char* end = nullptr;
    if (*p == '[') {
      const long first = std::strtol(p + 1, &end, 10);
      if (end == p + 1 || *end != ':') continue;
      const char* q = end + 1;
      const long last = std::strtol(q, &end, 10);
      if (end == q || *end != ']' || last < first) continue;
      regs.push_back({c, static_cast<uint16_t>(first), static_cast<uint16_t>(last - first + 1)});
      i = static_cast<size_t>(end - text.c_str());
    } else if (std::isdigit(static_cast<unsigned char>(*p))) {
      const long index = std::strtol(p, &end, 10);
      if (std::isalpha(static_cast<unsigned char>(*end)) || *end == '_') continue;  // e.g. "vcc", "v_..."
      regs.push_back({c, static_cast<uint16_t>(index), 1});
      i = static_cast<size_t>(end - text.c_str()) - 1;
    }
  }
  return regs;
}

uint16_t nop_wait_states(const std::string& text) {
  if (text.rfind("s_nop", 0) != 0) return 0;
  const size_t space = text.find(' ');
  const long n = space == std::string::npos ? 0 : std::strtol(text.c_str() + space + 1, nullptr, 0);
  return static_cast<uint16_t>(n + 1);
}

}  // namespace asmk::perf
