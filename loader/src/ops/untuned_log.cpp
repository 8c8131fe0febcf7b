#include "untuned_log.hpp"

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <set>
#include <string>
#include <tuple>

#include <fmt/format.h>

namespace asmk::gemm {

void log_untuned(std::string_view family, std::uint64_t m, std::uint64_t n, std::uint64_t k) {
  const char* path = std::getenv("ASMK_LOG_UNTUNED");
  if (path == nullptr || *path == '\0') return;
  static std::mutex mutex;
  static std::set<std::tuple<std::string, std::uint64_t, std::uint64_t, std::uint64_t>> logged;
  std::lock_guard lock(mutex);
  if (!logged.emplace(std::string(family), m, n, k).second) return;
  std::FILE* file = std::fopen(path, "a");
  if (file == nullptr) return;
  if (std::ftell(file) == 0) std::fputs("# GEMM problems without a tuned row (ASMK_LOG_UNTUNED)\nfamily,m,n,k\n", file);
  std::fputs(fmt::format("{},{},{},{}\n", family, m, n, k).c_str(), file);
  std::fclose(file);
}

}  // namespace asmk::gemm
