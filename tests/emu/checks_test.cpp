// Edge cases from the ISA definitions, run as hand-written kernels (kernels/checks.s, mfma.s):
// strict-mode reports, LDS limits, DPP controls, buffer range rules, > 4 GiB addressing,
// barriers, MFMA through the bridge and its wait-state check.
#include <atomic>
#include <chrono>
#include <cmath>
#include <thread>

#include "emu_test_util.hpp"

namespace asmk::emu::test {
namespace {

class Checks : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    co_ = load_kernel_file("checks", GetParam());
    ASSERT_TRUE(co_);
    ASSERT_TRUE(co_->coverage().empty());
  }
  LaunchReport run(const std::string& name, Dim3 block, std::vector<uint8_t> args, bool strict = true) {
    Dispatch d;
    d.kernel = *co_->find(name);
    d.grid = {1, 1, 1};
    d.block = block;
    d.kernargs = std::move(args);
    LaunchOptions opt;
    opt.strict = strict;
    return launch(dev_, d, opt);
  }
  std::shared_ptr<const CodeObject> co_;
  Device dev_;
};

TEST_P(Checks, MissingWaitcntIsReportedWithPcAndRegister) {
  std::vector<int32_t> in(64);
  for (int i = 0; i < 64; i++) in[i] = i * 5;
  uint64_t din = upload(dev_, in), dout = upload(dev_, std::vector<int32_t>(64, 0));
  auto r = run("no_wait", {64, 1, 1}, Kernargs().add(din).add(dout).bytes());
  EXPECT_EQ(r.status, LaunchStatus::ok);  // not a fault: execution continues
  ASSERT_EQ(r.strict_count, 1u) << describe(r);
  EXPECT_EQ(r.strict[0].kind, FaultKind::missing_waitcnt);
  EXPECT_EQ(r.strict[0].instruction, "v_add_u32_e32 v2, 1, v2");
  EXPECT_NE(r.strict[0].message.find("v2"), std::string::npos);
  EXPECT_NE(r.strict[0].message.find("vmcnt"), std::string::npos);
  // Without strict mode there is nothing to report (the emulator's loads complete at once).
  auto relaxed = run("no_wait", {64, 1, 1}, Kernargs().add(din).add(dout).bytes(), false);
  EXPECT_TRUE(relaxed.ok());
  EXPECT_EQ(download<int32_t>(dev_, dout, 64)[3], 16);
}

TEST_P(Checks, LdsBeyondTheAllocationReadsZeroAndIsReported) {
  uint64_t dout = upload(dev_, std::vector<int32_t>(64, -1));
  auto r = run("lds_over", {64, 1, 1}, Kernargs().add(dout).bytes());
  EXPECT_EQ(r.status, LaunchStatus::ok);
  auto out = download<int32_t>(dev_, dout, 64);
  for (int l = 0; l < 64; l++) EXPECT_EQ(out[l], 192 + 4 * l + 4 <= 256 ? 7 : 0) << l;
  // lanes 16..63 of the store and of the load (48 + 48 reports, capped at max_reports)
  EXPECT_EQ(r.strict_count, 96u);
  EXPECT_EQ(r.strict[0].kind, FaultKind::lds_out_of_range);
  EXPECT_EQ(r.strict[0].lane, 16);
}

