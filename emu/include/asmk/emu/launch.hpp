// Launching a kernel on the emulator: the dispatch, its options, and what comes back
// (status, faults, strict-mode reports, statistics, optional trace).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "asmk/emu/code_object.hpp"
#include "asmk/emu/device.hpp"
#include "asmk/emu/status.hpp"

namespace asmk::emu {

struct Dim3 {
  uint32_t x = 1, y = 1, z = 1;
  uint64_t count() const { return uint64_t(x) * y * z; }
};

struct Dispatch {
  const Kernel* kernel = nullptr;  // from CodeObject::find; the CodeObject must outlive the launch
  Dim3 grid;                       // in workgroups (as HIP counts them)
  Dim3 block{64, 1, 1};            // work-items per workgroup
  std::vector<uint8_t> kernargs;   // the explicit kernel arguments, laid out as the metadata says
  uint32_t dynamic_lds = 0;        // bytes of LDS on top of the descriptor's static size
  /// Fill the code object v5 hidden arguments (block counts, group sizes, remainders, grid dims,
  /// zero for the rest) into the kernarg segment from the metadata's hidden_* entries.
  bool fill_hidden_args = true;
};

struct LaunchOptions {
  /// Report missing s_waitcnt, hazards, LDS beyond the allocation, misaligned accesses, and LDS data
  /// races between the waves of a workgroup (FaultKind::lds_race).
  bool strict = false;
  /// Host threads for workgroups; 0 = hardware concurrency. Clamped to kMaxLaunchThreads and to the
  /// workgroup count; if the host cannot start that many, the launch runs on those it could start.
  unsigned threads = 0;
  bool trace = false;      // record a per-wave instruction trace (TraceEntry: PC, class, bytes, conflicts, ...)
  size_t max_reports = 64; // faults/strict reports kept (the count keeps going)
  uint64_t max_wave_instructions = 1ull << 28;  // a wave past this is stopped with a fault (runaway loop)
  /// The whole launch's budget of wave-instructions (0: none), a bound on its time. Waves add to
  /// the count at the end of each turn (and every kLaunchBudgetStep instructions of a longer one);
  /// the wave whose addition crosses the budget faults (runaway, naming its workgroup, wave and
  /// PC) and the launch stops as on any fault. A launch may thus run past the budget by at most a
  /// turn per running wave.
  uint64_t max_launch_instructions = 0;
  /// The whole launch's wall-clock budget in milliseconds (0: none): past it, each wave faults
  /// (runaway, naming its workgroup, wave and PC) at its next turn and the launch stops.
  uint64_t max_launch_milliseconds = 0;
  /// Set to true from another thread to stop the launch: each wave faults (cancelled) at its next
  /// turn. Waves look at it every turn (and every kLaunchBudgetStep instructions of a longer one).
  const std::atomic<bool>* cancel = nullptr;
  /// Run only these workgroups of the grid (empty = all). Each keeps its id, LDS and hidden
  /// arguments exactly as in the full launch; the others are not run, so memory they would have
  /// written stays untouched. Statistics and traces then cover just these workgroups (e.g. to
  /// trace a few representative workgroups of a huge GEMM cheaply). An id outside the grid or a
  /// repeated id makes the launch invalid.
  std::vector<Dim3> only_workgroups;
  /// Wave interleaving: the waves of a workgroup take turns of this many instructions, in wave
  /// order (a turn ends early at s_barrier, s_endpgm, or an s_waitcnt that lands LDS DMA).
  /// Deterministic: the order never depends on host threads. 0 = the old policy, each wave runs
  /// until it reaches a barrier (then the next wave runs).
  uint32_t wave_quantum = 64;
};

/// The most instructions a wave runs between two additions to the launch's instruction count.
inline constexpr uint64_t kLaunchBudgetStep = 4096;

/// More host threads than this per launch only add switching (and per-thread wave state).
inline constexpr unsigned kMaxLaunchThreads = 256;

enum class FaultKind {
  unmapped_address,   // global/flat/smem access outside every allocation or storing into a read-only one, scratch beyond the private segment
  lds_out_of_range,   // LDS access beyond the workgroup's allocation (a fault, and a strict report)
  misaligned,         // a misaligned atomic (fault), or a misaligned LDS access (strict report)
  missing_waitcnt,    // strict: register read before s_waitcnt covers its load
  hazard,             // strict: a documented hazard without the required wait states
  bad_instruction,    // an instruction the emulator cannot run was reached, or bad operands
  bad_branch,         // branch or s_setpc outside the kernel's code
  runaway,            // max_wave_instructions, max_launch_instructions or max_launch_milliseconds exceeded
  cancelled,          // LaunchOptions::cancel was set while the launch ran
  lds_race,           // strict: two waves access the same LDS bytes, one writing, with no s_barrier between
};
std::string_view fault_kind_name(FaultKind kind);

/// One problem found while running: where (workgroup, wave, lane, PC), what (address, instruction).
struct Report {
  FaultKind kind = FaultKind::unmapped_address;
  std::string kernel;
  Dim3 workgroup{0, 0, 0};
  uint32_t wave = 0;
  int32_t lane = -1;        // -1 when not lane-specific
  int64_t pc = 0;           // byte offset from the kernel's entry (negative in code placed before it)
  uint64_t address = 0;
  std::string instruction;  // disassembly text
  std::string message;
  // The other side of an lds_race (or of a missing_waitcnt on an LDS DMA): -1 when none.
  int32_t other_wave = -1;
  int64_t other_pc = 0;
  std::string other_instruction;
  std::string to_string() const;
};

struct Stats {
  uint64_t wave_instructions = 0;           // instructions issued, counted once per wave
  uint64_t waves = 0, workgroups = 0;
  std::map<std::string, uint64_t> by_class;     // "salu", "valu", "smem", "vmem", "lds", "mfma", "branch", ...
  std::map<std::string, uint64_t> by_mnemonic;
  uint64_t global_bytes_read = 0, global_bytes_written = 0;  // global/flat/buffer, scratch included
  uint64_t scalar_bytes_read = 0, scalar_bytes_written = 0;  // SMEM (atomics count both ways)
  uint64_t lds_bytes_read = 0, lds_bytes_written = 0;
  /// Extra LDS cycles from bank conflicts: an access runs in passes of one dword per bank (32 banks
  /// on gfx942: 32 lanes of b32, 16 of b64, 8 of b96/b128; 64 banks on gfx950: 64, 32, 16); a bank
  /// asked for n different dwords in a pass takes n cycles (the same dword is broadcast); this is
  /// the sum over passes of (worst bank - 1).
  uint64_t lds_bank_conflict_cycles = 0;
  uint32_t vgprs = 0, agprs = 0, sgprs = 0, lds_bytes = 0;  // footprint per wave / workgroup
};

/// What kind of work a traced instruction is (finer than Stats::by_class, for performance models).
enum class TraceClass : uint8_t {
  salu,
  valu,         // 32/16-bit VALU, including packed and DPP/SDWA forms
  trans,        // f32/f16 transcendentals: v_exp/v_log/v_rcp/v_rsq/v_sqrt/v_sin/v_cos (f64 ones are valu64)
  valu64,       // f64 VALU (arithmetic, compares, conversions with an f64 operand)
  mfma,         // MFMA/SMFMAC
  smem,         // scalar memory (loads, stores, atomics)
  vmem_load,    // global/flat/buffer/scratch loads (including loads into LDS)
  vmem_store,
  vmem_atomic,
  lds,          // DS instructions (including ds_permute/bpermute/swizzle)
  branch,       // branches, s_setpc/s_swappc/s_call, s_endpgm
  waitcnt,      // s_waitcnt (counts in TraceEntry::vmcnt/lgkmcnt/expcnt)
  barrier,      // s_barrier
  other,        // s_nop, s_setprio, cache controls, ...
};
std::string_view trace_class_name(TraceClass c);

/// One wave-instruction of a trace (32 bytes).
struct TraceEntry {
  int64_t pc = 0;  // byte offset from the kernel's entry
  uint32_t mnemonic_id = 0;   // index into LaunchReport::trace_mnemonics
  uint32_t active_lanes = 0;  // EXEC lanes when it issued
  uint32_t bytes = 0;         // bytes moved by this wave-instruction: global/flat/buffer/scratch, scalar
                              // or LDS, reads plus writes (out-of-range buffer lanes move nothing)
  uint16_t lds_conflict_cycles = 0;  // extra LDS cycles from bank conflicts (see Stats)
  TraceClass cls = TraceClass::other;
  // s_waitcnt only (0 for other instructions): the counts it waits for; the maximum value
  // (vmcnt 63, lgkmcnt 15, expcnt 7) means "does not wait on this counter".
  uint8_t vmcnt = 0, lgkmcnt = 0, expcnt = 0;
};
struct WaveTrace {
  Dim3 workgroup;
  uint32_t wave = 0;
  std::vector<TraceEntry> entries;
};

enum class LaunchStatus { ok, faulted, invalid };

struct LaunchReport {
  LaunchStatus status = LaunchStatus::ok;
  std::string message;            // for invalid launches: what was wrong
  std::vector<Report> faults;     // execution stopped for the wave (and its workgroup)
  std::vector<Report> strict;     // strict-mode findings (execution continued)
  uint64_t fault_count = 0, strict_count = 0;
  Stats stats;
  std::vector<WaveTrace> traces;
  std::vector<std::string> trace_mnemonics;
  bool ok() const { return status == LaunchStatus::ok && strict_count == 0; }
};

/// Runs one dispatch to completion on the host. Never throws; problems are in the report.
LaunchReport launch(Device& device, const Dispatch& dispatch, const LaunchOptions& options = {});

}  // namespace asmk::emu
