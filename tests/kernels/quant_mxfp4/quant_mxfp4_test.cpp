// quant_mxfp4 on the device the C ABI opens (the emulator by default), against ref::quant_mxfp4:
// identical e2m1 bytes and e8m0 scales, bit for bit, on ragged shapes with padded strides; the
// padding of y and scale keeps its sentinel. Inputs cover the rule's corners: zeros and -0, bf16/fp16
// denormals, the largest finite values, exact e2m1 ties after scaling, Inf and NaN elements.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "asmk/ref/numeric.hpp"
#include "asmk/ref/quant.hpp"
#include "kernel_harness.hpp"

namespace {

using asmk::ref::Format;
using asmk::test::Arg;
using asmk::test::Session;
using asmk::test::Variant;

constexpr uint8_t kSentinel = 0xC3;
constexpr uint32_t kBlock = 32;

struct Problem {
  uint32_t m, n, stride_x, stride_y, stride_scale;
};

uint16_t encode16(Format format, double v) {
  return uint16_t(asmk::ref::encode(format, v, asmk::ref::Overflow::saturate));
}

uint16_t inf16(Format format, bool negative) {
  const uint16_t bits = format == Format::bf16 ? 0x7f80 : 0x7c00;
  return negative ? uint16_t(bits | 0x8000) : bits;
}
uint16_t nan16(Format format) { return format == Format::bf16 ? 0x7fc1 : 0x7e01; }

// One 1x32 block per "kind", chosen by (row + block index) so every kind meets every lane position.
std::vector<uint16_t> make_input(Format format, const Problem& p, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_int_distribution<int> small_exp(-8, 8);
  const double tiny = format == Format::bf16 ? 0x1p-133 : 0x1p-24;  // the smallest denormal
  const double huge = format == Format::bf16 ? 3.3e38 : 65504.0;
  std::vector<uint16_t> x(size_t(p.m) * p.stride_x);
  for (uint32_t r = 0; r < p.m; ++r) {
    for (uint32_t c = 0; c < p.stride_x; ++c) {
      uint16_t& out = x[size_t(r) * p.stride_x + c];
      if (c >= p.n) {  // padding: garbage that must not reach any block max
        out = encode16(format, huge);
        continue;
      }
      const uint32_t kind = (r + c / kBlock) % 9;
      const double scale = std::ldexp(1.0, small_exp(rng));
      switch (kind) {
        case 0: out = encode16(format, normal(rng) * scale); break;
        case 1: out = (c % 3 == 0) ? 0x8000 : 0; break;                                       // zeros and -0
        case 2: out = encode16(format, tiny * double(rng() % 64) * (rng() % 2 ? 1 : -1)); break;  // denormals
        case 3: out = encode16(format, huge * (c % 2 ? -1.0 : 1.0) * (c % 5 == 0 ? 1.0 : 0.01)); break;
        case 4: {  // exact ties and grid points of e2m1 after scaling by the block's scale (amax 6·2^e)
          static const double kGrid[] = {6.0, 0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5.0, 0.5, 3.0, 4.0, 1.5};
          out = encode16(format, kGrid[c % 12] * scale * (c % 4 == 1 ? -1.0 : 1.0));
          break;
        }
        case 5: out = (c % kBlock == 7) ? inf16(format, c % 2) : encode16(format, normal(rng)); break;
        case 6: out = (c % kBlock == 3) ? nan16(format) : encode16(format, normal(rng) * 4.0); break;
        case 7: out = nan16(format); break;                                                    // all NaN
        default: out = encode16(format, normal(rng) * 1e-30 * scale); break;                  // tiny normals
      }
    }
  }
  return x;
}

class QuantMxfp4 : public ::testing::Test {
 protected:
  void run(Session& s, const Variant& v, const Problem& p, uint32_t seed) {
    SCOPED_TRACE(testing::Message() << v.name << " m=" << p.m << " n=" << p.n << " strides " << p.stride_x << "/"
                                    << p.stride_y << "/" << p.stride_scale);
    const Format format = v.param_str("in_dtype") == "fp16" ? Format::fp16 : Format::bf16;
    const std::vector<uint16_t> x = make_input(format, p, seed);
    std::vector<uint8_t> y_ref(size_t(p.m) * p.stride_y, kSentinel);
    std::vector<uint8_t> scale_ref(size_t(p.m) * p.stride_scale, kSentinel);

    asmk::test::Buffer dx = s.upload(x);
    asmk::test::Buffer dy = s.upload(y_ref);
    asmk::test::Buffer dscale = s.upload(scale_ref);
    ASSERT_TRUE(s.launch(v.name,
                         {Arg::ptr("x", dx), Arg::ptr("y", dy), Arg::ptr("scale", dscale), Arg::u32("m", p.m),
                          Arg::u32("n", p.n), Arg::u32("stride_x", p.stride_x), Arg::u32("stride_y", p.stride_y),
                          Arg::u32("stride_scale", p.stride_scale)}));
    const std::vector<uint8_t> y = dy.download<uint8_t>();
    const std::vector<uint8_t> scale = dscale.download<uint8_t>();

    asmk::ref::QuantMxfp4Args r;
    r.in_format = format;
    r.x = x.data(); r.y = y_ref.data(); r.scale = scale_ref.data();
    r.m = p.m; r.n = p.n; r.stride_x = p.stride_x; r.stride_y = p.stride_y; r.stride_scale = p.stride_scale;
    const asmk::ref::Status status = asmk::ref::quant_mxfp4(r);
    ASSERT_TRUE(status.ok()) << status.error;

    size_t bad = 0;
    for (size_t i = 0; i < y.size(); ++i)
      if (y[i] != y_ref[i] && bad++ < 5)
        ADD_FAILURE() << "y row " << i / p.stride_y << " byte " << i % p.stride_y << ": got 0x" << std::hex
                      << int(y[i]) << " want 0x" << int(y_ref[i]);
    for (size_t i = 0; i < scale.size(); ++i)
      if (scale[i] != scale_ref[i] && bad++ < 10)
        ADD_FAILURE() << "scale row " << i / p.stride_scale << " block " << i % p.stride_scale << ": got "
                      << int(scale[i]) << " want " << int(scale_ref[i]);
    EXPECT_EQ(bad, 0u) << "bytes differing from the reference (padding included)";
  }
};

TEST_F(QuantMxfp4, EveryVariantMatchesTheReferenceBitForBit) {
  Session s("MI355X");
  ASSERT_TRUE(s.ok());
  const std::vector<Variant> variants = asmk::test::variants("gfx950", "quant_mxfp4");
  const Problem problems[] = {
      {1, 32, 32, 16, 1},          // one block
      {3, 96, 104, 52, 5},         // ragged rows, padded strides
      {17, 288, 300, 150, 11},     // 9 blocks per row, more rows than a small tile
      {2, 2080, 2080, 1040, 65},   // two column tiles of the wide variant
  };
  uint32_t seed = 1;
  for (const Variant& v : variants)
    for (const Problem& p : problems) run(s, v, p, seed++);
}

// Rows of x and y 64 MiB apart (tensors past 4 GiB): 32-bit row arithmetic anywhere would read or write
// the wrong rows. Only the rows' used parts are written (the emulator's memory is sparse).
TEST_F(QuantMxfp4, RowsPast4GiB) {
  Session s("MI355X");
  ASSERT_TRUE(s.ok());
  const uint32_t m = 70, n = 64, row_elems = 1u << 25;
  const Problem compact{m, n, n, n / 2, n / 32};
  for (const Variant& v : asmk::test::variants("gfx950", "quant_mxfp4")) {
    SCOPED_TRACE(v.name);
    const Format format = v.param_str("in_dtype") == "fp16" ? Format::fp16 : Format::bf16;
    const std::vector<uint16_t> x = make_input(format, compact, 5);
    std::vector<uint8_t> y_ref(size_t(m) * n / 2), scale_ref(size_t(m) * n / 32);
    asmk::ref::QuantMxfp4Args r;
    r.in_format = format;
    r.x = x.data(); r.y = y_ref.data(); r.scale = scale_ref.data();
    r.m = m; r.n = n; r.stride_x = n; r.stride_y = n / 2; r.stride_scale = n / 32;
    ASSERT_TRUE(asmk::ref::quant_mxfp4(r).ok());

    asmk_context* ctx = s.get();
    auto at = [](const asmk::test::Buffer& b, uint64_t offset) { return static_cast<char*>(b.get()) + offset; };
    asmk::test::Buffer dx = s.alloc(uint64_t(m - 1) * row_elems * 2 + n * 2);
    asmk::test::Buffer dy = s.alloc(uint64_t(m - 1) * row_elems + n / 2);
    asmk::test::Buffer dscale = s.alloc(uint64_t(m - 1) * row_elems + n / 32);
    for (uint32_t row = 0; row < m; ++row)
      ASSERT_EQ(asmk_memcpy(ctx, at(dx, uint64_t(row) * row_elems * 2), &x[size_t(row) * n], n * 2,
                            ASMK_COPY_HOST_TO_DEVICE), ASMK_SUCCESS) << asmk_last_error();
    ASSERT_TRUE(s.launch(v.name,
                         {Arg::ptr("x", dx), Arg::ptr("y", dy), Arg::ptr("scale", dscale), Arg::u32("m", m),
                          Arg::u32("n", n), Arg::u32("stride_x", row_elems), Arg::u32("stride_y", row_elems),
                          Arg::u32("stride_scale", row_elems)}));
    std::vector<uint8_t> y(y_ref.size()), scale(scale_ref.size());
    for (uint32_t row = 0; row < m; ++row) {
      ASSERT_EQ(asmk_memcpy(ctx, &y[size_t(row) * n / 2], at(dy, uint64_t(row) * row_elems), n / 2,
                            ASMK_COPY_DEVICE_TO_HOST), ASMK_SUCCESS) << asmk_last_error();
      ASSERT_EQ(asmk_memcpy(ctx, &scale[size_t(row) * n / 32], at(dscale, uint64_t(row) * row_elems), n / 32,
                            ASMK_COPY_DEVICE_TO_HOST), ASMK_SUCCESS) << asmk_last_error();
    }
    EXPECT_EQ(y, y_ref);
    EXPECT_EQ(scale, scale_ref);
  }
}

// The reference rule itself on the corners the kernel must reproduce (values from the OCP MX spec).
TEST(QuantMxfp4Rule, ScaleCodesFromTheSpec) {
  EXPECT_EQ(asmk::ref::mxfp4_scale_code(6.0f), 127);        // amax 6 -> scale 1
  EXPECT_EQ(asmk::ref::mxfp4_scale_code(7.9f), 127);        // floor(log2 7.9) = 2
  EXPECT_EQ(asmk::ref::mxfp4_scale_code(8.0f), 128);
  EXPECT_EQ(asmk::ref::mxfp4_scale_code(0.0f), 0);
  EXPECT_EQ(asmk::ref::mxfp4_scale_code(0x1p-126f), 0);     // clamped to 2^-127
  EXPECT_EQ(asmk::ref::mxfp4_scale_code(INFINITY), 254);
  EXPECT_EQ(asmk::ref::mxfp4_element(5.0f, 127), 0x6);      // tie 5 -> 4 (even)
  EXPECT_EQ(asmk::ref::mxfp4_element(-7.0f, 127), 0xF);     // saturates to -6
}

}  // namespace