TEST_P(Checks, DppRowAndWaveControls) {
  uint64_t dout = upload(dev_, std::vector<int32_t>(7 * 64, 0));
  auto r = run("dpp", {64, 1, 1}, Kernargs().add(dout).bytes());
  ASSERT_TRUE(r.ok()) << describe(r);
  auto out = download<int32_t>(dev_, dout, 7 * 64);
  for (int l = 0; l < 64; l++) {
    int row = l / 16, rl = l % 16, bank = rl / 4;
    // row_bcast:15, rows 1 and 3 written (row_mask 0xa): lane 15 of the previous row.
    EXPECT_EQ(out[0 * 64 + l], (row == 1 || row == 3) ? (16 * row - 1) * 10 : -1) << "bcast15 " << l;
    // row_bcast:31, rows 2 and 3 (row_mask 0xc): lane 31.
    EXPECT_EQ(out[1 * 64 + l], row >= 2 ? 310 : -1) << "bcast31 " << l;
    // wave_shr:1: lane l gets lane l-1; lane 0 has no source and keeps its old value.
    EXPECT_EQ(out[2 * 64 + l], l == 0 ? -1 : (l - 1) * 10) << "wave_shr " << l;
    // wave_rol:1: lane l gets lane l+1 (mod 64).
    EXPECT_EQ(out[3 * 64 + l], ((l + 1) % 64) * 10) << "wave_rol " << l;
    // row_mirror with bank_mask 0x5: banks 0 and 2 written.
    EXPECT_EQ(out[4 * 64 + l], (bank == 0 || bank == 2) ? (16 * row + 15 - rl) * 10 : -1) << "mirror " << l;
    // row_ror:4 within each row.
    EXPECT_EQ(out[5 * 64 + l], (16 * row + ((rl - 4) & 15)) * 10) << "ror " << l;
    // v_add_u32_dpp with row_half_mirror on src0: mirrored + own.
    EXPECT_EQ(out[6 * 64 + l], ((l & ~7) + 7 - (l & 7)) * 10 + l * 10) << "half_mirror " << l;
  }
}

TEST_P(Checks, BufferRangeRules) {
  std::vector<int32_t> in(64);
  for (int i = 0; i < 64; i++) in[i] = 100 + i;
  uint64_t din = upload(dev_, in), dout = upload(dev_, std::vector<int32_t>(64, -1));
  const uint32_t num_records = 40 * 4 + 2;  // dword 40 is partly in range: out of range
  auto r = run("buffer_range", {64, 1, 1}, Kernargs().add(din).add(dout).add(num_records).bytes());
  ASSERT_TRUE(r.ok()) << describe(r);
  auto out = download<int32_t>(dev_, dout, 64);
  auto back = download<int32_t>(dev_, din, 64);
  for (int l = 0; l < 64; l++) {
    EXPECT_EQ(out[l], l < 40 ? 100 + l : 0) << l;     // out-of-range loads return 0
    EXPECT_EQ(back[l], l < 40 ? 1000 + l : 100 + l) << l;  // out-of-range stores are dropped
  }
}

TEST_P(Checks, AddressesBeyondFourGiB) {
  const uint64_t size = (5ull << 30) + 4096;
  auto base = dev_.alloc(size);
  ASSERT_TRUE(base.ok());
  const uint64_t offset = (5ull << 30) - 64;  // the store crosses no boundary but needs 64-bit math
  auto r = run("far_store", {64, 1, 1}, Kernargs().add(*base).add(offset).bytes());
  ASSERT_TRUE(r.ok()) << describe(r);
  auto got = download<uint32_t>(dev_, *base + offset, 64);
  for (uint32_t l = 0; l < 64; l++) EXPECT_EQ(got[l], l);
  // A truncated 32-bit offset would have written here instead:
  EXPECT_EQ(download<uint32_t>(dev_, *base + (offset & 0xffffffffu), 1)[0], 0u);
  // Past the allocation: a fault with the address.
  auto bad = run("far_store", {64, 1, 1}, Kernargs().add(*base).add(size - 8).bytes());
  ASSERT_EQ(bad.status, LaunchStatus::faulted);
  EXPECT_EQ(bad.faults[0].lane, 2);
  EXPECT_EQ(bad.faults[0].address, *base + size);
}

TEST_P(Checks, BarrierJoinsTheWavesOfAWorkgroup) {
  uint64_t dout = upload(dev_, std::vector<int32_t>(256, 0));
  auto r = run("barrier", {256, 1, 1}, Kernargs().add(dout).bytes());
  ASSERT_TRUE(r.ok()) << describe(r);
  for (int v : download<int32_t>(dev_, dout, 256)) ASSERT_EQ(v, 1 + 2 + 3 + 4);
  EXPECT_EQ(r.stats.by_mnemonic.at("s_barrier"), 4u);
}

TEST_P(Checks, LdsBankConflictsAreCounted) {
  auto r = run("lds_conflict", {64, 1, 1}, Kernargs().add(uint64_t(0)).bytes());
  ASSERT_TRUE(r.ok()) << describe(r);
  // 128-byte stride: the 32 lanes of each half-wave hit 32 different dwords of bank 0, 31 extra
  // cycles per half; the 4-byte stride hits 32 different banks.
  EXPECT_EQ(r.stats.lds_bank_conflict_cycles, 62u);
  EXPECT_EQ(r.stats.lds_bytes_written, 2u * 64 * 4);
  EXPECT_EQ(r.stats.lds_bytes, 8192u);
}

