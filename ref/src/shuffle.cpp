// The pre-shuffled B layout of gemm_a8w8 (see shuffle.hpp).
#include "asmk/ref/shuffle.hpp"

#include <string>

namespace asmk::ref {
namespace {

Status check(const char* what, const void* src, const void* dst, std::uint32_t n, std::uint32_t k,
             std::uint32_t stride) {
  const std::string call = std::string(what) + "(n=" + std::to_string(n) + ", k=" + std::to_string(k) +
                           ", stride=" + std::to_string(stride) + ")";
  if (n % shuffle_block != 0 || k % shuffle_block != 0)
    return Status::failure(call + ": N and K must be multiples of 64");
  if (stride < k) return Status::failure(call + ": the row stride must be >= K");
  if ((n != 0 && k != 0) && (src == nullptr || dst == nullptr))
    return Status::failure(call + ": null source or destination");
  return Status::success();
}

}  // namespace

std::uint64_t shuffled_offset(std::uint32_t n, std::uint32_t k, std::uint32_t K) {
  const std::uint64_t block = std::uint64_t{n / shuffle_block} * (K / shuffle_block) + k / shuffle_block;
  return block * shuffle_block * shuffle_block + (n % shuffle_block) * shuffle_block + k % shuffle_block;
}

Status shuffle_b(const std::uint8_t* src, std::uint32_t n, std::uint32_t k, std::uint32_t stride_src,
                 std::uint8_t* dst) {
  if (Status s = check("shuffle_b", src, dst, n, k, stride_src); !s.ok()) return s;
  for (std::uint32_t row = 0; row < n; ++row)
    for (std::uint32_t col = 0; col < k; ++col)
      dst[shuffled_offset(row, col, k)] = src[std::uint64_t{row} * stride_src + col];
  return Status::success();
}

Status shuffle_experts(const std::uint8_t* src, std::uint32_t experts, std::uint32_t n, std::uint32_t row_bytes,
                       std::uint8_t* dst) {
  if (Status s = check("shuffle_experts", src, dst, n, row_bytes, row_bytes); !s.ok()) return s;
  const std::uint64_t expert_bytes = std::uint64_t{n} * row_bytes;
  for (std::uint32_t e = 0; e < experts; ++e)
    for (std::uint32_t row = 0; row < n; ++row)
      for (std::uint32_t col = 0; col < row_bytes; ++col)
        dst[e * expert_bytes + shuffled_offset(row, col, row_bytes)] = src[e * expert_bytes + std::uint64_t{row} * row_bytes + col];
  return Status::success();
}

Status unshuffle_b(const std::uint8_t* src, std::uint32_t n, std::uint32_t k, std::uint8_t* dst,
                   std::uint32_t stride_dst) {
  if (Status s = check("unshuffle_b", src, dst, n, k, stride_dst); !s.ok()) return s;
  for (std::uint32_t row = 0; row < n; ++row)
    for (std::uint32_t col = 0; col < k; ++col)
      dst[std::uint64_t{row} * stride_dst + col] = src[shuffled_offset(row, col, k)];
  return Status::success();
}

}  // namespace asmk::ref
