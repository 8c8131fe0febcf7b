// The traced launches' random inputs (perf::random_values, LaunchSpec::random): seeded N(0, 1) values in a
// kernel's element format, the same for a seed, different for another; decoded with ref's formats (not the code
// under test's encoding) they have mean ~0 and variance ~1.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "asmk/perf/sweep.hpp"
#include "asmk/ref/numeric.hpp"

namespace asmk::perf {
namespace {

// Decodes each little-endian code of `bits` with ref::decode.
std::vector<double> decoded(const std::vector<uint8_t>& bytes, ref::Format format) {
  const size_t size = size_t(ref::format_info(format).bits) / 8;
  std::vector<double> out;
  for (size_t at = 0; at + size <= bytes.size(); at += size) {
    uint32_t code = 0;
    for (size_t b = 0; b < size; ++b) code |= uint32_t(bytes[at + b]) << (8 * b);
    out.push_back(ref::decode(format, code));
  }
  return out;
}

TEST(TraceInputs, RandomValuesAreSeededNormalsInTheFormat) {
  for (const auto format : {ref::Format::bf16, ref::Format::fp16, ref::Format::e4m3fnuz, ref::Format::e4m3fn}) {
    const std::string name(ref::format_name(format));
    SCOPED_TRACE(name);
    const uint64_t bytes = 8192;
    auto a = random_values(name, bytes, 1), again = random_values(name, bytes, 1), other = random_values(name, bytes, 2);
    ASSERT_TRUE(a.ok() && again.ok() && other.ok());
    ASSERT_EQ(a->size(), bytes);
    EXPECT_EQ(*a, *again);   // deterministic for a seed
    EXPECT_NE(*a, *other);   // and another seed gives other values
    const auto values = decoded(*a, format);
    double sum = 0, squares = 0;
    size_t zeros = 0;
    for (const double v : values) {
      ASSERT_TRUE(std::isfinite(v));
      zeros += v == 0;
      sum += v;
      squares += v * v;
    }
    const double n = double(values.size()), mean = sum / n, variance = squares / n - mean * mean;
    EXPECT_LT(double(zeros), 0.05 * n);  // non-zero data (fp8 rounds |x| < 2^-10 or so to zero: a handful)
    EXPECT_LT(std::abs(mean), 0.1);
    EXPECT_GT(variance, 0.85);
    EXPECT_LT(variance, 1.15);
  }
}

TEST(TraceInputs, RandomValuesLeaveAPartialCodeZeroAndRejectUnknownFormats) {
  auto odd = random_values("bf16", 5, 3);
  ASSERT_TRUE(odd.ok());
  ASSERT_EQ(odd->size(), 5u);
  EXPECT_EQ((*odd)[4], 0);
  EXPECT_NE((*odd)[0] | (*odd)[1], 0);
  auto f32 = random_values("f32", 16, 3);
  ASSERT_TRUE(f32.ok());
  EXPECT_EQ(f32->size(), 16u);
  EXPECT_FALSE(random_values("fp9", 16, 3).ok());
  EXPECT_FALSE(random_values("e2m1", 16, 3).ok());  // 4-bit codes: not whole bytes
}

TEST(TraceInputs, LaunchKeyNamesTheRandomInputs) {
  LaunchSpec zeros;
  zeros.buffers = {{"q", 64}};
  LaunchSpec random = zeros;
  random.random = {{"q", "bf16"}};
  random.seed = 1;
  LaunchSpec reseeded = random;
  reseeded.seed = 2;
  EXPECT_NE(zeros.key(), random.key());
  EXPECT_NE(random.key(), reseeded.key());
}

}  // namespace
}  // namespace asmk::perf
