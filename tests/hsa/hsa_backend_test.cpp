// The hsa backend on the emulator-backed HSA runtime: how it is chosen, the device it reports,
// memory, launches on queues and streams, caller-owned memory, kernarg recycling, timestamps.
#include <gtest/gtest.h>

#include "hsa_test_support.hpp"

namespace asmk::hsa_test {
namespace {

TEST_F(HsaTest, TheEnvironmentChoosesTheBackendWhenTheOptionIsNull) {
  {
    Opened o;
    open(o, nullptr);
    ASSERT_EQ(o.status, ASMK_SUCCESS) << o.message;
    EXPECT_EQ(o.backend(), "emu");  // nothing set: the emulator, as before
  }
  for (const char* name : {"hsa", "auto"}) {
    ScopedEnvironment env{{"ASMK_BACKEND", name}};
    Opened o;
    open(o, nullptr);
    ASSERT_EQ(o.status, ASMK_SUCCESS) << name << ": " << o.message;
    EXPECT_EQ(o.backend(), "hsa") << name;
  }
  ScopedEnvironment env{{"ASMK_BACKEND", "hsa"}};
  Opened o;
  open(o, "emu");  // an explicit option wins over the environment
  ASSERT_EQ(o.status, ASMK_SUCCESS) << o.message;
  EXPECT_EQ(o.backend(), "emu");
}

TEST_F(HsaTest, TheDeviceIsTheAgent) {
  struct Case {
    const char* arch;
    const char* cus;
    const char* asked;
    const char* name;
    std::uint32_t compute_units;
  };
  // An MI308X is a gfx942 with 80 CUs; a context opened as "MI300X" there selects for 80 CUs.
  const Case cases[] = {{"gfx942", nullptr, nullptr, "MI300X", 304}, {"gfx942", "80", nullptr, "MI308X", 80},
                        {"gfx942", "80", "MI300X", "MI308X", 80},    {"gfx950", nullptr, nullptr, "MI355X", 256},
                        {"gfx942", nullptr, "MI325X", "MI325X", 304}};
  for (const Case& c : cases) {
    ScopedEnvironment env{{"ASMK_HSA_EMU_ARCH", c.arch}, {"ASMK_HSA_EMU_CUS", c.cus}};
    Opened o;
    open(o, "hsa", c.asked);
    ASSERT_EQ(o.status, ASMK_SUCCESS) << o.message;
    asmk_device_info info{};
    ASSERT_EQ(asmk_device_get(o.context, &info), ASMK_SUCCESS) << asmk_last_error();
    EXPECT_STREQ(info.name, c.name) << c.arch << " " << (c.cus ? c.cus : "") << " asked " << (c.asked ? c.asked : "-");
    EXPECT_STREQ(info.arch, c.arch);
    EXPECT_EQ(info.compute_units, c.compute_units);
  }
}

TEST_F(HsaTest, TheContextUsesTheAgentOfTheNamedDevice) {
  ScopedEnvironment env{{"ASMK_HSA_EMU_ARCH", "gfx942,gfx950"}};
  Opened o;
  open(o, "hsa", "MI355X");
  ASSERT_EQ(o.status, ASMK_SUCCESS) << o.message;
  const char* text = nullptr;
  ASSERT_EQ(asmk_backend_describe(o.context, &text), ASMK_SUCCESS);
  EXPECT_TRUE(mentions(text, "uses agent 1 (gfx950, 256 CUs)")) << text;
}

TEST_F(HsaTest, DescribeNamesAgentsIsasAndPools) {
  Opened o;
  open(o, "hsa");
  ASSERT_EQ(o.status, ASMK_SUCCESS) << o.message;
  const char* text = nullptr;
  ASSERT_EQ(asmk_backend_describe(o.context, &text), ASMK_SUCCESS);
  for (const char* part : {"amdgcn-amd-amdhsa--gfx942:sramecc+:xnack-", "304 CUs", "AMD Instinct MI300X",
                           "pool coarse-grained", "fine-grained kernarg", ASMK_HSA_EMU_LIBRARY})
    EXPECT_TRUE(mentions(text, part)) << part << " not in:\n" << text;
}

TEST_F(HsaTest, AKernelRunsThroughTheQueue) {
  Opened o;
  open(o, "hsa", "MI300X");
  ASSERT_EQ(o.status, ASMK_SUCCESS) << o.message;
  QuantBuffers b(o.context, 5);
  ASSERT_EQ(b.launch(), ASMK_SUCCESS) << asmk_last_error();
  ASSERT_EQ(asmk_synchronize(o.context, nullptr), ASMK_SUCCESS) << asmk_last_error();
  EXPECT_TRUE(b.output_is_right());
}

TEST_F(HsaTest, KernelsWriteMemoryTheCallerOwns) {
  Opened o;
  open(o, "hsa", "MI300X");
  ASSERT_EQ(o.status, ASMK_SUCCESS) << o.message;
  const std::uint32_t rows = 3;
  std::vector<std::uint16_t> x = quant_input(rows);
  std::vector<std::uint8_t> y(rows * kN, 0);
  std::vector<float> scale(rows, 0.0f);
  void *dx = nullptr, *dy = nullptr, *dscale = nullptr;
  ASSERT_EQ(asmk_register_host(o.context, x.data(), x.size() * 2, &dx), ASMK_SUCCESS) << asmk_last_error();
  ASSERT_EQ(asmk_register_host(o.context, y.data(), y.size(), &dy), ASMK_SUCCESS) << asmk_last_error();
  ASSERT_EQ(asmk_register_host(o.context, scale.data(), rows * 4, &dscale), ASMK_SUCCESS) << asmk_last_error();
  ASSERT_EQ(launch_quant(o.context, dx, dy, dscale, rows), ASMK_SUCCESS) << asmk_last_error();
  ASSERT_EQ(asmk_synchronize(o.context, nullptr), ASMK_SUCCESS) << asmk_last_error();
  EXPECT_TRUE(quant_output_is_right(y, scale, rows));  // read in place, no copy
  EXPECT_EQ(asmk_free(o.context, dy), ASMK_ERROR_INVALID_ARGUMENT);
  for (void* host : {static_cast<void*>(x.data()), static_cast<void*>(y.data()), static_cast<void*>(scale.data())})
    EXPECT_EQ(asmk_unregister_host(o.context, host), ASMK_SUCCESS) << asmk_last_error();
}

TEST_F(HsaTest, EachStreamIsItsOwnInOrderQueue) {
  Opened o;
  open(o, "hsa", "MI300X");
  ASSERT_EQ(o.status, ASMK_SUCCESS) << o.message;
  std::vector<std::unique_ptr<QuantBuffers>> problems;
  for (std::uint32_t s = 0; s < 3; ++s) problems.push_back(std::make_unique<QuantBuffers>(o.context, 2 + s, 10 * s + 1));
  const auto stream_of = [](std::uint32_t s) { return reinterpret_cast<asmk_stream>(std::uintptr_t(0x1000 + s)); };
  for (std::uint32_t s = 0; s < 3; ++s) ASSERT_EQ(problems[s]->launch(stream_of(s)), ASMK_SUCCESS) << asmk_last_error();
  for (std::uint32_t s = 0; s < 3; ++s) ASSERT_EQ(asmk_synchronize(o.context, stream_of(s)), ASMK_SUCCESS) << asmk_last_error();
  for (const auto& p : problems) EXPECT_TRUE(p->output_is_right());
}

TEST_F(HsaTest, KernargBuffersAreRecycledOnlyAfterTheirDispatchCompleted) {
  // A 4-packet queue and 12 launches with different arguments: each slot's buffer is reused
  // three times; every launch must still have seen its own arguments.
  ScopedEnvironment env{{"ASMK_HSA_QUEUE_SIZE", "4"}};
  Opened o;
  open(o, "hsa", "MI300X");
  ASSERT_EQ(o.status, ASMK_SUCCESS) << o.message;
  std::vector<std::unique_ptr<QuantBuffers>> problems;
  for (std::uint32_t i = 0; i < 12; ++i) problems.push_back(std::make_unique<QuantBuffers>(o.context, 1 + i % 3, i + 1));
  for (const auto& p : problems) ASSERT_EQ(p->launch(), ASMK_SUCCESS) << asmk_last_error();
  ASSERT_EQ(asmk_synchronize(o.context, nullptr), ASMK_SUCCESS) << asmk_last_error();
  for (const auto& p : problems) EXPECT_TRUE(p->output_is_right());
}

TEST_F(HsaTest, CopiesAreBoundsCheckedOnTheContextsAllocations) {
  Opened o;
  open(o, "hsa", "MI300X");
  ASSERT_EQ(o.status, ASMK_SUCCESS) << o.message;
  void* d = nullptr;
  ASSERT_EQ(asmk_malloc(o.context, 64, &d), ASMK_SUCCESS) << asmk_last_error();
  std::vector<std::uint8_t> in(64), out(64, 0);
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = static_cast<std::uint8_t>(i * 7 + 1);
  EXPECT_EQ(asmk_memcpy(o.context, d, in.data(), 64, ASMK_COPY_HOST_TO_DEVICE), ASMK_SUCCESS) << asmk_last_error();
  EXPECT_EQ(asmk_memcpy(o.context, out.data(), d, 64, ASMK_COPY_DEVICE_TO_HOST), ASMK_SUCCESS) << asmk_last_error();
  EXPECT_EQ(out, in);
  EXPECT_EQ(asmk_memcpy(o.context, d, in.data(), 65, ASMK_COPY_HOST_TO_DEVICE), ASMK_ERROR_BUFFER_TOO_SMALL);
  EXPECT_TRUE(mentions(asmk_last_error(), "64 bytes left")) << asmk_last_error();
  int not_ours = 0;
  EXPECT_EQ(asmk_free(o.context, &not_ours), ASMK_ERROR_BACKEND);
  EXPECT_EQ(asmk_malloc(o.context, 0, &d), ASMK_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(asmk_free(o.context, d), ASMK_SUCCESS) << asmk_last_error();
}

TEST_F(HsaTest, ProfilingGivesTheDispatchTime) {
  {
    Opened o;
    open(o, "hsa", "MI300X");
    ASSERT_EQ(o.status, ASMK_SUCCESS) << o.message;
    std::uint64_t ns = 0;
    EXPECT_EQ(asmk_last_kernel_time(o.context, nullptr, &ns), ASMK_ERROR_BACKEND);
    QuantBuffers b(o.context, 1);
    ASSERT_EQ(b.launch(), ASMK_SUCCESS);
    ASSERT_EQ(asmk_synchronize(o.context, nullptr), ASMK_SUCCESS);
    EXPECT_EQ(asmk_last_kernel_time(o.context, nullptr, &ns), ASMK_ERROR_BACKEND);
    EXPECT_TRUE(mentions(asmk_last_error(), "ASMK_HSA_PROFILE=1")) << asmk_last_error();
  }
  ScopedEnvironment env{{"ASMK_HSA_PROFILE", "1"}};
  Opened o;
  open(o, "hsa", "MI300X");
  ASSERT_EQ(o.status, ASMK_SUCCESS) << o.message;
  QuantBuffers b(o.context, 4);
  ASSERT_EQ(b.launch(), ASMK_SUCCESS) << asmk_last_error();
  ASSERT_EQ(asmk_synchronize(o.context, nullptr), ASMK_SUCCESS) << asmk_last_error();
  std::uint64_t ns = 0;
  ASSERT_EQ(asmk_last_kernel_time(o.context, nullptr, &ns), ASMK_SUCCESS) << asmk_last_error();
  EXPECT_GT(ns, 0u);  // a dispatch that ran has a start and a later end
}

}  // namespace
}  // namespace asmk::hsa_test
