// CodeObject: ELF contents + decoded descriptors + each kernel's program, decoded once.
#include "asmk/emu/code_object.hpp"

#include <map>
#include <optional>
#include <iterator>
#include <cstring>

#include "asmk/emu/file.hpp"
#include "../decode/decoder.hpp"
#include "elf_reader.hpp"

namespace asmk::emu {
namespace {

uint32_t bits(uint32_t word, int shift, int width) { return (word >> shift) & ((1u << width) - 1); }

KernelDescriptor parse_descriptor(const std::vector<uint8_t>& kd, Arch) {
  KernelDescriptor d;
  auto u32 = [&](size_t off) {
    uint32_t v;
    std::memcpy(&v, kd.data() + off, 4);
    return v;
  };
  d.group_segment_fixed_size = u32(0);
  d.private_segment_fixed_size = u32(4);
  d.kernarg_size = u32(8);
  std::memcpy(&d.kernel_code_entry_byte_offset, kd.data() + 16, 8);
  d.compute_pgm_rsrc3 = u32(44);
  d.compute_pgm_rsrc1 = u32(48);
  d.compute_pgm_rsrc2 = u32(52);
  std::memcpy(&d.kernel_code_properties, kd.data() + 56, 2);
  std::memcpy(&d.kernarg_preload, kd.data() + 58, 2);

  const uint32_t r1 = d.compute_pgm_rsrc1, r2 = d.compute_pgm_rsrc2, r3 = d.compute_pgm_rsrc3;
  d.vgpr_count = (bits(r1, 0, 6) + 1) * 8;  // gfx90a+: unified VGPR file, granule 8
  d.sgpr_count = (bits(r1, 6, 4) + 1) * 16;
  d.float_round_mode_32 = bits(r1, 12, 2);
  d.float_round_mode_16_64 = bits(r1, 14, 2);
  d.float_denorm_mode_32 = bits(r1, 16, 2);
  d.float_denorm_mode_16_64 = bits(r1, 18, 2);
  d.dx10_clamp = bits(r1, 21, 1);
  d.ieee_mode = bits(r1, 23, 1);
  d.private_segment_wave_offset = bits(r2, 0, 1);
  d.user_sgpr_count = bits(r2, 1, 5);
  d.workgroup_id_x = bits(r2, 7, 1);
  d.workgroup_id_y = bits(r2, 8, 1);
  d.workgroup_id_z = bits(r2, 9, 1);
  d.workgroup_info = bits(r2, 10, 1);
  d.workitem_id_vgprs = bits(r2, 11, 2);
  d.granulated_lds_size = bits(r2, 15, 9);
  d.accum_offset = (bits(r3, 0, 6) + 1) * 4;
  const uint32_t p = d.kernel_code_properties;
  d.private_segment_buffer = bits(p, 0, 1);
  d.dispatch_ptr = bits(p, 1, 1);
  d.queue_ptr = bits(p, 2, 1);
  d.kernarg_segment_ptr = bits(p, 3, 1);
  d.dispatch_id = bits(p, 4, 1);
  d.flat_scratch_init = bits(p, 5, 1);
  d.private_segment_size = bits(p, 6, 1);
  d.kernarg_preload_length = bits(d.kernarg_preload, 0, 7);
  d.kernarg_preload_offset = bits(d.kernarg_preload, 7, 9);
  return d;
}

}  // namespace

struct CodeObjectBuilder {
  static Expected<std::shared_ptr<const CodeObject>> build(std::span<const uint8_t> bytes) {
    auto contents = detail::read_elf(bytes);
    if (!contents) return Status::error("cannot load code object: " + contents.error());
    auto co = std::make_shared<CodeObject>();
    co->arch_ = contents->arch;
    co->target_id_ = contents->target_id;
    co->image_.assign(bytes.begin(), bytes.end());
    auto load_image = std::make_shared<const std::vector<uint8_t>>(std::move(contents->image));
    // Decode each code section once, restarting at every kernel entry in it.
    std::map<uint64_t, detail::DecodedKernel> sections;
    for (auto& ek : contents->kernels) {
      if (sections.count(ek.section_offset)) continue;
      std::vector<uint64_t> entries;
      for (auto& other : contents->kernels)
        if (other.section_offset == ek.section_offset) entries.push_back(other.code_offset - other.section_offset);
      auto decoded = detail::decode_section(
          co->arch_, std::span<const uint8_t>(co->image_.data() + ek.section_offset, ek.section_size), entries);
      if (!decoded) return Status::error("cannot decode the code of kernel '" + ek.name + "': " + decoded.error());
      sections.emplace(ek.section_offset, std::move(*decoded));
    }
    for (auto& ek : contents->kernels) {
      Kernel k;
      k.name = ek.name;
      k.descriptor = parse_descriptor(ek.descriptor, co->arch_);
      k.args = ek.args;
      k.kernarg_segment_size = ek.has_metadata && ek.kernarg_segment_size ? ek.kernarg_segment_size
                                                                           : k.descriptor.kernarg_size;
      std::copy(std::begin(ek.reqd_workgroup_size), std::end(ek.reqd_workgroup_size), k.reqd_workgroup_size);
      k.sgpr_count = ek.sgpr_count;
      k.vgpr_count = ek.vgpr_count;
      k.agpr_count = ek.agpr_count;
      k.code_offset = ek.code_offset;
      k.code_size = ek.code_size;
      std::string view_error;
      auto decoded = std::make_optional(detail::kernel_view(sections.at(ek.section_offset), k.name,
                                                            ek.code_offset - ek.section_offset, k.code_size, view_error));
      if (!view_error.empty()) return Status::error(view_error);
      decoded->program->entry_vaddr = ek.code_vaddr;
      // Kernarg preloading: firmware that preloads adds 256 bytes to the entry, skipping the header
      // (s_trap 2 and padding) that stops the kernel on firmware that does not (LLVM AMDGPUUsage,
      // "Preloaded Kernel Arguments"). The emulator preloads, so it starts there; PCs stay relative
      // to the entry.
      if (k.descriptor.kernarg_preload_length != 0) {
        constexpr uint64_t kPreloadHeaderBytes = 256;
        const uint64_t start = ek.code_offset - ek.section_offset + kPreloadHeaderBytes;
        decoded->program->entry_index = decoded->program->index_at_offset(start);
        if (decoded->program->entry_index < 0)
          return Status::error("kernel '" + k.name + "' preloads kernel arguments, but no instruction starts 256 bytes past its entry");
      }
      decoded->program->image = load_image;
      k.program = decoded->program;
      k.unsupported = std::move(decoded->unsupported);
      k.section_offset = ek.section_offset;
      k.section_size = ek.section_size;
      // Unsupported instructions outside every kernel (e.g. in called functions), reported once.
      for (Unsupported& u : decoded->unsupported_elsewhere) {
        bool in_some_kernel = false;
        for (const auto& other : contents->kernels)
          in_some_kernel |= other.section_offset == ek.section_offset &&
                            u.pc + ek.section_offset >= other.code_offset &&
                            u.pc + ek.section_offset < other.code_offset + other.code_size;
        bool seen = false;
        for (const Unsupported& e : co->unsupported_elsewhere_) seen |= e.pc == u.pc + ek.section_offset;
        if (!in_some_kernel && !seen) {
          u.kernel = "(code outside any kernel, called from " + k.name + ")";
          u.pc += ek.section_offset;
          co->unsupported_elsewhere_.push_back(u);
        }
      }
      co->kernels_.push_back(std::move(k));
    }
    return std::shared_ptr<const CodeObject>(std::move(co));
  }
};

Expected<std::shared_ptr<const CodeObject>> CodeObject::load(std::span<const uint8_t> bytes) {
  return CodeObjectBuilder::build(bytes);
}

Expected<std::shared_ptr<const CodeObject>> CodeObject::load_file(const std::string& path) {
  auto bytes = read_regular_file(path, kMaxFileBytes, "code object");
  if (!bytes) return bytes.status();
  auto co = load(*bytes);
  if (!co) return Status::error(path + ": " + co.error());
  return co;
}

Expected<const Kernel*> CodeObject::find(std::string_view name) const {
  for (const Kernel& k : kernels_)
    if (k.name == name) return &k;
  std::string names;
  for (const Kernel& k : kernels_) names += (names.empty() ? "" : ", ") + k.name;
  return Status::error("no kernel named '" + std::string(name) + "' in the code object; it has: " + names);
}

std::vector<Unsupported> CodeObject::coverage() const {
  std::vector<Unsupported> all;
  for (const Kernel& k : kernels_) all.insert(all.end(), k.unsupported.begin(), k.unsupported.end());
  all.insert(all.end(), unsupported_elsewhere_.begin(), unsupported_elsewhere_.end());
  return all;
}

Expected<std::vector<ListingLine>> CodeObject::listing(std::string_view name) const {
  auto k = find(name);
  if (!k) return k.status();
  const Kernel& kk = **k;
  const uint64_t entry = kk.code_offset - kk.section_offset;
  auto decoded = detail::decode_section(
      arch_, std::span<const uint8_t>(image_.data() + kk.section_offset, kk.section_size), {entry});
  if (!decoded) return decoded.status();
  std::string error;
  return detail::kernel_view(*decoded, kk.name, entry, kk.code_size, error).listing;
}

}  // namespace asmk::emu
