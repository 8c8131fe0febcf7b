#include "sha256.hpp"

#include <array>
#include <fstream>
#include <vector>

#include <fmt/format.h>

#include "error.hpp"

namespace asmk {
namespace {

__extension__ typedef unsigned __int128 u128;  // GCC/Clang: exact 128-bit products

// floor(root-th root of v), exactly, by bisection.
std::uint64_t integer_root(u128 v, int root) {
  std::uint64_t low = 0, high = std::uint64_t{1} << 40;  // our roots stay below 2^36
  while (low < high) {
    const std::uint64_t mid = low + (high - low + 1) / 2;
    u128 power = 1;
    for (int i = 0; i < root; ++i) power *= mid;
    if (power <= v) low = mid; else high = mid - 1;
  }
  return low;
}

// FIPS 180-4 §4.2.2 and §5.3.3: the constants are the first 32 bits of the fractional parts of
// the cube roots (K) and square roots (H0) of the first primes. Computed exactly rather than typed.
struct Constants {
  std::array<std::uint32_t, 64> k{};
  std::array<std::uint32_t, 8> h0{};
  Constants() {
    std::array<std::uint32_t, 64> primes{};
    for (std::uint32_t candidate = 2, found = 0; found < 64; ++candidate) {
      bool prime = true;
      for (std::uint32_t d = 2; d * d <= candidate; ++d) prime = prime && candidate % d != 0;
      if (prime) primes[found++] = candidate;
    }
    for (int i = 0; i < 64; ++i)  // floor(cbrt(p) * 2^32) = floor(cbrt(p * 2^96))
      k[i] = static_cast<std::uint32_t>(integer_root(u128(primes[i]) << 96, 3));
    for (int i = 0; i < 8; ++i)  // floor(sqrt(p) * 2^32) = floor(sqrt(p * 2^64))
      h0[i] = static_cast<std::uint32_t>(integer_root(u128(primes[i]) << 64, 2));
  }
};

const Constants& constants() {
  static const Constants c;
  return c;
}

constexpr std::uint32_t rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

void compress(std::array<std::uint32_t, 8>& h, const std::uint8_t* block) {
  const auto& k = constants().k;
  std::array<std::uint32_t, 64> w{};
  for (int t = 0; t < 16; ++t)
    w[t] = std::uint32_t(block[4 * t]) << 24 | std::uint32_t(block[4 * t + 1]) << 16 |
           std::uint32_t(block[4 * t + 2]) << 8 | std::uint32_t(block[4 * t + 3]);
  for (int t = 16; t < 64; ++t) {
    const std::uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
    const std::uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
    w[t] = w[t - 16] + s0 + w[t - 7] + s1;
  }
  auto [a, b, c, d, e, f, g, hh] = h;
  for (int t = 0; t < 64; ++t) {
    const std::uint32_t t1 = hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) +
                             k[t] + w[t];
    const std::uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
  }
  const std::array<std::uint32_t, 8> add{a, b, c, d, e, f, g, hh};
  for (int i = 0; i < 8; ++i) h[i] += add[i];
}

}  // namespace

std::string sha256_hex(std::span<const std::uint8_t> bytes) {
  std::array<std::uint32_t, 8> h = constants().h0;
  std::size_t full = bytes.size() / 64 * 64;
  for (std::size_t i = 0; i < full; i += 64) compress(h, bytes.data() + i);
  // Padding: 0x80, zeros, then the message length in bits as a big-endian 64-bit number.
  std::vector<std::uint8_t> tail(bytes.begin() + static_cast<std::ptrdiff_t>(full), bytes.end());
  tail.push_back(0x80);
  while (tail.size() % 64 != 56) tail.push_back(0);
  const std::uint64_t bits = std::uint64_t(bytes.size()) * 8;
  for (int i = 7; i >= 0; --i) tail.push_back(static_cast<std::uint8_t>(bits >> (8 * i)));
  for (std::size_t i = 0; i < tail.size(); i += 64) compress(h, tail.data() + i);
  std::string hex;
  for (std::uint32_t word : h) hex += fmt::format("{:08x}", word);
  return hex;
}

std::string sha256_file_hex(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) fail(ASMK_ERROR_MISSING_CODE_OBJECT, fmt::format("cannot read {}", file.string()));
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return sha256_hex(bytes);
}

}  // namespace asmk
