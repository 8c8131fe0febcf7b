#include "config.hpp"

#include <cstdlib>
#include <sstream>

namespace asmk::hsa_emu {
namespace {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) items.push_back(item);
  return items;
}

std::uint32_t default_compute_units(const std::string& arch) {
  if (arch == "gfx942") return 304;  // MI300X
  if (arch == "gfx950") return 256;  // MI355X
  return 104;
}

bool switch_on(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) return false;
  const std::string v = value;
  return v == "1" || v == "on" || v == "true" || v == "yes";
}

}  // namespace

Config Config::from_environment() {
  Config config;
  const char* arch_env = std::getenv("ASMK_HSA_EMU_ARCH");
  const std::string arches = arch_env != nullptr && *arch_env != '\0' ? arch_env : "gfx942";
  std::vector<std::string> cus;
  if (const char* cus_env = std::getenv("ASMK_HSA_EMU_CUS")) cus = split_list(cus_env);
  if (arches != "none") {
    for (const std::string& arch : split_list(arches)) config.gpus.push_back({arch, default_compute_units(arch)});
  }
  if (!cus.empty()) {
    if (cus.size() != 1 && cus.size() != config.gpus.size()) {
      config.error = "ASMK_HSA_EMU_CUS='" + std::string(std::getenv("ASMK_HSA_EMU_CUS")) +
                     "' must give one count or one per agent of ASMK_HSA_EMU_ARCH";
      return config;
    }
    for (std::size_t i = 0; i < config.gpus.size(); ++i) {
      const std::string& text = cus[cus.size() == 1 ? 0 : i];
      char* end = nullptr;
      const unsigned long n = std::strtoul(text.c_str(), &end, 10);
      if (*end != '\0' || n == 0 || n > 4096) {
        config.error = "ASMK_HSA_EMU_CUS: '" + text + "' is not a compute-unit count";
        return config;
      }
      config.gpus[i].compute_units = static_cast<std::uint32_t>(n);
    }
  }
  config.strict = switch_on("ASMK_EMU_STRICT");
  config.stall = switch_on("ASMK_HSA_EMU_STALL");
  if (const char* threads = std::getenv("ASMK_EMU_THREADS")) config.threads = static_cast<unsigned>(std::strtoul(threads, nullptr, 10));
  return config;
}

std::string product_name(const GpuConfig& gpu) {
  if (gpu.arch == "gfx942") return gpu.compute_units == 80 ? "AMD Instinct MI308X" : "AMD Instinct MI300X";
  if (gpu.arch == "gfx950") return "AMD Instinct MI355X";
  return "AMD GPU " + gpu.arch;
}

}  // namespace asmk::hsa_emu