TEST_P(Checks, MisalignedAtomicIsAFault) {
  uint64_t dout = upload(dev_, std::vector<uint32_t>(4, 0));
  auto r = run("misaligned_atomic", {64, 1, 1}, Kernargs().add(dout).bytes());
  ASSERT_EQ(r.status, LaunchStatus::faulted);
  EXPECT_EQ(r.faults[0].kind, FaultKind::misaligned);
  EXPECT_EQ(r.faults[0].address, dout + 2);
  EXPECT_EQ(r.faults[0].lane, 0);
  EXPECT_EQ(download<uint32_t>(dev_, dout, 4), std::vector<uint32_t>(4, 0));  // nothing written
}

TEST_P(Checks, SdwaSelectsAndDestinationRules) {
  uint64_t dout = upload(dev_, std::vector<uint32_t>(4 * 64, 0));
  auto r = run("sdwa", {64, 1, 1}, Kernargs().add(dout).bytes());
  ASSERT_TRUE(r.ok()) << describe(r);
  auto out = download<uint32_t>(dev_, dout, 4 * 64);
  for (uint32_t l = 0; l < 64; l++) {
    uint32_t a = 0x80f1c2d3u + l, b = 0x50007u * l;
    // WORD_1 of the destination gets (a.byte1 + b.word0), the low word is preserved.
    uint32_t sum = ((a >> 8) & 0xff) + (b & 0xffff);
    EXPECT_EQ(out[l], ((sum & 0xffff) << 16) | 0x3344u) << l;
    // BYTE_2 gets a.byte3 (0x80: negative), UNUSED_SEXT sign-extends above it, zeros below.
    uint32_t byte3 = a >> 24;
    EXPECT_EQ(out[64 + l], (byte3 << 16) | ((byte3 & 0x80) ? 0xff000000u : 0u)) << l;
    // sext(a.byte0) - b.word1, full dword.
    EXPECT_EQ(out[128 + l], uint32_t(int32_t(int8_t(a & 0xff)) - int32_t(b >> 16))) << l;
    // WORD_0 gets a.word1, UNUSED_PAD zeroes the rest.
    EXPECT_EQ(out[192 + l], a >> 16) << l;
  }
}

TEST_P(Checks, RunawayWaveIsStopped) {
  Dispatch d;
  d.kernel = *co_->find("spin");
  d.grid = {3, 1, 1};
  d.block = {64, 1, 1};
  d.kernargs = Kernargs().add(uint64_t(0)).bytes();
  LaunchOptions opt;
  opt.max_wave_instructions = 1000;
  auto r = launch(dev_, d, opt);
  ASSERT_EQ(r.status, LaunchStatus::faulted);
  EXPECT_EQ(r.faults[0].kind, FaultKind::runaway);
  EXPECT_EQ(r.faults[0].instruction, "s_branch 65535");  // a branch to itself (simm16 = -1)
}

// Issue 17: a launch's time is bounded by a budget of wave-instructions over all its waves (the
// per-wave limit alone lets 64 workgroups of a spinning kernel run 64 x 2^28 instructions).
TEST_P(Checks, LaunchBudgetStopsTheWholeLaunch) {
  Dispatch d;
  d.kernel = *co_->find("spin");
  d.grid = {64, 1, 1};
  d.block = {64, 1, 1};
  d.kernargs = Kernargs().add(uint64_t(0)).bytes();
  LaunchOptions opt;
  opt.threads = 1;
  opt.wave_quantum = 64;
  opt.max_launch_instructions = 100000;
  auto r = launch(dev_, d, opt);
  ASSERT_EQ(r.status, LaunchStatus::faulted);
  ASSERT_EQ(r.fault_count, 1u);  // the first workgroup's wave crosses the budget; the launch stops there
  EXPECT_EQ(r.faults[0].kind, FaultKind::runaway);
  EXPECT_EQ(r.faults[0].wave, 0u);
  EXPECT_EQ(r.faults[0].instruction, "s_branch 65535");
  EXPECT_NE(r.faults[0].to_string().find("workgroup (0,0,0) wave 0 pc 0x0: s_branch 65535 -- the launch exceeded its "
                                         "budget of 100000 wave-instructions"),
            std::string::npos)
      << r.faults[0].to_string();
  // Counted per turn of 64 instructions: the 1563rd turn (100032) crosses 100000.
  EXPECT_EQ(r.stats.wave_instructions, 100032u);
}

