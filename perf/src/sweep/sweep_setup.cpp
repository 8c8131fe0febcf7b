#include "asmk/perf/sweep_setup.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>
#include <utility>
#include <map>
#include <sstream>

#include <fmt/format.h>

namespace asmk::perf {

std::filesystem::path source_dir() {
  // <prefix>/share/asmk for <prefix>/bin/asmk; build/share/asmk (links to perf/) for the build
  // tree's programs, a level or two deeper. Nothing of the build machine is baked in.
  std::error_code ec;
  const std::filesystem::path program = std::filesystem::read_symlink("/proc/self/exe", ec);
  std::filesystem::path dir = program.parent_path();
  for (int level = 0; !ec && level < 4 && !dir.empty(); ++level, dir = dir.parent_path()) {
    const auto candidate = dir / "share" / "asmk";
    if (std::filesystem::is_directory(candidate / "machines", ec)) return candidate;
    if (dir == dir.root_path()) break;
  }
  return program.parent_path().parent_path() / "share" / "asmk";  // named by the "not found" messages
}

std::filesystem::path machines_dir() {
  if (const char* env = std::getenv("ASMK_PERF_MACHINES"); env && *env) return env;
  return source_dir() / "machines";
}

// A family's default preset: presets/<family>.csv, else the shapes its kind shares (every GEMM
// family sweeps presets/gemm.csv, the canonical GEMM shapes).
std::string default_preset(const std::string& family) {
  if (std::filesystem::is_regular_file(source_dir() / "presets" / (family + ".csv"))) return family;
  return family.starts_with("gemm") ? "gemm" : family;
}

Expected<std::vector<Shape>> resolve_shapes(const std::string& spec, const std::string& family,
                                            std::filesystem::path* resolved) {
  std::filesystem::path file;
  const std::string name = spec.empty() ? default_preset(family) : spec;
  if (!spec.empty() && std::filesystem::is_regular_file(spec)) {
    file = spec;
  } else {
    file = source_dir() / "presets" / (name + ".csv");
    if (!std::filesystem::is_regular_file(file)) {
      std::vector<std::string> presets;
      std::error_code ec;
      for (const auto& e : std::filesystem::directory_iterator(source_dir() / "presets", ec))
        if (e.path().extension() == ".csv") presets.push_back(e.path().stem().string());
      std::sort(presets.begin(), presets.end());
      std::string list;
      for (const auto& p : presets) list += (list.empty() ? "" : ", ") + p;
      return Status::error("no shapes file \"" + name + "\" and no such preset; presets: " + list);
    }
  }
  if (resolved) *resolved = file;
  return load_shapes(file, family);
}

std::string tuned_table_name(const Machine& machine) {
  return fmt::format("{}-{}.csv", machine.arch, machine.compute_units);
}

Expected<size_t> write_tuned_table(const std::filesystem::path& file, const std::string& family,
                                   const std::vector<ResultRow>& rows) {
  std::map<std::tuple<uint64_t, uint64_t, uint64_t>, const ResultRow*> best;
  std::set<std::string> swept;  // the kernels this run compared
  for (const auto& r : rows) {
    swept.insert(r.kernel);
    auto& slot = best[{r.m, r.n, r.k}];
    if (!slot || r.time_us < slot->time_us) slot = &r;
  }
  // Merge: a row of the file is replaced only by this run's row for the same family and shape when it
  // names a kernel this run compared (the same dtypes and layout); every other row is kept.
  std::vector<std::string> kept;
  if (std::ifstream in(file); in) {
    std::string line;
    bool first = true;
    while (std::getline(in, line)) {
      if (first) {
        first = false;
        if (line != kTunedHeader)
          return Status::error(file.string() + ": the header is \"" + line + "\", expected \"" +
                               std::string(kTunedHeader) + "\"; not overwriting it");
        continue;
      }
      if (line.empty()) continue;
      std::vector<std::string> f;
      for (std::string field; const char c : line + ",")
        if (c == ',') f.push_back(std::exchange(field, ""));
        else field += c;
      const bool replaced = f.size() == 6 && f[0] == family && swept.contains(f[4]) && [&] {
        try {
          return best.contains({std::stoull(f[1]), std::stoull(f[2]), std::stoull(f[3])});
        } catch (const std::exception&) {
          return false;
        }
      }();
      if (!replaced) kept.push_back(line);
    }
  }
  std::filesystem::create_directories(file.parent_path().empty() ? "." : file.parent_path());
  std::ofstream out(file);
  if (!out) return Status::error("cannot write " + file.string());
  out << kTunedHeader << '\n';
  for (const auto& line : kept) out << line << '\n';
  for (const auto& [shape, r] : best)
    out << fmt::format("{},{},{},{},{},{}\n", family, r->m, r->n, r->k, r->kernel, r->k_splits);
  if (!out) return Status::error("writing " + file.string() + " failed");
  return best.size();
}

std::string progress_line(size_t done, size_t total, const std::string& what, size_t width) {
  const size_t filled = total == 0 ? width : std::min(width, done * width / total);
  return fmt::format("[{}{}] {:>4}/{:<4} {}", std::string(filled, '#'), std::string(width - filled, '.'), done, total,
                     what);
}

}  // namespace asmk::perf
