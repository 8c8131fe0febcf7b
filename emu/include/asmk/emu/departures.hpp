// Where the emulator's semantics depart from the ISA pseudocode, or read it where it is silent or
// ambiguous, or leave a behaviour out: one table, kept next to the semantics it describes
// (emu/src/semantics/departures.cpp). Each semantics entry concerned says so next to itself too.
#pragma once

#include <span>
#include <string_view>

namespace asmk::emu {

enum class DepartureKind {
  departs,      // knowingly differs from the ISA pseudocode / hardware
  interprets,   // the ISA guide is silent or ambiguous: the reading the emulator implements
  not_modeled,  // a behaviour the emulator leaves out (it faults, reports or ignores it, as said)
};

struct SemanticsDeparture {
  std::string_view id;            // short stable key, e.g. "transcendental-rounding"
  DepartureKind kind;
  std::string_view instructions;  // space-separated mnemonics; a trailing '*' matches a prefix
  std::string_view what;          // what the emulator does and how that differs / why
  std::string_view source;        // the text it is measured against
};

/// The table (static data).
std::span<const SemanticsDeparture> semantics_departures();

std::string_view departure_kind_name(DepartureKind kind);

/// True when `entry` concerns the instruction printed as `instruction_text` (a listing line such
/// as "v_cvt_sr_fp8_f32_e64 v0, v1, v2"; the encoding suffix does not matter).
bool concerns(const SemanticsDeparture& entry, std::string_view instruction_text);

/// True when the emulator has semantics for `mnemonic` (without encoding suffix), or, for a
/// pattern ending in '*', for some mnemonic with that prefix.
bool has_semantics(std::string_view mnemonic_or_prefix);

}  // namespace asmk::emu
