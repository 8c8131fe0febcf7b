// libasmk's "emu" backend through the C ABI: device memory and its bounds, registered host
// memory, and the error paths of a launch (a fault becomes ASMK_ERROR_KERNEL_FAULT naming the
// kernel and the address; an unreadable code object; freeing what is not an allocation).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "asmk.h"
#include "asmk/ref/quant.hpp"

namespace {

namespace fs = std::filesystem;

const std::string kHsaco = ASMK_HSACO_DIR;

struct Closer {
  void operator()(asmk_context* c) const { asmk_close(c); }
};
using Context = std::unique_ptr<asmk_context, Closer>;

Context open_emu(const std::string& repo = kHsaco, const char* device = "MI300X") {
  asmk_open_options options;
  asmk_open_options_init(&options);
  options.device = device;
  asmk_context* ctx = nullptr;
  EXPECT_EQ(asmk_open(repo.c_str(), &options, &ctx), ASMK_SUCCESS) << asmk_last_error();
  return Context(ctx);
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// quant_fp8_gfx942_bf16_row_n512 on one row of 512 values.
asmk_status launch_row_quant(asmk_context* ctx, const void* x, void* y, void* scale) {
  asmk_kernarg_value args[7] = {};
  const char* names[] = {"x", "y", "scale", "m", "n", "stride_x", "stride_y"};
  for (int i = 0; i < 7; ++i) {
    args[i].name = names[i];
    args[i].type = i < 3 ? ASMK_VALUE_POINTER : ASMK_VALUE_U32;
  }
  args[0].value.pointer = x;
  args[1].value.pointer = y;
  args[2].value.pointer = scale;
  args[3].value.u32 = 1;
  for (int i = 4; i < 7; ++i) args[i].value.u32 = 512;
  return asmk_launch_kernel(ctx, "quant_fp8_gfx942_bf16_row_n512", asmk_dim3{1, 1, 1}, asmk_dim3{256, 1, 1}, args, 7,
                            nullptr);
}

TEST(EmuBackend, IsTheDefault) {
  auto ctx = open_emu();
  const char* name = nullptr;
  ASSERT_EQ(asmk_backend_name(ctx.get(), &name), ASMK_SUCCESS);
  EXPECT_STREQ(name, "emu");
}

TEST(EmuBackend, MemoryIsBoundsChecked) {
  auto ctx = open_emu();
  void* p = nullptr;
  ASSERT_EQ(asmk_malloc(ctx.get(), 100, &p), ASMK_SUCCESS);
  std::vector<std::uint8_t> host(200, 7), back(100, 0);
  EXPECT_EQ(asmk_memcpy(ctx.get(), p, host.data(), 100, ASMK_COPY_HOST_TO_DEVICE), ASMK_SUCCESS);
  EXPECT_EQ(asmk_memcpy(ctx.get(), back.data(), p, 100, ASMK_COPY_DEVICE_TO_HOST), ASMK_SUCCESS);
  EXPECT_EQ(back, std::vector<std::uint8_t>(100, 7));
  // One byte too many, or starting inside and running past the end.
  EXPECT_EQ(asmk_memcpy(ctx.get(), p, host.data(), 101, ASMK_COPY_HOST_TO_DEVICE), ASMK_ERROR_BUFFER_TOO_SMALL);
  EXPECT_TRUE(contains(asmk_last_error(), "has 100 bytes left in its allocation, 101 asked")) << asmk_last_error();
  EXPECT_EQ(asmk_memcpy(ctx.get(), back.data(), static_cast<char*>(p) + 90, 20, ASMK_COPY_DEVICE_TO_HOST),
            ASMK_ERROR_BUFFER_TOO_SMALL);
  // A host pointer is not device memory.
  EXPECT_EQ(asmk_memcpy(ctx.get(), host.data(), back.data(), 4, ASMK_COPY_DEVICE_TO_DEVICE), ASMK_ERROR_BACKEND);
  EXPECT_TRUE(contains(asmk_last_error(), "is not memory of this context")) << asmk_last_error();
  EXPECT_EQ(asmk_free(ctx.get(), p), ASMK_SUCCESS);
  // Freed memory is gone; freeing it again, or an interior or foreign pointer, is refused.
  EXPECT_EQ(asmk_memcpy(ctx.get(), p, host.data(), 1, ASMK_COPY_HOST_TO_DEVICE), ASMK_ERROR_BACKEND);
  EXPECT_EQ(asmk_free(ctx.get(), p), ASMK_ERROR_BACKEND);
  EXPECT_TRUE(contains(asmk_last_error(), "not the start of an allocation of this context")) << asmk_last_error();
  EXPECT_EQ(asmk_free(ctx.get(), host.data()), ASMK_ERROR_BACKEND);
  EXPECT_EQ(asmk_malloc(ctx.get(), 0, &p), ASMK_ERROR_INVALID_ARGUMENT);
}

TEST(EmuBackend, RegisteredHostMemoryRunsAKernel) {
  auto ctx = open_emu();
  std::vector<std::uint16_t> x(512);
  for (std::size_t i = 0; i < x.size(); ++i)
    x[i] = std::uint16_t(asmk::ref::encode(asmk::ref::Format::bf16, float(i) - 200.5f, asmk::ref::Overflow::saturate));
  std::vector<std::uint8_t> y(512, 0xCD);
  float scale = -1.f;
  void *dx = nullptr, *dy = nullptr, *dscale = nullptr;
  ASSERT_EQ(asmk_register_host(ctx.get(), x.data(), x.size() * 2, &dx), ASMK_SUCCESS) << asmk_last_error();
  ASSERT_EQ(asmk_register_host(ctx.get(), y.data(), y.size(), &dy), ASMK_SUCCESS);
  ASSERT_EQ(asmk_register_host(ctx.get(), &scale, sizeof scale, &dscale), ASMK_SUCCESS);
  void* again = nullptr;
  EXPECT_EQ(asmk_register_host(ctx.get(), &scale, sizeof scale, &again), ASMK_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(asmk_last_error(), "already registered")) << asmk_last_error();
  ASSERT_EQ(launch_row_quant(ctx.get(), dx, dy, dscale), ASMK_SUCCESS) << asmk_last_error();
  ASSERT_EQ(asmk_synchronize(ctx.get(), nullptr), ASMK_SUCCESS);

  std::vector<std::uint8_t> y_ref(512);
  float scale_ref = 0;
  asmk::ref::QuantFp8Args r;
  r.arch = asmk::Arch::gfx942;
  r.x = x.data();
  r.y = y_ref.data();
  r.scale = &scale_ref;
  r.m = 1, r.n = 512, r.stride_x = 512, r.stride_y = 512;
  ASSERT_TRUE(asmk::ref::quant_fp8(r).ok());
  EXPECT_EQ(y, y_ref);  // written straight into the caller's memory
  EXPECT_EQ(std::memcmp(&scale, &scale_ref, 4), 0);

  EXPECT_EQ(asmk_free(ctx.get(), dy), ASMK_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(asmk_last_error(), "asmk_unregister_host")) << asmk_last_error();
  EXPECT_EQ(asmk_unregister_host(ctx.get(), y.data()), ASMK_SUCCESS);
  EXPECT_EQ(asmk_unregister_host(ctx.get(), y.data()), ASMK_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(asmk_unregister_host(ctx.get(), x.data()), ASMK_SUCCESS);
  EXPECT_EQ(asmk_unregister_host(ctx.get(), &scale), ASMK_SUCCESS);
  EXPECT_EQ(asmk_register_host(ctx.get(), nullptr, 4, &dx), ASMK_ERROR_NULL_BUFFER);
}

TEST(EmuBackend, AFaultBecomesAStatusNamingKernelAndAddress) {
  auto ctx = open_emu();
  void *x = nullptr, *scale = nullptr;
  ASSERT_EQ(asmk_malloc(ctx.get(), 1024, &x), ASMK_SUCCESS);
  ASSERT_EQ(asmk_malloc(ctx.get(), 4, &scale), ASMK_SUCCESS);
  void* nowhere = reinterpret_cast<void*>(std::uintptr_t{0x5000});  // no allocation there
  const asmk_status status = launch_row_quant(ctx.get(), x, nowhere, scale);
  const std::string message = asmk_last_error();
  EXPECT_EQ(status, ASMK_ERROR_KERNEL_FAULT) << message;
  EXPECT_STREQ(asmk_status_string(ASMK_ERROR_KERNEL_FAULT), "ASMK_ERROR_KERNEL_FAULT");
  EXPECT_TRUE(contains(message, "kernel quant_fp8_gfx942_bf16_row_n512 faulted on the emulator")) << message;
  EXPECT_TRUE(contains(message, "workgroup (0,0,0) wave ")) << message;
  EXPECT_TRUE(contains(message, " lane ")) << message;
  EXPECT_TRUE(contains(message, " pc 0x")) << message;
  EXPECT_TRUE(contains(message, "address 0x50")) << message;  // the store lands at y + column
  // The context stays usable: the same kernel with a real y runs.
  void* y = nullptr;
  ASSERT_EQ(asmk_malloc(ctx.get(), 512, &y), ASMK_SUCCESS);
  EXPECT_EQ(launch_row_quant(ctx.get(), x, y, scale), ASMK_SUCCESS) << asmk_last_error();
}

// Issue 17: a context's launches have an instruction budget (ASMK_EMU_MAX_INSTRUCTIONS, read when the
// context opens); past it the launch is a fault naming the wave and PC.
TEST(EmuBackend, InstructionBudgetFromTheEnvironment) {
  ::setenv("ASMK_EMU_MAX_INSTRUCTIONS", "64", 1);
  auto ctx = open_emu();
  ::unsetenv("ASMK_EMU_MAX_INSTRUCTIONS");
  void *x = nullptr, *y = nullptr, *scale = nullptr;
  ASSERT_EQ(asmk_malloc(ctx.get(), 1024, &x), ASMK_SUCCESS);
  ASSERT_EQ(asmk_malloc(ctx.get(), 512, &y), ASMK_SUCCESS);
  ASSERT_EQ(asmk_malloc(ctx.get(), 4, &scale), ASMK_SUCCESS);
  EXPECT_EQ(launch_row_quant(ctx.get(), x, y, scale), ASMK_ERROR_KERNEL_FAULT);
  const std::string message = asmk_last_error();
  EXPECT_TRUE(contains(message, "runaway: kernel quant_fp8_gfx942_bf16_row_n512 workgroup (0,0,0) wave ")) << message;
  EXPECT_TRUE(contains(message, " pc 0x")) << message;
  EXPECT_TRUE(contains(message, "the launch exceeded its budget of 64 wave-instructions")) << message;
  // A context opened without the variable runs the same launch.
  auto unbounded = open_emu();
  ASSERT_EQ(asmk_malloc(unbounded.get(), 1024, &x), ASMK_SUCCESS);
  ASSERT_EQ(asmk_malloc(unbounded.get(), 512, &y), ASMK_SUCCESS);
  ASSERT_EQ(asmk_malloc(unbounded.get(), 4, &scale), ASMK_SUCCESS);
  EXPECT_EQ(launch_row_quant(unbounded.get(), x, y, scale), ASMK_SUCCESS) << asmk_last_error();

  ::setenv("ASMK_EMU_MAX_INSTRUCTIONS", "many", 1);
  asmk_open_options options;
  asmk_open_options_init(&options);
  asmk_context* refused = nullptr;
  EXPECT_EQ(asmk_open(kHsaco.c_str(), &options, &refused), ASMK_ERROR_INVALID_ARGUMENT);
  ::unsetenv("ASMK_EMU_MAX_INSTRUCTIONS");
  EXPECT_TRUE(contains(asmk_last_error(), "ASMK_EMU_MAX_INSTRUCTIONS='many' is not an instruction count"))
      << asmk_last_error();
  if (refused != nullptr) asmk_close(refused);
}

TEST(EmuBackend, AnUnreadableCodeObjectIsNamed) {
  // A copy of the gfx942 manifest with one code object cut short.
  const fs::path repo = fs::temp_directory_path() / ("asmk_emu_backend_test_" + std::to_string(::getpid()));
  fs::remove_all(repo);
  fs::create_directories(repo / "gfx942" / "quant_fp8");
  fs::copy_file(kHsaco + "/gfx942/manifest.json", repo / "gfx942" / "manifest.json");
  {
    std::ofstream out(repo / "gfx942" / "quant_fp8" / "quant_fp8_gfx942_bf16_row_n512.co", std::ios::binary);
    out << "\x7f" "ELF";
  }
  {
    auto ctx = open_emu(repo.string());
    void *x = nullptr, *y = nullptr, *scale = nullptr;
    ASSERT_EQ(asmk_malloc(ctx.get(), 1024, &x), ASMK_SUCCESS);
    ASSERT_EQ(asmk_malloc(ctx.get(), 512, &y), ASMK_SUCCESS);
    ASSERT_EQ(asmk_malloc(ctx.get(), 4, &scale), ASMK_SUCCESS);
    EXPECT_EQ(launch_row_quant(ctx.get(), x, y, scale), ASMK_ERROR_MISSING_CODE_OBJECT);
    const std::string message = asmk_last_error();
    EXPECT_TRUE(contains(message, "kernel quant_fp8_gfx942_bf16_row_n512: the emulator cannot load its code object"))
        << message;
    EXPECT_TRUE(contains(message, "quant_fp8_gfx942_bf16_row_n512.co")) << message;
  }
  fs::remove_all(repo);
}

TEST(EmuBackend, OpPreChecksUseTheBackendsAllocationSizes) {
  auto ctx = open_emu();
  void *x = nullptr, *y = nullptr, *scale = nullptr;
  ASSERT_EQ(asmk_malloc(ctx.get(), 2 * 1024, &x), ASMK_SUCCESS);
  ASSERT_EQ(asmk_malloc(ctx.get(), 1024, &y), ASMK_SUCCESS);
  ASSERT_EQ(asmk_malloc(ctx.get(), 4, &scale), ASMK_SUCCESS);  // a group quantization needs 8 scales
  asmk_quant_fp8_args a{sizeof(asmk_quant_fp8_args)};
  a.m = 1, a.n = 1024, a.in_dtype = ASMK_DTYPE_BF16, a.granularity = ASMK_QUANT_GROUP;
  a.x = x, a.y = y, a.scale = static_cast<float*>(scale);
  EXPECT_EQ(asmk_quant_fp8(ctx.get(), &a, nullptr, nullptr), ASMK_ERROR_BUFFER_TOO_SMALL);
  EXPECT_TRUE(contains(asmk_last_error(), "scale")) << asmk_last_error();
}

}  // namespace
