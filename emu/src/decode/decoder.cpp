// Decoding = LLVM's disassembler for the bits, then this parser for its canonical text.
// The printed syntax is the documented assembler syntax (AMDGPUOperandSyntax/ModifierSyntax),
// so operands come out in ISA order: destinations first, then sources, then modifiers.
#include "decoder.hpp"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <algorithm>
#include <unordered_map>

#include "../semantics/registry.hpp"

namespace asmk::emu::detail {
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

/// Splits operand text at top-level commas and spaces, keeping [..] and (..) groups intact.
std::vector<std::string> tokenize(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  for (char c : s) {
    if (c == '[' || c == '(') depth++;
    if (c == ']' || c == ')') depth--;
    if (depth == 0 && (c == ',' || c == ' ' || c == '\t')) {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
      continue;
    }
    cur.push_back(c);
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

bool parse_int(std::string_view s, int64_t& v) {
  bool neg = false;
  if (!s.empty() && s[0] == '-') { neg = true; s.remove_prefix(1); }
  int base = 10;
  if (starts_with(s, "0x") || starts_with(s, "0X")) { base = 16; s.remove_prefix(2); }
  if (s.empty()) return false;
  uint64_t u = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), u, base);
  if (ec != std::errc() || p != s.data() + s.size()) return false;
  v = neg ? -int64_t(u) : int64_t(u);
  return true;
}

uint16_t f32_to_f16_exact(float f) {
  // Only the inline constants reach here (0.5, 1, 2, 4, their negatives): exact in f16.
  uint32_t b = std::bit_cast<uint32_t>(f);
  uint16_t sign = uint16_t((b >> 16) & 0x8000);
  int exp = int((b >> 23) & 0xff) - 127 + 15;
  uint16_t mant = uint16_t((b >> 13) & 0x3ff);
  if ((b & 0x7fffffff) == 0) return sign;
  return uint16_t(sign | (exp << 10) | mant);
}

bool parse_constant(std::string_view s, Operand& o) {
  int64_t v = 0;
  if (parse_int(s, v)) {
    o.kind = OpKind::constant;
    bool is_inline = v >= -16 && v <= 64;
    o.k32 = uint32_t(v);
    o.k16 = uint16_t(v);
    if (is_inline || v < 0) {
      o.k64 = uint64_t(v);
      o.k64f = uint64_t(v);
    } else {  // a 32-bit literal: zero-extended for integers, the high half of a double for floats
      o.k64 = uint64_t(uint32_t(v));
      o.k64f = uint64_t(uint32_t(v)) << 32;
    }
    return true;
  }
  if (s.find('.') == std::string_view::npos) return false;
  std::string str(s);
  char* end = nullptr;
  double d = std::strtod(str.c_str(), &end);
  if (end != str.c_str() + str.size()) return false;
  o.kind = OpKind::constant;
  if (std::fabs(std::fabs(d) - 0.15915494) < 1e-7) {  // 1/(2*pi), an inline constant with exact encodings
    bool neg = d < 0;
    o.k32 = 0x3e22f983u | (neg ? 0x80000000u : 0);
    o.k16 = uint16_t(0x3118 | (neg ? 0x8000 : 0));
    o.k64f = 0x3fc45f306dc9c882ull | (neg ? 1ull << 63 : 0);
  } else {
    o.k32 = std::bit_cast<uint32_t>(float(d));
    o.k16 = f32_to_f16_exact(float(d));
    o.k64f = std::bit_cast<uint64_t>(d);
  }
  o.k64 = o.k64f;
  return true;
}

bool parse_range(std::string_view s, uint16_t& reg, uint8_t& dwords) {
  // "5" or "[4:7]"
  int64_t a = 0, b = 0;
  if (!s.empty() && s[0] == '[') {
    auto colon = s.find(':');
    if (colon == std::string_view::npos || s.back() != ']') return false;
    if (!parse_int(s.substr(1, colon - 1), a) || !parse_int(s.substr(colon + 1, s.size() - colon - 2), b)) return false;
  } else {
    if (!parse_int(s, a)) return false;
    b = a;
  }
  if (a < 0 || b < a || b - a >= 32) return false;
  reg = uint16_t(a);
  dwords = uint8_t(b - a + 1);
  return true;
}

bool parse_register(std::string_view s, Operand& o) {
  static const std::unordered_map<std::string_view, std::pair<uint16_t, uint8_t>> named = {
      {"vcc", {kVccLo, 2}},         {"vcc_lo", {kVccLo, 1}},         {"vcc_hi", {kVccHi, 1}},
      {"exec", {kExecLo, 2}},       {"exec_lo", {kExecLo, 1}},       {"exec_hi", {kExecHi, 1}},
      {"m0", {kM0, 1}},             {"flat_scratch", {kFlatScratchLo, 2}},
      {"flat_scratch_lo", {kFlatScratchLo, 1}}, {"flat_scratch_hi", {kFlatScratchLo + 1, 1}},
      {"xnack_mask", {kXnackMaskLo, 2}}, {"xnack_mask_lo", {kXnackMaskLo, 1}}, {"xnack_mask_hi", {kXnackMaskLo + 1, 1}},
  };
  static const std::unordered_map<std::string_view, SpecialReg> specials = {
      {"src_shared_base", SpecialReg::shared_base},   {"src_shared_limit", SpecialReg::shared_limit},
      {"src_private_base", SpecialReg::private_base}, {"src_private_limit", SpecialReg::private_limit},
      {"vccz", SpecialReg::vccz}, {"src_vccz", SpecialReg::vccz}, {"execz", SpecialReg::execz},
      {"src_execz", SpecialReg::execz}, {"src_lds_direct", SpecialReg::lds_direct}, {"lds_direct", SpecialReg::lds_direct},
      {"src_pops_exiting_wave_id", SpecialReg::pops_exiting_wave_id},
  };
  if (auto it = named.find(s); it != named.end()) {
    o.kind = OpKind::sgpr;
    o.reg = it->second.first;
    o.dwords = it->second.second;
    return true;
  }
  if (auto it = specials.find(s); it != specials.end()) {
    o.kind = OpKind::special;
    o.special = it->second;
    return true;
  }
  if (s == "scc" || s == "src_scc") { o.kind = OpKind::scc; return true; }
  if (s == "off") { o.kind = OpKind::off; return true; }
  if (starts_with(s, "ttmp")) {
    if (!parse_range(s.substr(4), o.reg, o.dwords)) return false;
    o.kind = OpKind::sgpr;
    o.reg = uint16_t(o.reg + kTtmp0);
    return true;
  }
  if (s.empty()) return false;
  OpKind k = s[0] == 'v' ? OpKind::vgpr : s[0] == 'a' ? OpKind::agpr : s[0] == 's' ? OpKind::sgpr : OpKind::none;
  if (k == OpKind::none) return false;
  if (!parse_range(s.substr(1), o.reg, o.dwords)) return false;
  const int file_size = k == OpKind::sgpr ? 106 : 256;  // s0..s105 are plain SGPRs; specials are named
  if (o.reg + o.dwords > file_size) return false;
  o.kind = k;
  return true;
}

bool parse_operand(std::string_view s, Operand& o) {
  // lit(...) / lit64(...) force a literal encoding of the value inside.
  for (std::string_view p : {"lit(", "lit64("})
    if (starts_with(s, p) && s.back() == ')') {
      if (!parse_constant(s.substr(p.size(), s.size() - p.size() - 1), o)) return false;
      return true;
    }
  // Source modifiers: -x, |x|, abs(x), neg(x), sext(x), combinations like -|x|.
  if (starts_with(s, "sext(") && s.back() == ')') {
    o.sext = true;
    return parse_operand(s.substr(5, s.size() - 6), o);
  }
  if (starts_with(s, "neg(") && s.back() == ')') {
    o.neg = true;
    return parse_operand(s.substr(4, s.size() - 5), o);
  }
  if (starts_with(s, "abs(") && s.back() == ')') {
    o.abs = true;
    return parse_operand(s.substr(4, s.size() - 5), o);
  }
  if (parse_constant(s, o)) return true;
  if (starts_with(s, "-") && s.size() > 1) {
    o.neg = true;
    return parse_operand(s.substr(1), o);
  }
  if (s.size() >= 2 && s.front() == '|' && s.back() == '|') {
    o.abs = true;
    return parse_operand(s.substr(1, s.size() - 2), o);
  }
  return parse_register(s, o);
}

uint8_t parse_bits(std::string_view list) {  // "[0,1,1]" -> 0b110
  uint8_t bits = 0;
  int i = 0;
  for (char c : list) {
    if (c == '0' || c == '1') bits |= uint8_t((c - '0') << i++);
  }
  return bits;
}

uint8_t parse_sel(std::string_view v) {
  static const std::unordered_map<std::string_view, uint8_t> sels = {
      {"BYTE_0", 0}, {"BYTE_1", 1}, {"BYTE_2", 2}, {"BYTE_3", 3}, {"WORD_0", 4}, {"WORD_1", 5}, {"DWORD", 6}};
  auto it = sels.find(v);
  return it == sels.end() ? 6 : it->second;
}

// ---- modifiers: one table entry per printed modifier (AMDGPUModifierSyntax) ----------------

/// What a modifier's value may update besides Modifiers: SDWA source selects are resolved after
/// the operands (the sext() of an operand decides how they apply).
struct ModifierContext {
  Modifiers& m;
  const RawInstruction& raw;
  bool vop3p;
  std::string& sel0;
  std::string& sel1;
};

/// A keyed modifier ("key:value"): sets its field from the value text; false if the value is bad.
using ValueSetter = bool (*)(ModifierContext&, std::string_view value);

template <class T, T Modifiers::*Field>
bool set_number(ModifierContext& c, std::string_view v) {
  int64_t n = 0;
  if (!parse_int(v, n)) return false;
  c.m.*Field = T(n);
  return true;
}

/// DPP controls with a count (row_shl:1..15, wave_shl:1, row_newbcast:0..15, ...).
template <DppCtrl Ctrl>
bool set_dpp(ModifierContext& c, std::string_view v) {
  int64_t n = 0;
  if (!parse_int(v, n)) return false;
  c.m.dpp = Ctrl;
  c.m.dpp_arg = uint8_t(n);
  return true;
}

bool set_offset(ModifierContext& c, std::string_view v) {
  int64_t n = 0;
  if (parse_int(v, n)) c.m.offset = int32_t(n);
  else if (!c.raw.immediates.empty()) c.m.offset = int32_t(c.raw.immediates.front());  // e.g. swizzle(...)
  else return false;
  return true;
}

bool set_op_sel(ModifierContext& c, std::string_view v) {
  // VOP3 prints one entry per source then the destination ("[0,0,1]" for two sources); the
  // destination's bit is op_sel[3] in the encoding. VOP3P (v_pk_*, v_dot*) has no destination entry.
  Modifiers& m = c.m;
  m.op_sel = parse_bits(v);
  const int entries = int(std::count(v.begin(), v.end(), ',')) + 1;
  if (!c.vop3p && entries >= 2 && entries <= 3) {
    const uint8_t dst = (m.op_sel >> (entries - 1)) & 1;
    m.op_sel = uint8_t((m.op_sel & ((1u << (entries - 1)) - 1)) | (dst << 3));
  }
  return true;
}

bool set_quad_perm(ModifierContext& c, std::string_view v) {
  uint8_t packed = 0;
  int i = 0;
  for (char ch : v)
    if (ch >= '0' && ch <= '3') packed |= uint8_t((ch - '0') << (2 * i++));
  c.m.dpp = DppCtrl::quad_perm;
  c.m.dpp_arg = packed;
  return true;
}

bool set_row_bcast(ModifierContext& c, std::string_view v) {
  int64_t n = 0;
  if (!parse_int(v, n) || (n != 15 && n != 31)) return false;
  c.m.dpp = n == 15 ? DppCtrl::row_bcast15 : DppCtrl::row_bcast31;
  return true;
}

bool set_omod_mul(ModifierContext& c, std::string_view v) {
  int64_t n = 0;
  if (!parse_int(v, n)) return false;
  c.m.omod = n == 2 ? 1 : n == 4 ? 2 : 0;
  return true;
}

bool set_omod_div(ModifierContext& c, std::string_view v) {
  int64_t n = 0;
  if (!parse_int(v, n)) return false;
  c.m.omod = n == 2 ? 3 : 0;
  return true;
}

bool set_neg_lo(ModifierContext& c, std::string_view v) {
  c.m.neg_lo = parse_bits(v);
  return true;
}

const std::unordered_map<std::string_view, ValueSetter>& keyed_modifiers() {
  static const std::unordered_map<std::string_view, ValueSetter> table = {
      {"offset", set_offset},
      {"offset0", set_number<uint16_t, &Modifiers::offset0>},
      {"offset1", set_number<uint16_t, &Modifiers::offset1>},
      {"mul", set_omod_mul},
      {"div", set_omod_div},
      {"op_sel", set_op_sel},
      {"op_sel_hi", [](ModifierContext& c, std::string_view v) { c.m.op_sel_hi = parse_bits(v); return true; }},
      {"neg_lo", set_neg_lo},
      {"neg", set_neg_lo},  // MFMA f64 neg:[a,b,c]
      {"neg_hi", [](ModifierContext& c, std::string_view v) { c.m.neg_hi = parse_bits(v); return true; }},
      {"cbsz", set_number<uint8_t, &Modifiers::cbsz>},
      {"abid", set_number<uint8_t, &Modifiers::abid>},
      {"blgp", set_number<uint8_t, &Modifiers::blgp>},
      {"bitop3", set_number<uint8_t, &Modifiers::bitop3>},
      {"dst_sel", [](ModifierContext& c, std::string_view v) { c.m.dst_sel = parse_sel(v); return true; }},
      {"dst_unused",
       [](ModifierContext& c, std::string_view v) {
         c.m.dst_unused = v == "UNUSED_SEXT" ? 1 : v == "UNUSED_PRESERVE" ? 2 : 0;
         return true;
       }},
      {"src0_sel", [](ModifierContext& c, std::string_view v) { c.sel0 = std::string(v); return true; }},
      {"src1_sel", [](ModifierContext& c, std::string_view v) { c.sel1 = std::string(v); return true; }},
      {"quad_perm", set_quad_perm},
      {"row_shl", set_dpp<DppCtrl::row_shl>},
      {"row_shr", set_dpp<DppCtrl::row_shr>},
      {"row_ror", set_dpp<DppCtrl::row_ror>},
      {"wave_shl", set_dpp<DppCtrl::wave_shl>},
      {"wave_rol", set_dpp<DppCtrl::wave_rol>},
      {"wave_shr", set_dpp<DppCtrl::wave_shr>},
      {"wave_ror", set_dpp<DppCtrl::wave_ror>},
      {"row_bcast", set_row_bcast},
      {"row_newbcast", set_dpp<DppCtrl::row_newbcast>},  // gfx90a+: DPP_CTRL 0x150 + lane
      {"row_mask", set_number<uint8_t, &Modifiers::row_mask>},
      {"bank_mask", set_number<uint8_t, &Modifiers::bank_mask>},
      {"bound_ctrl", set_number<bool, &Modifiers::bound_ctrl>},  // true: invalid source lanes read 0
  };
  return table;
}

/// Modifiers printed without a value.
const std::unordered_map<std::string_view, void (*)(Modifiers&)>& flag_modifiers() {
  static const std::unordered_map<std::string_view, void (*)(Modifiers&)> table = {
      {"clamp", [](Modifiers& m) { m.clamp = true; }},
      {"offen", [](Modifiers& m) { m.offen = true; }},
      {"idxen", [](Modifiers& m) { m.idxen = true; }},
      {"lds", [](Modifiers& m) { m.lds = true; }},
      {"gds", [](Modifiers& m) { m.gds = true; }},
      {"glc", [](Modifiers& m) { m.sc0 = true; }},
      {"sc0", [](Modifiers& m) { m.sc0 = true; }},
      {"slc", [](Modifiers& m) { m.nt = true; }},
      {"nt", [](Modifiers& m) { m.nt = true; }},
      {"sc1", [](Modifiers& m) { m.sc1 = true; }},
      {"row_mirror", [](Modifiers& m) { m.dpp = DppCtrl::row_mirror; }},
      {"row_half_mirror", [](Modifiers& m) { m.dpp = DppCtrl::row_half_mirror; }},
  };
  return table;
}

/// Applies one modifier token; returns false if it is unknown or its value is malformed.
bool apply_modifier(std::string_view tok, ModifierContext& c) {
  const auto colon = tok.find(':');
  if (colon == std::string_view::npos) {
    auto it = flag_modifiers().find(tok);
    if (it == flag_modifiers().end()) return false;
    it->second(c.m);
    return true;
  }
  auto it = keyed_modifiers().find(tok.substr(0, colon));
  return it != keyed_modifiers().end() && it->second(c, tok.substr(colon + 1));
}

bool is_modifier_token(std::string_view tok) {
  if (flag_modifiers().contains(tok)) return true;
  // key:value at top level (a register range's colon is inside brackets).
  auto colon = tok.find(':');
  auto bracket = tok.find('[');
  return colon != std::string_view::npos && (bracket == std::string_view::npos || bracket > colon);
}

}  // namespace

