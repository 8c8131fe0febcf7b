#include "repository.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "code_object_check.hpp"
#include "error.hpp"
#include "manifest.hpp"
#include "nearest.hpp"

namespace asmk {

namespace fs = std::filesystem;

Repository Repository::open(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    fail(ASMK_ERROR_BAD_REPOSITORY,
         fmt::format("repository {} is not a folder (build kernels with `gen/asmgen build`, or set "
                     "ASMK_REPO)", dir.string()));
  Repository repo;
  repo.root_ = dir;
  std::vector<fs::path> manifests;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.is_directory() && fs::is_regular_file(entry.path() / "manifest.json"))
      manifests.push_back(entry.path() / "manifest.json");
  if (ec) fail(ASMK_ERROR_BAD_REPOSITORY, fmt::format("cannot list repository {}: {}", dir.string(), ec.message()));
  if (manifests.empty())
    fail(ASMK_ERROR_BAD_REPOSITORY,
         fmt::format("repository {} holds no <arch>/manifest.json", dir.string()));
  std::sort(manifests.begin(), manifests.end());

  for (const auto& file : manifests) {
    Manifest manifest = read_manifest(file);
    const std::string folder = file.parent_path().filename().string();
    if (manifest.arch != folder)
      fail(ASMK_ERROR_BAD_REPOSITORY,
           fmt::format("manifest {}: arch is '{}' but its folder is '{}'", file.string(), manifest.arch, folder));
    repo.arches_.push_back(manifest.arch);
    for (auto& kernel : manifest.kernels) {
      if (repo.by_name_.contains(kernel.name))
        fail(ASMK_ERROR_BAD_REPOSITORY,
             fmt::format("manifest {}: kernel '{}' appears twice", file.string(), kernel.name));
      repo.by_name_.emplace(kernel.name, repo.kernels_.size());
      repo.by_family_arch_[{kernel.family, kernel.arch}].push_back(repo.kernels_.size());
      repo.kernels_.push_back(std::move(kernel));
    }
    repo.ops_[manifest.arch] = std::move(manifest.ops);
  }
  return repo;
}

const ops::OpSpec* Repository::op(std::string_view name, std::string_view arch) const {
  const ops::OpSpec* other = nullptr;
  for (const auto& [manifest_arch, specs] : ops_)
    for (const ops::OpSpec& spec : specs)
      if (spec.name == name) {
        if (manifest_arch == arch) return &spec;
        if (other == nullptr) other = &spec;
      }
  return other;
}

std::vector<std::string> Repository::op_names() const {
  std::set<std::string> names;
  for (const auto& [arch, specs] : ops_)
    for (const ops::OpSpec& spec : specs) names.insert(spec.name);
  return {names.begin(), names.end()};
}

bool Repository::holds_arch(std::string_view arch) const {
  return std::find(arches_.begin(), arches_.end(), arch) != arches_.end();
}

std::vector<std::string> Repository::families() const {
  std::set<std::string> names;
  for (const auto& k : kernels_) names.insert(k.family);
  return {names.begin(), names.end()};
}

std::vector<std::string> Repository::arches_of_family(std::string_view family) const {
  std::vector<std::string> arches;
  for (const auto& arch : arches_)
    if (by_family_arch_.contains(std::pair{std::string(family), arch})) arches.push_back(arch);
  return arches;
}

std::vector<const Kernel*> Repository::family_kernels(std::string_view family, std::string_view arch) const {
  std::vector<const Kernel*> found;
  auto it = by_family_arch_.find(std::pair{std::string(family), std::string(arch)});
  if (it != by_family_arch_.end())
    for (std::size_t index : it->second) found.push_back(&kernels_[index]);
  return found;
}

const Kernel* Repository::find(std::string_view name) const {
  auto it = by_name_.find(std::string(name));
  return it == by_name_.end() ? nullptr : &kernels_[it->second];
}

const Kernel& Repository::get(std::string_view name) const {
  if (const Kernel* k = find(name)) return *k;
  std::vector<std::string> names;
  for (const auto& k : kernels_) names.push_back(k.name);
  fail(ASMK_ERROR_UNKNOWN_KERNEL,
       fmt::format("no kernel named '{}' in repository {} ({} kernels); nearest: {}", name,
                   root_.string(), kernels_.size(), join_names(nearest_names(name, names))));
}

