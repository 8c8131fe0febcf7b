// What the emulated HSA runtime pretends to be, read from the environment when hsa_init runs:
//   ASMK_HSA_EMU_ARCH   gfx942 (default), gfx950, a comma list (one agent each), or "none"
//   ASMK_HSA_EMU_CUS    compute units per agent (a number, or a comma list matching the arches);
//                       default 304 for gfx942 (MI300X) and 256 for gfx950 (MI355X)
//   ASMK_EMU_STRICT     1: strict-mode findings fail the dispatch like a fault (as the emu backend)
//   ASMK_EMU_THREADS    host threads per dispatch (0 or unset: every core)
//   ASMK_HSA_EMU_STALL  1: the packet processor never consumes packets (a hung device, for tests)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gpu_config.hpp"

namespace asmk::hsa_emu {

using emu_runtime::GpuConfig;
using emu_runtime::product_name;

struct Config {
  std::vector<GpuConfig> gpus;
  bool strict = false;
  unsigned threads = 0;
  bool stall = false;
  std::string error;  // non-empty: the environment is malformed (hsa_init fails with this detail)

  static Config from_environment();
};

}  // namespace asmk::hsa_emu
