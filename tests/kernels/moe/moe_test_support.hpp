// What the MoE kernel tests (moe_test.cpp, fused_moe_quant_test.cpp, moe_a16w4_test.cpp) share: running an
// op and expecting every output to match its reference, counting a plan's launches, a wrong reference
// for showing that a scale comparison can fail, and a refused call with what it left untouched.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <algorithm>
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

// Runs `problem` with `wrong` registered in place of the op's reference (restored after) and expects its
// one comparison to fail: the check has teeth for the fault `wrong` models.
inline void expect_caught(Session& s, const std::string& op, const std::string& problem, const ref::OpReference& wrong) {
  SCOPED_TRACE(op + " " + problem + " against a wrong reference");
  const ref::OpReference saved = *ref::find_op_reference(op);
  ref::register_op_reference(op, wrong);
  const auto r = op_runner::run(s.get(), op, op_runner::Problem::parse(problem));
  ref::register_op_reference(op, saved);
  ASSERT_EQ(r.comparisons.size(), 1u) << r.error;
  EXPECT_FALSE(r.comparisons[0].ok()) << "the wrong reference agreed";
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

// A refused call: its status and message, and whether out and the workspace kept their bytes.
struct Refusal {
  asmk_status status = ASMK_SUCCESS;
  std::string message;
  bool untouched = false;
};

// Runs `op` on `problem` through asmk_run_op on device buffers — inputs 0 (valid ids and scales),
// out and a 1 MiB workspace 0xee — with each tensor's byte count as `bytes_of` gives it (default: in full).
inline Refusal run_refused(Session& s, const std::string& op_name, const std::string& problem,
                           const std::function<std::size_t(const std::string&, std::size_t)>& bytes_of = nullptr) {
  Refusal result;
  op_runner::OpView op;
  std::string error;
  EXPECT_EQ(op_runner::describe_op(s.get(), op_name, op, error), ASMK_SUCCESS) << error;
  op_runner::Call call;
  EXPECT_EQ(call.build(s.get(), op, op_runner::Problem::parse(problem), error), ASMK_SUCCESS) << error;
  std::map<std::string, Buffer> buffers;
  for (const auto& t : call.tensors) {
    const std::string name = t.name;
    const std::size_t full = t.workspace ? std::size_t{1} << 20 : t.bytes;
    const std::size_t given = bytes_of ? bytes_of(name, full) : full;
    buffers.emplace(name, s.filled(std::max<std::size_t>(full, 1), t.output || t.workspace ? 0xee : 0x00));
    call.set_pointer(name, buffers.at(name).get(), given);
  }
  if (buffers.count("workspace") == 0) {  // the call's tensors list the workspace only when given
    buffers.emplace("workspace", s.filled(std::size_t{1} << 20, 0xee));
    call.set_pointer("workspace", buffers.at("workspace").get(), std::size_t{1} << 20);
  }
  result.status = asmk_run_op(s.get(), op_name.c_str(), call.args().data(), call.args().size(), nullptr, nullptr);
  result.message = asmk_last_error();
  EXPECT_EQ(asmk_synchronize(s.get(), nullptr), ASMK_SUCCESS);
  result.untouched = true;
  for (const char* name : {"out", "workspace"})
    for (const std::uint8_t b : buffers.at(name).download<std::uint8_t>()) result.untouched = result.untouched && b == 0xee;
  return result;
}

}  // namespace asmk::test::moe
