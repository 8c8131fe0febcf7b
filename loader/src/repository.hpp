// The code-object repository: a folder holding <arch>/manifest.json and the .co files they
// name. Opening reads every manifest; a kernel's .co is only checked when the kernel is used.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "kernel.hpp"
#include "ops/op_spec.hpp"

namespace asmk {

class Repository {
 public:
  // Reads every <dir>/<arch>/manifest.json; throws asmk::Error (BAD_REPOSITORY) when the folder
  // holds none or a manifest is malformed (the message names the file and the key).
  static Repository open(const std::filesystem::path& dir);

  const std::filesystem::path& root() const { return root_; }
  const std::vector<std::string>& arches() const { return arches_; }
  bool holds_arch(std::string_view arch) const;
  const std::vector<Kernel>& kernels() const { return kernels_; }

  // Families present on any arch, sorted.
  std::vector<std::string> families() const;
  // Arches on which the family has kernels.
  std::vector<std::string> arches_of_family(std::string_view family) const;
  // Kernels of the family on the arch, in manifest order (may be empty).
  std::vector<const Kernel*> family_kernels(std::string_view family, std::string_view arch) const;

  const Kernel* find(std::string_view name) const;  // nullptr when absent
  // Throws UNKNOWN_KERNEL naming the nearest names.
  const Kernel& get(std::string_view name) const;
  // The one kernel of `family` on `arch` whose parameters include every `wanted` one.
  // Throws UNKNOWN_FAMILY, UNSUPPORTED_ARCH or UNKNOWN_KERNEL (naming the nearest kernels by
  // parameters), or INVALID_ARGUMENT when several match.
  const Kernel& find_by_params(std::string_view family, std::string_view arch,
                               const std::vector<Param>& wanted) const;
  // Throws UNKNOWN_FAMILY (nearest family names) unless some arch holds the family, then
  // UNSUPPORTED_ARCH unless `arch` does.
  void require_family(std::string_view family, std::string_view arch) const;
  // The kernels of family/arch nearest to `wanted` (fewest differing parameters), as
  // "name (params)" lines joined by "; ".
  std::string nearest_by_params(std::string_view family, std::string_view arch,
                                const std::vector<Param>& wanted, std::size_t count = 3) const;

  // The op spec of `name` as the arch's manifest declares it (another arch's when that manifest has
  // none); nullptr when no manifest declares the op.
  const ops::OpSpec* op(std::string_view name, std::string_view arch) const;
  // Every op any manifest declares, sorted.
  std::vector<std::string> op_names() const;

  // Reads the .co (size bounded) and checks it: MISSING_CODE_OBJECT when absent, unreadable or
  // (check_sha256) its hash differs; BAD_REPOSITORY when check_sha256 finds no hash to check
  // (code_object_check.hpp).
  void verify_code_object(const Kernel& kernel, bool check_sha256) const;

 private:
  std::filesystem::path root_;
  std::vector<std::string> arches_;
  std::vector<Kernel> kernels_;
  std::unordered_map<std::string, std::size_t> by_name_;
  std::map<std::pair<std::string, std::string>, std::vector<std::size_t>, std::less<>> by_family_arch_;
  std::map<std::string, std::vector<ops::OpSpec>, std::less<>> ops_;  // by arch
};

}  // namespace asmk
