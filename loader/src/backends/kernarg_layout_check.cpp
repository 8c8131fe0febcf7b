#include "kernarg_layout_check.hpp"

#include <fmt/format.h>

#include "../error.hpp"

namespace asmk {

void check_kernarg_layout(const Kernel& manifest, const KernelMetadata& metadata) {
  const auto bad = [&](const std::string& what) {
    fail(ASMK_ERROR_BAD_REPOSITORY, fmt::format("kernel {}: the manifest's kernarg layout disagrees with its code "
                                                "object's metadata ({}): {}", manifest.name, manifest.code_object_path,
                                                what));
  };
  if (metadata.args.empty() && metadata.kernarg_segment_size == 0) return;  // no metadata note: nothing to compare
  const auto& declared = manifest.kernargs;
  const auto& actual = metadata.args;
  for (std::size_t i = 0; i < std::max(declared.size(), actual.size()); ++i) {
    if (i >= declared.size())
      bad(fmt::format("the code object has argument {} ({}, {} at offset {}) the manifest does not declare", i,
                      actual[i].name.empty() ? "unnamed" : actual[i].name, actual[i].value_kind, actual[i].offset));
    if (i >= actual.size())
      bad(fmt::format("the manifest declares argument {} ({} at offset {}) the code object does not have", i,
                      declared[i].name, declared[i].offset));
    const KernelArg& d = declared[i];
    const MetadataArg& a = actual[i];
    if (d.offset != a.offset || d.size != a.size || d.kind != a.value_kind)
      bad(fmt::format("argument {} '{}': the manifest says {} bytes at offset {} ({}), the code object {} bytes at "
                      "offset {} ({})", i, d.name, d.size, d.offset, d.kind, a.size, a.offset, a.value_kind));
    if (!a.name.empty() && !d.hidden() && a.name != d.name)
      bad(fmt::format("argument {} at offset {} is '{}' in the manifest, '{}' in the code object", i, d.offset, d.name,
                      a.name));
  }
}

void check_kernarg_layout(const Kernel& manifest, const std::vector<KernelMetadata>& code_object,
                          std::string_view symbol) {
  const KernelMetadata* metadata = find_kernel_metadata(code_object, symbol);
  if (metadata == nullptr) return;  // no metadata note, or no entry: the runtime's symbol lookup names it
  check_kernarg_layout(manifest, *metadata);
}

}  // namespace asmk
