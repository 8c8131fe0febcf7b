#include "asmk/perf/machine.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace asmk::perf {
namespace {

using nlohmann::json;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Reads figures.<key>.value into `out` (keeping the default when the figure is absent and
// `required` is false) and records figures.<key>.source.
template <class T>
Status read_figure(const json& figures, const char* key, bool required, T& out, Machine& m, const std::string& origin) {
  if (!figures.contains(key)) {
    if (required) return Status::error(origin + ": figures." + key + " is missing");
    return Status::success();
  }
  const json& f = figures.at(key);
  if (!f.is_object() || !f.contains("value") || !f.at("value").is_number())
    return Status::error(origin + ": figures." + key + " needs a numeric \"value\"");
  if (!f.contains("source") || !f.at("source").is_string() || f.at("source").get<std::string>().empty())
    return Status::error(origin + ": figures." + key + " needs a \"source\"");
  out = f.at("value").get<T>();
  m.sources[key] = f.at("source").get<std::string>();
  return Status::success();
}

}  // namespace

Expected<Machine> parse_machine(const std::string& json_text, const std::string& origin) {
  json j = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Status::error(origin + ": not a JSON object");
  Machine m;
  if (!j.contains("name") || !j["name"].is_string()) return Status::error(origin + ": \"name\" is missing");
  if (!j.contains("arch") || !j["arch"].is_string()) return Status::error(origin + ": \"arch\" is missing");
  m.name = j["name"];
  m.arch = j["arch"];
  if (!j.contains("figures") || !j["figures"].is_object()) return Status::error(origin + ": \"figures\" is missing");
  const json& f = j["figures"];

#define ASMK_FIGURE(key, required)                                                 \
  if (Status s = read_figure(f, #key, required, m.key, m, origin); !s) return s;
  ASMK_FIGURE(compute_units, true)
  ASMK_FIGURE(clock_ghz, true)
  ASMK_FIGURE(sustained_clock_ghz, false)
  ASMK_FIGURE(simds_per_cu, true)
  ASMK_FIGURE(wave_size, false)
  ASMK_FIGURE(peak_tflops_bf16, true)
  ASMK_FIGURE(peak_tflops_fp8, true)
  ASMK_FIGURE(peak_tflops_fp4, false)
  ASMK_FIGURE(hbm_tbps, true)
  ASMK_FIGURE(l2_tbps, true)
  ASMK_FIGURE(valu_cycles, true)
  ASMK_FIGURE(valu_trans_cycles, true)
  ASMK_FIGURE(salu_cycles, true)
  ASMK_FIGURE(issue_interval_cycles, true)
  ASMK_FIGURE(lds_bytes_per_cu, true)
  ASMK_FIGURE(lds_banks, true)
  ASMK_FIGURE(lds_bytes_per_clk_per_cu, true)
  ASMK_FIGURE(lds_latency_cycles, true)
  ASMK_FIGURE(lds_granule_bytes, true)
  ASMK_FIGURE(vmem_bytes_per_clk_per_cu, true)
  ASMK_FIGURE(vmem_latency_cycles, true)
  ASMK_FIGURE(smem_latency_cycles, true)
  ASMK_FIGURE(max_waves_per_simd, true)
  ASMK_FIGURE(vgprs_per_lane, true)
  ASMK_FIGURE(vgpr_granule, true)
  ASMK_FIGURE(sgprs_per_simd, true)
  ASMK_FIGURE(sgpr_granule, true)
  ASMK_FIGURE(max_workgroups_per_cu, true)
  ASMK_FIGURE(launch_overhead_us, false)
#undef ASMK_FIGURE

  if (m.compute_units == 0 || m.clock_ghz <= 0 || m.simds_per_cu == 0 || m.vgpr_granule == 0 || m.sgpr_granule == 0 ||
      m.lds_granule_bytes == 0 || m.issue_interval_cycles == 0 || m.hbm_tbps <= 0 || m.l2_tbps <= 0 ||
      m.lds_bytes_per_clk_per_cu == 0 || m.vmem_bytes_per_clk_per_cu == 0)
    return Status::error(origin + ": a size, clock, granule or bandwidth figure is zero");

  if (m.sustained_clock_ghz < 0 || m.sustained_clock_ghz > m.clock_ghz)
    return Status::error(origin + ": figures.sustained_clock_ghz must lie between 0 and clock_ghz (" +
                         std::to_string(m.clock_ghz) + ")");

  if (!j.contains("mfma_cycles") || !j["mfma_cycles"].is_object())
    return Status::error(origin + ": \"mfma_cycles\" is missing");
  for (const auto& [name, value] : j["mfma_cycles"].items()) {
    if (name == "source" || name == "note") continue;
    if (!value.is_number_unsigned() || value.get<uint32_t>() == 0)
      return Status::error(origin + ": mfma_cycles." + name + " must be a positive integer");
    m.mfma_cycles[name] = value.get<uint32_t>();
  }
  if (j["mfma_cycles"].contains("source") && j["mfma_cycles"]["source"].is_string())
    m.sources["mfma_cycles"] = j["mfma_cycles"]["source"];
  return m;
}

Expected<Machine> load_machine_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return Status::error("cannot read machine file " + file.string());
  std::stringstream text;
  text << in.rdbuf();
  return parse_machine(text.str(), file.string());
}

std::vector<std::string> machine_names(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

Expected<Machine> find_machine(const std::filesystem::path& dir, const std::string& name) {
  const auto names = machine_names(dir);
  for (const auto& candidate : names)
    if (lower(candidate) == lower(name)) return load_machine_file(dir / (candidate + ".json"));
  std::string known;
  for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
  return Status::error("no machine model \"" + name + "\" in " + dir.string() + "; machines: " +
                       (known.empty() ? "(none)" : known));
}

}  // namespace asmk::perf
