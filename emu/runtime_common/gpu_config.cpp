#include "gpu_config.hpp"

#include <cstdlib>
#include <sstream>

namespace asmk::emu_runtime {
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

}  // namespace

GpuList gpus_from_environment(const char* arch_variable, const char* cus_variable) {
  GpuList list;
  const char* arch_env = std::getenv(arch_variable);
  const std::string arches = arch_env != nullptr && *arch_env != '\0' ? arch_env : "gfx942";
  std::vector<std::string> cus;
  if (const char* cus_env = std::getenv(cus_variable)) cus = split_list(cus_env);
  if (arches != "none") {
    for (const std::string& arch : split_list(arches)) list.gpus.push_back({arch, default_compute_units(arch)});
  }
  if (!cus.empty()) {
    if (cus.size() != 1 && cus.size() != list.gpus.size()) {
      list.error = std::string(cus_variable) + "='" + std::getenv(cus_variable) + "' must give one count or one per " +
                   "GPU of " + arch_variable;
      return list;
    }
    for (std::size_t i = 0; i < list.gpus.size(); ++i) {
      const std::string& text = cus[cus.size() == 1 ? 0 : i];
      char* end = nullptr;
      const unsigned long n = std::strtoul(text.c_str(), &end, 10);
      if (*end != '\0' || n == 0 || n > 4096) {
        list.error = std::string(cus_variable) + ": '" + text + "' is not a compute-unit count";
        return list;
      }
      list.gpus[i].compute_units = static_cast<std::uint32_t>(n);
    }
  }
  return list;
}

std::string product_name(const GpuConfig& gpu) {
  if (gpu.arch == "gfx942") return gpu.compute_units == 80 ? "AMD Instinct MI308X" : "AMD Instinct MI300X";
  if (gpu.arch == "gfx950") return "AMD Instinct MI355X";
  return "AMD GPU " + gpu.arch;
}

bool switch_on(const char* variable) {
  const char* value = std::getenv(variable);
  if (value == nullptr) return false;
  const std::string v = value;
  return v == "1" || v == "on" || v == "true" || v == "yes";
}

}  // namespace asmk::emu_runtime
