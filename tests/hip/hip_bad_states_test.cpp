// How the hip backend fails, and how auto chooses: no runtime, no GPU, no GPU driver, an arch the
// repository lacks, a kernel fault, and what auto says when it falls back. Also issue 17's
// `backend = ""`, which must mean "not given" (ASMK_BACKEND, else emu), never "record".
#include <gtest/gtest.h>

#include <dlfcn.h>
#include <unistd.h>

#include "hip_test_support.hpp"
#include "../hsa/one_kernel_repository.hpp"

namespace asmk::hip_test {
namespace {

TEST_F(HipTest, NoRuntime) {
  ScopedEnvironment env{{"ASMK_HIP_LIBRARY", "/nonexistent/libamdhip64.so"}};
  Opened o;
  open_device(o, "hip", -1);
  EXPECT_EQ(o.status, ASMK_ERROR_BACKEND);
  EXPECT_TRUE(mentions(o.message, "/nonexistent/libamdhip64.so")) << o.message;
  EXPECT_TRUE(mentions(o.message, "ASMK_BACKEND=emu")) << o.message;
  EXPECT_EQ(o.context, nullptr);
}

TEST_F(HipTest, ALibraryThatIsNotAHipRuntime) {
  ScopedEnvironment env{{"ASMK_HIP_LIBRARY", "libm.so.6"}};
  Opened o;
  open_device(o, "hip", -1);
  EXPECT_EQ(o.status, ASMK_ERROR_BACKEND);
  EXPECT_TRUE(mentions(o.message, "libm.so.6 lacks the function hipGetDeviceCount")) << o.message;
}

TEST_F(HipTest, NoGpuIsNoDeviceAndNamesTheDriverNode) {
  ScopedEnvironment env{{"ASMK_HIP_EMU_ARCH", "none"}};
  reconfigure();
  Opened o;
  open_device(o, "hip", -1);
  EXPECT_EQ(o.status, ASMK_ERROR_NO_DEVICE);
  EXPECT_TRUE(mentions(o.message, "hipErrorNoDevice")) << o.message;
  // Either "no GPU driver: /dev/kfd is missing" or "/dev/kfd exists: check HIP_VISIBLE_DEVICES ...".
  EXPECT_TRUE(mentions(o.message, "/dev/kfd")) << o.message;
  if (::access("/dev/kfd", F_OK) != 0) EXPECT_TRUE(mentions(o.message, "no GPU driver")) << o.message;
}

// The machine of issue 15: ROCm's own HSA runtime installed, no /dev/kfd. It used to report
// OUT_OF_RESOURCES; it is NO_DEVICE naming the missing driver.
TEST_F(HipTest, TheRealHsaRuntimeWithoutADriverIsNoDevice) {
  if (::access("/dev/kfd", F_OK) == 0) GTEST_SKIP() << "this machine has a GPU driver";
  void* runtime = dlopen("libhsa-runtime64.so.1", RTLD_NOW | RTLD_LOCAL);
  if (runtime == nullptr) GTEST_SKIP() << "ROCm's libhsa-runtime64.so.1 is not installed";
  if (dlsym(runtime, "asmk_hsa_emu_last_error") != nullptr)  // the emulated runtime has its SONAME here
    GTEST_SKIP() << "an earlier test of this process loaded the emulated HSA runtime; ctest runs this test alone";
  ScopedEnvironment env{{"ASMK_HSA_LIBRARY", nullptr}};
  Opened o;
  open_device(o, "hsa", -1);
  EXPECT_EQ(o.status, ASMK_ERROR_NO_DEVICE);
  EXPECT_TRUE(mentions(o.message, "no GPU driver: /dev/kfd is missing")) << o.message;
  EXPECT_TRUE(mentions(o.message, "hsa_init of libhsa-runtime64.so.1")) << o.message;  // what the runtime said
}

TEST_F(HipTest, AnArchTheRepositoryLacks) {
  ScopedEnvironment env{{"ASMK_HIP_EMU_ARCH", "gfx90a"}};
  reconfigure();
  Opened o;
  open_device(o, "hip", -1);
  EXPECT_EQ(o.status, ASMK_ERROR_UNSUPPORTED_ARCH);
  EXPECT_TRUE(mentions(o.message, "the current HIP device 0 is gfx90a")) << o.message;
  EXPECT_TRUE(mentions(o.message, "gfx942")) << o.message;  // what the repository holds
  Opened named;
  open_device(named, "hip", -1, "MI355X");
  EXPECT_EQ(named.status, ASMK_ERROR_UNSUPPORTED_ARCH);
  EXPECT_TRUE(mentions(named.message, "a gfx950 device was asked for, but the HIP devices are 0: gfx90a (104 CUs)"))
      << named.message;
}

TEST_F(HipTest, AKernelFaultIsReportedAtTheNextSynchronize) {
  Opened o;
  open_device(o, "hip", -1, "MI300X");
  ASSERT_EQ(o.status, ASMK_SUCCESS) << o.message;
  QuantBuffers b(o.context, 2);
  void* nowhere = reinterpret_cast<void*>(std::uintptr_t{1} << 40);  // outside every allocation
  ASSERT_EQ(launch_quant(o.context, b.x, nowhere, b.scale, 2), ASMK_SUCCESS) << asmk_last_error();
  EXPECT_EQ(asmk_synchronize(o.context, nullptr), ASMK_ERROR_KERNEL_FAULT);
  EXPECT_TRUE(mentions(asmk_last_error(), "hipErrorIllegalAddress")) << asmk_last_error();
  EXPECT_TRUE(mentions(asmk_last_error(), "faulted")) << asmk_last_error();
  // The stream works again after the fault was reported.
  ASSERT_EQ(b.launch(), ASMK_SUCCESS) << asmk_last_error();
  EXPECT_TRUE(b.output_is_right());
}

TEST_F(HipTest, AManifestWhoseKernargLayoutDisagreesWithTheCodeObject) { expect_a_swapped_layout_refused("hip"); }

TEST_F(HipTest, AutoPrefersHipThenHsaAndSaysWhyItFellBack) {
  {
    Opened o;
    open_device(o, "auto", -1);
    ASSERT_EQ(o.status, ASMK_SUCCESS) << o.message;
    EXPECT_EQ(o.backend(), "hip");
    EXPECT_EQ(note_of(o), "auto chose hip (gfx942, 304 CUs)");
  }
  ScopedEnvironment no_hip{{"ASMK_HIP_LIBRARY", "/nonexistent/libamdhip64.so"}};
  {
    Opened o;
    open_device(o, "auto", -1);
    ASSERT_EQ(o.status, ASMK_SUCCESS) << o.message;
    EXPECT_EQ(o.backend(), "hsa");
    EXPECT_TRUE(mentions(note_of(o), "auto chose hsa (gfx942, 304 CUs); not hip: backend hip: the HIP runtime cannot "
                                     "be loaded"))
        << note_of(o);
  }
  ScopedEnvironment no_hsa{{"ASMK_HSA_LIBRARY", "/nonexistent/libhsa-runtime64.so.1"}};
  Opened o;
  open_device(o, "auto", -1);
  ASSERT_EQ(o.status, ASMK_SUCCESS) << o.message;
  EXPECT_EQ(o.backend(), "emu");
  const std::string note = note_of(o);
  EXPECT_TRUE(mentions(note, "fell back to emu")) << note;
  EXPECT_TRUE(mentions(note, "hip: backend hip: the HIP runtime cannot be loaded (/nonexistent/libamdhip64.so")) << note;
  EXPECT_TRUE(mentions(note, "; hsa: backend hsa: the HSA runtime /nonexistent/libhsa-runtime64.so.1 cannot be loaded"))
      << note;
}

TEST_F(HipTest, AutoFallsBackFromAHipDeviceOfAnotherArch) {
  ScopedEnvironment env{{"ASMK_HIP_EMU_ARCH", "gfx90a"}};
  reconfigure();
  Opened o;
  open_device(o, "auto", -1);
  ASSERT_EQ(o.status, ASMK_SUCCESS) << o.message;
  EXPECT_EQ(o.backend(), "hsa");
  EXPECT_TRUE(mentions(note_of(o), "not hip: backend hip: the current HIP device 0 is gfx90a")) << note_of(o);
}

// Issue 17: backend "" selected "record" (ops returned SUCCESS and wrote nothing).
TEST_F(HipTest, AnEmptyBackendNameMeansNotGiven) {
  for (const char* environment : {static_cast<const char*>(nullptr), ""}) {
    ScopedEnvironment env{{"ASMK_BACKEND", environment}};
    Opened o;
    open_device(o, "", -1, "MI300X");
    ASSERT_EQ(o.status, ASMK_SUCCESS) << o.message;
    EXPECT_EQ(o.backend(), "emu") << "ASMK_BACKEND " << (environment ? "\"\"" : "unset");
    QuantBuffers b(o.context, 2);  // and it runs: the output is written
    ASSERT_EQ(b.launch(), ASMK_SUCCESS) << asmk_last_error();
    EXPECT_TRUE(b.output_is_right());
  }
  ScopedEnvironment env{{"ASMK_BACKEND", "hip"}};
  Opened o;
  open_device(o, "", -1);
  ASSERT_EQ(o.status, ASMK_SUCCESS) << o.message;
  EXPECT_EQ(o.backend(), "hip");
}

}  // namespace
}  // namespace asmk::hip_test
