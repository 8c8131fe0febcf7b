// A machine model: the published figures of one AMD Instinct part (perf/machines/<name>.json),
// each with its source, plus the few assumptions the model needs (marked as such in the file).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "asmk/emu/status.hpp"

namespace asmk::perf {

using emu::Expected;
using emu::Status;

struct Machine {
  std::string name;  // "MI300X"
  std::string arch;  // "gfx942"

  // Size and clock.
  uint32_t compute_units = 0, simds_per_cu = 4, wave_size = 64;
  double clock_ghz = 0;            // peak engine clock (the published peaks assume it)
  double sustained_clock_ghz = 0;  // clock under sustained load, calibrated against measurements; 0 = clock_ghz
  // Peak dense matrix throughput (the roofline's ceilings), TFLOP/s; 0 = not supported.
  double peak_tflops_bf16 = 0, peak_tflops_fp8 = 0, peak_tflops_fp4 = 0;
  // Memory system.
  double hbm_tbps = 0, l2_tbps = 0;
  uint32_t vmem_bytes_per_clk_per_cu = 64, vmem_latency_cycles = 600, smem_latency_cycles = 150;
  // Issue and pipes (cycles a wave64 instruction occupies its unit).
  uint32_t valu_cycles = 4, valu_trans_cycles = 16, salu_cycles = 4, issue_interval_cycles = 4;
  // LDS.
  uint32_t lds_bytes_per_cu = 65536, lds_banks = 32, lds_bytes_per_clk_per_cu = 128, lds_latency_cycles = 64;
  uint32_t lds_granule_bytes = 512;
  // Occupancy limits.
  uint32_t max_waves_per_simd = 8, vgprs_per_lane = 512, vgpr_granule = 8, sgprs_per_simd = 800, sgpr_granule = 16;
  uint32_t max_workgroups_per_cu = 16;
  double launch_overhead_us = 0;
  // MFMA issue cost by mnemonic (cycles the matrix core of one SIMD is busy).
  std::map<std::string, uint32_t> mfma_cycles;
  // Where each figure comes from ("compute_units" -> "cdna.md: ...").
  std::map<std::string, std::string> sources;

  /// The clock the model counts cycles at: the sustained clock when the file gives one.
  double model_clock_ghz() const { return sustained_clock_ghz > 0 ? sustained_clock_ghz : clock_ghz; }
  double cycles_to_us(double cycles) const { return cycles / (model_clock_ghz() * 1e3); }
  uint32_t simds() const { return compute_units * simds_per_cu; }
};

/// Parses a machine file (format: perf/machines/README in perf/README.md). Errors name the file
/// and the missing or malformed figure.
Expected<Machine> parse_machine(const std::string& json_text, const std::string& origin);
Expected<Machine> load_machine_file(const std::filesystem::path& file);

/// The machine `name` (case-insensitive) from `dir`, or an error listing the machines that exist.
Expected<Machine> find_machine(const std::filesystem::path& dir, const std::string& name);
std::vector<std::string> machine_names(const std::filesystem::path& dir);

}  // namespace asmk::perf
