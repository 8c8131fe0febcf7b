// Reading what a sweep needs from the repository's manifest, and shape lists.
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "asmk/perf/sweep.hpp"
#include "error.hpp"
#include "manifest.hpp"

namespace asmk::perf {

std::string KernelEntry::params_text() const {
  std::string text;
  for (const auto& [name, value] : params) text += (text.empty() ? "" : " ") + name + "=" + value;
  return text;
}

std::string LaunchSpec::key() const {
  std::string k = fmt::format("{}x{}x{}/{}x{}x{}", grid.x, grid.y, grid.z, block.x, block.y, block.z);
  for (const auto& [name, bytes] : buffers) k += fmt::format(" {}:{}", name, bytes);
  for (const auto& [name, value] : values) k += fmt::format(" {}={}", name, value);
  for (const auto& name : null_buffers) k += fmt::format(" {}=null", name);
  for (const auto& [name, format] : random) k += fmt::format(" {}~{}", name, format);
  if (!random.empty()) k += fmt::format(" seed={}", seed);
  return k;
}

// The loader's manifest reader (one for libasmk, perf and the tests), mapped to what a sweep needs.
Expected<std::vector<KernelEntry>> read_kernels(const std::filesystem::path& repo, const std::string& arch) {
  const auto file = repo / arch / "manifest.json";
  if (!std::filesystem::is_regular_file(file)) return Status::error("no manifest for " + arch + " at " + file.string());
  Manifest manifest;
  try {
    manifest = read_manifest(file);
  } catch (const Error& error) {
    return Status::error(error.what());
  }
  std::vector<KernelEntry> kernels;
  for (const Kernel& k : manifest.kernels) {
    KernelEntry e;
    e.name = k.name;
    e.family = k.family;
    e.arch = k.arch;
    e.code_object = k.code_object_path;
    for (const auto& p : k.params) e.params[p.name] = to_string(p.value);
    for (const auto& rule : k.requirements)  // the first rule of each name (docs/contracts.md)
      if (rule.kind != Requirement::Kind::expr && rule.kind != Requirement::Kind::unknown)
        e.requires_.emplace(rule.name, rule.value);
    for (int i = 0; i < 3; ++i) e.workgroup_size[i] = k.workgroup_size[i];
    const auto& r = k.resources;
    e.footprint.vgpr = r.vgpr;
    e.footprint.agpr = r.agpr;
    e.footprint.accum_offset = r.accum_offset;
    e.footprint.sgpr = r.sgpr;
    e.footprint.lds_bytes = r.lds_bytes;
    e.footprint.workgroup_size = e.workgroup_size[0] * e.workgroup_size[1] * e.workgroup_size[2];
    e.kernel = std::make_shared<Kernel>(k);
    kernels.push_back(std::move(e));
  }
  return kernels;
}

Expected<std::vector<Shape>> load_shapes(const std::filesystem::path& file, const std::string& family) {
  std::ifstream in(file);
  if (!in) return Status::error("cannot read shapes file " + file.string());
  std::vector<Shape> shapes;
  std::set<std::string> other_families;
  std::string line;
  bool header = false, by_family = false;
  size_t columns = 0;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty() || line[0] == '#') continue;
    if (!header) {
      // "family,m,n,k": ASMK_LOG_UNTUNED's log of several families; only `family`'s rows are read.
      by_family = line.starts_with("family,");
      const std::string rest = by_family ? line.substr(7) : line;
      if (rest != "m,n,k" && rest != "m,n")
        return Status::error(file.string() + ": the header must be \"m,n,k\", \"m,n\" or \"family,m,n,k\", found \"" +
                             line + "\"");
      columns = rest == "m,n,k" ? 3 : 2;
      header = true;
      continue;
    }
    std::stringstream fields(line);
    std::string cell;
    if (by_family) {
      std::getline(fields, cell, ',');
      if (cell != family) {
        other_families.insert(cell);
        continue;
      }
    }
    uint64_t v[3] = {0, 0, 0};
    size_t i = 0;
    for (; i < columns && std::getline(fields, cell, ','); ++i) {
      try {
        size_t used = 0;
        v[i] = std::stoull(cell, &used);
        if (used != cell.size()) throw std::invalid_argument(cell);
      } catch (const std::exception&) {
        return Status::error(fmt::format("{}:{}: \"{}\" is not a non-negative integer", file.string(), number, cell));
      }
    }
    if (i != columns || v[0] == 0 || v[1] == 0)
      return Status::error(fmt::format("{}:{}: expected {} positive values", file.string(), number, columns));
    shapes.push_back({v[0], v[1], v[2]});
  }
  if (shapes.empty() && !other_families.empty()) {
    std::string names;
    for (const auto& f : other_families) names += (names.empty() ? "" : ", ") + f;
    return Status::error(fmt::format("{}: no shapes of family {} (it has shapes of {})", file.string(), family, names));
  }
  if (shapes.empty()) return Status::error(file.string() + ": no shapes");
  return shapes;
}

}  // namespace asmk::perf
