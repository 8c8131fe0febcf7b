// The trace adaptor against the emulator's own statistics of the same launch (counted by the
// emulator independently of the trace): one GEMM workgroup of the generated kernels.
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include <gtest/gtest.h>

#include "asmk/emu/emu.hpp"
#include "asmk/perf/machine.hpp"
#include "asmk/perf/sweep.hpp"
#include "asmk/perf/trace_ops.hpp"
#include "hsaco_dir.hpp"

namespace asmk::perf {
namespace {

using test::repository;

TEST(TraceOps, MatchesTheEmulatorsStatistics) {
  auto kernels = read_kernels(repository(), "gfx942");
  if (!kernels) GTEST_SKIP() << "no generated kernels: " << kernels.error();
  const KernelEntry* gemm = nullptr;
  for (const auto& k : *kernels)
    if (k.family == "gemm_bf16" && k.params.at("out_dtype") == "bf16") gemm = &k;
  ASSERT_NE(gemm, nullptr);
  const auto family = find_family(repository(), "gemm_bf16");
  ASSERT_TRUE(family) << family.error();
  auto machine = find_machine(ASMK_MACHINES_DIR, "MI300X");
  ASSERT_TRUE(machine.ok()) << machine.error();
  auto source = open_plan_source(repository(), *machine);
  ASSERT_TRUE(source.ok()) << source.error();
  // A ragged 40 x 52 x 256 problem: one workgroup, every edge path of the tile (N a multiple of 4:
  // the op refuses packed C rows of other widths, c_stride_multiple).
  auto plans = family->plans(**source, *gemm, {40, 52, 256});
  ASSERT_TRUE(plans.ok()) << plans.error();
  const Plan& plan = plans->front();
  ASSERT_EQ(plan.k_splits, 1u);
  ASSERT_EQ(plan.classes.size(), 1u);
  const LaunchSpec& launch = plan.classes[0].representative;

  auto co = emu::CodeObject::load_file(gemm->code_object);
  ASSERT_TRUE(co.ok()) << co.error();
  auto kernel = (*co)->find(gemm->name);
  ASSERT_TRUE(kernel.ok()) << kernel.error();
  emu::Device device;
  emu::Dispatch d;
  d.kernel = *kernel;
  d.block = launch.block;
  d.kernargs.assign((*kernel)->kernarg_segment_size, 0);
  for (const auto& arg : (*kernel)->args) {
    uint64_t value = 0;
    for (const auto& [name, bytes] : launch.buffers)
      if (name == arg.name) value = *device.alloc(bytes);
    for (const auto& [name, v] : launch.values)
      if (name == arg.name) value = v;
    if (!arg.name.empty()) std::memcpy(d.kernargs.data() + arg.offset, &value, arg.size);
  }
  emu::LaunchOptions options;
  options.trace = true;
  options.strict = true;
  const emu::LaunchReport report = emu::launch(device, d, options);
  ASSERT_TRUE(report.ok()) << report.message;

  auto programs = programs_from_trace(**co, **kernel, report);
  ASSERT_TRUE(programs.ok()) << programs.error();
  ASSERT_EQ(programs->size(), 1u);
  const WorkgroupProgram& wg = programs->front();
  EXPECT_EQ(wg.waves.size(), report.stats.waves);
  uint64_t ops = 0, mfma = 0, waits = 0;
  for (const auto& wave : wg.waves) {
    ops += wave.ops.size();
    for (const auto& op : wave.ops) {
      if (op.cls == OpClass::mfma) {
        ++mfma;
        ASSERT_FALSE(op.regs.empty());
        EXPECT_EQ(op.regs.front().count, 16);  // a 32x32 block: 16 fp32 accumulators per lane
      }
      if (op.cls == OpClass::waitcnt) {
        ++waits;
        EXPECT_TRUE(op.wait_vm >= 0 || op.wait_lgkm >= 0);  // every s_waitcnt waits on something
      }
    }
    EXPECT_EQ(wave.ops.back().cls, OpClass::end);
  }
  EXPECT_EQ(ops, report.stats.wave_instructions);
  EXPECT_EQ(mfma, report.stats.by_class.at("mfma"));
  EXPECT_GT(waits, 0u);
  EXPECT_EQ(wg.global_bytes(), report.stats.global_bytes_read + report.stats.global_bytes_written);
}

}  // namespace
}  // namespace asmk::perf
