// LDS bank-conflict cycles per instruction (kernels/lds_conflicts.s, read from the trace), with
// the counts derived by hand from the rule: banks of 4 bytes, 32 on gfx942 and 64 on gfx950; a
// pass serves as many dwords as there are banks (consecutive lanes: gfx942 32 lanes of b32, 16 of
// b64, 8 of b128; gfx950 64, 32, 16); in a pass, a bank asked for n different dwords takes n
// cycles (the same dword is broadcast); extra cycles are the sum over passes of (worst bank - 1).
#include <gtest/gtest.h>

#include <numeric>

#include "emu_test_util.hpp"

namespace asmk::emu::test {
namespace {

std::vector<uint32_t> conflict_cycles(const std::string& arch, uint64_t* total) {
  auto co = load_kernel_file("lds_conflicts", arch);
  EXPECT_TRUE(co);
  if (!co) return {};
  Device dev;
  Dispatch d;
  d.kernel = *co->find("lds_conflicts");
  d.block = {64, 1, 1};
  LaunchOptions opt;
  opt.trace = true;
  auto r = launch(dev, d, opt);
  EXPECT_TRUE(r.ok()) << describe(r);
  EXPECT_EQ(r.traces.size(), 1u);
  std::vector<uint32_t> cycles;
  if (r.traces.empty()) return cycles;
  for (const TraceEntry& e : r.traces[0].entries)
    if (e.cls == TraceClass::lds) cycles.push_back(e.lds_conflict_cycles);
  *total = r.stats.lds_bank_conflict_cycles;
  return cycles;
}

void expect_cycles(const std::string& arch, const std::vector<uint32_t>& want) {
  uint64_t total = 0;
  const std::vector<uint32_t> got = conflict_cycles(arch, &total);
  ASSERT_EQ(got.size(), want.size()) << arch;
  for (size_t i = 0; i < got.size(); i++) EXPECT_EQ(got[i], want[i]) << arch << " LDS instruction " << i;
  EXPECT_EQ(total, std::accumulate(want.begin(), want.end(), uint64_t(0))) << arch;
}

TEST(LdsConflicts, Gfx942Has32Banks) {
  expect_cycles("gfx942", {
      0,   // 0 b32 at 4l: a pass of 32 lanes reads dwords 0..31, one per bank
      2,   // 1 b32 at 8l: dwords 0, 2, .., 62: banks 0, 2, .., 30 get 2 dwords each: 1 extra x 2 passes
      0,   // 2 b64 at 8l: a pass of 16 lanes reads dwords 0..31
      60,  // 3 b64 at 256l: a pass of 16 lanes reads dwords 64l, 64l+1: banks 0 and 1 get 16 each: 15 x 4 passes
      0,   // 4 b128 at 16l: a pass of 8 lanes reads dwords 0..31
      8,   // 5 b128 at 32l: 8 lanes read 8l..8l+3: banks 0-3, 8-11, 16-19, 24-27 get 2 each: 1 x 8 passes
      0,   // 6 b128 at one address: every lane reads the same 4 dwords (broadcast)
      0,   // 7 b128 store at 16l: as the read
      0,   // 8 read2_b32 at 8l with offsets 0 and 1: 2 dwords per lane, 16 lanes read dwords 0..31
      60,  // 9 b64 store at 256l: as the read
      0,   // 10 b32, lanes 0..31 dwords 0..31, lanes 32..63 dwords 64..95: each pass one dword per bank
      4,   // 11 b64, lanes 8..15 at dwords 32..47: each 16-lane pass hits 16 banks twice: 1 x 4 passes
  });
}

TEST(LdsConflicts, Gfx950Has64Banks) {
  expect_cycles("gfx950", {
      0,   // 0 b32 at 4l: one pass of 64 lanes reads dwords 0..63, one per bank
      1,   // 1 b32 at 8l: dwords 0, 2, .., 126: even banks get 2 dwords each: 1 extra x 1 pass
      0,   // 2 b64 at 8l: a pass of 32 lanes reads dwords 0..63
      62,  // 3 b64 at 256l: a pass of 32 lanes reads dwords 64l, 64l+1: banks 0 and 1 get 32 each: 31 x 2 passes
      0,   // 4 b128 at 16l: a pass of 16 lanes reads dwords 0..63
      4,   // 5 b128 at 32l: 16 lanes read 8l..8l+3 (0..123): lanes l and l+8 share banks: 1 x 4 passes
      0,   // 6 broadcast
      0,   // 7 b128 store at 16l: as the read
      0,   // 8 read2_b32: 32 lanes read dwords 0..63
      62,  // 9 b64 store at 256l: as the read
      1,   // 10 b32, one pass: dwords 0..31 and 64..95 share banks 0..31: 1 extra (conflict-free on 32 banks)
      0,   // 11 b64, 32-lane passes read dwords 0..63 and 64..127: one per bank (4 cycles on 32 banks)
  });
}

}  // namespace
}  // namespace asmk::emu::test
