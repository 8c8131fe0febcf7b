// Every op of the generated repository called with random, mostly wrong, named arguments on the
// record backend (nothing runs): the call must return a status and never crash, a refusal must say
// why, and an accepted launch must have had every buffer large enough for what the op says it
// touches. Each accepted call is repeated (the warm path of the selection cache) and must be
// accepted again; the same call with one buffer a byte too small must then be refused.
//
// Deterministic (a fixed seed per op), so a failure replays; the seed and the arguments are printed.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <deque>
#include <algorithm>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "random_op_call.hpp"
#include "support.hpp"

namespace asmk {
namespace {

using test::kGeneratedRepo;

using test::arguments_of;
using test::RandomCall;

// The bytes the op says tensor `name` needs for these arguments (the workspace: the selection's).
// Only asked of accepted calls, whose pointer arguments are all the op's tensors: not finding it
// is a failure, never a vacuous 0.
std::uint64_t needed_bytes(asmk_context* c, const char* op, const std::vector<asmk_op_arg>& args, const char* name,
                           const asmk_selection& s) {
  for (std::size_t i = 0;; ++i) {
    asmk_op_tensor_info t{};
    if (asmk_op_tensor_at(c, op, args.data(), args.size(), i, &t) != ASMK_SUCCESS) break;
    if (std::strcmp(t.name, name) == 0) return t.workspace ? s.workspace_bytes : t.bytes;
  }
  ADD_FAILURE() << op << ": accepted call, but asmk_op_tensor_at finds no tensor " << name << ": " << asmk_last_error();
  return 0;
}

TEST(OpArgsFuzz, EveryOpRefusesOrLaunchesWithBuffersLargeEnough) {
  for (const char* device : {"MI300X", "MI355X"}) {
    asmk_open_options options;
    asmk_open_options_init(&options);
    options.device = device;
    options.backend = "record";
    asmk_context* raw = nullptr;
    ASSERT_EQ(asmk_open(kGeneratedRepo.c_str(), &options, &raw), ASMK_SUCCESS) << asmk_last_error();
    const test::ContextPtr c(raw);
    std::vector<std::byte> arena(1 << 16);
    std::size_t ops = 0;
    ASSERT_EQ(asmk_op_count(c.get(), &ops), ASMK_SUCCESS);
    ASSERT_GT(ops, 5u);
    std::size_t accepted = 0, refused = 0;
    for (std::size_t o = 0; o < ops; ++o) {
      const char* op = nullptr;
      ASSERT_EQ(asmk_op_at(c.get(), o, &op), ASMK_SUCCESS);
      const auto specs = arguments_of(c.get(), op);
      std::mt19937_64 rng(0x5eed0000 + o);
      for (int i = 0; i < 300; ++i) {
        RandomCall call(specs, rng, arena);
        auto& args = call.args();
        SCOPED_TRACE(fmt::format("{} {} seed {:#x} call {}:{}", device, op, 0x5eed0000 + o, i, call.text()));
        asmk_selection s = ASMK_INIT(asmk_selection);
        const asmk_status status = asmk_run_op(c.get(), op, args.data(), args.size(), nullptr, &s);
        ASSERT_GE(static_cast<int>(status), 0);
        if (status != ASMK_SUCCESS) {
          ++refused;
          EXPECT_STRNE(asmk_last_error(), "") << "a refusal without a message";
          continue;
        }
        ++accepted;
        // Accepted: every buffer whose size was given covers what the op touches.
        for (const asmk_op_arg& a : args)
          if (a.type == ASMK_VALUE_POINTER && a.value.pointer != nullptr && a.bytes != 0)
            EXPECT_LE(needed_bytes(c.get(), op, args, a.name, s), a.bytes) << a.name;
        // Warm: accepted again; one given buffer a byte too small: refused.
        ASSERT_EQ(asmk_run_op(c.get(), op, args.data(), args.size(), nullptr, &s), ASMK_SUCCESS) << asmk_last_error();
        for (asmk_op_arg& a : args) {
          if (a.type != ASMK_VALUE_POINTER || a.value.pointer == nullptr) continue;
          const std::uint64_t needed = needed_bytes(c.get(), op, args, a.name, s);
          if (needed == 0) continue;
          const std::size_t saved = a.bytes;
          a.bytes = needed - 1;
          asmk_selection smaller = ASMK_INIT(asmk_selection);
          const asmk_status again = asmk_run_op(c.get(), op, args.data(), args.size(), nullptr, &smaller);
          if (std::strcmp(a.name, "workspace") == 0)  // a smaller budget may choose a plan that fits it
            EXPECT_TRUE(again != ASMK_SUCCESS || smaller.workspace_bytes <= a.bytes) << asmk_last_error();
          else
            EXPECT_EQ(again, ASMK_ERROR_BUFFER_TOO_SMALL) << a.name << ": " << asmk_last_error();
          a.bytes = saved;
          break;
        }
      }
    }
    // The generator must reach both outcomes, or this test checks nothing.
    EXPECT_GT(accepted, 20u) << device;
    EXPECT_GT(refused, 100u) << device;
  }
}

}  // namespace
}  // namespace asmk
