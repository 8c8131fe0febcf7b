// What the MoE kernel tests (moe_test.cpp, fused_moe_quant_test.cpp) share: running an op and expecting
// every output to match its reference, counting a plan's launches, and a wrong reference for showing
// that a scale comparison can fail.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "asmk/ref/op_reference.hpp"
#include "kernel_harness.hpp"
#include "op_runner.hpp"

namespace asmk::test::moe {

// Runs `problem` and expects every output to match its reference.
inline op_runner::Result run_ok(Session& s, const std::string& op, const std::string& problem, std::uint32_t seed) {
  SCOPED_TRACE(op + " " + problem);
  op_runner::Options options;
  options.seed = seed;
  auto r = op_runner::run(s.get(), op, op_runner::Problem::parse(problem), options);
  EXPECT_EQ(r.status, ASMK_SUCCESS) << r.error;
  EXPECT_TRUE(r.error.empty()) << r.error;
  EXPECT_FALSE(r.comparisons.empty());
  for (const auto& c : r.comparisons) EXPECT_TRUE(c.ok()) << r.selection.kernel_name << ": " << c.tensor << ": " << c.detail;
  return r;
}

// How many of the plan's launches run a kernel whose name starts with `prefix` (and contains `part`).
inline std::size_t launches_of(const op_runner::Result& r, const std::string& prefix, const std::string& part = "") {
  std::size_t n = 0;
  for (std::size_t i = 0; i < r.selection.launch_count; ++i) {
    const std::string name = r.selection.launches[i].kernel_name;
    n += name.rfind(prefix, 0) == 0 && name.find(part) != std::string::npos;
  }
  return n;
}

// `saved` run with each expert's w2_scale entries (per_expert(problem) of them) replaced by their mean:
// per-expert scales, as a kernel reading the wrong row or block would see.
inline ref::OpReference with_w2_scales_flattened(const ref::OpReference& saved,
                                                 std::function<std::size_t(const ref::OpProblem&)> per_expert) {
  ref::OpReference flattened = saved;
  flattened.compute = [saved, per_expert](const ref::OpProblem& p, const ref::OpTensors& t,
                                          std::map<std::string, ref::Expected>& expected) {
    ref::OpTensors flat = t;
    float* scale = flat.at("w2_scale").as<float>();
    const std::size_t n = per_expert(p);
    for (std::uint32_t e = 0; e < p.u32("experts"); ++e) {
      float mean = 0;
      for (std::size_t i = 0; i < n; ++i) mean += scale[e * n + i] / static_cast<float>(n);
      for (std::size_t i = 0; i < n; ++i) scale[e * n + i] = mean;
    }
    return saved.compute(p, flat, expected);
  };
  return flattened;
}

}  // namespace asmk::test::moe
