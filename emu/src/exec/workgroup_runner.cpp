// WorkgroupRunner: initial wave state (AMDGPUUsage's SGPR/VGPR setup), the deterministic
// interleaving of a workgroup's waves, and the per-wave execution loop.
#include "workgroup_runner.hpp"

#include <algorithm>
#include <bit>
#include <cfenv>

namespace asmk::emu::detail {

WorkgroupRunner::WorkgroupRunner(LaunchContext& c) : ctx(c) {
  stats.by_mnemonic.assign(ctx.program->mnemonics.size(), 0);
}

bool WorkgroupRunner::faulted() const {
  return std::any_of(waves.begin(), waves.begin() + nwaves, [](const Wave& w) { return w.faulted; });
}

void WorkgroupRunner::start_workgroup(const Dim3& id, uint32_t n) {
  wg.id = id;
  nwaves = n;
  const uint32_t max_lds = max_lds_bytes(ctx.program->arch);
  wg.lds_limit = ctx.lds_bytes;
  if (wg.lds.size() != max_lds) wg.lds.assign(max_lds, 0);
  else std::fill_n(wg.lds.begin(), wg.lds_limit, 0);  // bytes past the limit are never read
  if (ctx.options.strict) {
    LdsRaceShadow& races = wg.races;
    if (races.dwords.size() != max_lds / 4) races.dwords.assign(max_lds / 4, {});
    races.epoch++;  // entries of the previous workgroup become stale
    races.reported.clear();
  }
  if (waves.size() < nwaves) waves.resize(nwaves);
  const size_t trace_base = traces.size();
  for (uint32_t i = 0; i < nwaves; i++) {
    init_wave(waves[i], i, wg.id);
    if (ctx.options.trace) traces.push_back(WaveTrace{wg.id, i, {}});
  }
  for (uint32_t i = 0; i < nwaves; i++) {
    waves[i].trace = ctx.options.trace ? &traces[trace_base + i] : nullptr;
    waves[i].update_slow_path();
  }
}

// Interleaving policy: the live waves take turns in wave order; a turn is `wave_quantum`
// instructions and ends early when the wave reaches s_barrier, ends (s_endpgm), faults, or
// executes an s_waitcnt that lands LDS DMA (the wave waited for memory). When every live wave
// waits at the barrier they are all released and a new barrier epoch starts. A wave's pending
// LDS DMA lands at its s_endpgm at the latest. Everything happens on the workgroup's one host
// thread, in this fixed order, so results do not depend on the thread count. wave_quantum = 0
// keeps the old policy: each wave runs until it waits at a barrier, then the next one runs.
void WorkgroupRunner::run(const Dim3& id) {
  start_workgroup(id, uint32_t((ctx.block.count() + kLanes - 1) / kLanes));
  const uint32_t quantum = ctx.options.wave_quantum ? ctx.options.wave_quantum : ~0u;
  for (;;) {
    bool any_live = false, any_fault = false, all_at_barrier = true;
    for (uint32_t i = 0; i < nwaves; i++) {
      Wave& w = waves[i];
      if (!w.done && !w.at_barrier) {
        w.turn_left = quantum;
        run_wave(w);
        if (w.done && !w.faulted && !w.dma.empty()) land_dma(w, /*all=*/true);
      }
      any_fault |= w.faulted;
      any_live |= !w.done;
      all_at_barrier &= w.done || w.at_barrier;
    }
    if (any_fault || !any_live || ctx.abort.load(std::memory_order_relaxed)) break;
    if (all_at_barrier) {
      for (uint32_t i = 0; i < nwaves; i++) waves[i].at_barrier = false;
      wg.races.epoch++;
    }
  }
}

void WorkgroupRunner::init_wave(Wave& w, uint32_t wave_index, const Dim3& wg_id) {
  const KernelDescriptor& kd = ctx.kernel->descriptor;
  w.s.fill(0);
  w.scc = false;
  // Both files keep 256 registers (any encodable index is safe); only the registers the
  // descriptor allocates are cleared per wave, which keeps large grids cheap.
  // 32 registers of slack past v255/a255: a tuple starting near the end of the file (only in a
  // malformed code object) stays inside host memory.
  if (w.v.size() != size_t(256 + 32) * kLanes) {
    w.v.assign(size_t(256 + 32) * kLanes, 0);
    w.a.assign(size_t(256 + 32) * kLanes, 0);
  } else {
    const size_t arch_vgprs = std::min<size_t>(256, kd.accum_offset);
    const size_t acc_vgprs = std::min<size_t>(256, kd.vgpr_count > kd.accum_offset ? kd.vgpr_count - kd.accum_offset : 0);
    std::fill_n(w.v.begin(), arch_vgprs * kLanes, 0);
    std::fill_n(w.a.begin(), acc_vgprs * kLanes, 0);
  }
  w.pc = uint32_t(ctx.program->entry_index);
  w.done = w.at_barrier = w.faulted = false;
  w.wave_id = wave_index;
  w.executed = 0;
  w.ctx = &ctx;
  w.wg = &wg;
  w.stats = &stats;
  w.pending = PendingLoads{};
  w.dma.clear();
  w.race_check = ctx.options.strict && (nwaves > 1 || ctx.has_lds_dma);
  w.mfma_in_flight.clear();
  w.scratch_per_lane = (kd.private_segment_fixed_size + 3) / 4 * 4;
  w.scratch.assign(size_t(kLanes) * w.scratch_per_lane, 0);
  w.wait_states = 0;
  w.valu_sgpr_written.fill(0);
  w.valu_vgpr_writes = {};
  w.salu_m0_written = 0;
  // MODE as the descriptor sets it: FP_ROUND [3:0], FP_DENORM [7:4], DX10_CLAMP [8], IEEE [9].
  w.trace = nullptr;  // run() sets it after init
  w.set_mode(kd.float_round_mode_32 | kd.float_round_mode_16_64 << 2 | kd.float_denorm_mode_32 << 4 |
             kd.float_denorm_mode_16_64 << 6 | uint32_t(kd.dx10_clamp) << 8 | uint32_t(kd.ieee_mode) << 9);
  if (ctx.options.strict) {
    w.pending.vgpr.assign(256, 0);
    w.pending.agpr.assign(256, 0);
  }
  // EXEC: the work-items of this wave (the last wave of a workgroup may be partial).
  const uint64_t items = ctx.block.count();
  const uint64_t first = uint64_t(wave_index) * kLanes;
  const uint64_t n = std::min<uint64_t>(kLanes, items - first);
  w.set_exec(n == 64 ? ~0ull : ((1ull << n) - 1));

  // User SGPRs, in the order AMDGPUUsage specifies.
  uint32_t s = 0;
  auto put64 = [&](uint64_t v) {
    w.s[s++] = uint32_t(v);
    w.s[s++] = uint32_t(v >> 32);
  };
  if (kd.private_segment_buffer) {
    // Scratch buffer resource (V#): base kScratchBufferBase (MUBUF accesses through it reach the
    // lane's private segment, see mubuf.cpp), swizzle_enable, num_records 4 GiB - 1, and the
    // word3 bits the runtime sets (add_tid_enable, index stride 64).
    put64(kScratchBufferBase | (1ull << 63));
    w.s[s++] = 0xffffffffu;
    w.s[s++] = (1u << 23) | (3u << 21);
  }
  if (kd.dispatch_ptr) put64(ctx.dispatch_packet_address);
  if (kd.queue_ptr) put64(ctx.queue_address);
  if (kd.kernarg_segment_ptr) put64(ctx.kernarg_address);
  if (kd.dispatch_id) put64(0);
  if (kd.flat_scratch_init) put64(0);
  if (kd.private_segment_size) w.s[s++] = kd.private_segment_fixed_size;
  // Preloaded kernel arguments fill the rest of the user SGPRs (gfx940+ kernarg preload).
  if (s < kd.user_sgpr_count) {
    uint32_t n_pre = kd.user_sgpr_count - s;
    for (uint32_t i = 0; i < n_pre && s < 102; i++) {
      uint32_t v = 0;
      ctx.device->read(ctx.kernarg_address + 4ull * i, &v, 4);
      w.s[s++] = v;
    }
  }
  s = std::max(s, kd.user_sgpr_count);
  if (kd.workgroup_id_x) w.s[s++] = wg_id.x;
  if (kd.workgroup_id_y) w.s[s++] = wg_id.y;
  if (kd.workgroup_id_z) w.s[s++] = wg_id.z;
  if (kd.workgroup_info) w.s[s++] = 0;
  if (kd.private_segment_wave_offset) w.s[s++] = 0;

  // Work-item ids packed in v0 (gfx90a+): x in [9:0], y in [19:10], z in [29:20].
  for (int l = 0; l < kLanes; l++) {
    uint64_t flat = first + l;
    if (flat >= items) break;
    uint32_t x = uint32_t(flat % ctx.block.x);
    uint32_t y = uint32_t((flat / ctx.block.x) % ctx.block.y);
    uint32_t z = uint32_t(flat / (uint64_t(ctx.block.x) * ctx.block.y));
    uint32_t v0 = x;
    if (kd.workitem_id_vgprs >= 1) v0 |= y << 10;
    if (kd.workitem_id_vgprs >= 2) v0 |= z << 20;
    w.v[l] = v0;
  }
}

static std::string launch_budget_message(uint64_t limit) {
  return "the launch exceeded its budget of " + std::to_string(limit) + " wave-instructions (max_launch_instructions)";
}

/// Runs one wave until it ends, faults, reaches a barrier or its turn is over.
void WorkgroupRunner::run_wave(Wave& w) {
  const KernelProgram& prog = *ctx.program;
  const Instr* code = prog.code.data();
  const uint32_t n = uint32_t(prog.code.size());
  const bool strict = ctx.options.strict;
  const uint64_t limit = ctx.options.max_wave_instructions;
  const uint64_t launch_limit = ctx.options.max_launch_instructions;
  if (launch_limit != 0 && ctx.launch_budget_spent.load(std::memory_order_relaxed) && w.pc < n) {
    w.fault(FaultKind::runaway, code[w.pc], -1, 0, launch_budget_message(launch_limit));
    return;
  }
  if (ctx.bounded && w.pc < n && stopped(w, code[w.pc])) return;
  uint64_t charged = w.executed;  // this wave's instructions already added to the launch's count
  const Instr* last = nullptr;
  while (!w.done && !w.at_barrier && w.turn_left) {
    w.turn_left--;
    if (w.pc >= n) {
      Instr dummy;
      dummy.pc = n ? code[n - 1].pc : 0;
      dummy.index = n ? n - 1 : 0;
      w.fault(FaultKind::bad_branch, dummy, -1, 0, "execution ran past the end of the kernel's code");
      break;
    }
    const Instr& in = code[w.pc];
    if (!in.fn) {
      w.fault(FaultKind::bad_instruction, in, -1, 0, "the emulator cannot run this instruction");
      break;
    }
    if (++w.executed > limit) {
      w.fault(FaultKind::runaway, in, -1, 0, "wave exceeded max_wave_instructions");
      break;
    }
    if ((launch_limit != 0 || ctx.bounded) && w.executed - charged >= kLaunchBudgetStep) {  // a long turn: in steps
      const uint64_t count = w.executed - charged;
      charged = w.executed;
      if (launch_limit != 0 && !charge_launch(w, in, count)) break;
      if (ctx.bounded && stopped(w, in)) break;
    }
    last = &in;
    stats.instructions++;
    stats.by_class[size_t(in.cls)]++;
    stats.by_mnemonic[in.mnemonic]++;
    w.pc = in.index + 1;
    if (w.slow_path) [[unlikely]] {
      run_slow(w, in);
      continue;
    }
    if (strict) {
      check_pending_sources(w, in);
      check_wait_states(w, in);
      check_mfma_hazards(w, in);
    }
    in.fn(w, in);
  }
  if (launch_limit != 0 && last != nullptr && w.executed > charged) charge_launch(w, *last, w.executed - charged);
}

/// Whether the launch was cancelled or ran out of time; if so wave `w` faults at `in` (naming its
/// workgroup, wave and PC) and true is returned.
bool WorkgroupRunner::stopped(Wave& w, const Instr& in) {
  if (ctx.options.cancel != nullptr && ctx.options.cancel->load(std::memory_order_relaxed)) {
    w.fault(FaultKind::cancelled, in, -1, 0, "the launch was cancelled");
    return true;
  }
  if (std::chrono::steady_clock::now() >= ctx.deadline) {
    w.fault(FaultKind::runaway, in, -1, 0,
            "the launch exceeded its time budget of " + std::to_string(ctx.options.max_launch_milliseconds) +
                " ms (max_launch_milliseconds)");
    return true;
  }
  return false;
}

/// Adds `count` instructions of wave `w` to the launch's count; past the budget, the wave faults at
/// `in` (or, when it has just ended, the next wave to run does) and false is returned.
bool WorkgroupRunner::charge_launch(Wave& w, const Instr& in, uint64_t count) {
  const uint64_t limit = ctx.options.max_launch_instructions;
  if (ctx.launch_instructions.fetch_add(count, std::memory_order_relaxed) + count <= limit) return true;
  ctx.launch_budget_spent.store(true, std::memory_order_relaxed);
  if (!w.done) w.fault(FaultKind::runaway, in, -1, 0, launch_budget_message(limit));
  return false;
}

/// Instructions of a wave that traces, has GPR indexing on or a directed round mode.
[[gnu::noinline]] void WorkgroupRunner::run_slow(Wave& w, const Instr& in) {
  if ((w.mode & 0xf) != 0 && (in.cls == InstrClass::valu || in.cls == InstrClass::mfma)) {
    // MODE.FP_ROUND: [1:0] for f32, [3:2] for f16/f64; 0 nearest even, 1 +inf, 2 -inf, 3 zero.
    static const int kHostRound[4] = {FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO};
    const uint32_t field = ctx.wide_float[in.index] ? (w.mode >> 2) & 3 : w.mode & 3;
    std::fesetround(kHostRound[field]);
    run_unrounded(w, in);
    std::fesetround(FE_TONEAREST);
  } else {
    run_unrounded(w, in);
  }
}
void WorkgroupRunner::run_unrounded(Wave& w, const Instr& in) {
  if (w.gpr_idx_enabled() && in.cls == InstrClass::valu) run_checked(w, gpr_indexed(w, in));
  else run_checked(w, in);
}
/// Strict checks (on the registers actually used) and the instruction, traced if asked.
void WorkgroupRunner::run_checked(Wave& w, const Instr& in) {
  if (ctx.options.strict) {
    check_pending_sources(w, in);
    check_wait_states(w, in);
    check_mfma_hazards(w, in);
  }
  if (w.trace) run_traced(w, in);
  else in.fn(w, in);
}

/// Runs `in` and appends its trace entry; bytes and conflict cycles are this instruction's
/// share of the statistics counters (kept out of the untraced path).
[[gnu::noinline]] void WorkgroupRunner::run_traced(Wave& w, const Instr& in) {
  auto moved = [&] {
    return stats.global_read + stats.global_written + stats.scalar_read + stats.scalar_written + stats.lds_read +
           stats.lds_written;
  };
  const uint64_t bytes_before = moved(), conflicts_before = stats.lds_conflicts;
  TraceEntry e;
  e.pc = in.pc;
  e.mnemonic_id = in.mnemonic;
  e.active_lanes = uint32_t(std::popcount(w.exec()));
  e.cls = ctx.trace_classes[in.index];
  if (e.cls == TraceClass::waitcnt) {  // simm16: vmcnt = {[15:14], [3:0]}, expcnt = [6:4], lgkmcnt = [11:8]
    const uint32_t v = uint32_t(in.imm);
    e.vmcnt = uint8_t((v & 0xf) | ((v >> 10) & 0x30));
    e.expcnt = uint8_t((v >> 4) & 0x7);
    e.lgkmcnt = uint8_t((v >> 8) & 0xf);
  }
  in.fn(w, in);
  e.bytes = uint32_t(moved() - bytes_before);
  e.lds_conflict_cycles = uint16_t(std::min<uint64_t>(stats.lds_conflicts - conflicts_before, 0xffff));
  w.trace->entries.push_back(e);
}


}  // namespace asmk::emu::detail
