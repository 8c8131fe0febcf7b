// Turns the disassembler's canonical text (plus raw immediates) into the internal form.
#pragma once

#include <memory>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "asmk/emu/code_object.hpp"
#include "instr.hpp"
#include "mc_disassembler.hpp"

namespace asmk::emu::detail {

struct DecodedKernel {
  std::shared_ptr<KernelProgram> program;
  std::vector<Unsupported> unsupported;            // inside the kernel's own range (pc from its entry)
  std::vector<Unsupported> unsupported_elsewhere;  // other code of the section (pc = section offset)
  std::vector<ListingLine> listing;                // the kernel's own range
};

/// Decodes a whole code section once (so calls into other functions of the section run); decoding
/// restarts at each of `entries`. In the result every pc is a section offset. Instructions without
/// semantics (or that cannot be parsed) are listed and, if reached, fault with bad_instruction.
Expected<DecodedKernel> decode_section(Arch arch, std::span<const uint8_t> code, std::vector<uint64_t> entries);

/// One kernel's view of a decoded section: its own program (pcs from its entry), its listing and
/// unsupported instructions within [entry, entry + size), the rest in unsupported_elsewhere.
DecodedKernel kernel_view(const DecodedKernel& section, const std::string& name, uint64_t entry, uint64_t size,
                          std::string& error);

/// The mnemonic the semantics table knows an instruction by: its first word without the encoding
/// suffix (_e32, _e64, _dpp, _e64_dpp, _sdwa).
std::string_view semantics_mnemonic(std::string_view instruction_text);

/// Parses one instruction's text into `out` (operands, modifiers). Returns an error message or "".
std::string parse_instruction(const RawInstruction& raw, Instr& out, std::string& mnemonic);

}  // namespace asmk::emu::detail