std::string_view semantics_mnemonic(std::string_view instruction_text) {
  std::string_view mnemonic = instruction_text.substr(0, instruction_text.find(' '));
  for (std::string_view suffix : {"_e64_dpp", "_e32", "_e64", "_dpp", "_sdwa"})
    if (mnemonic.size() > suffix.size() && mnemonic.ends_with(suffix)) return mnemonic.substr(0, mnemonic.size() - suffix.size());
  return mnemonic;
}

std::string parse_instruction(const RawInstruction& raw, Instr& in, std::string& mnemonic) {
  std::string_view text = raw.text;
  auto sp = text.find(' ');
  std::string_view full = text.substr(0, sp);
  std::string_view rest = sp == std::string_view::npos ? std::string_view() : text.substr(sp + 1);
  mnemonic = std::string(semantics_mnemonic(full));
  in.m.sdwa = full.ends_with("_sdwa") && full.size() > 5;
  // VOP3P: op_sel has one entry per source (no destination entry). op_sel_hi defaults to all ones
  // unless printed, except for the mixed-precision ops, where it defaults to zero.
  const bool mixed = starts_with(mnemonic, "v_fma_mix") || starts_with(mnemonic, "v_mad_mix");
  const bool vop3p = mixed || starts_with(mnemonic, "v_pk_") || starts_with(mnemonic, "v_dot");
  if (vop3p && !mixed) in.m.op_sel_hi = 0x7;
  in.imm = raw.immediates.empty() ? 0 : raw.immediates.front();
  // s_setreg_imm32_b32 hwreg(...), imm32: the MCInst holds imm32 first, then the hwreg simm16.
  const bool setreg_imm32 = full == "s_setreg_imm32_b32" && raw.immediates.size() >= 2;
  if (setreg_imm32) in.imm = raw.immediates[1];

  std::string sel0, sel1;
  ModifierContext modifiers{in.m, raw, vop3p, sel0, sel1};
  int n = 0;
  for (const std::string& tok : tokenize(rest)) {
    if (is_modifier_token(tok)) {
      if (!apply_modifier(tok, modifiers)) return "unknown modifier '" + tok + "'";
      continue;
    }
    if (n >= 6) return "too many operands";
    Operand& o = in.op[n];
    auto paren = tok.find('(');
    if (paren != std::string::npos && !starts_with(tok, "abs(") && !starts_with(tok, "neg(") &&
        !starts_with(tok, "sext(") && !starts_with(tok, "-") && !starts_with(tok, "lit")) {
      // Symbolic immediates: vmcnt(0), hwreg(...), sendmsg(...), gpr_idx(...): the value is the
      // raw immediate; constant operands before it (s_set_gpr_idx_on 3, gpr_idx(...)) hold the
      // immediates before it.
      size_t nth = 0;
      for (int i = 0; i < n; i++) nth += in.op[i].kind == OpKind::constant;
      const int64_t v = setreg_imm32 ? in.imm : nth < raw.immediates.size() ? raw.immediates[nth] : in.imm;
      o.kind = OpKind::constant;
      o.k32 = uint32_t(v);
      o.k64 = o.k64f = uint64_t(v);
      o.k16 = uint16_t(v);
      n++;
      continue;
    }
    if (!parse_operand(tok, o)) return "cannot parse operand '" + tok + "'";
    n++;
  }
  in.num_ops = uint8_t(n);
  if (!sel0.empty()) in.m.src_sel[0] = parse_sel(sel0);
  if (!sel1.empty()) in.m.src_sel[1] = parse_sel(sel1);
  return {};
}

