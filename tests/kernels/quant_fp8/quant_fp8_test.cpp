// quant_fp8 on the emulator, through the C ABI, against ref::quant_fp8: identical fp8 codes and
// scales (bit for bit), nothing written outside the tensors. Every generated variant runs by name;
// the selector path (asmk_quant_fp8) runs on a few shapes per device.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "asmk.h"
#include "asmk/ref/numeric.hpp"
#include "asmk/ref/quant.hpp"

namespace {

using asmk::Arch;
using asmk::ref::Format;

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

struct Device {
  const char* name;
  Arch arch;
};
const Device kDevices[] = {{"MI300X", Arch::gfx942}, {"MI355X", Arch::gfx950}};

class QuantFp8OnEmu : public ::testing::Test {
 protected:
  asmk_context* open(const char* device) {
    asmk_open_options options;
    asmk_open_options_init(&options);
    options.device = device;
    options.backend = NULL;  // ASMK_BACKEND decides (the emulator by default)
    asmk_context* ctx = nullptr;
    EXPECT_EQ(asmk_open(ASMK_HSACO_DIR, &options, &ctx), ASMK_SUCCESS) << asmk_last_error();
    return ctx;
  }

  template <class T>
  void* upload(asmk_context* ctx, const std::vector<T>& host) {
    void* dev = nullptr;
    EXPECT_EQ(asmk_malloc(ctx, host.size() * sizeof(T), &dev), ASMK_SUCCESS) << asmk_last_error();
    EXPECT_EQ(asmk_memcpy(ctx, dev, host.data(), host.size() * sizeof(T), ASMK_COPY_HOST_TO_DEVICE), ASMK_SUCCESS)
        << asmk_last_error();
    return dev;
  }
  template <class T>
  std::vector<T> download(asmk_context* ctx, const void* dev, size_t count) {
    std::vector<T> host(count);
    EXPECT_EQ(asmk_memcpy(ctx, host.data(), dev, count * sizeof(T), ASMK_COPY_DEVICE_TO_HOST), ASMK_SUCCESS)
        << asmk_last_error();
    return host;
  }

  // Runs one problem either by kernel name (grid per the contract) or through the selector, and
  // checks codes, scales and untouched padding against the reference.
  void check(asmk_context* ctx, Arch arch, Format in_format, bool group, const Problem& p, uint32_t seed,
             const char* kernel_name) {
    SCOPED_TRACE(testing::Message() << (kernel_name ? kernel_name : "selected") << " m=" << p.m << " n=" << p.n
                                    << " stride_x=" << p.stride_x << " stride_y=" << p.stride_y);
    const std::vector<uint16_t> x = make_input(in_format, p, seed);
    const size_t scale_count = group ? size_t(p.m) * (p.n / kGroup) : p.m;
    std::vector<uint8_t> y_init(size_t(p.m) * p.stride_y, kSentinel);
    std::vector<float> scale_init(scale_count + 1, -1.f);  // one extra: must stay untouched

    void* dx = upload(ctx, x);
    void* dy = upload(ctx, y_init);
    void* dscale = upload(ctx, scale_init);

    if (kernel_name) {
      const uint32_t n_per_wg = n_per_wg_of(ctx, kernel_name);
      const asmk_dim3 grid{group ? (p.n + n_per_wg - 1) / n_per_wg : 1u, p.m, 1};
      asmk_kernarg_value args[7] = {};
      args[0] = {"x", ASMK_VALUE_POINTER, {}}; args[0].value.pointer = dx;
      args[1] = {"y", ASMK_VALUE_POINTER, {}}; args[1].value.pointer = dy;
      args[2] = {"scale", ASMK_VALUE_POINTER, {}}; args[2].value.pointer = dscale;
      args[3] = {"m", ASMK_VALUE_U32, {}}; args[3].value.u32 = p.m;
      args[4] = {"n", ASMK_VALUE_U32, {}}; args[4].value.u32 = p.n;
      args[5] = {"stride_x", ASMK_VALUE_U32, {}}; args[5].value.u32 = p.stride_x;
      args[6] = {"stride_y", ASMK_VALUE_U32, {}}; args[6].value.u32 = p.stride_y;
      ASSERT_EQ(asmk_launch_kernel(ctx, kernel_name, grid, asmk_dim3{256, 1, 1}, args, 7, nullptr), ASMK_SUCCESS)
          << asmk_last_error();
    } else {
      asmk_quant_fp8_args a{};
      a.m = p.m; a.n = p.n;
      a.in_dtype = in_format == Format::bf16 ? ASMK_DTYPE_BF16 : ASMK_DTYPE_FP16;
      a.granularity = group ? ASMK_QUANT_GROUP : ASMK_QUANT_ROW;
      a.stride_x = p.stride_x; a.stride_y = p.stride_y;
      a.x = dx; a.y = dy; a.scale = static_cast<float*>(dscale);
      a.x_bytes = x.size() * 2; a.y_bytes = y_init.size(); a.scale_bytes = scale_init.size() * 4;
      asmk_selection selection{};
      ASSERT_EQ(asmk_quant_fp8(ctx, &a, nullptr, &selection), ASMK_SUCCESS) << asmk_last_error();
      EXPECT_NE(std::string(selection.reason), "");
    }
    ASSERT_EQ(asmk_synchronize(ctx, nullptr), ASMK_SUCCESS) << asmk_last_error();

    std::vector<uint8_t> y = download<uint8_t>(ctx, dy, y_init.size());
    std::vector<float> scale = download<float>(ctx, dscale, scale_init.size());

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

    EXPECT_EQ(asmk_free(ctx, dx), ASMK_SUCCESS);
    EXPECT_EQ(asmk_free(ctx, dy), ASMK_SUCCESS);
    EXPECT_EQ(asmk_free(ctx, dscale), ASMK_SUCCESS);
  }

