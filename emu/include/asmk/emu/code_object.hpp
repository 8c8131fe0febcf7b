// Loading AMDGPU code objects (ELF, code object v4/v5): kernels, kernel descriptors, metadata,
// and each kernel's code decoded once into the emulator's internal form.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "asmk/emu/status.hpp"
#include "asmk/ref/arch.hpp"

namespace asmk::emu {

// The architectures are the project's one asmk::Arch; emu::Arch and emu::arch_name stay valid.
using asmk::Arch;
using asmk::arch_name;

/// The fields of the 64-byte kernel descriptor (`<kernel>.kd`) that shape execution.
struct KernelDescriptor {
  uint32_t group_segment_fixed_size = 0;    // static LDS bytes
  uint32_t private_segment_fixed_size = 0;  // scratch bytes per work-item
  uint32_t kernarg_size = 0;
  int64_t kernel_code_entry_byte_offset = 0;  // relative to the descriptor's address
  uint32_t compute_pgm_rsrc1 = 0, compute_pgm_rsrc2 = 0, compute_pgm_rsrc3 = 0;
  uint16_t kernel_code_properties = 0;
  uint16_t kernarg_preload = 0;  // KERNARG_PRELOAD_SPEC: length [6:0], offset [15:7] (byte 58)

  // Decoded from the words above.
  uint32_t vgpr_count = 0;      // architectural + accumulation VGPRs allocated (unified file, granule 8)
  uint32_t sgpr_count = 0;      // granulated wavefront SGPR count (granule 16 on gfx9, informational)
  uint32_t accum_offset = 0;    // first AccVGPR in the unified file ((field+1)*4)
  uint32_t float_round_mode_32 = 0, float_round_mode_16_64 = 0;
  uint32_t float_denorm_mode_32 = 0, float_denorm_mode_16_64 = 0;  // 3 = no flush
  bool ieee_mode = false, dx10_clamp = false;
  uint32_t user_sgpr_count = 0;
  bool private_segment_buffer = false, dispatch_ptr = false, queue_ptr = false, kernarg_segment_ptr = false,
       dispatch_id = false, flat_scratch_init = false, private_segment_size = false;
  bool private_segment_wave_offset = false;  // rsrc2.ENABLE_PRIVATE_SEGMENT (system SGPR)
  bool workgroup_id_x = false, workgroup_id_y = false, workgroup_id_z = false, workgroup_info = false;
  uint32_t workitem_id_vgprs = 0;  // 0 = x, 1 = x,y, 2 = x,y,z (packed in v0 on gfx90a+)
  uint32_t granulated_lds_size = 0;
  // Kernarg preload (gfx940+): SGPRs of the kernarg segment preloaded after the other user SGPRs,
  // from this dword offset of the segment. A non-zero length starts the kernel 256 bytes past its
  // entry (see Kernel::start_offset).
  uint32_t kernarg_preload_length = 0, kernarg_preload_offset = 0;
};

/// One kernel argument from the metadata note (`.args`).
struct KernelArg {
  std::string name;        // empty for unnamed/hidden arguments
  uint32_t offset = 0;
  uint32_t size = 0;
  std::string value_kind;  // "global_buffer", "by_value", "hidden_block_count_x", ...
  std::string type_name;
};

/// An instruction the emulator cannot run, found at load time.
struct Unsupported {
  std::string kernel;
  uint64_t pc = 0;  // byte offset from the kernel's entry (file offset for code outside every kernel)
  std::string text;
  std::string reason;
};

/// One line of a disassembly listing.
struct ListingLine {
  uint64_t pc = 0;  // byte offset from the kernel's entry
  std::vector<uint8_t> bytes;
  std::string text;
  bool supported = true;
};

struct KernelProgram;  // the decoded internal form (opaque)

struct Kernel {
  std::string name;
  KernelDescriptor descriptor;
  std::vector<KernelArg> args;
  uint32_t kernarg_segment_size = 0;         // metadata .kernarg_segment_size (or descriptor's)
  uint32_t reqd_workgroup_size[3] = {0, 0, 0};  // 0 when the metadata does not require one
  uint32_t sgpr_count = 0, vgpr_count = 0, agpr_count = 0;  // from metadata when present
  uint64_t code_offset = 0;  // entry offset inside the ELF file
  uint64_t code_size = 0;    // bytes of the kernel's own code (its function symbol)
  uint64_t section_offset = 0, section_size = 0;  // the code section holding it (decoded whole, for calls)
  std::shared_ptr<const KernelProgram> program;
  std::vector<Unsupported> unsupported;  // instructions that cannot run (empty = fully supported)
};

class CodeObject {
 public:
  /// The largest code object file read (256 MiB; real ones are kilobytes to tens of megabytes).
  static constexpr uint64_t kMaxFileBytes = uint64_t(256) << 20;

  /// Parses an ELF code object. Malformed or truncated input gives an error, never a crash.
  /// Decoding needs LLVM's AMDGPU disassembler; every kernel is decoded here, once.
  static Expected<std::shared_ptr<const CodeObject>> load(std::span<const uint8_t> bytes);
  /// Reads a regular file of at most kMaxFileBytes (emu/file.hpp), then load().
  static Expected<std::shared_ptr<const CodeObject>> load_file(const std::string& path);

  Arch arch() const { return arch_; }
  const std::string& target_id() const { return target_id_; }  // e.g. "amdgcn-amd-amdhsa--gfx942"
  const std::vector<Kernel>& kernels() const { return kernels_; }
  /// The kernel of that name, or an error listing the kernels that exist.
  Expected<const Kernel*> find(std::string_view name) const;

  /// Every instruction of every kernel that the emulator cannot run (empty = full coverage).
  std::vector<Unsupported> coverage() const;
  /// Disassembly of one kernel: PC, bytes, canonical text, and whether the emulator runs it.
  Expected<std::vector<ListingLine>> listing(std::string_view kernel) const;

  CodeObject() = default;

 private:
  friend struct CodeObjectBuilder;
  Arch arch_ = Arch::gfx942;
  std::string target_id_;
  std::vector<Kernel> kernels_;
  std::vector<uint8_t> image_;  // the ELF bytes (code is read from here)
  std::vector<Unsupported> unsupported_elsewhere_;  // in code outside every kernel (pc = file offset)
};

}  // namespace asmk::emu
