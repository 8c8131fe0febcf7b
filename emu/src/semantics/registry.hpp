// The table from mnemonic (without encoding suffix: "v_add_f32", not "v_add_f32_e64") to
// semantics. Each instruction family registers its entries from its own file.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

#include "../decode/instr.hpp"

namespace asmk::emu::detail {

constexpr int8_t kDstIfReturning = -1;  // atomics: one destination when sc0/glc asks for the old value

/// Optional load-time hook: resolves family data into Instr::aux; returns "" or why it cannot run.
using PrepareFn = std::string (*)(Instr&, std::string_view mnemonic, Arch arch);

struct SemanticsEntry {
  SemanticsFn fn = nullptr;
  InstrClass cls = InstrClass::valu;
  int8_t num_dst = 1;       // leading operands that are written
  uint8_t mem_dwords = 0;   // memory instructions: dwords per lane (or per wave for SMEM)
  PrepareFn prepare = nullptr;
};

class Registry {
 public:
  void add(std::string_view mnemonic, SemanticsEntry entry) { table_[std::string(mnemonic)] = entry; }
  const SemanticsEntry* find(std::string_view mnemonic) const {
    auto it = table_.find(std::string(mnemonic));
    return it == table_.end() ? nullptr : &it->second;
  }
  /// True for a registered mnemonic, or (pattern ending in '*') any mnemonic with that prefix.
  bool matches(std::string_view pattern) const {
    if (!pattern.ends_with('*')) return find(pattern) != nullptr;
    pattern.remove_suffix(1);
    for (const auto& [name, entry] : table_)
      if (std::string_view(name).starts_with(pattern)) return true;
    return false;
  }
  /// The table with every family registered (built once, thread-safe).
  static const Registry& instance();

 private:
  std::unordered_map<std::string, SemanticsEntry> table_;
};

// One registration function per family file.
void register_salu(Registry&);
void register_smem(Registry&);
void register_branch(Registry&);
void register_valu_arith(Registry&);
void register_valu_convert(Registry&);
void register_valu_packed(Registry&);
void register_vopc(Registry&);
void register_lane_ops(Registry&);
void register_ds(Registry&);
void register_mubuf(Registry&);
void register_global_flat(Registry&);
void register_mfma(Registry&);

}  // namespace asmk::emu::detail
