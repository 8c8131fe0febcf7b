#include "config.hpp"

#include <cstdlib>

namespace asmk::hsa_emu {

Config Config::from_environment() {
  Config config;
  emu_runtime::GpuList list = emu_runtime::gpus_from_environment("ASMK_HSA_EMU_ARCH", "ASMK_HSA_EMU_CUS");
  config.gpus = std::move(list.gpus);
  config.error = std::move(list.error);
  if (!config.error.empty()) return config;
  config.strict = emu_runtime::switch_on("ASMK_EMU_STRICT");
  config.stall = emu_runtime::switch_on("ASMK_HSA_EMU_STALL");
  if (const char* threads = std::getenv("ASMK_EMU_THREADS")) config.threads = static_cast<unsigned>(std::strtoul(threads, nullptr, 10));
  return config;
}

}  // namespace asmk::hsa_emu