void Repository::require_family(std::string_view family, std::string_view arch) const {
  const auto arches = arches_of_family(family);
  if (arches.empty())
    fail(ASMK_ERROR_UNKNOWN_FAMILY,
         fmt::format("no kernel family '{}' in repository {}; families: {} (nearest: {})", family,
                     root_.string(), join_names(families()),
                     join_names(nearest_names(family, families(), 1))));
  if (std::find(arches.begin(), arches.end(), arch) == arches.end())
    fail(ASMK_ERROR_UNSUPPORTED_ARCH,
         fmt::format("repository {} has no {} kernels for {}; it has them for {}", root_.string(),
                     family, arch, join_names(arches)));
}

namespace {
// How many wanted parameters the kernel does not match.
std::size_t param_mismatches(const Kernel& kernel, const std::vector<Param>& wanted) {
  std::size_t mismatches = 0;
  for (const auto& w : wanted) {
    const ParamValue* have = kernel.param(w.name);
    if (have == nullptr || *have != w.value) ++mismatches;
  }
  return mismatches;
}
}  // namespace

std::string Repository::nearest_by_params(std::string_view family, std::string_view arch,
                                          const std::vector<Param>& wanted, std::size_t count) const {
  auto candidates = family_kernels(family, arch);
  std::stable_sort(candidates.begin(), candidates.end(), [&](const Kernel* l, const Kernel* r) {
    return param_mismatches(*l, wanted) < param_mismatches(*r, wanted);
  });
  std::vector<std::string> lines;
  for (std::size_t i = 0; i < candidates.size() && i < count; ++i)
    lines.push_back(fmt::format("{} ({})", candidates[i]->name, candidates[i]->params_text()));
  std::string text;
  for (const auto& line : lines) text += (text.empty() ? "" : "; ") + line;
  return text.empty() ? "(none)" : text;
}

const Kernel& Repository::find_by_params(std::string_view family, std::string_view arch,
                                         const std::vector<Param>& wanted) const {
  require_family(family, arch);
  const auto kernels = family_kernels(family, arch);
  // A parameter name the family does not have is a typo worth naming on its own.
  for (const auto& w : wanted) {
    if (kernels.front()->param(w.name) != nullptr) continue;
    std::vector<std::string> names;
    for (const auto& p : kernels.front()->params) names.push_back(p.name);
    fail(ASMK_ERROR_UNKNOWN_KERNEL,
         fmt::format("{} kernels have no parameter '{}'; their parameters: {}", family, w.name,
                     join_names(names)));
  }
  std::vector<const Kernel*> matches;
  for (const Kernel* k : kernels)
    if (param_mismatches(*k, wanted) == 0) matches.push_back(k);
  std::string asked;
  for (const auto& w : wanted) asked += (asked.empty() ? "" : " ") + w.name + "=" + to_string(w.value);
  if (matches.empty())
    fail(ASMK_ERROR_UNKNOWN_KERNEL,
         fmt::format("no {} kernel on {} with {}; nearest: {}", family, arch, asked,
                     nearest_by_params(family, arch, wanted)));
  if (matches.size() > 1) {
    std::vector<std::string> names;
    for (const Kernel* k : matches) names.push_back(k->name);
    fail(ASMK_ERROR_INVALID_ARGUMENT,
         fmt::format("{} {} kernels on {} match {}: {}; give more parameters", matches.size(), family,
                     arch, asked.empty() ? "(no parameters)" : asked, join_names(names)));
  }
  return *matches.front();
}

void Repository::verify_code_object(const Kernel& kernel, bool check_sha256) const {
  std::error_code ec;
  if (!fs::exists(kernel.code_object_path, ec))
    fail(ASMK_ERROR_MISSING_CODE_OBJECT,
         fmt::format("code object of kernel {} is missing: {} (rebuild with `gen/asmgen build --arch {} "
                     "--family {}`)", kernel.name, kernel.code_object_path, kernel.arch, kernel.family));
  const std::vector<std::uint8_t> bytes = read_code_object(kernel);
  if (check_sha256) asmk::check_sha256(kernel, bytes);
}

}  // namespace asmk
