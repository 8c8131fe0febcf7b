#include "gemm_cost.hpp"

#include <algorithm>
#include <variant>

namespace asmk::gemm {
namespace {

constexpr double kReduceLaunchUs = 3.0;
constexpr double kKStepLatencyClocks = 1000.0;
constexpr double kCuLoadBytesPerClock = 64.0;
constexpr std::uint32_t kSimdsPerCu = 4, kRegistersPerLane = 512, kMaxWavesPerSimd = 8;

struct ArchRates {
  double clock_mhz;
  double macs_bf16;  // per CU per clock, dense
  double hbm_bytes_per_us;
};

ArchRates rates_of(const Device& device) {
  if (device.arch == "gfx950") return {2400.0, 2048.0, 8.0e6};
  return {2100.0, 1024.0, 5.3e6};  // gfx942
}

double rate_multiplier(std::string_view rate_class) {
  if (rate_class == "fp8") return 2.0;
  if (rate_class == "fp4") return 4.0;
  return 1.0;
}


// Waves sharing one tile along K (the k_waves parameter), 1 for kernels without it.
std::uint64_t k_waves_of(const Kernel& kernel) {
  if (const ParamValue* v = kernel.param("k_waves"); v && std::holds_alternative<std::int64_t>(*v))
    return static_cast<std::uint64_t>(std::max<std::int64_t>(1, std::get<std::int64_t>(*v)));
  return 1;
}

}  // namespace

std::uint32_t workgroups_per_cu(const Kernel& kernel, const Device& device) {
  const auto& r = kernel.resources;
  const std::uint32_t registers = std::max<std::uint32_t>(8, r.agpr > 0 ? r.accum_offset + r.agpr : r.vgpr);
  const std::uint32_t waves_per_simd = std::clamp<std::uint32_t>(kRegistersPerLane / registers, 1, kMaxWavesPerSimd);
  const std::uint32_t wave = std::max<std::uint32_t>(1, r.wavefront_size);
  const std::uint64_t items = std::uint64_t(kernel.workgroup_size[0]) * kernel.workgroup_size[1] * kernel.workgroup_size[2];
  const std::uint32_t waves_per_wg = std::max<std::uint32_t>(1, static_cast<std::uint32_t>(ceil_div(items, wave)));
  std::uint32_t per_cu = std::max<std::uint32_t>(1, kSimdsPerCu * waves_per_simd / waves_per_wg);
  if (r.lds_bytes > 0 && device.lds_bytes_per_cu > 0)
    per_cu = std::min(per_cu, std::max<std::uint32_t>(1, device.lds_bytes_per_cu / r.lds_bytes));
  return per_cu;
}

Cost estimate(const Problem& p, const Device& device, const Kernel& kernel, std::uint32_t m_tile,
              std::uint32_t n_tile, std::uint32_t k_splits, std::uint64_t k_step) {
  const ArchRates rates = rates_of(device);
  const double macs_per_us = rates.macs_bf16 * rate_multiplier(p.rate_class) * rates.clock_mhz;
  const std::uint64_t cus = std::max<std::uint32_t>(1, device.compute_units);

  Cost c;
  c.tiles = ceil_div(p.m, m_tile) * ceil_div(p.n, n_tile);
  c.workgroups = c.tiles * k_splits;
  c.per_cu = workgroups_per_cu(kernel, device);
  c.rounds = ceil_div(c.workgroups, cus * c.per_cu);
  const std::uint64_t last = c.workgroups - (c.rounds - 1) * cus * c.per_cu;
  c.idle_cus = cus - std::min(last, cus);
  c.tile_efficiency = double(p.m) * p.n / (double(c.tiles) * m_tile * n_tile);
  const double k_chunk = double(ceil_div(p.k, k_splits));
  const double t_macs = double(m_tile) * n_tile * k_chunk / macs_per_us;
  const double t_loads = (double(m_tile) + n_tile) * k_chunk * p.in_bits / 8.0 / (kCuLoadBytesPerClock * rates.clock_mhz);
  const double t_wg = std::max(t_macs, t_loads);
  c.k_steps = ceil_div(ceil_div(ceil_div(p.k, std::max<std::uint64_t>(1, k_step)), k_splits), k_waves_of(kernel));
  c.latency_us = double(c.k_steps) * kKStepLatencyClocks / rates.clock_mhz;
  c.compute_us = double(c.rounds - 1) * std::max(double(c.per_cu) * t_wg, c.latency_us) +
                 std::max(double(ceil_div(last, cus)) * t_wg, c.latency_us);
  const double operand_bytes = (double(p.m) + p.n) * p.k * p.in_bits / 8.0 + double(p.m) * p.n * p.out_bytes;
  c.memory_us = operand_bytes / rates.hbm_bytes_per_us;
  if (k_splits > 1) c.split_k_us = 2.0 * k_splits * double(p.m) * p.n * 4.0 / rates.hbm_bytes_per_us + kReduceLaunchUs;
  c.total_us = std::max(c.compute_us, c.memory_us) + c.split_k_us;
  return c;
}

}  // namespace asmk::gemm