Expected<DecodedKernel> decode_section(Arch arch, std::span<const uint8_t> code, std::vector<uint64_t> entries) {
  // Disassembly restarts at every kernel entry, so each kernel is decoded from its first byte
  // whatever precedes it (other kernels, called functions, padding).
  entries.push_back(0);
  entries.push_back(code.size());
  std::sort(entries.begin(), entries.end());
  entries.erase(std::unique(entries.begin(), entries.end()), entries.end());
  std::vector<RawInstruction> all;
  for (size_t i = 0; i + 1 < entries.size(); i++) {
    uint64_t begin = std::min<uint64_t>(entries[i], code.size()), end = std::min<uint64_t>(entries[i + 1], code.size());
    if (end <= begin) continue;
    auto piece = disassemble(arch, code.subspan(begin, end - begin));
    if (!piece) return piece.status();
    for (RawInstruction& r : *piece) {
      r.offset += begin;
      all.push_back(std::move(r));
    }
  }
  const std::vector<RawInstruction>* raws = &all;
  const uint64_t entry = 0, kernel_end = code.size();
  const std::string kernel_name;
  const Registry& registry = Registry::instance();
  DecodedKernel out;
  auto prog = std::make_shared<KernelProgram>();
  prog->arch = arch;
  prog->entry_offset = entry;
  prog->index_by_dword.assign((code.size() + 3) / 4 + 1, -1);
  std::unordered_map<std::string, uint16_t> mnemonic_ids;

  for (const RawInstruction& raw : *raws) {
    Instr in;
    in.pc = int32_t(int64_t(raw.offset) - int64_t(entry));
    in.size = raw.size;
    in.index = uint32_t(prog->code.size());
    const bool in_kernel = raw.offset >= entry && raw.offset < kernel_end;  // the whole section here
    ListingLine line;
    line.pc = raw.offset - (in_kernel ? entry : 0);
    line.bytes.assign(code.begin() + raw.offset, code.begin() + raw.offset + raw.size);
    line.text = raw.text.empty() ? "<invalid encoding>" : raw.text;

    std::string mnemonic = "<invalid>";
    std::string problem;
    if (raw.text.empty()) {
      problem = "the disassembler cannot decode these bytes";
    } else {
      problem = parse_instruction(raw, in, mnemonic);
    }
    const SemanticsEntry* sem = problem.empty() ? registry.find(mnemonic) : nullptr;
    if (problem.empty() && !sem) problem = "no semantics for '" + mnemonic + "'";
    if (sem) {
      in.fn = sem->fn;
      in.cls = sem->cls;
      in.mem_dwords = sem->mem_dwords;
      int nd = sem->num_dst;
      if (nd == kDstIfReturning) nd = in.m.sc0 ? 1 : 0;
      in.num_dst = uint8_t(std::min<int>(nd, in.num_ops));
      if (sem->prepare) problem = sem->prepare(in, mnemonic, arch);
    }
    // Branch targets: SOPP simm16 counts dwords from the next instruction.
    if (starts_with(mnemonic, "s_branch") || starts_with(mnemonic, "s_cbranch") || starts_with(mnemonic, "s_call")) {
      int64_t simm = raw.immediates.empty() ? 0 : int16_t(raw.immediates.back());
      int64_t target = int64_t(raw.offset) + 4 + simm * 4;
      in.imm = target;  // byte offset of the target; resolved to an index below
    }
    if (!problem.empty()) {
      in.fn = nullptr;
      line.supported = false;
      if (in_kernel) out.unsupported.push_back({kernel_name, raw.offset - entry, line.text, problem});
      else out.unsupported_elsewhere.push_back({"", raw.offset, line.text, problem});
    }
    auto [it, inserted] = mnemonic_ids.try_emplace(mnemonic, uint16_t(prog->mnemonics.size()));
    if (inserted) prog->mnemonics.push_back(mnemonic);
    in.mnemonic = it->second;
    if (raw.offset / 4 < prog->index_by_dword.size()) prog->index_by_dword[raw.offset / 4] = int32_t(in.index);
    prog->code.push_back(in);
    prog->text.push_back(line.text);
    if (in_kernel) out.listing.push_back(std::move(line));
  }
  prog->entry_index = 0;
  for (Instr& in : prog->code) {
    const std::string& mn = prog->mnemonics[in.mnemonic];
    if (starts_with(mn, "s_branch") || starts_with(mn, "s_cbranch") || starts_with(mn, "s_call"))
      in.target = in.imm >= 0 ? prog->index_at_offset(uint64_t(in.imm)) : -1;
  }
  out.program = std::move(prog);
  return out;
}

