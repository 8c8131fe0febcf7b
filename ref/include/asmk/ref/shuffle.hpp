// The pre-shuffled B layout of gemm_a8w8 (b_layout = shuffled; docs/contracts.md "GEMM kernels"):
// B [N, K] of 1-byte elements cut into 64 x 64-byte blocks, stored block row by block row and, inside
// a block row, K step by K step; inside a block, row-major with 64 bytes per row:
//
//   offset(n, k) = ((n / 64) · (K / 64) + k / 64) · 4096 + (n % 64) · 64 + k % 64
//
// so the 64 rows of one K step of the kernel are 4 KiB of consecutive bytes. N and K must be
// multiples of 64; the shuffled tensor is dense (N · K bytes).
#pragma once

#include <cstdint>

#include "asmk/ref/status.hpp"

namespace asmk::ref {

inline constexpr std::uint32_t shuffle_block = 64;  // rows and bytes of K per block

// Byte offset of element (n, k) of B [N, K] in the shuffled layout (K = the row length in elements).
std::uint64_t shuffled_offset(std::uint32_t n, std::uint32_t k, std::uint32_t K);

// dst [N · K bytes] = shuffle of src [N, K] (row stride stride_src bytes >= K).
Status shuffle_b(const std::uint8_t* src, std::uint32_t n, std::uint32_t k, std::uint32_t stride_src,
                 std::uint8_t* dst);

// The inverse: dst [N, K] (row stride stride_dst bytes >= K; the padding is left alone) from the
// shuffled src [N · K bytes].
Status unshuffle_b(const std::uint8_t* src, std::uint32_t n, std::uint32_t k, std::uint8_t* dst,
                   std::uint32_t stride_dst);

// MoE expert weights W [experts, N, row_bytes] (the moe_shuffle_weight op): each expert's [N, row_bytes]
// shuffled on its own into its own N · row_bytes bytes at e · N · row_bytes, so
//   dst[e·N·R + offset(r, c)] = src[(e·N + r)·R + c]   (R = row_bytes, offset as above with K = R).
// N and R must be multiples of 64.
Status shuffle_experts(const std::uint8_t* src, std::uint32_t experts, std::uint32_t n, std::uint32_t row_bytes,
                       std::uint8_t* dst);

}  // namespace asmk::ref
