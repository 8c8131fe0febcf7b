#include "code_object_check.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "asmk/emu/code_object.hpp"
#include "asmk/emu/file.hpp"
#include "error.hpp"
#include "sha256.hpp"

namespace asmk {
namespace {

std::string arg_text(std::string_view name, std::uint32_t offset, std::uint32_t size, std::string_view kind) {
  return fmt::format("'{}' at offset {} ({} bytes, {})", name, offset, size, kind);
}

std::string metadata_args_text(const emu::KernelMetadata& k) {
  std::string text;
  for (const auto& a : k.args) text += (text.empty() ? "" : ", ") + arg_text(a.name, a.offset, a.size, a.value_kind);
  return text.empty() ? "(none)" : text;
}

}  // namespace

std::vector<std::uint8_t> read_code_object(const Kernel& kernel) {
  auto bytes = emu::read_regular_file(kernel.code_object_path, emu::CodeObject::kMaxFileBytes,
                                      fmt::format("code object of kernel {}", kernel.name));
  if (!bytes) fail(ASMK_ERROR_MISSING_CODE_OBJECT, bytes.error());
  return std::move(*bytes);
}

void check_sha256(const Kernel& kernel, std::span<const std::uint8_t> bytes) {
  if (kernel.sha256.empty())
    fail(ASMK_ERROR_BAD_REPOSITORY,
         fmt::format("kernel {}: its manifest entry has no sha256 (\"sha256\": \"\" or absent), and this context "
                     "verifies code objects (verify_sha256): rebuild the manifest with asmgen",
                     kernel.name));
  const std::string actual = sha256_hex(bytes);
  if (actual != kernel.sha256)
    fail(ASMK_ERROR_MISSING_CODE_OBJECT,
         fmt::format("code object {} of kernel {} has sha256 {}, the manifest says {}", kernel.code_object_path,
                     kernel.name, actual, kernel.sha256));
}

void check_kernarg_layout(const Kernel& kernel, std::span<const std::uint8_t> bytes) {
  auto kernels = emu::CodeObject::read_metadata(bytes);
  if (!kernels) return;  // not an AMDGPU code object: the backend's loader refuses it, naming why
  const auto found = std::find_if(kernels->begin(), kernels->end(),
                                  [&](const emu::KernelMetadata& k) { return k.name == kernel.symbol; });
  if (found == kernels->end()) {
    std::string names;
    for (const auto& k : *kernels) names += (names.empty() ? "" : ", ") + k.name;
    fail(ASMK_ERROR_MISSING_CODE_OBJECT,
         fmt::format("kernel {}: code object {} has no kernel '{}' (the manifest's symbol); it has: {}", kernel.name,
                     kernel.code_object_path, kernel.symbol, names.empty() ? "(none)" : names));
  }
  const emu::KernelMetadata& meta = *found;
  const auto mismatch = [&](const std::string& field, const std::string& manifest_says, const std::string& co_says) {
    fail(ASMK_ERROR_BAD_REPOSITORY,
         fmt::format("kernel {}: the manifest's {} is {}, but code object {} says {}", kernel.name, field,
                     manifest_says, kernel.code_object_path, co_says));
  };
  if (kernel.resources.kernarg_bytes != meta.kernarg_segment_size)
    mismatch("resources.kernarg_bytes", std::to_string(kernel.resources.kernarg_bytes),
             fmt::format("a {}-byte kernarg segment", meta.kernarg_segment_size));
  if (!meta.has_metadata) return;  // no .args to compare with

  // Every manifest argument is one of the code object's, and every one of the code object's is in
  // the manifest: libasmk writes exactly the bytes the kernel reads.
  for (std::size_t i = 0; i < kernel.kernargs.size(); ++i) {
    const KernelArg& a = kernel.kernargs[i];
    const auto same = std::find_if(meta.args.begin(), meta.args.end(), [&](const emu::KernelArg& m) {
      return m.offset == a.offset && m.size == a.size && m.value_kind == a.kind;
    });
    if (same == meta.args.end())
      mismatch(fmt::format("kernargs[{}]", i), arg_text(a.name, a.offset, a.size, a.kind),
               fmt::format("its arguments are {}", metadata_args_text(meta)));
  }
  for (const emu::KernelArg& m : meta.args) {
    const bool listed = std::any_of(kernel.kernargs.begin(), kernel.kernargs.end(), [&](const KernelArg& a) {
      return m.offset == a.offset && m.size == a.size && m.value_kind == a.kind;
    });
    if (!listed)
      mismatch("kernargs", fmt::format("missing the argument {}", arg_text(m.name, m.offset, m.size, m.value_kind)),
               fmt::format("its arguments are {}", metadata_args_text(meta)));
  }
}

}  // namespace asmk
