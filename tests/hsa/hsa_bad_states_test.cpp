// Every way the hsa backend can fail gives a status and a message — never a hang (waits are
// bounded) nor a crash: no runtime, a runtime without HSA functions, no GPU agent, an arch the
// repository lacks, a code object that fails to load or disagrees with the manifest, a full queue,
// a device that stops consuming packets, a kernel fault, malformed settings.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include <nlohmann/json.hpp>

#include "hsa_test_support.hpp"
#include "one_kernel_repository.hpp"

namespace asmk::hsa_test {
namespace {

namespace fs = std::filesystem;

TEST_F(HsaTest, NoRuntime) {
  ScopedEnvironment env{{"ASMK_HSA_LIBRARY", "/nonexistent/libhsa-runtime64.so.1"}};
  Opened o;
  open(o, "hsa", "MI300X");
  EXPECT_EQ(o.status, ASMK_ERROR_BACKEND);
  EXPECT_TRUE(mentions(o.message, "/nonexistent/libhsa-runtime64.so.1")) << o.message;
  EXPECT_TRUE(mentions(o.message, "ASMK_BACKEND=emu")) << o.message;
  EXPECT_EQ(o.context, nullptr);
  Opened fallback;
  open(fallback, "auto", "MI300X");
  ASSERT_EQ(fallback.status, ASMK_SUCCESS) << fallback.message;
  EXPECT_EQ(fallback.backend(), "emu");
}

TEST_F(HsaTest, ALibraryThatIsNotAnHsaRuntime) {
  ScopedEnvironment env{{"ASMK_HSA_LIBRARY", "libm.so.6"}};
  Opened o;
  open(o, "hsa");
  EXPECT_EQ(o.status, ASMK_ERROR_BACKEND);
  EXPECT_TRUE(mentions(o.message, "libm.so.6 lacks the function hsa_init")) << o.message;
}

TEST_F(HsaTest, NoGpuAgent) {
  ScopedEnvironment env{{"ASMK_HSA_EMU_ARCH", "none"}};
  Opened o;
  open(o, "hsa");
  EXPECT_EQ(o.status, ASMK_ERROR_NO_DEVICE);
  EXPECT_TRUE(mentions(o.message, "reports no GPU agent")) << o.message;
  Opened fallback;
  open(fallback, "auto");
  ASSERT_EQ(fallback.status, ASMK_SUCCESS) << fallback.message;
  EXPECT_EQ(fallback.backend(), "emu");
}

TEST_F(HsaTest, AnArchTheRepositoryLacks) {
  ScopedEnvironment env{{"ASMK_HSA_EMU_ARCH", "gfx90a"}};
  Opened o;
  open(o, "hsa");
  EXPECT_EQ(o.status, ASMK_ERROR_UNSUPPORTED_ARCH);
  EXPECT_TRUE(mentions(o.message, "gfx90a (104 CUs)")) << o.message;
  EXPECT_TRUE(mentions(o.message, "gfx942")) << o.message;  // what the repository holds
  Opened fallback;
  open(fallback, "auto");
  ASSERT_EQ(fallback.status, ASMK_SUCCESS) << fallback.message;
  EXPECT_EQ(fallback.backend(), "emu");
}

TEST_F(HsaTest, ANamedDeviceOfAnotherArchThanTheAgents) {
  Opened o;
  open(o, "hsa", "MI355X");
  EXPECT_EQ(o.status, ASMK_ERROR_UNSUPPORTED_ARCH);
  EXPECT_TRUE(mentions(o.message, "a gfx950 device was asked for, but the GPU agents are gfx942 (304 CUs)")) << o.message;
}

TEST_F(HsaTest, MalformedSettings) {
  for (auto [name, value] : {std::pair{"ASMK_HSA_QUEUE_SIZE", "3"}, std::pair{"ASMK_HSA_TIMEOUT_MS", "soon"},
                             std::pair{"ASMK_HSA_PROFILE", "maybe"}}) {
    ScopedEnvironment env{{name, value}};
    for (const char* backend : {"hsa", "auto"}) {  // auto does not hide a malformed setting behind the emulator
      Opened o;
      open(o, backend);
      EXPECT_EQ(o.status, ASMK_ERROR_INVALID_ARGUMENT) << name << " with " << backend;
      EXPECT_TRUE(mentions(o.message, name)) << o.message;
    }
  }
}

TEST_F(HsaTest, ACodeObjectThatFailsToLoad) {
  const std::string garbage = "\x7f" "ELF but not really a code object";
  OneKernelRepository repo("garbage", std::vector<char>(garbage.begin(), garbage.end()), [](nlohmann::json& k) {
    k.erase("sha256");
  });
  Opened o;
  open(o, "hsa", "MI300X", repo.path());
  ASSERT_EQ(o.status, ASMK_SUCCESS) << o.message;
  QuantBuffers b(o.context, 1);
  EXPECT_EQ(b.launch(), ASMK_ERROR_MISSING_CODE_OBJECT);
  const std::string message = asmk_last_error();
  EXPECT_TRUE(mentions(message, "hsa_executable_load_agent_code_object")) << message;
  EXPECT_TRUE(mentions(message, "HSA_STATUS_ERROR_INVALID_CODE_OBJECT")) << message;
  EXPECT_TRUE(mentions(message, kKernel)) << message;
}

TEST_F(HsaTest, ACodeObjectThatDisagreesWithTheManifest) {
  std::uint32_t lds = 0;  // what the code object says (asmgen read the manifest's value from it)
  OneKernelRepository repo("mismatch", real_code_object(), [&](nlohmann::json& k) {
    lds = k["resources"]["lds_bytes"].get<std::uint32_t>();
    k["resources"]["lds_bytes"] = lds + 1024;
  });
  Opened o;
  open(o, "hsa", "MI300X", repo.path());
  ASSERT_EQ(o.status, ASMK_SUCCESS) << o.message;
  QuantBuffers b(o.context, 1);
  EXPECT_EQ(b.launch(), ASMK_ERROR_MISSING_CODE_OBJECT);
  EXPECT_TRUE(mentions(asmk_last_error(), "group (LDS) segment of " + std::to_string(lds) + " bytes, the manifest says " +
                                              std::to_string(lds + 1024)))
      << asmk_last_error();
}

TEST_F(HsaTest, AManifestWhoseKernargLayoutDisagreesWithTheCodeObject) { expect_a_swapped_layout_refused("hsa"); }

TEST_F(HsaTest, AManifestSymbolTheCodeObjectLacks) {
  OneKernelRepository repo("nosymbol", real_code_object(), [&](nlohmann::json& k) { k["symbol"] = "no_such_kernel"; });
  Opened o;
  open(o, "hsa", "MI300X", repo.path());
  ASSERT_EQ(o.status, ASMK_SUCCESS) << o.message;
  QuantBuffers b(o.context, 1);
  EXPECT_EQ(b.launch(), ASMK_ERROR_MISSING_CODE_OBJECT);
  const std::string message = asmk_last_error();
  EXPECT_TRUE(mentions(message, "kernel " + std::string(kKernel) + ": symbol no_such_kernel.kd")) << message;
}

TEST_F(HsaTest, AFullQueueAndADeviceThatNeverFinishes) {
  // The device consumes no packet: four fit in the 4-packet queue, the fifth waits 200 ms and fails,
  // and synchronize gives up after 200 ms too.
  ScopedEnvironment env{{"ASMK_HSA_EMU_STALL", "1"}, {"ASMK_HSA_QUEUE_SIZE", "4"}, {"ASMK_HSA_TIMEOUT_MS", "200"}};
  Opened o;
  open(o, "hsa", "MI300X");
  ASSERT_EQ(o.status, ASMK_SUCCESS) << o.message;
  QuantBuffers b(o.context, 1);
  for (int i = 0; i < 4; ++i) ASSERT_EQ(b.launch(), ASMK_SUCCESS) << i << ": " << asmk_last_error();
  EXPECT_EQ(b.launch(), ASMK_ERROR_BACKEND);
  EXPECT_TRUE(mentions(asmk_last_error(), "is full (4 packets not consumed by gfx942 within 200 ms)")) << asmk_last_error();
  EXPECT_EQ(asmk_synchronize(o.context, nullptr), ASMK_ERROR_BACKEND);
  EXPECT_TRUE(mentions(asmk_last_error(), "did not complete within 200 ms")) << asmk_last_error();
}  // closing the context waits (bounded) and destroys the queue

TEST_F(HsaTest, AKernelFaultIsReportedAndTheStreamRecovers) {
  Opened o;
  open(o, "hsa", "MI300X");
  ASSERT_EQ(o.status, ASMK_SUCCESS) << o.message;
  QuantBuffers b(o.context, 2);
  void* nowhere = reinterpret_cast<void*>(std::uintptr_t(0x1000));  // no allocation of any agent
  ASSERT_EQ(launch_quant(o.context, b.x, nowhere, b.scale, 2), ASMK_SUCCESS) << asmk_last_error();
  EXPECT_EQ(asmk_synchronize(o.context, nullptr), ASMK_ERROR_KERNEL_FAULT);
  const std::string message = asmk_last_error();
  EXPECT_TRUE(mentions(message, std::string("kernel ") + kKernel + " failed on gfx942")) << message;
  EXPECT_TRUE(mentions(message, "HSA_STATUS_ERROR_MEMORY_APERTURE_VIOLATION")) << message;
  EXPECT_TRUE(mentions(message, "0x1000")) << message;  // the emulator's report: the address
  // The faulted queue is replaced: the stream runs the next launch.
  ASSERT_EQ(b.launch(), ASMK_SUCCESS) << asmk_last_error();
  ASSERT_EQ(asmk_synchronize(o.context, nullptr), ASMK_SUCCESS) << asmk_last_error();
  EXPECT_TRUE(b.output_is_right());
}

}  // namespace
}  // namespace asmk::hsa_test