DecodedKernel kernel_view(const DecodedKernel& section, const std::string& name, uint64_t entry, uint64_t size,
                         std::string& error) {
  DecodedKernel out;
  auto prog = std::make_shared<KernelProgram>(*section.program);
  prog->entry_offset = entry;
  prog->entry_index = prog->index_at_offset(entry);
  if (prog->entry_index < 0) error = "kernel '" + name + "': no instruction starts at its entry";
  for (Instr& in : prog->code) in.pc = int32_t(int64_t(in.pc) - int64_t(entry));  // section offsets -> entry
  for (const ListingLine& line : section.listing)
    if (line.pc >= entry && line.pc < entry + size) {
      out.listing.push_back(line);
      out.listing.back().pc -= entry;
    }
  for (const Unsupported& u : section.unsupported) {
    if (u.pc >= entry && u.pc < entry + size) out.unsupported.push_back({name, u.pc - entry, u.text, u.reason});
    else out.unsupported_elsewhere.push_back(u);
  }
  out.program = std::move(prog);
  return out;
}

}  // namespace asmk::emu::detail

namespace asmk::emu {
int32_t KernelProgram::index_at_offset(uint64_t offset) const {
  if (offset % 4 != 0 || offset / 4 >= index_by_dword.size()) return -1;
  return index_by_dword[offset / 4];
}
int32_t KernelProgram::index_of(int64_t pc) const {
  int64_t offset = int64_t(entry_offset) + pc;
  return offset < 0 ? -1 : index_at_offset(uint64_t(offset));
}
}  // namespace asmk::emu
