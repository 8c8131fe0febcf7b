// ref::shuffle_b / unshuffle_b: hand-worked offsets of the documented layout, a bijection onto
// [0, N·K), inverse of each other, and errors for shapes the layout does not cover.
#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

#include "asmk/ref/shuffle.hpp"

namespace {

using asmk::ref::shuffle_b;
using asmk::ref::shuffled_offset;
using asmk::ref::unshuffle_b;

// Worked by hand from offset(n, k) = ((n/64)·(K/64) + k/64)·4096 + (n%64)·64 + k%64.
TEST(ShuffleB, HandWorkedOffsets) {
  EXPECT_EQ(shuffled_offset(0, 0, 128), 0u);
  EXPECT_EQ(shuffled_offset(0, 1, 128), 1u);        // inside a row of a block: consecutive
  EXPECT_EQ(shuffled_offset(1, 0, 128), 64u);       // next row of the block: + 64 bytes
  EXPECT_EQ(shuffled_offset(0, 64, 128), 4096u);    // next K step: the next 4 KiB block
  EXPECT_EQ(shuffled_offset(63, 127, 128), 8191u);  // last byte of block row 0 (two blocks)
  EXPECT_EQ(shuffled_offset(64, 0, 128), 8192u);    // block row 1 starts after K/64 = 2 blocks
  EXPECT_EQ(shuffled_offset(65, 70, 128), 8192u + 4096u + 64u + 6u);
  EXPECT_EQ(shuffled_offset(64, 0, 64), 4096u);     // K = 64: one block per block row
  // Beyond 4 GiB: block row 1024 of K = 65536 starts at 1024 · 1024 blocks · 4 KiB = 4 GiB.
  EXPECT_EQ(shuffled_offset(1024 * 64, 0, 65536), uint64_t{1} << 32);
}

TEST(ShuffleB, SmallCaseByHand) {
  // N = 64, K = 128, source rows padded to 144 bytes: byte (n, k) = n + 3k (mod 256).
  const uint32_t n = 64, k = 128, stride = 144;
  std::vector<uint8_t> src(n * stride, 0xEE), dst(n * k, 0);
  for (uint32_t r = 0; r < n; ++r)
    for (uint32_t c = 0; c < k; ++c) src[r * stride + c] = uint8_t(r + 3 * c);
  ASSERT_TRUE(shuffle_b(src.data(), n, k, stride, dst.data()).ok());
  EXPECT_EQ(dst[0], 0);                        // (0, 0)
  EXPECT_EQ(dst[63], uint8_t(3 * 63));         // (0, 63)
  EXPECT_EQ(dst[64], 1);                       // (1, 0)
  EXPECT_EQ(dst[4096], uint8_t(3 * 64));       // (0, 64)
  EXPECT_EQ(dst[4096 + 2 * 64 + 5], uint8_t(2 + 3 * 69));  // (2, 69)
  EXPECT_EQ(dst[n * k - 1], uint8_t(63 + 3 * 127));  // (63, 127): the last byte
}

TEST(ShuffleB, IsABijectionOntoTheDenseRange) {
  for (auto [n, k] : {std::pair<uint32_t, uint32_t>{64, 64}, {128, 192}, {192, 64}}) {
    std::vector<int> hits(size_t(n) * k, 0);
    for (uint32_t r = 0; r < n; ++r)
      for (uint32_t c = 0; c < k; ++c) {
        const uint64_t at = shuffled_offset(r, c, k);
        ASSERT_LT(at, hits.size()) << "(" << r << ", " << c << ")";
        ++hits[at];
      }
    for (size_t i = 0; i < hits.size(); ++i) ASSERT_EQ(hits[i], 1) << "offset " << i << " for N=" << n << " K=" << k;
  }
}

TEST(ShuffleB, UnshuffleInvertsShuffle) {
  const uint32_t n = 128, k = 192, stride = 208;
  std::mt19937 rng(3);
  std::vector<uint8_t> src(n * stride), shuffled(n * k), back(n * stride, 0x5A);
  for (uint8_t& b : src) b = uint8_t(rng());
  ASSERT_TRUE(shuffle_b(src.data(), n, k, stride, shuffled.data()).ok());
  ASSERT_TRUE(unshuffle_b(shuffled.data(), n, k, back.data(), stride).ok());
  for (uint32_t r = 0; r < n; ++r)
    for (uint32_t c = 0; c < stride; ++c)
      ASSERT_EQ(back[r * stride + c], c < k ? src[r * stride + c] : 0x5A) << "(" << r << ", " << c << ")";
}

TEST(ShuffleB, RejectsShapesOutsideTheLayout) {
  std::vector<uint8_t> a(256 * 256), b(256 * 256);
  EXPECT_FALSE(shuffle_b(a.data(), 32, 64, 64, b.data()).ok());   // N % 64
  EXPECT_FALSE(shuffle_b(a.data(), 64, 96, 96, b.data()).ok());   // K % 64
  EXPECT_FALSE(shuffle_b(a.data(), 64, 128, 64, b.data()).ok());  // stride < K
  EXPECT_FALSE(unshuffle_b(nullptr, 64, 64, b.data(), 64).ok());
}

}  // namespace

// shuffle_experts: each expert's [N, R] block on its own at e·N·R; worked by hand for E = 2, N = 64,
// R = 128 (byte (e, n, c) = 7e + n + 3c mod 256), and N not a multiple of 64 refused.
TEST(ShuffleExperts, EachExpertShuffledInItsOwnBytes) {
  const uint32_t experts = 2, n = 64, r = 128;
  std::vector<uint8_t> src(experts * n * r), dst(src.size(), 0);
  for (uint32_t e = 0; e < experts; ++e)
    for (uint32_t row = 0; row < n; ++row)
      for (uint32_t c = 0; c < r; ++c) src[(e * n + row) * r + c] = uint8_t(7 * e + row + 3 * c);
  ASSERT_TRUE(asmk::ref::shuffle_experts(src.data(), experts, n, r, dst.data()).ok());
  EXPECT_EQ(dst[0], 0);                                     // (0, 0, 0)
  EXPECT_EQ(dst[64], 1);                                    // (0, 1, 0): next row, + 64 bytes
  EXPECT_EQ(dst[4096], uint8_t(3 * 64));                    // (0, 0, 64): the next K step's block
  EXPECT_EQ(dst[8192], 7);                                  // (1, 0, 0): expert 1 starts at N·R
  EXPECT_EQ(dst[8192 + 4096 + 2 * 64 + 5], uint8_t(7 + 2 + 3 * 69));  // (1, 2, 69)
  EXPECT_EQ(dst[experts * n * r - 1], uint8_t(7 + 63 + 3 * 127));    // the last byte
  EXPECT_FALSE(asmk::ref::shuffle_experts(src.data(), 1, 32, 256, dst.data()).ok());
}