// Issue 17: a wall-clock budget stops a spinning launch, naming the wave and PC where it stopped.
TEST_P(Checks, TimeBudgetStopsTheLaunch) {
  Dispatch d;
  d.kernel = *co_->find("spin");
  d.grid = {4, 1, 1};
  d.block = {64, 1, 1};
  d.kernargs = Kernargs().add(uint64_t(0)).bytes();
  LaunchOptions opt;
  opt.threads = 1;
  opt.max_launch_milliseconds = 50;
  const auto start = std::chrono::steady_clock::now();
  auto r = launch(dev_, d, opt);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(r.status, LaunchStatus::faulted);
  EXPECT_EQ(r.faults[0].kind, FaultKind::runaway);
  EXPECT_NE(r.faults[0].to_string().find("workgroup (0,0,0) wave 0 pc 0x0: s_branch 65535 -- the launch exceeded its "
                                         "time budget of 50 ms"),
            std::string::npos)
      << r.faults[0].to_string();
  // Not a timing assertion on speed: without the budget the spin runs 2^28 instructions per wave.
  EXPECT_LT(took, std::chrono::seconds(20));
}

// Issue 17: another thread stops a running launch; each wave stops at its next turn.
TEST_P(Checks, CancelFlagStopsARunningLaunch) {
  Dispatch d;
  d.kernel = *co_->find("spin");
  d.grid = {8, 1, 1};
  d.block = {128, 1, 1};
  d.kernargs = Kernargs().add(uint64_t(0)).bytes();
  std::atomic<bool> cancel{false};
  LaunchOptions opt;
  opt.threads = 2;
  opt.cancel = &cancel;
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    cancel = true;
  });
  auto r = launch(dev_, d, opt);
  canceller.join();
  ASSERT_EQ(r.status, LaunchStatus::faulted);
  ASSERT_FALSE(r.faults.empty());
  for (const Report& f : r.faults) EXPECT_EQ(f.kind, FaultKind::cancelled) << f.to_string();
  EXPECT_NE(r.faults[0].to_string().find("s_branch 65535 -- the launch was cancelled"), std::string::npos)
      << r.faults[0].to_string();
}

// A launch does not hold the device: other threads allocate, write and free while it runs, and
// memory freed during the launch stays mapped for it (no host crash).
TEST_P(Checks, DeviceIsUsableWhileALaunchRuns) {
  Dispatch d;
  d.kernel = *co_->find("spin");
  d.grid = {2, 1, 1};
  d.block = {64, 1, 1};
  d.kernargs = Kernargs().add(uint64_t(0)).bytes();
  LaunchOptions opt;
  opt.threads = 1;
  opt.max_launch_milliseconds = 300;
  std::atomic<bool> done{false};
  std::atomic<int> rounds{0};
  std::thread other([&] {
    while (!done) {
      auto a = dev_.alloc(4096);
      ASSERT_TRUE(a.ok());
      const uint32_t v = 7;
      ASSERT_TRUE(dev_.write(*a, &v, 4).ok());
      ASSERT_TRUE(dev_.free(*a).ok());
      rounds++;
    }
  });
  auto r = launch(dev_, d, opt);
  done = true;
  other.join();
  EXPECT_EQ(r.status, LaunchStatus::faulted);  // stopped by its time budget
  EXPECT_GT(rounds.load(), 0);
}

