// The kernels' metadata of an AMDGPU code object, read without libLLVM: the ELF64 note "AMDGPU"
// of type NT_AMDGPU_METADATA (32) holds a MessagePack map whose "amdhsa.kernels" list gives each
// kernel's name, symbol, kernarg segment size and arguments (LLVM AMDGPUUsage, "Code Object V3+
// Metadata"). The GPU backends compare the manifest's kernarg layout with it when they load a code
// object (kernarg_layout_check.hpp), as the emu backend does with the emulator's own reader.
//
// The bytes are untrusted: every offset and size is checked against the buffer; a malformed ELF
// or note is MISSING_CODE_OBJECT (an unreadable code object) naming the file and what is wrong,
// never a read outside the bytes.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace asmk {

struct MetadataArg {
  std::string name;  // empty when the metadata has none (hidden arguments)
  std::uint32_t offset = 0, size = 0;
  std::string value_kind;  // "global_buffer", "by_value", "hidden_block_count_x", ...
};

struct KernelMetadata {
  std::string name;    // .name
  std::string symbol;  // .symbol: the kernel descriptor, "<name>.kd"
  std::uint32_t kernarg_segment_size = 0;
  std::vector<MetadataArg> args;
};

// The kernels the code object's metadata note describes; empty when it has no such note. Throws
// MISSING_CODE_OBJECT (naming `file`) when the bytes are not an ELF64 file or the note is malformed.
std::vector<KernelMetadata> read_kernel_metadata(std::span<const std::uint8_t> elf, std::string_view file);

// The entry of `symbol` (the manifest's symbol: the kernel name, or its ".kd") in `kernels`, or null.
inline const KernelMetadata* find_kernel_metadata(const std::vector<KernelMetadata>& kernels, std::string_view symbol) {
  const std::string_view name = symbol.ends_with(".kd") ? symbol.substr(0, symbol.size() - 3) : symbol;
  for (const KernelMetadata& k : kernels)
    if (k.name == name || k.symbol == symbol) return &k;
  return nullptr;
}

}  // namespace asmk
