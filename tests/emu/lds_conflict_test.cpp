// LDS bank-conflict cycles per instruction (kernels/lds_conflicts.s, read from the trace), with
// the counts derived by hand from the model: 32 banks of 4 bytes; a pass serves 32 dwords, i.e.
// 32 lanes of b32, 16 lanes of b64 or 8 lanes of b128 (consecutive lanes); in a pass, a bank
// asked for n different dwords takes n cycles (the same dword is broadcast); extra cycles are
// the sum over passes of (worst bank - 1).
#include <gtest/gtest.h>

#include "emu_test_util.hpp"

namespace asmk::emu::test {
namespace {

class LdsConflicts : public ::testing::TestWithParam<std::string> {};

TEST_P(LdsConflicts, ExtraCyclesFollowTheAccessWidth) {
  auto co = load_kernel_file("lds_conflicts", GetParam());
  ASSERT_TRUE(co);
  Device dev;
  Dispatch d;
  d.kernel = *co->find("lds_conflicts");
  d.block = {64, 1, 1};
  LaunchOptions opt;
  opt.trace = true;
  auto r = launch(dev, d, opt);
  ASSERT_TRUE(r.ok()) << describe(r);
  ASSERT_EQ(r.traces.size(), 1u);
  std::vector<uint32_t> cycles;
  for (const TraceEntry& e : r.traces[0].entries)
    if (e.cls == TraceClass::lds) cycles.push_back(e.lds_conflict_cycles);
  const uint32_t want[] = {
      0,   // b32 at 4l: a pass of 32 lanes reads dwords 0..31, one per bank
      2,   // b32 at 8l: dwords 0, 2, .., 62: banks 0, 2, .., 30 get 2 dwords each: 1 extra x 2 passes
      0,   // b64 at 8l: a pass of 16 lanes reads dwords 0..31
      60,  // b64 at 256l: a pass of 16 lanes reads dwords 64l, 64l+1: banks 0 and 1 get 16 each: 15 x 4 passes
      0,   // b128 at 16l: a pass of 8 lanes reads dwords 0..31
      8,   // b128 at 32l: a pass of 8 lanes reads 8l..8l+3: banks 0-3, 8-11, 16-19, 24-27 get 2 each: 1 x 8 passes
      0,   // b128 at one address: every lane reads the same 4 dwords (broadcast)
      0,   // b128 store at 16l: as the read
      0,   // read2_b32 at 8l with offsets 0 and 1: 2 dwords per lane, 16 lanes read dwords 0..31
      60,  // b64 store at 256l: as the read
  };
  ASSERT_EQ(cycles.size(), std::size(want));
  for (size_t i = 0; i < cycles.size(); i++) EXPECT_EQ(cycles[i], want[i]) << "LDS instruction " << i;
  EXPECT_EQ(r.stats.lds_bank_conflict_cycles, 2u + 60 + 8 + 60);
}

INSTANTIATE_TEST_SUITE_P(Archs, LdsConflicts, ::testing::Values("gfx942", "gfx950"));

}  // namespace
}  // namespace asmk::emu::test
