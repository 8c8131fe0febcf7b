// The C ABI's own duties: opening, listing, finding, launching by name, memory, and that every
// refusal returns its status with a message naming what was asked and what exists — and
// launches nothing.
#include <cstdlib>
#include <cstdint>
#include <cstring>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "support.hpp"

namespace asmk {
namespace {

using test::mentions;
using test::outcome;

TEST(CApi, OpenDescribeClose) {
  auto ctx = test::open_fixture("MI308X");
  asmk_device_info dev{};
  ASSERT_EQ(asmk_device_get(ctx.get(), &dev), ASMK_SUCCESS);
  EXPECT_STREQ(dev.name, "MI308X");
  EXPECT_STREQ(dev.arch, "gfx942");
  EXPECT_EQ(dev.compute_units, 80u);
  EXPECT_STREQ(dev.fp8_format, "e4m3fnuz");
  size_t arches = 0;
  ASSERT_EQ(asmk_arch_count(ctx.get(), &arches), ASMK_SUCCESS);
  ASSERT_EQ(arches, 2u);
  const char* arch = nullptr;
  ASSERT_EQ(asmk_arch_at(ctx.get(), 1, &arch), ASMK_SUCCESS);
  EXPECT_STREQ(arch, "gfx950");
  const char* backend = nullptr;
  ASSERT_EQ(asmk_backend_name(ctx.get(), &backend), ASMK_SUCCESS);
  EXPECT_STREQ(backend, "record");
  EXPECT_STREQ(asmk_last_error(), "");
  asmk_close(nullptr);  // allowed
}

TEST(CApi, TheEmulatorIsTheDefaultBackend) {
  asmk_open_options options;
  asmk_open_options_init(&options);
  EXPECT_STREQ(options.backend, "emu");
  options.device = "MI300X";
  options.backend = nullptr;  // also the default
  asmk_context* ctx = nullptr;
  ASSERT_EQ(asmk_open(test::kRepo.c_str(), &options, &ctx), ASMK_SUCCESS) << asmk_last_error();
  test::ContextPtr owner(ctx);
  const char* backend = nullptr;
  ASSERT_EQ(asmk_backend_name(ctx, &backend), ASMK_SUCCESS);
  EXPECT_STREQ(backend, "emu");
}

TEST(CApi, DeviceByArchAndCuCount) {
  asmk_open_options options;
  asmk_open_options_init(&options);
  options.arch = "gfx950";
  options.compute_units = 32;
  asmk_context* ctx = nullptr;
  ASSERT_EQ(asmk_open(test::kRepo.c_str(), &options, &ctx), ASMK_SUCCESS) << asmk_last_error();
  test::ContextPtr owner(ctx);
  asmk_device_info dev{};
  ASSERT_EQ(asmk_device_get(ctx, &dev), ASMK_SUCCESS);
  EXPECT_STREQ(dev.arch, "gfx950");
  EXPECT_EQ(dev.compute_units, 32u);
}

TEST(CApi, ListAndDescribeKernels) {
  auto ctx = test::open_fixture();
  size_t count = 0;
  ASSERT_EQ(asmk_kernel_count(ctx.get(), &count), ASMK_SUCCESS);
  EXPECT_EQ(count, 16u);
  const asmk_kernel* k = nullptr;
  ASSERT_EQ(asmk_find_kernel(ctx.get(), "quant_fp8_gfx950_bf16_group_n512", &k), ASMK_SUCCESS);
  asmk_kernel_info info{};
  ASSERT_EQ(asmk_kernel_get_info(k, &info), ASMK_SUCCESS);
  EXPECT_STREQ(info.family, "quant_fp8");
  EXPECT_STREQ(info.arch, "gfx950");
  EXPECT_EQ(info.workgroup_size[0], 256u);
  EXPECT_EQ(info.resources.vgpr, 32u);
  EXPECT_EQ(info.resources.kernarg_bytes, 40u);
  ASSERT_EQ(info.param_count, 3u);
  ASSERT_EQ(info.kernarg_count, 7u);
  asmk_param p{};
  ASSERT_EQ(asmk_kernel_param_at(k, 2, &p), ASMK_SUCCESS);
  EXPECT_STREQ(p.name, "n_per_wg");
  EXPECT_EQ(p.type, ASMK_PARAM_INT);
  EXPECT_EQ(p.int_value, 512);
  ASSERT_EQ(asmk_kernel_param_at(k, 0, &p), ASMK_SUCCESS);
  EXPECT_EQ(p.type, ASMK_PARAM_STRING);
  EXPECT_STREQ(p.string_value, "bf16");
  asmk_kernarg_info a{};
  ASSERT_EQ(asmk_kernel_kernarg_at(k, 5, &a), ASMK_SUCCESS);
  EXPECT_STREQ(a.name, "stride_x");
  EXPECT_EQ(a.offset, 32u);
  EXPECT_EQ(a.size, 4u);
  EXPECT_STREQ(a.kind, "by_value");
  EXPECT_STREQ(a.type, "u32");
  EXPECT_EQ(asmk_kernel_kernarg_at(k, 7, &a), ASMK_ERROR_INVALID_ARGUMENT);
  // Index 0 of the listing is the first kernel of the first manifest (gfx942).
  ASSERT_EQ(asmk_kernel_at(ctx.get(), 0, &k), ASMK_SUCCESS);
  ASSERT_EQ(asmk_kernel_get_info(k, &info), ASMK_SUCCESS);
  EXPECT_STREQ(info.name, "quant_fp8_gfx942_bf16_row_n256");
}

TEST(CApi, FindByParams) {
  auto ctx = test::open_fixture("MI300X");
  const asmk_param params[] = {{"in_dtype", ASMK_PARAM_STRING, "fp16", 0},
                               {"granularity", ASMK_PARAM_STRING, "group", 0}};
  const asmk_kernel* k = nullptr;
  ASSERT_EQ(asmk_find_kernel_by_params(ctx.get(), "quant_fp8", nullptr, params, 2, &k), ASMK_SUCCESS)
      << asmk_last_error();
  asmk_kernel_info info{};
  ASSERT_EQ(asmk_kernel_get_info(k, &info), ASMK_SUCCESS);
  EXPECT_STREQ(info.name, "quant_fp8_gfx942_fp16_group_n512");
  const asmk_param unroll[] = {{"unroll", ASMK_PARAM_BOOL, nullptr, 1}, {"n_per_wg", ASMK_PARAM_INT, nullptr, 256}};
  ASSERT_EQ(asmk_find_kernel_by_params(ctx.get(), "vector_add", "gfx942", unroll, 2, &k), ASMK_SUCCESS);
  ASSERT_EQ(asmk_kernel_get_info(k, &info), ASMK_SUCCESS);
  EXPECT_STREQ(info.name, "vector_add_gfx942_f32_n256");
}

TEST(CApi, UnknownFamily) {
  auto ctx = test::open_fixture();
  const asmk_kernel* k = nullptr;
  const auto o = outcome(asmk_find_kernel_by_params(ctx.get(), "quant_fp4", nullptr, nullptr, 0, &k));
  EXPECT_EQ(o.status, ASMK_ERROR_UNKNOWN_FAMILY);
  EXPECT_TRUE(mentions(o, "'quant_fp4'"));
  EXPECT_TRUE(mentions(o, "families: quant_fp8, vector_add"));
}

// Launch-by-name fixture: vector_add_gfx942_f32_n256 with all its arguments.
class LaunchByName : public ::testing::Test {
 protected:
  void SetUp() override {
    ctx = test::open_fixture("MI300X");
    args[0].name = "a"; args[0].type = ASMK_VALUE_POINTER; args[0].value.pointer = &buffer;
    args[1].name = "b"; args[1].type = ASMK_VALUE_POINTER; args[1].value.pointer = &buffer;
    args[2].name = "c"; args[2].type = ASMK_VALUE_POINTER; args[2].value.pointer = &buffer;
    args[3].name = "n"; args[3].type = ASMK_VALUE_U32; args[3].value.u32 = 256;
    args[4].name = "alpha"; args[4].type = ASMK_VALUE_F32; args[4].value.f32 = 2.0f;
    args[5].name = "count"; args[5].type = ASMK_VALUE_U64; args[5].value.u64 = 1;
    args[6].name = "bias"; args[6].type = ASMK_VALUE_I32; args[6].value.i32 = -1;
    args[7].name = "base"; args[7].type = ASMK_VALUE_I64; args[7].value.i64 = -2;
  }
  test::Outcome launch(const char* name, asmk_dim3 grid = {4, 1, 1}, asmk_dim3 block = {64, 1, 1}, size_t n = 8) {
    return outcome(asmk_launch_kernel(ctx.get(), name, grid, block, args, n, nullptr));
  }
  size_t launched() { return test::recorded_launches(ctx.get()).size(); }
  test::ContextPtr ctx;
  asmk_kernarg_value args[8]{};
  float buffer = 0;
};

TEST_F(LaunchByName, Launches) {
  const auto o = launch("vector_add_gfx942_f32_n256");
  ASSERT_EQ(o.status, ASMK_SUCCESS) << o.message;
  ASSERT_EQ(launched(), 1u);
  const auto& l = test::recorded_launches(ctx.get())[0];
  EXPECT_EQ(l.symbol, "vector_add_gfx942_f32_n256_kernel");
  float alpha = 0;
  std::memcpy(&alpha, l.kernargs.data() + 28, 4);
  EXPECT_EQ(alpha, 2.0f);
}

TEST_F(LaunchByName, UnknownKernelNamesTheNearest) {
  const auto o = launch("vector_add_gfx942_f32_n265");
  EXPECT_EQ(o.status, ASMK_ERROR_UNKNOWN_KERNEL);
  EXPECT_TRUE(mentions(o, "'vector_add_gfx942_f32_n265'"));
  EXPECT_TRUE(mentions(o, "nearest: vector_add_gfx942_f32_n256"));
  EXPECT_EQ(launched(), 0u);
}

TEST_F(LaunchByName, KernelOfAnotherArch) {
  const auto o = launch("quant_fp8_gfx950_bf16_group_n256", {1, 1, 1}, {256, 1, 1}, 0);
  EXPECT_EQ(o.status, ASMK_ERROR_UNSUPPORTED_ARCH);
  EXPECT_TRUE(mentions(o, "is for gfx950, device MI300X is gfx942"));
  EXPECT_TRUE(mentions(o, "quant_fp8_gfx942_bf16_group_n256"));
  EXPECT_EQ(launched(), 0u);
}

TEST_F(LaunchByName, BadArgumentsGeometryAndCodeObjects) {
  args[3].type = ASMK_VALUE_I32;
  auto o = launch("vector_add_gfx942_f32_n256");
  EXPECT_EQ(o.status, ASMK_ERROR_BAD_KERNARG);
  EXPECT_TRUE(mentions(o, "'n'"));
  args[3].type = ASMK_VALUE_U32;
  o = launch("vector_add_gfx942_f32_n256", {4, 1, 1}, {64, 1, 1}, 7);  // "base" left out
  EXPECT_EQ(o.status, ASMK_ERROR_BAD_KERNARG);
  EXPECT_TRUE(mentions(o, "missing argument(s) base"));
  o = launch("vector_add_gfx942_f32_n256", {4, 1, 1}, {128, 1, 1});
  EXPECT_EQ(o.status, ASMK_ERROR_UNSUPPORTED_SHAPE);
  EXPECT_TRUE(mentions(o, "built for blocks of (64, 1, 1)"));
  o = launch("vector_add_gfx942_f32_n256", {0, 1, 1});
  EXPECT_EQ(o.status, ASMK_ERROR_UNSUPPORTED_SHAPE);
  o = launch("vector_add_gfx942_f32_n512");  // its .co is missing from the fixture
  EXPECT_EQ(o.status, ASMK_ERROR_MISSING_CODE_OBJECT);
  EXPECT_TRUE(mentions(o, "vector_add_gfx942_f32_n512.co"));
  EXPECT_EQ(launched(), 0u);
}

TEST(CApi, Sha256CheckOnFirstUse) {
  asmk_open_options options;
  asmk_open_options_init(&options);
  options.device = "MI300X";
  options.backend = "record";
  options.verify_sha256 = 1;
  asmk_context* ctx = nullptr;
  ASSERT_EQ(asmk_open(test::kRepo.c_str(), &options, &ctx), ASMK_SUCCESS);
  test::ContextPtr owner(ctx);
  float buffer = 0;
  asmk_kernarg_value args[8]{};
  const char* names[] = {"a", "b", "c", "n", "alpha", "count", "bias", "base"};
  const asmk_value_type types[] = {ASMK_VALUE_POINTER, ASMK_VALUE_POINTER, ASMK_VALUE_POINTER, ASMK_VALUE_U32,
                                   ASMK_VALUE_F32, ASMK_VALUE_U64, ASMK_VALUE_I32, ASMK_VALUE_I64};
  for (int i = 0; i < 8; ++i) args[i].name = names[i], args[i].type = types[i];
  for (int i = 0; i < 3; ++i) args[i].value.pointer = &buffer;
  // n256's sha256 is right, n1024's is wrong on purpose.
  EXPECT_EQ(asmk_launch_kernel(ctx, "vector_add_gfx942_f32_n256", {1, 1, 1}, {64, 1, 1}, args, 8, nullptr), ASMK_SUCCESS)
      << asmk_last_error();
  const auto o = outcome(asmk_launch_kernel(ctx, "vector_add_gfx942_f32_n1024", {1, 1, 1}, {64, 1, 1}, args, 8, nullptr));
  EXPECT_EQ(o.status, ASMK_ERROR_MISSING_CODE_OBJECT);
  EXPECT_TRUE(mentions(o, "sha256"));
  EXPECT_EQ(test::recorded_launches(ctx).size(), 1u);
}

TEST(CApi, OpenRefusals) {
  asmk_open_options options;
  asmk_open_options_init(&options);
  asmk_context* ctx = nullptr;
  options.device = "MI3000X";
  auto o = outcome(asmk_open(test::kRepo.c_str(), &options, &ctx));
  EXPECT_EQ(o.status, ASMK_ERROR_UNKNOWN_DEVICE);
  EXPECT_TRUE(mentions(o, "'MI3000X'"));
  EXPECT_TRUE(mentions(o, "MI300X, MI325X, MI308X, MI350X, MI355X"));
  options.device = "MI300X";
  options.backend = "cuda";
  o = outcome(asmk_open(test::kRepo.c_str(), &options, &ctx));
  EXPECT_EQ(o.status, ASMK_ERROR_UNKNOWN_BACKEND);
  EXPECT_TRUE(mentions(o, "'cuda'"));
  EXPECT_TRUE(mentions(o, "available: emu, record"));
  options.backend = nullptr;  // the default
  o = outcome(asmk_open("/nonexistent/hsaco", &options, &ctx));
  EXPECT_EQ(o.status, ASMK_ERROR_BAD_REPOSITORY);
  EXPECT_TRUE(mentions(o, "/nonexistent/hsaco"));
  EXPECT_EQ(ctx, nullptr);
  EXPECT_EQ(asmk_open(test::kRepo.c_str(), &options, nullptr), ASMK_ERROR_INVALID_ARGUMENT);
}

TEST(CApi, RepositoryFromTheEnvironment) {
  asmk_context* ctx = nullptr;
  ASSERT_EQ(::setenv("ASMK_REPO", test::kRepo.c_str(), 1), 0);
  EXPECT_EQ(asmk_open(nullptr, nullptr, &ctx), ASMK_SUCCESS) << asmk_last_error();
  asmk_close(ctx);
  ::unsetenv("ASMK_REPO");
  const auto o = outcome(asmk_open(nullptr, nullptr, &ctx));
  EXPECT_EQ(o.status, ASMK_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(mentions(o, "ASMK_REPO"));
}

TEST(CApi, NullArgumentsAreRefusedNotFollowed) {
  auto ctx = test::open_fixture();
  size_t count = 0;
  EXPECT_EQ(asmk_kernel_count(nullptr, &count), ASMK_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(asmk_kernel_count(ctx.get(), nullptr), ASMK_ERROR_INVALID_ARGUMENT);
  const asmk_kernel* k = nullptr;
  EXPECT_EQ(asmk_find_kernel(ctx.get(), nullptr, &k), ASMK_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(asmk_select_quant_fp8(ctx.get(), nullptr, nullptr), ASMK_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(asmk_quant_fp8(ctx.get(), nullptr, nullptr, nullptr), ASMK_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(asmk_kernel_get_info(nullptr, nullptr), ASMK_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(asmk_last_error()), "");
}

TEST(CApi, Memory) {
  auto ctx = test::open_fixture();
  void* device = nullptr;
  ASSERT_EQ(asmk_malloc(ctx.get(), 64, &device), ASMK_SUCCESS);
  const char text[] = "hello, device";
  char back[sizeof text] = {};
  ASSERT_EQ(asmk_memcpy(ctx.get(), device, text, sizeof text, ASMK_COPY_HOST_TO_DEVICE), ASMK_SUCCESS);
  ASSERT_EQ(asmk_memcpy(ctx.get(), back, device, sizeof text, ASMK_COPY_DEVICE_TO_HOST), ASMK_SUCCESS);
  EXPECT_STREQ(back, text);
  // A copy past the allocation is refused and writes nothing.
  char big[65] = {};
  EXPECT_EQ(asmk_memcpy(ctx.get(), device, big, sizeof big, ASMK_COPY_HOST_TO_DEVICE), ASMK_ERROR_BUFFER_TOO_SMALL);
  ASSERT_EQ(asmk_memcpy(ctx.get(), back, device, sizeof text, ASMK_COPY_DEVICE_TO_HOST), ASMK_SUCCESS);
  EXPECT_STREQ(back, text);
  EXPECT_EQ(asmk_memcpy(ctx.get(), back, text, 1, ASMK_COPY_HOST_TO_DEVICE), ASMK_ERROR_BACKEND);  // host "device"
  EXPECT_EQ(asmk_free(ctx.get(), device), ASMK_SUCCESS);
  EXPECT_EQ(asmk_free(ctx.get(), device), ASMK_ERROR_BACKEND);  // twice
}

TEST(CApi, LastErrorIsPerThread) {
  auto ctx = test::open_fixture();
  const asmk_kernel* k = nullptr;
  ASSERT_EQ(asmk_find_kernel(ctx.get(), "no_such_kernel", &k), ASMK_ERROR_UNKNOWN_KERNEL);
  const std::string mine = asmk_last_error();
  std::string other_thread_message = "unset";
  std::thread([&] {
    size_t count = 0;
    EXPECT_EQ(asmk_kernel_count(ctx.get(), &count), ASMK_SUCCESS);
    other_thread_message = asmk_last_error();
  }).join();
  EXPECT_EQ(other_thread_message, "");
  EXPECT_EQ(std::string(asmk_last_error()), mine);  // untouched by the other thread's success
  EXPECT_NE(mine.find("no_such_kernel"), std::string::npos);
}

TEST(CApi, StatusStringsAndVersion) {
  EXPECT_STREQ(asmk_status_string(ASMK_SUCCESS), "ASMK_SUCCESS");
  EXPECT_STREQ(asmk_status_string(ASMK_ERROR_BUFFER_TOO_SMALL), "ASMK_ERROR_BUFFER_TOO_SMALL");
  EXPECT_STREQ(asmk_status_string(static_cast<asmk_status>(999)), "ASMK_ERROR_UNKNOWN_STATUS");
  EXPECT_EQ(std::string(asmk_version_string()),
            std::to_string(ASMK_VERSION_MAJOR) + "." + std::to_string(ASMK_VERSION_MINOR) + "." +
                std::to_string(ASMK_VERSION_PATCH));
  EXPECT_STREQ(asmk_dtype_name(ASMK_DTYPE_FP16), "fp16");
  EXPECT_EQ(asmk_dtype_name(static_cast<asmk_dtype>(9)), nullptr);
}

// Issue 17: two emulator contexts used to hand out the same device addresses, so a pointer of one
// freed, read or overwrote the other's buffer. Each context's device now has its own address
// window, and a foreign pointer is an error naming it.
TEST(CApi, APointerOfAnotherContextIsRefusedNotAliased) {
  asmk_open_options options;
  asmk_open_options_init(&options);
  options.device = "MI300X";
  asmk_context* a_ctx = nullptr;
  asmk_context* b_ctx = nullptr;
  ASSERT_EQ(asmk_open(test::kRepo.c_str(), &options, &a_ctx), ASMK_SUCCESS) << asmk_last_error();
  test::ContextPtr a_owner(a_ctx);
  ASSERT_EQ(asmk_open(test::kRepo.c_str(), &options, &b_ctx), ASMK_SUCCESS) << asmk_last_error();
  test::ContextPtr b_owner(b_ctx);
  void* a = nullptr;
  void* b = nullptr;
  ASSERT_EQ(asmk_malloc(a_ctx, 256, &a), ASMK_SUCCESS);
  ASSERT_EQ(asmk_malloc(b_ctx, 256, &b), ASMK_SUCCESS);
  EXPECT_NE(a, b);
  const std::vector<std::uint8_t> ones(256, 1);
  ASSERT_EQ(asmk_memcpy(b_ctx, b, ones.data(), 256, ASMK_COPY_HOST_TO_DEVICE), ASMK_SUCCESS);

  std::vector<std::uint8_t> zeros(256, 0);
  EXPECT_NE(asmk_memcpy(b_ctx, a, zeros.data(), 256, ASMK_COPY_HOST_TO_DEVICE), ASMK_SUCCESS);
  EXPECT_NE(std::string(asmk_last_error()).find("another device"), std::string::npos) << asmk_last_error();
  EXPECT_NE(asmk_memcpy(b_ctx, zeros.data(), a, 256, ASMK_COPY_DEVICE_TO_HOST), ASMK_SUCCESS);
  EXPECT_NE(asmk_free(b_ctx, a), ASMK_SUCCESS);
  const std::string message = asmk_last_error();
  EXPECT_NE(message.find("another device"), std::string::npos) << message;
  std::ostringstream named;
  named << a;
  EXPECT_NE(message.find(named.str()), std::string::npos) << "the message names the pointer: " << message;

  // b's buffer is untouched and still b's.
  std::vector<std::uint8_t> back(256, 0);
  ASSERT_EQ(asmk_memcpy(b_ctx, back.data(), b, 256, ASMK_COPY_DEVICE_TO_HOST), ASMK_SUCCESS);
  EXPECT_EQ(back, ones);
  EXPECT_EQ(asmk_free(b_ctx, b), ASMK_SUCCESS);
  EXPECT_EQ(asmk_free(a_ctx, a), ASMK_SUCCESS);
}

}  // namespace
}  // namespace asmk
