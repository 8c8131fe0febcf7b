// The GEMM selector's heuristic: an estimate of the time one candidate (a kernel's tile and a
// split-K factor) takes on a device, from the device's nominal peak rates (docs: /work/shared/facts
// cdna.md; AMD's published MI300X/MI355X figures). Only the ordering of candidates matters.
//
//   tiles       = ceil(M / m_tile) · ceil(N / n_tile)
//   workgroups  = tiles · k_splits
//   W           = workgroups per CU at once: min(LDS per CU / lds_bytes,
//                 4 SIMDs · waves per SIMD (512 registers / (VGPR + AGPR), at most 8) / waves per workgroup)
//   rounds      = ceil(workgroups / (CUs · W))                       (wave quantization)
//   last        = workgroups − (rounds − 1) · CUs · W                (workgroups in the last round)
//   idle CUs    = CUs − min(last, CUs)                               (in the last round)
//   kc          = ceil(K / k_splits)
//   t_wg        = max(m_tile · n_tile · kc / (peak MACs per CU per µs),            a workgroup alone on a CU:
//                     (m_tile + n_tile) · kc · in_bytes / (64 bytes per clock))   MFMA- or load-bound
//                 (a full tile is computed even where it hangs over M or N: tile efficiency =
//                  M · N / (tiles · m_tile · n_tile) is in here)
//   steps       = ceil(ceil(K / k_step) / k_splits / k_waves)        a wave's K steps (k_step: the kernel's
//                                                                    K multiple; k_waves: waves sharing a tile
//                                                                    along K, 1 without the parameter)
//   t_latency   = steps · 1000 clocks                                a workgroup's K loop waits a load-to-use
//                                                                    latency (global load, LDS round trip,
//                                                                    barrier) per K step however few its MACs
//   compute     = (rounds − 1) · max(W · t_wg, t_latency)           (W workgroups share a CU in a full round,
//                 + max(ceil(last / CUs) · t_wg, t_latency)          the W of a round wait their latencies side
//                                                                    by side; the last round lasts as long as
//                                                                    its busiest CU)
//   memory      = (M·K·a_bytes + N·K·b_bytes + M·N·c_bytes) / HBM bytes per µs   (each operand once)
//   split-K     = k_splits > 1:  2 · k_splits · M · N · 4 / HBM     (fp32 partials written, then read)
//                               + reduce launch (3 µs);   else 0
//   estimate    = max(compute, memory) + split-K
//
// The latency term is what the performance model (perf/MODEL.md) shows at small M: a lone workgroup's
// K loop is bound by its per-step latency, not by MACs or bytes, so fewer steps per workgroup (split-K,
// k_waves) win there. 1000 clocks per step: the model's median per-step time of the latency-bound
// kernels at small M (perf/validation/selector_vs_model.md, 0.5 us at gfx942's 2.1 GHz). The reduce
// launch's 3 µs is what the model charges it (e.g. gemm_bf16 17x200x256 on MI300X: k_splits=2 models 2 µs
// slower than unsplit though it halves the K steps); with the latency term a cheaper reduce would make
// splits of a few K steps win that the model says lose. gemm_select.cpp does not split K into chunks
// below 128 (what `asmk perf` models, perf/src/sweep/families.cpp).
//
// Peak MACs per CU per clock (dense): gfx942 bf16 1024, fp8/int8 2048; gfx950 bf16 2048, fp8/int8
// 4096, fp4 8192. Clock: gfx942 2100 MHz, gfx950 2400 MHz. HBM: gfx942 5.3 TB/s, gfx950 8 TB/s.
#pragma once

#include <cstdint>

#include "../device.hpp"
#include "../kernel.hpp"
#include "gemm_problem.hpp"

namespace asmk::gemm {

struct Cost {
  std::uint64_t tiles = 0, workgroups = 0, per_cu = 1, rounds = 0, idle_cus = 0, k_steps = 0;
  double tile_efficiency = 0, latency_us = 0, compute_us = 0, memory_us = 0, split_k_us = 0, total_us = 0;
};

// W of the formula for a kernel's resources on the device.
std::uint32_t workgroups_per_cu(const Kernel& kernel, const Device& device);

// k_step: the kernel's K step (its `requires` multiple of k); the kernel's k_waves parameter is read here.
Cost estimate(const Problem& problem, const Device& device, const Kernel& kernel, std::uint32_t m_tile,
              std::uint32_t n_tile, std::uint32_t k_splits, std::uint64_t k_step);

}  // namespace asmk::gemm