  static uint32_t n_per_wg_of(asmk_context* ctx, const char* name) {
    const asmk_kernel* kernel = nullptr;
    if (asmk_find_kernel(ctx, name, &kernel) != ASMK_SUCCESS) return 0;
    asmk_kernel_info info{};
    asmk_kernel_get_info(kernel, &info);
    for (size_t i = 0; i < info.param_count; ++i) {
      asmk_param param{};
      asmk_kernel_param_at(kernel, i, &param);
      if (std::string(param.name) == "n_per_wg") return uint32_t(param.int_value);
    }
    return 0;
  }

  // Every quant_fp8 kernel of the context's arch, with its parameters.
  struct Variant {
    std::string name;
    Format in_format;
    bool group;
    uint32_t n_per_wg;
  };
  static std::vector<Variant> variants(asmk_context* ctx, const char* arch) {
    std::vector<Variant> out;
    size_t count = 0;
    asmk_kernel_count(ctx, &count);
    for (size_t i = 0; i < count; ++i) {
      const asmk_kernel* kernel = nullptr;
      asmk_kernel_at(ctx, i, &kernel);
      asmk_kernel_info info{};
      asmk_kernel_get_info(kernel, &info);
      if (std::string(info.family) != "quant_fp8" || std::string(info.arch) != arch) continue;
      Variant v{info.name, Format::bf16, false, 0};
      for (size_t j = 0; j < info.param_count; ++j) {
        asmk_param param{};
        asmk_kernel_param_at(kernel, j, &param);
        const std::string key = param.name;
        if (key == "in_dtype") v.in_format = std::string(param.string_value) == "fp16" ? Format::fp16 : Format::bf16;
        if (key == "granularity") v.group = std::string(param.string_value) == "group";
        if (key == "n_per_wg") v.n_per_wg = uint32_t(param.int_value);
      }
      out.push_back(v);
    }
    return out;
  }
};

TEST_F(QuantFp8OnEmu, EveryVariantMatchesTheReference) {
  for (const Device& device : kDevices) {
    asmk_context* ctx = open(device.name);
    ASSERT_NE(ctx, nullptr);
    const std::vector<Variant> all = variants(ctx, device.arch == Arch::gfx942 ? "gfx942" : "gfx950");
    ASSERT_EQ(all.size(), 12u) << "expected 2 dtypes x 2 granularities x 3 n_per_wg for " << device.name;
    uint32_t seed = 1;
    for (const Variant& v : all) {
      // Ragged shapes: one group, a partial last step, several steps, and padded strides.
      const Problem problems[] = {
          {1, 128, 128, 128},
          {5, v.n_per_wg + 128, v.n_per_wg + 136, v.n_per_wg + 160},
          {3, 2 * v.n_per_wg, 2 * v.n_per_wg, 2 * v.n_per_wg + 4},
      };
      for (const Problem& p : problems) check(ctx, device.arch, v.in_format, v.group, p, seed++, v.name.c_str());
    }
    asmk_close(ctx);
  }
}

TEST_F(QuantFp8OnEmu, SelectedKernelMatchesTheReference) {
  for (const Device& device : kDevices) {
    asmk_context* ctx = open(device.name);
    ASSERT_NE(ctx, nullptr);
    const Problem problems[] = {{17, 7168, 7168, 7168}, {2, 384, 384, 384}, {1, 2048, 2176, 2048}};
    uint32_t seed = 100;
    for (const Problem& p : problems)
      for (Format f : {Format::bf16, Format::fp16})
        for (bool group : {false, true}) check(ctx, device.arch, f, group, p, seed++, nullptr);
    asmk_close(ctx);
  }
}

}  // namespace
