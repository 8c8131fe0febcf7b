#include "gemm_problem.hpp"

#include <fmt/format.h>

namespace asmk::gemm {

std::string_view Problem::out_dtype() const {
  for (const auto& w : wanted)
    if (w.name == "out_dtype") return w.value;
  return {};
}

std::string Problem::text() const {
  std::string text = fmt::format("m={} n={} k={}", m, n, k);
  for (const auto& w : wanted) text += fmt::format(" {}={}", w.name, w.value);
  return text;
}

std::size_t workspace_bytes(std::uint32_t m, std::uint32_t n, std::uint32_t k_splits) {
  return k_splits <= 1 ? 0 : std::size_t(k_splits) * m * n * sizeof(float);
}

}  // namespace asmk::gemm