TEST_P(Checks, ClassOfDenormalsInTheirOwnPrecision) {
  uint64_t dout = upload(dev_, std::vector<uint32_t>(128, 7));
  auto r = run("classify", {64, 1, 1}, Kernargs().add(dout).bytes());
  ASSERT_TRUE(r.ok()) << describe(r);
  auto out = download<uint32_t>(dev_, dout, 128);
  // Class bits: 0 sNaN, 1 qNaN, 2 -inf, 3 -normal, 4 -denormal, 5 -0, 6 +0, 7 +denormal, 8 +normal, 9 +inf.
  for (int l = 0; l < 64; l++) {
    EXPECT_EQ(out[l], l % 10 == 7 ? 1u : 0u) << "f32 lane " << l;
    EXPECT_EQ(out[64 + l], l % 10 == 7 ? 1u : 0u) << "f16 lane " << l;
  }
}

INSTANTIATE_TEST_SUITE_P(Archs, Checks, ::testing::Values("gfx942", "gfx950"));

// ---- MFMA --------------------------------------------------------------------------------

uint16_t to_half(float f) { return std::bit_cast<uint16_t>(_Float16(f)); }

class Mfma : public ::testing::TestWithParam<std::string> {};

// v_mfma_f32_16x16x16_f16 layout (CDNA3 ISA, "Dependent arithmetic" matrix layouts):
//   A[i][k]: lane i + 16 * (k / 4), register (k % 4) / 2, half (k % 2)
//   B[k][j]: lane j + 16 * (k / 4), same packing
//   D[i][j]: lane j + 16 * (i / 4), register i % 4
void run_mfma(const std::string& arch, const std::string& kernel, LaunchReport& rep, std::vector<float>& d,
              float (&A)[16][16], float (&B)[16][16]) {
  auto co = load_kernel_file("mfma", arch);
  ASSERT_TRUE(co);
  ASSERT_TRUE(co->coverage().empty()) << co->coverage()[0].reason;
  for (int i = 0; i < 16; i++)
    for (int k = 0; k < 16; k++) {
      A[i][k] = float((i * 3 + k * 7) % 11) - 5.0f;
      B[i][k] = float((i * 5 + k * 2) % 9) * 0.5f - 2.0f;
    }
  std::vector<uint16_t> a(256), b(256);  // 64 lanes x 4 halves
  for (int i = 0; i < 16; i++)
    for (int k = 0; k < 16; k++) {
      a[(i + 16 * (k / 4)) * 4 + k % 4] = to_half(A[i][k]);
      b[(i + 16 * (k / 4)) * 4 + k % 4] = to_half(B[k][i]);
    }
  Device dev;
  uint64_t da = upload(dev, a), db = upload(dev, b), dout = upload(dev, std::vector<float>(256, 0.0f));
  Dispatch disp;
  disp.kernel = *co->find(kernel);
  disp.block = {64, 1, 1};
  disp.kernargs = Kernargs().add(da).add(db).add(dout).bytes();
  LaunchOptions opt;
  opt.strict = true;
  rep = launch(dev, disp, opt);
  d = download<float>(dev, dout, 256);
}

TEST_P(Mfma, F16MatchesTheElementwiseProduct) {
  LaunchReport rep;
  std::vector<float> d;
  float A[16][16], B[16][16];
  run_mfma(GetParam(), "mfma_f16", rep, d, A, B);
  ASSERT_TRUE(rep.ok()) << describe(rep);
  for (int i = 0; i < 16; i++)
    for (int j = 0; j < 16; j++) {
      float expect = 0;
      for (int k = 0; k < 16; k++) expect += A[i][k] * B[k][j];  // small integers/halves: exact
      ASSERT_EQ(d[(i % 4) * 64 + j + 16 * (i / 4)], expect) << i << "," << j;
    }
  EXPECT_EQ(rep.stats.by_class.at("mfma"), 1u);
}

TEST_P(Mfma, ReadingTheResultTooEarlyIsAHazardReport) {
  LaunchReport rep;
  std::vector<float> d;
  float A[16][16], B[16][16];
  run_mfma(GetParam(), "mfma_hazard", rep, d, A, B);
  EXPECT_EQ(rep.status, LaunchStatus::ok);
  ASSERT_GE(rep.strict_count, 1u);
  EXPECT_EQ(rep.strict[0].kind, FaultKind::hazard);
  EXPECT_EQ(rep.strict[0].instruction, "v_accvgpr_read_b32 v6, a0");
}

INSTANTIATE_TEST_SUITE_P(Archs, Mfma, ::testing::Values("gfx942", "gfx950"));

}  // namespace
}  // namespace asmk::emu::test
