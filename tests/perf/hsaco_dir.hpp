// The kernel set the perf tests trace: $ASMK_HSACO_DIR, else the build's hsaco/.
#pragma once

#include <cstdlib>
#include <filesystem>

namespace asmk::perf::test {

inline std::filesystem::path repository() {
  const char* env = std::getenv("ASMK_HSACO_DIR");
  return env && *env ? std::filesystem::path(env) : std::filesystem::path(ASMK_DEFAULT_HSACO_DIR);
}

}  // namespace asmk::perf::test
