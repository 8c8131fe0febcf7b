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
//   compute     = ((rounds − 1) · W + ceil(last / CUs)) · t_wg      (W workgroups share a CU in a full round;
//                                                                    the last round lasts as long as its busiest CU)
//   memory      = (M·K·a_bytes + N·K·b_bytes + M·N·c_bytes) / HBM bytes per µs   (each operand once)
//   split-K     = k_splits > 1:  2 · k_splits · M · N · 4 / HBM     (fp32 partials written, then read)
//                               + reduce launch (2 µs);   else 0
//   estimate    = max(compute, memory) + split-K
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
  std::uint64_t tiles = 0, workgroups = 0, per_cu = 1, rounds = 0, idle_cus = 0;
  double tile_efficiency = 0, compute_us = 0, memory_us = 0, split_k_us = 0, total_us = 0;
};

// W of the formula for a kernel's resources on the device.
std::uint32_t workgroups_per_cu(const Kernel& kernel, const Device& device);

Cost estimate(const Problem& problem, const Device& device, const Kernel& kernel, std::uint32_t m_tile,
              std::uint32_t n_tile, std::uint32_t k_splits);

}  // namespace asmk::gemm
