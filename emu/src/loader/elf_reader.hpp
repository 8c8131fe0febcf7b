// Reads what the emulator needs from an AMDGPU ELF (via LLVM's Object library): the target,
// the kernel descriptors and code ranges, and the msgpack metadata's kernel entries.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "asmk/emu/code_object.hpp"
#include "asmk/emu/status.hpp"

namespace asmk::emu::detail {

struct ElfKernel {
  std::string name;
  std::vector<uint8_t> descriptor;  // 64 bytes
  uint64_t code_offset = 0;         // file offset of the entry
  uint64_t code_size = 0;           // bytes of code (function symbol size, or to the end of its section)
  uint64_t code_vaddr = 0;          // virtual address of the entry
  uint64_t section_offset = 0, section_size = 0;  // the code section holding the entry (file offset, bytes)
  // metadata
  std::vector<KernelArg> args;
  uint32_t kernarg_segment_size = 0;
  uint32_t reqd_workgroup_size[3] = {0, 0, 0};
  uint32_t sgpr_count = 0, vgpr_count = 0, agpr_count = 0;
  bool has_metadata = false;
};

struct ElfContents {
  Arch arch = Arch::gfx942;
  std::string target_id;
  std::vector<ElfKernel> kernels;
  /// The loadable image: PT_LOAD segments placed at their virtual addresses (zero-filled gaps and
  /// .bss), so code can find its constant data PC-relatively.
  std::vector<uint8_t> image;
};

Expected<ElfContents> read_elf(std::span<const uint8_t> image);

}  // namespace asmk::emu::detail
