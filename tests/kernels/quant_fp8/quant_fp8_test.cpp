// quant_fp8 on the emulator, through the C ABI, against ref::quant_fp8: identical fp8 codes and
// scales (bit for bit), nothing written outside the tensors. Every generated variant runs by name;
// the selector path (asmk_quant_fp8) runs on a few shapes per device.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "asmk/ref/numeric.hpp"
#include "asmk/ref/quant.hpp"
#include "kernel_harness.hpp"

namespace {

using asmk::Arch;
using asmk::ref::Format;
using asmk::test::Arg;
using asmk::test::Buffer;
using asmk::test::Session;
using asmk::test::Variant;

constexpr uint8_t kSentinel = 0xCD;  // y's padding columns must keep it
constexpr uint32_t kGroup = 128;

struct Problem {
  uint32_t m, n, stride_x, stride_y;
};

// Inputs that exercise the arithmetic: ordinary values, a row of zeros, tiny (denormal in fp16,
// near-denormal in bf16) values, a row with one huge outlier, exact ties after scaling.
std::vector<uint16_t> make_input(Format format, const Problem& p, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.f, 1.f);
  std::vector<uint16_t> x(size_t(p.m) * p.stride_x, 0);
  auto encode = [&](float v) {
    return uint16_t(asmk::ref::encode(format, v, asmk::ref::Overflow::saturate));
  };
  for (uint32_t r = 0; r < p.m; ++r) {
    for (uint32_t c = 0; c < p.stride_x; ++c) {
      float v = normal(rng);
      switch (r % 5) {
        case 1: v = 0.f; break;                   // all-zero row: scale from the 2^-32 floor
        case 2: v *= 1e-6f; break;                // fp16 denormals, tiny bf16
        case 3: if (c == 7) v = 3e4f; break;      // one outlier sets the row's scale
        default: v *= 4.f; break;
      }
      // Padding columns hold garbage the kernel must not read into amax.
      x[size_t(r) * p.stride_x + c] = c < p.n ? encode(v) : encode(1e4f);
    }
  }
  return x;
}

// Runs one problem either by kernel name (grid from its launch rule) or through the
// selector (`kernel` empty), and checks codes, scales and untouched padding against the reference.
void check(Session& session, Arch arch, Format in_format, bool group, const Problem& p, uint32_t seed,
           const std::string& kernel = "") {
  SCOPED_TRACE(testing::Message() << (kernel.empty() ? "selected" : kernel) << " m=" << p.m << " n=" << p.n
                                  << " stride_x=" << p.stride_x << " stride_y=" << p.stride_y);
  const std::vector<uint16_t> x = make_input(in_format, p, seed);
  const size_t scale_count = group ? size_t(p.m) * (p.n / kGroup) : p.m;
  std::vector<uint8_t> y_init(size_t(p.m) * p.stride_y, kSentinel);
  std::vector<float> scale_init(scale_count + 1, -1.f);  // one extra: must stay untouched

  const Buffer dx = session.upload(x), dy = session.upload(y_init), dscale = session.upload(scale_init);
  if (!kernel.empty()) {
    ASSERT_TRUE(session.launch(kernel,
                               {Arg::ptr("x", dx), Arg::ptr("y", dy), Arg::ptr("scale", dscale), Arg::u32("m", p.m),
                                Arg::u32("n", p.n), Arg::u32("stride_x", p.stride_x),
                                Arg::u32("stride_y", p.stride_y)}));
  } else {
    asmk_quant_fp8_args a = ASMK_INIT(asmk_quant_fp8_args);
    a.m = p.m; a.n = p.n;
    a.in_dtype = in_format == Format::bf16 ? ASMK_DTYPE_BF16 : ASMK_DTYPE_FP16;
    a.granularity = group ? ASMK_QUANT_GROUP : ASMK_QUANT_ROW;
    a.stride_x = p.stride_x; a.stride_y = p.stride_y;
    a.x = dx.get(); a.y = dy.get(); a.scale = static_cast<float*>(dscale.get());
    a.x_bytes = dx.bytes(); a.y_bytes = dy.bytes(); a.scale_bytes = dscale.bytes();
    asmk_selection selection = ASMK_INIT(asmk_selection);
    ASSERT_EQ(asmk_quant_fp8(session.get(), &a, nullptr, &selection), ASMK_SUCCESS) << asmk_last_error();
    EXPECT_NE(std::string(selection.reason), "");
    ASSERT_EQ(asmk_synchronize(session.get(), nullptr), ASMK_SUCCESS) << asmk_last_error();
  }

  const std::vector<uint8_t> y = dy.download<uint8_t>();
  const std::vector<float> scale = dscale.download<float>();

  std::vector<uint8_t> y_ref = y_init;
  std::vector<float> scale_ref = scale_init;
  asmk::ref::QuantFp8Args r;
  r.arch = arch; r.in_format = in_format;
  r.granularity = group ? asmk::ref::QuantGranularity::group : asmk::ref::QuantGranularity::row;
  r.x = x.data(); r.y = y_ref.data(); r.scale = scale_ref.data();
  r.m = p.m; r.n = p.n; r.stride_x = p.stride_x; r.stride_y = p.stride_y;
  ASSERT_TRUE(asmk::ref::quant_fp8(r).ok());

  size_t bad_codes = 0, first_bad = SIZE_MAX;
  for (size_t i = 0; i < y.size(); ++i)
    if (y[i] != y_ref[i] && bad_codes++ == 0) first_bad = i;
  EXPECT_EQ(bad_codes, 0u) << "first mismatch at row " << first_bad / p.stride_y << " col " << first_bad % p.stride_y
                           << ": got 0x" << std::hex << int(y[first_bad]) << " want 0x" << int(y_ref[first_bad]);
  for (size_t i = 0; i < scale.size(); ++i)
    ASSERT_EQ(std::memcmp(&scale[i], &scale_ref[i], 4), 0) << "scale " << i << ": got " << scale[i] << " want "
                                                            << scale_ref[i];
}

