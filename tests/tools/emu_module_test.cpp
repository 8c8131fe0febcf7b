// The emu backend as a module (libasmk_emu_backend.so) that libasmk loads when a context first
// opens the emulator: libLLVM stays out of processes that never do, the module's errors arrive as
// statuses, and a module that cannot be loaded is named. Each case runs in its own process (ctest).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "asmk.h"
#include "hsaco_dir.hpp"

namespace {

using asmk::test::kHsaco;

bool mapped(const std::string& part) {
  std::ifstream maps("/proc/self/maps");
  for (std::string line; std::getline(maps, line);)
    if (line.find(part) != std::string::npos) return true;
  return false;
}

asmk_status open_backend(const char* backend, asmk_context** context) {
  asmk_open_options options;
  asmk_open_options_init(&options);
  options.device = "MI300X";
  options.backend = backend;
  return asmk_open(kHsaco.c_str(), &options, context);
}

TEST(EmuModule, LibLLVMIsLoadedOnlyWhenTheEmulatorIs) {
  ASSERT_FALSE(mapped("libLLVM")) << "libLLVM is loaded before any context";
  asmk_context* record = nullptr;
  ASSERT_EQ(open_backend("record", &record), ASMK_SUCCESS) << asmk_last_error();
  asmk_close(record);
  EXPECT_FALSE(mapped("libLLVM")) << "a record context loaded libLLVM";

  asmk_context* emu = nullptr;
  ASSERT_EQ(open_backend("emu", &emu), ASMK_SUCCESS) << asmk_last_error();
  EXPECT_TRUE(mapped("libasmk_emu_backend.so"));
  EXPECT_TRUE(mapped("libLLVM"));
  asmk_close(emu);
}

TEST(EmuModule, ItsSettingErrorsArriveAsStatuses) {
  // Thrown inside the module (EmuBackendOptions::from_environment), caught by libasmk's C ABI.
  ASSERT_EQ(setenv("ASMK_EMU_THREADS", "lots", 1), 0);
  asmk_context* emu = nullptr;
  EXPECT_EQ(open_backend("emu", &emu), ASMK_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(asmk_last_error()).find("ASMK_EMU_THREADS='lots' is not a thread count"), std::string::npos)
      << asmk_last_error();
  unsetenv("ASMK_EMU_THREADS");
  ASSERT_EQ(open_backend("emu", &emu), ASMK_SUCCESS) << asmk_last_error();
  asmk_close(emu);
}

TEST(EmuModule, AModuleThatCannotBeLoadedIsNamed) {
  ASSERT_EQ(setenv("ASMK_EMU_BACKEND_LIBRARY", "/nonexistent/libasmk_emu_backend.so", 1), 0);
  asmk_context* emu = nullptr;
  EXPECT_EQ(open_backend("emu", &emu), ASMK_ERROR_BACKEND);
  const std::string message = asmk_last_error();
  EXPECT_NE(message.find("/nonexistent/libasmk_emu_backend.so"), std::string::npos) << message;
  EXPECT_NE(message.find("needs libLLVM 22"), std::string::npos) << message;
  // A failure is not remembered: with the setting fixed, the module loads.
  unsetenv("ASMK_EMU_BACKEND_LIBRARY");
  ASSERT_EQ(open_backend("emu", &emu), ASMK_SUCCESS) << asmk_last_error();
  asmk_close(emu);
}

}  // namespace
