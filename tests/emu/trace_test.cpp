// LaunchOptions::only_workgroups and the per-instruction trace (class, bytes, LDS bank-conflict
// cycles, decoded s_waitcnt), on kernels/trace_probe.s whose instructions each have a value
// derivable by hand.
#include <gtest/gtest.h>

#include "emu_test_util.hpp"

namespace asmk::emu::test {
namespace {

class TraceTest : public ::testing::TestWithParam<std::string> {};

constexpr uint32_t kPoison = 0xdeadbeef;

uint32_t expected_word(uint32_t x, uint32_t y, uint32_t bx, uint32_t by) { return x | y << 8 | bx << 16 | by << 24; }

TEST_P(TraceTest, OnlyWorkgroupsRunsJustThoseWithTheirIdsAndHiddenArgs) {
  auto co = load_kernel_file("trace_probe", GetParam());
  ASSERT_TRUE(co);
  Device dev;
  const Dim3 grid{4, 3, 1};
  uint64_t out = upload(dev, std::vector<uint32_t>(grid.count() * 128, kPoison));
  Dispatch d;
  d.kernel = *co->find("trace_probe");
  d.grid = grid;
  d.block = {128, 1, 1};
  d.kernargs = Kernargs().add(out).bytes();
  LaunchOptions opt;
  opt.threads = 1;
  opt.trace = true;
  opt.only_workgroups = {{1, 2, 0}, {3, 0, 0}};
  auto r = launch(dev, d, opt);
  ASSERT_TRUE(r.ok()) << describe(r);
  EXPECT_EQ(r.stats.workgroups, 2u);
  EXPECT_EQ(r.stats.waves, 4u);
  EXPECT_EQ(r.stats.global_bytes_written, 4u * 64 * 4);  // 4 waves store 64 dwords each
  auto got = download<uint32_t>(dev, out, grid.count() * 128);
  for (uint32_t y = 0; y < grid.y; y++)
    for (uint32_t x = 0; x < grid.x; x++) {
      const bool selected = (x == 1 && y == 2) || (x == 3 && y == 0);
      const uint32_t want = selected ? expected_word(x, y, 4, 3) : kPoison;
      for (uint32_t t = 0; t < 128; t++)
        ASSERT_EQ(got[(y * grid.x + x) * 128 + t], want) << "workgroup " << x << "," << y << " item " << t;
    }
  ASSERT_EQ(r.traces.size(), 4u);  // one thread: workgroups in the order given, waves in order
  EXPECT_EQ(r.traces[0].workgroup.x, 1u);
  EXPECT_EQ(r.traces[0].workgroup.y, 2u);
  EXPECT_EQ(r.traces[1].wave, 1u);
  EXPECT_EQ(r.traces[2].workgroup.x, 3u);
  EXPECT_EQ(r.traces[2].workgroup.y, 0u);
}

TEST_P(TraceTest, OnlyWorkgroupsOutsideTheGridOrRepeatedAreInvalid) {
  auto co = load_kernel_file("trace_probe", GetParam());
  ASSERT_TRUE(co);
  Device dev;
  uint64_t out = upload(dev, std::vector<uint32_t>(12 * 128, 0));
  Dispatch d;
  d.kernel = *co->find("trace_probe");
  d.grid = {4, 3, 1};
  d.block = {128, 1, 1};
  d.kernargs = Kernargs().add(out).bytes();
  LaunchOptions opt;
  opt.only_workgroups = {{4, 0, 0}};
  auto r = launch(dev, d, opt);
  EXPECT_EQ(r.status, LaunchStatus::invalid);
  EXPECT_NE(r.message.find("(4,0,0)"), std::string::npos) << r.message;
  opt.only_workgroups = {{0, 1, 0}, {0, 1, 0}};
  r = launch(dev, d, opt);
  EXPECT_EQ(r.status, LaunchStatus::invalid);
  EXPECT_NE(r.message.find("twice"), std::string::npos) << r.message;
}

TEST_P(TraceTest, EntriesCarryClassBytesConflictsAndWaitCounts) {
  auto co = load_kernel_file("trace_probe", GetParam());
  ASSERT_TRUE(co);
  Device dev;
  uint64_t out = upload(dev, std::vector<uint32_t>(128, 0));
  Dispatch d;
  d.kernel = *co->find("trace_probe");
  d.block = {128, 1, 1};
  d.kernargs = Kernargs().add(out).bytes();
  LaunchOptions opt;
  opt.trace = true;
  opt.threads = 1;
  auto r = launch(dev, d, opt);
  ASSERT_TRUE(r.ok()) << describe(r);
  ASSERT_EQ(r.traces.size(), 2u);
  const auto& e = r.traces[0].entries;
  auto name = [&](size_t i) { return r.trace_mnemonics.at(e.at(i).mnemonic_id); };
  struct Want {
    const char* mnemonic;
    TraceClass cls;
    uint32_t bytes;
    uint16_t conflicts;
  };
  // Bytes: s_load_dwordx4 16; 64 lanes x 4 bytes for the DS and global accesses.
  // Conflicts: ds_read_b32 at lane * 128 reads dword 32 * lane. gfx942 (32 banks, passes of 32
  // lanes): each half-wave's 32 dwords are in bank 0: 31 extra cycles per half, 62 in all. gfx950
  // (64 banks, one pass of 64 lanes): 32 dwords each in banks 0 and 32: 31 extra cycles.
  const uint16_t conflicts = GetParam() == std::string("gfx950") ? 31 : 62;
  const Want want[] = {
      {"s_load_dwordx4", TraceClass::smem, 16, 0},   {"v_and_b32", TraceClass::valu, 0, 0},
      {"v_lshlrev_b32", TraceClass::valu, 0, 0},     {"ds_write_b32", TraceClass::lds, 256, 0},
      {"s_waitcnt", TraceClass::waitcnt, 0, 0},      {"s_barrier", TraceClass::barrier, 0, 0},
      {"v_and_b32", TraceClass::valu, 0, 0},         {"v_lshlrev_b32", TraceClass::valu, 0, 0},
      {"ds_read_b32", TraceClass::lds, 256, conflicts},     {"s_waitcnt", TraceClass::waitcnt, 0, 0},
      {"v_exp_f32", TraceClass::trans, 0, 0},        {"v_cvt_f64_u32", TraceClass::valu64, 0, 0},
      {"v_add_f64", TraceClass::valu64, 0, 0},       {"s_waitcnt", TraceClass::waitcnt, 0, 0},
      {"s_mul_i32", TraceClass::salu, 0, 0},
  };
  ASSERT_EQ(e.size(), 27u);
  for (size_t i = 0; i < std::size(want); i++) {
    EXPECT_EQ(name(i), want[i].mnemonic) << i;
    EXPECT_EQ(e[i].cls, want[i].cls) << i << " " << name(i) << " is " << trace_class_name(e[i].cls);
    EXPECT_EQ(e[i].bytes, want[i].bytes) << i << " " << name(i);
    EXPECT_EQ(e[i].lds_conflict_cycles, want[i].conflicts) << i << " " << name(i);
    EXPECT_EQ(e[i].active_lanes, 64u);
  }
  // lgkmcnt(0) alone leaves the others at their maximum (no wait); then vmcnt(1) expcnt(2) lgkmcnt(3).
  EXPECT_EQ(e[4].vmcnt, 63);
  EXPECT_EQ(e[4].expcnt, 7);
  EXPECT_EQ(e[4].lgkmcnt, 0);
  EXPECT_EQ(e[9].vmcnt, 1);
  EXPECT_EQ(e[9].expcnt, 2);
  EXPECT_EQ(e[9].lgkmcnt, 3);
  EXPECT_EQ(e[8].vmcnt, 0);  // not a waitcnt
  EXPECT_EQ(name(25), "global_store_dword");
  EXPECT_EQ(e[25].cls, TraceClass::vmem_store);
  EXPECT_EQ(e[25].bytes, 256u);
  EXPECT_EQ(name(26), "s_endpgm");
  EXPECT_EQ(e[26].cls, TraceClass::branch);
  // The statistics agree with the trace's sums.
  EXPECT_EQ(r.stats.lds_bank_conflict_cycles, 2u * conflicts);
  EXPECT_EQ(r.stats.scalar_bytes_read, 2u * 16);
}

INSTANTIATE_TEST_SUITE_P(Archs, TraceTest, ::testing::Values("gfx942", "gfx950"));

}  // namespace
}  // namespace asmk::emu::test
