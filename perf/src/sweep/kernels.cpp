// Reading what a sweep needs from the repository's manifest, and shape lists.
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "asmk/perf/sweep.hpp"

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
  return k;
}

Expected<std::vector<KernelEntry>> read_kernels(const std::filesystem::path& repo, const std::string& arch) {
  const auto file = repo / arch / "manifest.json";
  std::ifstream in(file);
  if (!in) return Status::error("no manifest for " + arch + " at " + file.string());
  const auto j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.contains("kernels") || !j["kernels"].is_array())
    return Status::error(file.string() + ": not a manifest (no \"kernels\" array)");
  std::vector<KernelEntry> kernels;
  try {
    for (const auto& k : j["kernels"]) {
      KernelEntry e;
      e.name = k.at("name");
      e.family = k.at("family");
      e.arch = k.at("arch");
      e.code_object = (repo / arch / k.at("file").get<std::string>()).string();
      for (const auto& [name, value] : k.at("params").items())
        e.params[name] = value.is_string() ? value.get<std::string>() : value.dump();
      if (k.contains("requires"))
        for (const auto& [name, value] : k["requires"].items())
          if (value.is_number_integer()) e.requires_[name] = value.get<int64_t>();
      for (int i = 0; i < 3; ++i) e.workgroup_size[i] = k.at("workgroup_size").at(i);
      const auto& r = k.at("resources");
      e.footprint.vgpr = r.at("vgpr");
      e.footprint.agpr = r.value("agpr", 0u);
      e.footprint.accum_offset = r.value("accum_offset", 0u);
      e.footprint.sgpr = r.at("sgpr");
      e.footprint.lds_bytes = r.value("lds_bytes", 0u);
      e.footprint.workgroup_size = e.workgroup_size[0] * e.workgroup_size[1] * e.workgroup_size[2];
      kernels.push_back(std::move(e));
    }
  } catch (const nlohmann::json::exception& error) {
    return Status::error(file.string() + ": " + error.what());
  }
  return kernels;
}

Expected<std::vector<Shape>> load_shapes(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return Status::error("cannot read shapes file " + file.string());
  std::vector<Shape> shapes;
  std::string line;
  bool header = false;
  size_t columns = 0;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty() || line[0] == '#') continue;
    if (!header) {
      if (line != "m,n,k" && line != "m,n")
        return Status::error(file.string() + ": the header must be \"m,n,k\" or \"m,n\", found \"" + line + "\"");
      columns = line == "m,n,k" ? 3 : 2;
      header = true;
      continue;
    }
    std::stringstream fields(line);
    std::string cell;
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
  if (shapes.empty()) return Status::error(file.string() + ": no shapes");
  return shapes;
}

}  // namespace asmk::perf
