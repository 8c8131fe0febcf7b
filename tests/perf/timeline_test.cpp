// The wave timeline and launch estimate: small programs whose modeled cycles follow by hand from
// the model's documented rules (perf/MODEL.md) and the machine figures, and determinism for a
// fixed program. No wall-clock timing is asserted anywhere.
#include <random>

#include <gtest/gtest.h>

#include "asmk/perf/cu_timeline.hpp"
#include "asmk/perf/launch_estimate.hpp"

namespace asmk::perf {
namespace {

Machine machine() {
  auto m = find_machine(ASMK_MACHINES_DIR, "MI300X");
  EXPECT_TRUE(m.ok()) << m.error();
  return *m;
}

const std::vector<std::string> kMnemonics = {"v_add_u32", "v_mfma_f32_32x32x8_bf16", "global_load_dwordx4",
                                             "s_waitcnt", "s_endpgm", "ds_read_b128", "s_add_u32", "s_barrier"};

Op op(OpClass cls, uint32_t mnemonic = 0) {
  Op o;
  o.cls = cls;
  o.mnemonic = mnemonic;
  return o;
}

WaveProgram wave(std::vector<Op> ops) {
  ops.push_back(op(OpClass::end, 4));
  return {std::move(ops), kMnemonics};
}

TEST(Timeline, ValuStreamIssuesEveryFourCycles) {
  // 10 VALU ops: issued at 0, 4, ..., 36; s_endpgm at 40.
  const Machine m = machine();
  WorkgroupProgram wg{{wave(std::vector<Op>(10, op(OpClass::valu)))}};
  const CuTimeline t = simulate_cu(m, wg, 1);
  EXPECT_DOUBLE_EQ(t.cycles, 40);
  EXPECT_DOUBLE_EQ(t.valu_busy, 40);
  EXPECT_EQ(t.instructions, 11u);
}

TEST(Timeline, ChainedMfmaOccupiesTheMatrixCore) {
  // 8 MFMAs accumulating into v[0:15] (SrcC = vDst chains without waiting): 8 x 32 cycles busy;
  // the last issues at 7 x 32 = 224, s_endpgm 4 cycles later.
  const Machine m = machine();
  Op mfma = op(OpClass::mfma, 1);
  mfma.regs = {{'v', 0, 16}, {'v', 32, 2}, {'v', 34, 2}, {'v', 0, 16}};
  WorkgroupProgram wg{{wave(std::vector<Op>(8, mfma))}};
  const CuTimeline t = simulate_cu(m, wg, 1);
  EXPECT_DOUBLE_EQ(t.mfma_busy, 8 * 32);
  EXPECT_DOUBLE_EQ(t.cycles, 7 * 32 + 4);
  EXPECT_EQ(t.limiter(), "mfma");
}

TEST(Timeline, ReadingAnMfmaResultWaitsForIt) {
  // MFMA at 0 (32 cycles), then a VALU reading v5 (inside v[0:15]) cannot issue before 32.
  const Machine m = machine();
  Op mfma = op(OpClass::mfma, 1);
  mfma.regs = {{'v', 0, 16}, {'v', 32, 2}, {'v', 34, 2}, {'v', 0, 16}};
  Op use = op(OpClass::valu);
  use.regs = {{'v', 40, 1}, {'v', 5, 1}};
  WorkgroupProgram wg{{wave({mfma, use})}};
  const CuTimeline t = simulate_cu(m, wg, 1);
  EXPECT_DOUBLE_EQ(t.cycles, 32 + 4);  // VALU at 32, s_endpgm at 36
  EXPECT_DOUBLE_EQ(t.wait_dependency, 28);
}

TEST(Timeline, WaitcntWaitsForTheLoad) {
  // A 1024-byte load (64 lanes x 16 B) issues at 0 and takes 1024 / 64 = 16 cycles of the CU's
  // vector-memory path plus the 600-cycle latency; s_waitcnt vmcnt(0) releases at 616.
  const Machine m = machine();
  Op load = op(OpClass::vmem_load, 2);
  load.bytes = 1024;
  Op wait = op(OpClass::waitcnt, 3);
  wait.wait_vm = 0;
  WorkgroupProgram wg{{wave({load, wait})}};
  const CuTimeline t = simulate_cu(m, wg, 1);
  EXPECT_DOUBLE_EQ(t.cycles, 616 + 4);  // s_waitcnt at 616, s_endpgm at 620
  EXPECT_DOUBLE_EQ(t.vmem_busy, 16);
  EXPECT_DOUBLE_EQ(t.wait_vm, 616 - 4);
  EXPECT_EQ(t.limiter(), "memory latency");
}

TEST(Timeline, BarrierWaitsForTheSlowestWave) {
  // Wave 0 runs 10 VALU ops before the barrier (arrives at 40), wave 1 none (arrives at 0): both
  // leave at 40 + 4.
  const Machine m = machine();
  std::vector<Op> busy(10, op(OpClass::valu));
  busy.push_back(op(OpClass::barrier, 7));
  WorkgroupProgram wg{{wave(busy), wave({op(OpClass::barrier, 7)})}};
  const CuTimeline t = simulate_cu(m, wg, 1);
  EXPECT_DOUBLE_EQ(t.cycles, 44);  // both issue s_endpgm at the release
  EXPECT_DOUBLE_EQ(t.wait_barrier, 4 + 44);  // wave 0 arrives at 40, wave 1 at 0; release at 44
}

WorkgroupProgram random_workgroup(unsigned seed) {
  std::mt19937 rng(seed);
  const OpClass classes[] = {OpClass::valu, OpClass::salu, OpClass::mfma, OpClass::vmem_load,
                             OpClass::lds_read, OpClass::waitcnt, OpClass::smem, OpClass::barrier};
  WorkgroupProgram wg;
  for (int w = 0; w < 4; ++w) {
    std::vector<Op> ops;
    std::mt19937 wave_rng(seed * 31 + 7);  // the same stream per wave, so barriers pair up
    for (int i = 0; i < 400; ++i) {
      Op o = op(classes[wave_rng() % std::size(classes)], 0);
      if (o.cls == OpClass::mfma) o.mnemonic = 1, o.regs = {{'v', uint16_t(16 * (wave_rng() % 4)), 16}};
      if (o.cls == OpClass::vmem_load || o.cls == OpClass::lds_read) o.bytes = 256 << (wave_rng() % 3);
      if (o.cls == OpClass::waitcnt) o.wait_vm = int16_t(wave_rng() % 3), o.wait_lgkm = int16_t(wave_rng() % 2);
      if (o.cls == OpClass::valu) o.regs = {{'v', uint16_t(wave_rng() % 64), 1}};
      ops.push_back(o);
    }
    wg.waves.push_back(wave(ops));
  }
  (void)rng;
  return wg;
}

TEST(Timeline, DeterministicForAFixedProgram) {
  const Machine m = machine();
  const WorkgroupProgram wg = random_workgroup(42);
  const CuTimeline a = simulate_cu(m, wg, 3), b = simulate_cu(m, wg, 3);
  EXPECT_GT(a.cycles, 0);
  EXPECT_EQ(a.cycles, b.cycles);
  EXPECT_EQ(a.mfma_busy, b.mfma_busy);
  EXPECT_EQ(a.wait_vm, b.wait_vm);
  EXPECT_EQ(a.wait_barrier, b.wait_barrier);
  EXPECT_EQ(a.instructions, 3u * 4 * 401);

  LaunchInput in;
  in.footprint = {128, 0, 128, 48, 16384, 256};
  in.classes = {{"interior", 5000, wg}, {"edge", 77, random_workgroup(7)}};
  in.flops = 1e12;
  in.compulsory_bytes = 1e8;
  in.peak = LaunchInput::Peak::bf16;
  auto e1 = estimate_launch(m, in), e2 = estimate_launch(m, in);
  ASSERT_TRUE(e1.ok()) << e1.error();
  ASSERT_TRUE(e2.ok()) << e2.error();
  EXPECT_EQ(e1->time_us, e2->time_us);
  EXPECT_EQ(e1->limiter, e2->limiter);
  EXPECT_EQ(e1->workgroups, 5077u);
}

TEST(LaunchEstimate, ListScheduleRounds) {
  // 10 equal workgroups on 4 slots take 3 rounds; a tail of 2 on top of 8 takes one more round.
  EXPECT_DOUBLE_EQ(list_schedule({{10, 1.0}}, 4), 3.0);
  EXPECT_DOUBLE_EQ(list_schedule({{8, 2.0}, {2, 1.0}}, 4), 5.0);
  // 3 long (4) and 5 short (1) on 2 slots: the long ones leave the slots at {8, 4}; four short ones
  // fill the lighter slot up to 8, the fifth makes 9.
  EXPECT_DOUBLE_EQ(list_schedule({{3, 4.0}, {5, 1.0}}, 2), 9.0);
}

TEST(LaunchEstimate, MemoryBoundOpMeetsHbmBandwidth) {
  // A tiny program over many workgroups with 1 GB of compulsory traffic: the HBM term
  // 1e9 B / 5.3 TB/s = 188.68 us dominates; the time adds the 2 us launch overhead.
  const Machine m = machine();
  LaunchInput in;
  in.footprint = {16, 0, 16, 16, 0, 256};
  in.classes = {{"all", 1000, WorkgroupProgram{{wave({op(OpClass::valu)})}}}};
  in.compulsory_bytes = 1e9;
  auto e = estimate_launch(m, in);
  ASSERT_TRUE(e.ok()) << e.error();
  EXPECT_EQ(e->limiter, "hbm bandwidth");
  EXPECT_NEAR(e->hbm_us, 1e9 / 5.3e12 * 1e6, 1e-9);
  EXPECT_NEAR(e->time_us, e->hbm_us + 2.0, 1e-9);
  EXPECT_NEAR(e->roofline_fraction, (1e9 / (e->time_us * 1e-6)) / 5.3e12, 1e-12);
}

}  // namespace
}  // namespace asmk::perf