Arch arch_of(const asmk::test::TestDevice& device) {
  return std::string(device.arch) == "gfx942" ? Arch::gfx942 : Arch::gfx950;
}

TEST(QuantFp8OnEmu, EveryVariantMatchesTheReference) {
  for (const auto& device : asmk::test::kTestDevices) {
    Session session(device.name);
    ASSERT_TRUE(session.ok());
    const std::vector<Variant> all = asmk::test::variants(device.arch, "quant_fp8");
    ASSERT_EQ(all.size(), 12u) << "expected 2 dtypes x 2 granularities x 3 n_per_wg for " << device.name;
    uint32_t seed = 1;
    for (const Variant& v : all) {
      const uint32_t n_per_wg = uint32_t(v.param_int("n_per_wg"));
      const Format in_format = v.param_str("in_dtype") == "fp16" ? Format::fp16 : Format::bf16;
      const bool group = v.param_str("granularity") == "group";
      // Ragged shapes: one group, a partial last step, several steps, and padded strides; the row
      // variants' loads go 4 steps at a time (ROW_UNROLL): 5 steps, the last partial, take a second
      // iteration whose later steps lie past N.
      const Problem problems[] = {
          {1, 128, 128, 128},
          {5, n_per_wg + 128, n_per_wg + 136, n_per_wg + 160},
          {3, 2 * n_per_wg, 2 * n_per_wg, 2 * n_per_wg + 4},
          {2, 4 * n_per_wg + 256, 4 * n_per_wg + 264, 4 * n_per_wg + 256},
      };
      for (const Problem& p : problems) check(session, arch_of(device), in_format, group, p, seed++, v.name);
    }
  }
}

TEST(QuantFp8OnEmu, SelectedKernelMatchesTheReference) {
  for (const auto& device : asmk::test::kTestDevices) {
    Session session(device.name);
    ASSERT_TRUE(session.ok());
    const Problem problems[] = {{17, 7168, 7168, 7168}, {2, 384, 384, 384}, {1, 2048, 2176, 2048}};
    uint32_t seed = 100;
    for (const Problem& p : problems)
      for (Format f : {Format::bf16, Format::fp16})
        for (bool group : {false, true}) check(session, arch_of(device), f, group, p, seed++);
  }
}

}  // namespace
