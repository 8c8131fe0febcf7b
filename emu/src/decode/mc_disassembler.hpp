// A thin wrapper over LLVM's AMDGPU MC disassembler: bytes in, one RawInstruction per
// instruction out (canonical text, LLVM opcode name, immediate operands). The only file
// of the decoder that includes LLVM headers.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "asmk/emu/code_object.hpp"
#include "asmk/emu/status.hpp"

namespace asmk::emu::detail {

struct RawInstruction {
  uint64_t offset = 0;  // byte offset inside the disassembled range
  uint32_t size = 0;    // 0 when the bytes do not decode
  std::string text;     // canonical assembly, e.g. "v_add_f32_e32 v1, 1.0, v2"
  std::string opcode_name;      // LLVM's name, e.g. "V_ADD_F32_e32_vi"
  std::vector<int64_t> immediates;  // the MCInst's immediate operands, in order
};

/// Disassembles `code` for `arch`. Undecodable words become RawInstruction{size = 4, text = ""}
/// so the caller can report them with their PC.
Expected<std::vector<RawInstruction>> disassemble(Arch arch, std::span<const uint8_t> code);

}  // namespace asmk::emu::detail
