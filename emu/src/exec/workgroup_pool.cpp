// Thread pool and statistics merge of a launch (see workgroup_pool.hpp).
#include "workgroup_pool.hpp"

#include <algorithm>
#include <system_error>
#include <thread>

namespace asmk::emu::detail {

PoolResult run_workgroups(LaunchContext& ctx) {
  const std::vector<Dim3>& only = ctx.options.only_workgroups;
  const uint64_t total = only.empty() ? ctx.grid.count() : only.size();
  auto workgroup_id = [&](uint64_t i) {
    if (!only.empty()) return only[i];
    const Dim3& g = ctx.grid;
    return Dim3{uint32_t(i % g.x), uint32_t((i / g.x) % g.y), uint32_t(i / (uint64_t(g.x) * g.y))};
  };
  unsigned threads = ctx.options.threads ? ctx.options.threads : std::max(1u, std::thread::hardware_concurrency());
  threads = unsigned(std::min<uint64_t>({threads, total, kMaxLaunchThreads}));
  PoolResult pool;
  for (unsigned t = 0; t < threads; t++) pool.runners.push_back(std::make_unique<WorkgroupRunner>(ctx));
  std::atomic<uint64_t> next{0};
  auto work = [&](WorkgroupRunner& r) {
    for (;;) {
      if (ctx.abort.load(std::memory_order_relaxed)) break;
      uint64_t id = next.fetch_add(1);
      if (id >= total) break;
      r.run(workgroup_id(id));
      if (r.faulted()) ctx.abort.store(true);
    }
  };
  if (threads == 1) {
    work(*pool.runners[0]);
  } else {
    // Thread creation fails when the process hits its thread or memory limit; the workgroups then
    // go to the threads already started (or this one), never to std::terminate.
    std::vector<std::thread> workers;
    try {
      for (unsigned t = 0; t < threads; t++) workers.emplace_back(work, std::ref(*pool.runners[t]));
    } catch (const std::system_error&) {
    }
    if (workers.empty()) work(*pool.runners[0]);
    for (auto& th : workers) th.join();
  }
  pool.workgroups_started = std::min<uint64_t>(next.load(), total);
  return pool;
}

void collect_stats(LaunchReport& report, const LaunchContext& ctx, PoolResult& pool) {
  Stats& st = report.stats;
  st.workgroups = pool.workgroups_started;
  st.waves = st.workgroups * ((ctx.block.count() + 63) / 64);
  const auto& mnemonics = ctx.program->mnemonics;
  std::vector<uint64_t> by_mn(mnemonics.size(), 0);
  for (auto& r : pool.runners) {
    const WaveStats& s = r->stats;
    st.wave_instructions += s.instructions;
    for (size_t c = 0; c < size_t(InstrClass::count); c++)
      if (s.by_class[c]) st.by_class[instr_class_name(InstrClass(c))] += s.by_class[c];
    for (size_t m = 0; m < by_mn.size(); m++) by_mn[m] += s.by_mnemonic[m];
    st.global_bytes_read += s.global_read;
    st.global_bytes_written += s.global_written;
    st.scalar_bytes_read += s.scalar_read;
    st.scalar_bytes_written += s.scalar_written;
    st.lds_bytes_read += s.lds_read;
    st.lds_bytes_written += s.lds_written;
    st.lds_bank_conflict_cycles += s.lds_conflicts;
    for (auto& t : r->traces) report.traces.push_back(std::move(t));
  }
  for (size_t m = 0; m < by_mn.size(); m++)
    if (by_mn[m]) st.by_mnemonic[mnemonics[m]] = by_mn[m];
  const Kernel& k = *ctx.kernel;
  const KernelDescriptor& kd = k.descriptor;
  st.vgprs = k.vgpr_count ? k.vgpr_count : kd.accum_offset;
  st.agprs = k.agpr_count;
  st.sgprs = k.sgpr_count ? k.sgpr_count : kd.sgpr_count;
  st.lds_bytes = ctx.lds_bytes;
  if (ctx.options.trace) report.trace_mnemonics = mnemonics;
}

}  // namespace asmk::emu::detail
