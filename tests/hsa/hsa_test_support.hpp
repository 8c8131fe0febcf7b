// What the HSA backend tests share: environment settings scoped to a test, contexts opened on
// the emulator-backed HSA runtime (emu/hsa_runtime), and a quant_fp8 launch whose expected output
// follows from the kernel contract (docs/contracts.md) by hand.
//
// The quant_fp8 check: row r of x holds (r + 1) in column 0 and (r + 1) / 2 elsewhere (exact in
// bf16). On gfx942 (e4m3fnuz, FP8_MAX 240): amax = r + 1, scale = (r + 1) / 240 (fp32 division),
// y[r][0] = 240 = code 0x7F (exponent 1111, mantissa 111: 2^7 * 1.875) and the rest 120 = code 0x77
// (2^6 * 1.875); x * inv is within an ulp of 240 / 120, far from the neighbouring codes.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "asmk.h"

namespace asmk::hsa_test {

inline std::string hsaco_dir() {
  if (const char* dir = std::getenv("ASMK_HSACO_DIR"); dir != nullptr && *dir != '\0') return dir;
  return ASMK_HSACO_DIR;
}

// Sets environment variables for the life of the object (nullptr unsets), then restores them.
class ScopedEnvironment {
 public:
  ScopedEnvironment(std::initializer_list<std::pair<const char*, const char*>> settings) {
    for (const auto& [name, value] : settings) {
      const char* old = std::getenv(name);
      saved_.emplace(name, old ? std::optional<std::string>(old) : std::nullopt);
      if (value != nullptr) ::setenv(name, value, 1);
      else ::unsetenv(name);
    }
  }
  ~ScopedEnvironment() {
    for (const auto& [name, value] : saved_) {
      if (value) ::setenv(name.c_str(), value->c_str(), 1);
      else ::unsetenv(name.c_str());
    }
  }

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

// Every test starts from the emulator-backed runtime with one gfx942 agent (304 CUs) and nothing
// else set; a test changes what it needs with its own ScopedEnvironment.
class HsaTest : public ::testing::Test {
 protected:
  ScopedEnvironment base_{{"ASMK_HSA_LIBRARY", ASMK_HSA_EMU_LIBRARY},
                          {"ASMK_BACKEND", nullptr},
                          {"ASMK_HSA_EMU_ARCH", "gfx942"},
                          {"ASMK_HSA_EMU_CUS", nullptr},
                          {"ASMK_HSA_EMU_STALL", nullptr},
                          {"ASMK_HSA_QUEUE_SIZE", nullptr},
                          {"ASMK_HSA_TIMEOUT_MS", "20000"},
                          {"ASMK_HSA_PROFILE", nullptr},
                          {"ASMK_EMU_STRICT", "1"}};
};

struct Opened {
  asmk_status status = ASMK_SUCCESS;
  std::string message;
  asmk_context* context = nullptr;
  ~Opened() { asmk_close(context); }
  std::string backend() const {
    const char* name = nullptr;
    return context != nullptr && asmk_backend_name(context, &name) == ASMK_SUCCESS ? name : "";
  }
};

// Opens the test repository with `backend` (nullptr: ASMK_BACKEND decides) and `device` (nullptr: none).
inline void open(Opened& out, const char* backend, const char* device = nullptr, std::string repository = "") {
  asmk_open_options options;
  asmk_open_options_init(&options);
  options.backend = backend;
  options.device = device;
  out.status = asmk_open((repository.empty() ? hsaco_dir() : repository).c_str(), &options, &out.context);
  out.message = asmk_last_error();
}

inline constexpr const char* kKernel = "quant_fp8_gfx942_bf16_row_n512";
inline constexpr std::uint32_t kN = 512;

inline std::uint16_t bf16_of(float value) {
  std::uint32_t bits;
  std::memcpy(&bits, &value, 4);
  return static_cast<std::uint16_t>(bits >> 16);  // exact for integers up to 256 and their halves
}

// x for `rows` rows starting at row value `first` (see the top of this file); first + rows <= 256 keeps
// every value exact in bf16.
inline std::vector<std::uint16_t> quant_input(std::uint32_t rows, std::uint32_t first = 1) {
  EXPECT_LE(first + rows, 257u) << "row values past 256 are not exact in bf16";
  std::vector<std::uint16_t> x(std::size_t(rows) * kN);
  for (std::uint32_t r = 0; r < rows; ++r)
    for (std::uint32_t c = 0; c < kN; ++c)
      x[std::size_t(r) * kN + c] = bf16_of(c == 0 ? float(first + r) : float(first + r) / 2.0f);
  return x;
}

// Checks y and scale against the contract for input quant_input(rows, first).
inline ::testing::AssertionResult quant_output_is_right(const std::vector<std::uint8_t>& y,
                                                       const std::vector<float>& scale, std::uint32_t rows,
                                                       std::uint32_t first = 1) {
  for (std::uint32_t r = 0; r < rows; ++r) {
    const float expected_scale = float(first + r) / 240.0f;
    if (scale[r] != expected_scale)
      return ::testing::AssertionFailure() << "scale[" << r << "] = " << scale[r] << ", expected " << expected_scale;
    for (std::uint32_t c = 0; c < kN; ++c) {
      const std::uint8_t expected = c == 0 ? 0x7F : 0x77;
      if (y[std::size_t(r) * kN + c] != expected)
        return ::testing::AssertionFailure() << "y[" << r << "][" << c << "] = 0x" << std::hex
                                             << int(y[std::size_t(r) * kN + c]) << ", expected 0x" << int(expected);
    }
  }
  return ::testing::AssertionSuccess();
}

// Launches kKernel on x, y, scale (pointers the kernel uses) for `rows` rows on `stream`.
inline asmk_status launch_quant(asmk_context* ctx, const void* x, void* y, void* scale, std::uint32_t rows,
                                asmk_stream stream = nullptr) {
  asmk_kernarg_value args[7] = {};
  const char* names[7] = {"x", "y", "scale", "m", "n", "stride_x", "stride_y"};
  for (int i = 0; i < 7; ++i) args[i].name = names[i];
  for (int i = 0; i < 3; ++i) args[i].type = ASMK_VALUE_POINTER;
  for (int i = 3; i < 7; ++i) args[i].type = ASMK_VALUE_U32;
  args[0].value.pointer = x;
  args[1].value.pointer = y;
  args[2].value.pointer = scale;
  args[3].value.u32 = rows;
  args[4].value.u32 = kN;
  args[5].value.u32 = kN;
  args[6].value.u32 = kN;
  return asmk_launch_kernel(ctx, kKernel, asmk_dim3{1, rows, 1}, asmk_dim3{256, 1, 1}, args, 7, stream);
}

// Device buffers for one quant_fp8 problem of `rows` rows, x uploaded from quant_input(rows, first).
struct QuantBuffers {
  asmk_context* ctx = nullptr;
  std::uint32_t rows = 0, first = 1;
  void *x = nullptr, *y = nullptr, *scale = nullptr;

