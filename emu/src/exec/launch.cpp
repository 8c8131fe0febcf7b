// launch(): validates the dispatch, builds the kernarg segment and dispatch packet the ROCm
// runtime would, then runs workgroups on a pool of host threads. The waves of one workgroup run
// on one thread, round-robin between barriers, so results do not depend on the thread count.
#include "asmk/emu/launch.hpp"

#include <algorithm>
#include <bit>
#include <cfenv>
#include <cstring>
#include <set>
#include <sstream>
#include <tuple>
#include <thread>

#include "wave.hpp"

namespace asmk::emu {
namespace detail {
namespace {

constexpr uint32_t kMaxLds942 = 64 * 1024, kMaxLds950 = 160 * 1024;


/// Writes the code object v5 hidden arguments the runtime provides (zero for the rest).
void fill_hidden(const Kernel& k, const Dim3& grid, const Dim3& block, std::vector<uint8_t>& seg) {
  const uint64_t gx = uint64_t(grid.x) * block.x, gy = uint64_t(grid.y) * block.y, gz = uint64_t(grid.z) * block.z;
  for (const KernelArg& a : k.args) {
    if (a.value_kind.rfind("hidden_", 0) != 0) continue;
    if (uint64_t(a.offset) + a.size > seg.size()) continue;
    uint64_t v = 0;
    const std::string& kind = a.value_kind;
    if (kind == "hidden_block_count_x") v = grid.x;
    else if (kind == "hidden_block_count_y") v = grid.y;
    else if (kind == "hidden_block_count_z") v = grid.z;
    else if (kind == "hidden_group_size_x") v = block.x;
    else if (kind == "hidden_group_size_y") v = block.y;
    else if (kind == "hidden_group_size_z") v = block.z;
    else if (kind == "hidden_remainder_x") v = gx % block.x;
    else if (kind == "hidden_remainder_y") v = gy % block.y;
    else if (kind == "hidden_remainder_z") v = gz % block.z;
    else if (kind == "hidden_grid_dims") v = grid.z * block.z > 1 ? 3 : grid.y * block.y > 1 ? 2 : 1;
    std::memcpy(seg.data() + a.offset, &v, std::min<size_t>(a.size, 8));
  }
}

/// The 64-byte AQL kernel dispatch packet (hsa_kernel_dispatch_packet_t layout).
std::vector<uint8_t> dispatch_packet(const Dim3& grid, const Dim3& block, uint32_t lds, uint32_t scratch,
                                     uint64_t kernarg_address) {
  std::vector<uint8_t> p(64, 0);
  auto put = [&](size_t off, auto v) { std::memcpy(p.data() + off, &v, sizeof(v)); };
  uint16_t dims = grid.z * block.z > 1 ? 3 : grid.y * block.y > 1 ? 2 : 1;
  put(0, uint16_t(2));  // header: HSA_PACKET_TYPE_KERNEL_DISPATCH
  put(2, dims);         // setup: dimensions
  put(4, uint16_t(block.x));
  put(6, uint16_t(block.y));
  put(8, uint16_t(block.z));
  put(12, uint32_t(grid.x * block.x));
  put(16, uint32_t(grid.y * block.y));
  put(20, uint32_t(grid.z * block.z));
  put(24, scratch);
  put(28, lds);
  put(40, kernarg_address);
  return p;
}

bool has(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

/// The trace class of an instruction, from its family class and mnemonic (once per launch).
TraceClass trace_class_of(InstrClass cls, std::string_view m) {
  switch (cls) {
    case InstrClass::salu: return TraceClass::salu;
    case InstrClass::smem: return TraceClass::smem;
    case InstrClass::mfma: return TraceClass::mfma;
    case InstrClass::lds: return TraceClass::lds;
    case InstrClass::branch: return TraceClass::branch;
    case InstrClass::vmem:
      if (has(m, "atomic")) return TraceClass::vmem_atomic;
      if (has(m, "store")) return TraceClass::vmem_store;
      return TraceClass::vmem_load;
    case InstrClass::valu: {
      if (has(m, "f64")) return TraceClass::valu64;
      for (std::string_view t : {"v_exp_", "v_log_", "v_rcp_", "v_rsq_", "v_sqrt_", "v_sin_", "v_cos_"})
        if (m.rfind(t, 0) == 0) return TraceClass::trans;
      return TraceClass::valu;
    }
    default:
      if (m == "s_waitcnt") return TraceClass::waitcnt;
      if (m == "s_barrier") return TraceClass::barrier;
      return TraceClass::other;
  }
}

struct WorkgroupRunner {
  LaunchContext& ctx;
  WaveStats stats;
  std::vector<Wave> waves;
  Workgroup wg;
  std::vector<WaveTrace> traces;

  explicit WorkgroupRunner(LaunchContext& c) : ctx(c) {
    stats.by_mnemonic.assign(ctx.program->mnemonics.size(), 0);
  }

  void init_wave(Wave& w, uint32_t wave_index, const Dim3& wg_id) {
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
    w.mfma_in_flight.clear();
    w.scratch_per_lane = (kd.private_segment_fixed_size + 3) / 4 * 4;
    w.scratch.assign(size_t(kLanes) * w.scratch_per_lane, 0);
    w.wait_states = 0;
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

  /// Runs one wave until it ends, faults or reaches a barrier.
  void run_wave(Wave& w) {
    const KernelProgram& prog = *ctx.program;
    const Instr* code = prog.code.data();
    const uint32_t n = uint32_t(prog.code.size());
    const bool strict = ctx.options.strict;
    const uint64_t limit = ctx.options.max_wave_instructions;
    while (!w.done && !w.at_barrier) {
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
        check_mfma_hazards(w, in);
      }
      in.fn(w, in);
    }
  }

  /// Instructions of a wave that traces, has GPR indexing on or a directed round mode.
  [[gnu::noinline]] void run_slow(Wave& w, const Instr& in) {
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
  void run_unrounded(Wave& w, const Instr& in) {
    if (w.gpr_idx_enabled() && in.cls == InstrClass::valu) run_checked(w, gpr_indexed(w, in));
    else run_checked(w, in);
  }
  /// Strict checks (on the registers actually used) and the instruction, traced if asked.
  void run_checked(Wave& w, const Instr& in) {
    if (ctx.options.strict) {
      check_pending_sources(w, in);
      check_mfma_hazards(w, in);
    }
    if (w.trace) run_traced(w, in);
    else in.fn(w, in);
  }

  /// Runs `in` and appends its trace entry; bytes and conflict cycles are this instruction's
  /// share of the statistics counters (kept out of the untraced path).
  [[gnu::noinline]] void run_traced(Wave& w, const Instr& in) {
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

  void run(const Dim3& id) {
    wg.id = id;
    const uint32_t max_lds = ctx.program->arch == Arch::gfx942 ? kMaxLds942 : kMaxLds950;
    wg.lds_limit = ctx.lds_bytes;
    if (wg.lds.size() != max_lds) wg.lds.assign(max_lds, 0);
    else std::fill_n(wg.lds.begin(), wg.lds_limit, 0);  // bytes past the limit are never read
    const uint32_t nwaves = uint32_t((ctx.block.count() + kLanes - 1) / kLanes);
    if (waves.size() < nwaves) waves.resize(nwaves);
    size_t trace_base = traces.size();
    for (uint32_t i = 0; i < nwaves; i++) {
      init_wave(waves[i], i, wg.id);
      if (ctx.options.trace) traces.push_back(WaveTrace{wg.id, i, {}});
    }
    for (uint32_t i = 0; i < nwaves; i++) {
      waves[i].trace = ctx.options.trace ? &traces[trace_base + i] : nullptr;
      waves[i].update_slow_path();
    }
    // Round-robin: each wave runs to its next barrier; when every live wave waits, release them.
    for (;;) {
      bool any_live = false, any_fault = false;
      for (uint32_t i = 0; i < nwaves; i++) {
        Wave& w = waves[i];
        if (!w.done && !w.at_barrier) run_wave(w);
        any_fault |= w.faulted;
        any_live |= !w.done;
      }
      if (any_fault || !any_live || ctx.abort.load(std::memory_order_relaxed)) break;
      for (uint32_t i = 0; i < nwaves; i++) waves[i].at_barrier = false;
    }
  }
};

}  // namespace
}  // namespace detail

std::string_view fault_kind_name(FaultKind kind) {
  switch (kind) {
    case FaultKind::unmapped_address: return "unmapped_address";
    case FaultKind::lds_out_of_range: return "lds_out_of_range";
    case FaultKind::misaligned: return "misaligned";
    case FaultKind::missing_waitcnt: return "missing_waitcnt";
    case FaultKind::hazard: return "hazard";
    case FaultKind::bad_instruction: return "bad_instruction";
    case FaultKind::bad_branch: return "bad_branch";
    case FaultKind::runaway: return "runaway";
  }
  return "?";
}

std::string_view trace_class_name(TraceClass c) {
  switch (c) {
    case TraceClass::salu: return "salu";
    case TraceClass::valu: return "valu";
    case TraceClass::trans: return "trans";
    case TraceClass::valu64: return "valu64";
    case TraceClass::mfma: return "mfma";
    case TraceClass::smem: return "smem";
    case TraceClass::vmem_load: return "vmem_load";
    case TraceClass::vmem_store: return "vmem_store";
    case TraceClass::vmem_atomic: return "vmem_atomic";
    case TraceClass::lds: return "lds";
    case TraceClass::branch: return "branch";
    case TraceClass::waitcnt: return "waitcnt";
    case TraceClass::barrier: return "barrier";
    case TraceClass::other: return "other";
  }
  return "?";
}

std::string Report::to_string() const {
  std::ostringstream os;
  os << fault_kind_name(kind) << ": kernel " << kernel << " workgroup (" << workgroup.x << "," << workgroup.y << ","
     << workgroup.z << ") wave " << wave;
  if (lane >= 0) os << " lane " << lane;
  if (pc < 0) os << " pc -0x" << std::hex << -pc << std::dec;
  else os << " pc 0x" << std::hex << pc << std::dec;
  if (address) os << " address 0x" << std::hex << address << std::dec;
  os << ": " << instruction << " -- " << message;
  return os.str();
}

LaunchReport launch(Device& device, const Dispatch& dispatch, const LaunchOptions& options) {
  using namespace detail;
  LaunchReport report;
  auto invalid = [&](std::string msg) {
    report.status = LaunchStatus::invalid;
    report.message = std::move(msg);
    return report;
  };
  const Kernel* k = dispatch.kernel;
  if (!k || !k->program) return invalid("launch: no kernel given (Dispatch::kernel is null)");
  if (dispatch.grid.count() == 0) return invalid("launch of " + k->name + ": the grid has no workgroups");
  if (dispatch.block.count() == 0 || dispatch.block.count() > 1024)
    return invalid("launch of " + k->name + ": block of " + std::to_string(dispatch.block.count()) +
                   " work-items; must be 1..1024");
  for (int i = 0; i < 3; i++) {
    uint32_t req = k->reqd_workgroup_size[i];
    uint32_t got = i == 0 ? dispatch.block.x : i == 1 ? dispatch.block.y : dispatch.block.z;
    if (req && req != got)
      return invalid("launch of " + k->name + ": the kernel requires workgroup size " +
                     std::to_string(k->reqd_workgroup_size[0]) + "," + std::to_string(k->reqd_workgroup_size[1]) +
                     "," + std::to_string(k->reqd_workgroup_size[2]));
  }
  std::set<std::tuple<uint32_t, uint32_t, uint32_t>> selected;
  for (const Dim3& id : options.only_workgroups) {
    auto text = [](const Dim3& d) {
      std::ostringstream os;
      os << '(' << d.x << ',' << d.y << ',' << d.z << ')';
      return os.str();
    };
    if (id.x >= dispatch.grid.x || id.y >= dispatch.grid.y || id.z >= dispatch.grid.z)
      return invalid("launch of " + k->name + ": only_workgroups names workgroup " + text(id) +
                     " outside the grid " + text(dispatch.grid));
    if (!selected.insert({id.x, id.y, id.z}).second)
      return invalid("launch of " + k->name + ": only_workgroups names workgroup " + text(id) + " twice");
  }
  const uint32_t max_lds = k->program->arch == Arch::gfx942 ? kMaxLds942 : kMaxLds950;
  const uint64_t lds = uint64_t(k->descriptor.group_segment_fixed_size) + dispatch.dynamic_lds;
  if (lds > max_lds)
    return invalid("launch of " + k->name + ": needs " + std::to_string(lds) + " bytes of LDS, the " +
                   std::string(arch_name(k->program->arch)) + " limit is " + std::to_string(max_lds));

  LaunchContext ctx;
  ctx.device = &device;
  ctx.kernel = k;
  ctx.program = k->program.get();
  ctx.options = options;
  ctx.grid = dispatch.grid;
  ctx.block = dispatch.block;
  ctx.lds_bytes = uint32_t(lds);
  ctx.wide_float.reserve(ctx.program->code.size());
  for (const Instr& in : ctx.program->code) {
    const std::string& m = ctx.program->mnemonics[in.mnemonic];
    ctx.wide_float.push_back(m.find("f16") != std::string::npos || m.find("f64") != std::string::npos);
  }

  // Kernarg segment: explicit arguments as given, then hidden arguments.
  std::vector<uint8_t> seg(std::max<size_t>({size_t(k->kernarg_segment_size), dispatch.kernargs.size(), 8}), 0);
  std::copy(dispatch.kernargs.begin(), dispatch.kernargs.end(), seg.begin());
  if (dispatch.fill_hidden_args) fill_hidden(*k, dispatch.grid, dispatch.block, seg);
  // The code object's loadable image, so PC-relative constant data (s_getpc + offset) is reachable.
  const auto& image = *k->program->image;
  auto image_address = device.alloc(std::max<size_t>(image.size(), 4), 4096);
  if (!image_address) return invalid("launch: cannot allocate the code object image");
  device.write(*image_address, image.data(), image.size());
  ctx.code_address = *image_address + k->program->entry_vaddr;
  auto kernarg = device.alloc(seg.size(), 64);
  auto packet = device.alloc(64, 64);
  auto queue = device.alloc(256, 64);
  if (!kernarg || !packet || !queue) return invalid("launch: cannot allocate the kernarg segment");
  ctx.kernarg_address = *kernarg;
  ctx.dispatch_packet_address = *packet;
  ctx.queue_address = *queue;
  device.write(*kernarg, seg.data(), seg.size());
  auto pkt = dispatch_packet(dispatch.grid, dispatch.block, uint32_t(lds), k->descriptor.private_segment_fixed_size,
                             *kernarg);
  device.write(*packet, pkt.data(), pkt.size());

  if (options.trace) {
    ctx.trace_classes.reserve(ctx.program->code.size());
    for (const Instr& in : ctx.program->code)
      ctx.trace_classes.push_back(trace_class_of(in.cls, ctx.program->mnemonics[in.mnemonic]));
  }

  // Workgroups run in linear order (x fastest), or the selected ones in the order given.
  const std::vector<Dim3>& only = options.only_workgroups;
  const uint64_t total = only.empty() ? dispatch.grid.count() : only.size();
  auto workgroup_id = [&](uint64_t i) {
    if (!only.empty()) return only[i];
    const Dim3& g = dispatch.grid;
    return Dim3{uint32_t(i % g.x), uint32_t((i / g.x) % g.y), uint32_t(i / (uint64_t(g.x) * g.y))};
  };
  unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  threads = unsigned(std::min<uint64_t>(threads, total));
  std::atomic<uint64_t> next{0};
  std::vector<std::unique_ptr<WorkgroupRunner>> runners;
  for (unsigned t = 0; t < threads; t++) runners.push_back(std::make_unique<WorkgroupRunner>(ctx));
  auto work = [&](WorkgroupRunner& r) {
    for (;;) {
      if (ctx.abort.load(std::memory_order_relaxed)) break;
      uint64_t id = next.fetch_add(1);
      if (id >= total) break;
      r.run(workgroup_id(id));
      bool faulted = false;
      for (auto& w : r.waves) faulted |= w.faulted;
      if (faulted) ctx.abort.store(true);
    }
  };
  if (threads == 1) {
    work(*runners[0]);
  } else {
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; t++) pool.emplace_back(work, std::ref(*runners[t]));
    for (auto& th : pool) th.join();
  }

  // Merge statistics.
  Stats& st = report.stats;
  st.workgroups = std::min<uint64_t>(next.load(), total);
  st.waves = st.workgroups * ((dispatch.block.count() + 63) / 64);
  std::vector<uint64_t> by_mn(ctx.program->mnemonics.size(), 0);
  for (auto& r : runners) {
    st.wave_instructions += r->stats.instructions;
    for (size_t c = 0; c < size_t(InstrClass::count); c++)
      if (r->stats.by_class[c]) st.by_class[instr_class_name(InstrClass(c))] += r->stats.by_class[c];
    for (size_t m = 0; m < by_mn.size(); m++) by_mn[m] += r->stats.by_mnemonic[m];
    st.global_bytes_read += r->stats.global_read;
    st.global_bytes_written += r->stats.global_written;
    st.scalar_bytes_read += r->stats.scalar_read;
    st.scalar_bytes_written += r->stats.scalar_written;
    st.lds_bytes_read += r->stats.lds_read;
    st.lds_bytes_written += r->stats.lds_written;
    st.lds_bank_conflict_cycles += r->stats.lds_conflicts;
    for (auto& t : r->traces) report.traces.push_back(std::move(t));
  }
  for (size_t m = 0; m < by_mn.size(); m++)
    if (by_mn[m]) st.by_mnemonic[ctx.program->mnemonics[m]] = by_mn[m];
  const KernelDescriptor& kd = k->descriptor;
  st.vgprs = k->vgpr_count ? k->vgpr_count : kd.accum_offset;
  st.agprs = k->agpr_count;
  st.sgprs = k->sgpr_count ? k->sgpr_count : kd.sgpr_count;
  st.lds_bytes = uint32_t(lds);
  if (options.trace) report.trace_mnemonics = ctx.program->mnemonics;

  device.free(*image_address);
  device.free(*kernarg);
  device.free(*packet);
  device.free(*queue);

  auto order = [](const Report& a, const Report& b) {
    return std::tie(a.workgroup.z, a.workgroup.y, a.workgroup.x, a.wave, a.pc, a.lane) <
           std::tie(b.workgroup.z, b.workgroup.y, b.workgroup.x, b.wave, b.pc, b.lane);
  };
  std::stable_sort(ctx.faults.begin(), ctx.faults.end(), order);
  std::stable_sort(ctx.strict.begin(), ctx.strict.end(), order);
  report.faults = std::move(ctx.faults);
  report.strict = std::move(ctx.strict);
  report.fault_count = ctx.fault_count;
  report.strict_count = ctx.strict_count;
  if (report.fault_count) {
    report.status = LaunchStatus::faulted;
    report.message = report.faults.empty() ? "faulted" : report.faults.front().to_string();
  }
  return report;
}

}  // namespace asmk::emu
