// Launching a kernel on the emulator: the dispatch, its options, and what comes back
// (status, faults, strict-mode reports, statistics, optional trace).
#pragma once

#include <array>
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
  bool strict = false;     // report missing s_waitcnt, LDS beyond the allocation, misaligned accesses
  unsigned threads = 0;    // host threads for workgroups; 0 = hardware concurrency
  bool trace = false;      // record a per-wave instruction trace (PC, mnemonic, active lanes)
  size_t max_reports = 64; // faults/strict reports kept (the count keeps going)
  uint64_t max_wave_instructions = 1ull << 28;  // a wave past this is stopped with a fault (runaway loop)
};

enum class FaultKind {
  unmapped_address,   // global/flat/smem access outside every allocation, scratch beyond the private segment
  lds_out_of_range,   // LDS access beyond the workgroup's allocation (a fault, and a strict report)
  misaligned,         // a misaligned atomic (fault), or a misaligned LDS access (strict report)
  missing_waitcnt,    // strict: register read before s_waitcnt covers its load
  hazard,             // strict: a documented hazard without the required wait states
  bad_instruction,    // an instruction the emulator cannot run was reached, or bad operands
  bad_branch,         // branch or s_setpc outside the kernel's code
  runaway,            // max_wave_instructions exceeded
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
  std::string to_string() const;
};

struct Stats {
  uint64_t wave_instructions = 0;           // instructions issued, counted once per wave
  uint64_t waves = 0, workgroups = 0;
  std::map<std::string, uint64_t> by_class;     // "salu", "valu", "smem", "vmem", "lds", "mfma", "branch", ...
  std::map<std::string, uint64_t> by_mnemonic;
  uint64_t global_bytes_read = 0, global_bytes_written = 0;
  uint64_t scalar_bytes_read = 0;
  uint64_t lds_bytes_read = 0, lds_bytes_written = 0;
  uint64_t lds_bank_conflict_cycles = 0;  // extra cycles beyond one per LDS instruction (32 banks x 4 bytes)
  uint32_t vgprs = 0, agprs = 0, sgprs = 0, lds_bytes = 0;  // footprint per wave / workgroup
};

struct TraceEntry {
  int64_t pc = 0;  // byte offset from the kernel's entry
  uint32_t mnemonic_id = 0;   // index into LaunchReport::trace_mnemonics
  uint32_t active_lanes = 0;
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
