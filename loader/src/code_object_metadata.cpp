#include "code_object_metadata.hpp"

#include <cstring>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "error.hpp"

namespace asmk {
namespace {

// ELF64 little-endian fields (System V gABI): the header's section table, and section headers.
constexpr std::size_t kEhdrSize = 64, kShdrSize = 64;
constexpr std::uint32_t kShtNote = 7;
constexpr std::uint32_t kNtAmdgpuMetadata = 32;

class CodeObjectReader {
 public:
  CodeObjectReader(std::span<const std::uint8_t> bytes, std::string_view file) : bytes_(bytes), file_(file) {}

  template <typename T>
  T at(std::uint64_t offset, const char* what) const {
    if (offset > bytes_.size() || bytes_.size() - offset < sizeof(T))
      bad(fmt::format("{} at byte {} lies past the end of the file ({} bytes)", what, offset, bytes_.size()));
    T value;
    std::memcpy(&value, bytes_.data() + offset, sizeof(T));
    return value;
  }
  std::span<const std::uint8_t> range(std::uint64_t offset, std::uint64_t size, const char* what) const {
    if (offset > bytes_.size() || bytes_.size() - offset < size)
      bad(fmt::format("{} ({} bytes at byte {}) lies past the end of the file ({} bytes)", what, size, offset,
                      bytes_.size()));
    return bytes_.subspan(offset, size);
  }
  [[noreturn]] void bad(const std::string& what) const {
    fail(ASMK_ERROR_MISSING_CODE_OBJECT, fmt::format("code object {}: {}", file_, what));
  }

 private:
  std::span<const std::uint8_t> bytes_;
  std::string_view file_;
};

std::uint64_t align4(std::uint64_t n) { return (n + 3) & ~std::uint64_t(3); }

// The msgpack text of the first AMDGPU metadata note in `section`, or an empty span.
std::span<const std::uint8_t> metadata_note(const CodeObjectReader& r, std::span<const std::uint8_t> section) {
  const CodeObjectReader notes(section, "");
  std::uint64_t at = 0;
  while (section.size() - at >= 12) {
    const auto name_size = notes.at<std::uint32_t>(at, "a note's name size");
    const auto desc_size = notes.at<std::uint32_t>(at + 4, "a note's description size");
    const auto type = notes.at<std::uint32_t>(at + 8, "a note's type");
    const std::uint64_t name_at = at + 12, desc_at = name_at + align4(name_size);
    if (desc_at > section.size() || section.size() - desc_at < desc_size)
      r.bad(fmt::format("a note's {} + {} bytes run past its section ({} bytes)", name_size, desc_size,
                        section.size()));
    const std::string_view name(reinterpret_cast<const char*>(section.data() + name_at), name_size);
    if (type == kNtAmdgpuMetadata && (name == std::string_view("AMDGPU\0", 7) || name == "AMDGPU"))
      return section.subspan(desc_at, desc_size);
    at = desc_at + align4(desc_size);
  }
  return {};
}

std::uint32_t u32_field(const CodeObjectReader& r, const nlohmann::json& j, const char* key, const std::string& kernel) {
  const auto it = j.find(key);
  if (it == j.end()) return 0;
  if (!it->is_number_unsigned() || it->get<std::uint64_t>() > 0xffffffffu)
    r.bad(fmt::format("kernel {}: metadata {} is not a 32-bit count: {}", kernel, key, it->dump()));
  return it->get<std::uint32_t>();
}

std::string string_field(const CodeObjectReader& r, const nlohmann::json& j, const char* key, const std::string& kernel) {
  const auto it = j.find(key);
  if (it == j.end()) return "";
  if (!it->is_string()) r.bad(fmt::format("kernel {}: metadata {} is not a string", kernel, key));
  return it->get<std::string>();
}

}  // namespace

std::vector<KernelMetadata> read_kernel_metadata(std::span<const std::uint8_t> elf, std::string_view file) {
  const CodeObjectReader r(elf, file);
  if (elf.size() < kEhdrSize || std::memcmp(elf.data(), "\x7f" "ELF", 4) != 0)
    r.bad("not an ELF file");
  if (elf[4] != 2 || elf[5] != 1) r.bad("not a little-endian ELF64 file");
  const auto shoff = r.at<std::uint64_t>(0x28, "the section table offset");
  const auto shentsize = r.at<std::uint16_t>(0x3a, "the section header size");
  const auto shnum = r.at<std::uint16_t>(0x3c, "the section count");
  if (shnum != 0 && shentsize < kShdrSize) r.bad(fmt::format("section headers of {} bytes (64 expected)", shentsize));
  std::span<const std::uint8_t> msgpack;
  for (std::uint16_t i = 0; i < shnum && msgpack.empty(); ++i) {
    const std::uint64_t header = shoff + std::uint64_t(i) * shentsize;
    if (r.at<std::uint32_t>(header + 4, "a section's type") != kShtNote) continue;
    const auto offset = r.at<std::uint64_t>(header + 0x18, "a section's offset");
    const auto size = r.at<std::uint64_t>(header + 0x20, "a section's size");
    msgpack = metadata_note(r, r.range(offset, size, "a note section"));
  }
  if (msgpack.empty()) return {};

  nlohmann::json root;
  try {
    root = nlohmann::json::from_msgpack(msgpack.begin(), msgpack.end());
  } catch (const nlohmann::json::exception& e) {
    r.bad(fmt::format("its metadata note is not MessagePack: {}", e.what()));
  }
  if (!root.is_object()) r.bad("its metadata note is not a map");
  const auto kernels = root.find("amdhsa.kernels");
  if (kernels == root.end()) return {};
  if (!kernels->is_array()) r.bad("metadata amdhsa.kernels is not a list");
  std::vector<KernelMetadata> out;
  for (const nlohmann::json& k : *kernels) {
    if (!k.is_object()) r.bad("an entry of amdhsa.kernels is not a map");
    KernelMetadata m;
    m.name = string_field(r, k, ".name", "?");
    m.symbol = string_field(r, k, ".symbol", m.name);
    m.kernarg_segment_size = u32_field(r, k, ".kernarg_segment_size", m.name);
    if (const auto args = k.find(".args"); args != k.end()) {
      if (!args->is_array()) r.bad(fmt::format("kernel {}: metadata .args is not a list", m.name));
      for (const nlohmann::json& a : *args) {
        if (!a.is_object()) r.bad(fmt::format("kernel {}: an argument of .args is not a map", m.name));
        m.args.push_back({string_field(r, a, ".name", m.name), u32_field(r, a, ".offset", m.name),
                          u32_field(r, a, ".size", m.name), string_field(r, a, ".value_kind", m.name)});
      }
    }
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace asmk