  QuantBuffers(asmk_context* c, std::uint32_t r, std::uint32_t f = 1) : ctx(c), rows(r), first(f) {
    const auto host = quant_input(rows, first);
    EXPECT_EQ(asmk_malloc(ctx, host.size() * 2, &x), ASMK_SUCCESS) << asmk_last_error();
    EXPECT_EQ(asmk_malloc(ctx, host.size(), &y), ASMK_SUCCESS) << asmk_last_error();
    EXPECT_EQ(asmk_malloc(ctx, rows * 4, &scale), ASMK_SUCCESS) << asmk_last_error();
    EXPECT_EQ(asmk_memcpy(ctx, x, host.data(), host.size() * 2, ASMK_COPY_HOST_TO_DEVICE), ASMK_SUCCESS)
        << asmk_last_error();
  }
  ~QuantBuffers() {
    asmk_free(ctx, x);
    asmk_free(ctx, y);
    asmk_free(ctx, scale);
  }
  asmk_status launch(asmk_stream stream = nullptr) const { return launch_quant(ctx, x, y, scale, rows, stream); }
  // The same problem through the op (selector, selection cache, prepared kernargs).
  asmk_status launch_op(asmk_stream stream = nullptr) const {
    asmk_quant_fp8_args a = ASMK_INIT(asmk_quant_fp8_args);
    a.m = rows, a.n = kN, a.in_dtype = ASMK_DTYPE_BF16, a.granularity = ASMK_QUANT_ROW;
    a.x = x, a.y = y, a.scale = static_cast<float*>(scale);
    a.x_bytes = std::size_t(rows) * kN * 2, a.y_bytes = std::size_t(rows) * kN, a.scale_bytes = rows * 4;
    return asmk_quant_fp8(ctx, &a, stream, nullptr);
  }
  ::testing::AssertionResult output_is_right() const {
    std::vector<std::uint8_t> host_y(std::size_t(rows) * kN);
    std::vector<float> host_scale(rows);
    if (asmk_memcpy(ctx, host_y.data(), y, host_y.size(), ASMK_COPY_DEVICE_TO_HOST) != ASMK_SUCCESS ||
        asmk_memcpy(ctx, host_scale.data(), scale, rows * 4, ASMK_COPY_DEVICE_TO_HOST) != ASMK_SUCCESS)
      return ::testing::AssertionFailure() << "download: " << asmk_last_error();
    return quant_output_is_right(host_y, host_scale, rows, first);
  }
};

inline bool mentions(const std::string& message, const std::string& part) {
  return message.find(part) != std::string::npos;
}

}  // namespace asmk::hsa_test
