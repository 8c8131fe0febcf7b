// What the hip backend tests share: the stand-in libamdhip64 (emu/hip_runtime) opened directly,
// so a test can act as a framework does — allocate with hipMalloc, create streams, capture and
// replay graphs — around asmk calls; the fixture that points libasmk at the stand-in; and the
// quant_fp8 problem of the hsa tests (its expected output follows from the kernel contract).
#pragma once

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "../hsa/hsa_test_support.hpp"

namespace asmk::hip_test {

using namespace asmk::hsa_test;  // ScopedEnvironment, Opened, QuantBuffers, quant_input, ...

using hipError_t = int;
inline constexpr int kHostToDevice = 1, kDeviceToHost = 2;

// The stand-in's HIP functions a framework would call.
struct StandIn {
  hipError_t (*hipMalloc)(void**, std::size_t);
  hipError_t (*hipFree)(void*);
  hipError_t (*hipMemcpy)(void*, const void*, std::size_t, int);
  hipError_t (*hipMemcpyAsync)(void*, const void*, std::size_t, int, void*);
  hipError_t (*hipSetDevice)(int);
  hipError_t (*hipGetDevice)(int*);
  hipError_t (*hipStreamCreate)(void**);
  hipError_t (*hipStreamDestroy)(void*);
  hipError_t (*hipStreamSynchronize)(void*);
  hipError_t (*hipStreamBeginCapture)(void*, int);
  hipError_t (*hipStreamEndCapture)(void*, void**);
  hipError_t (*hipGraphInstantiate)(void**, void*, void**, char*, std::size_t);
  hipError_t (*hipGraphLaunch)(void*, void*);
  hipError_t (*hipGraphExecDestroy)(void*);
  hipError_t (*hipGraphDestroy)(void*);
  int (*asmk_hip_emu_reconfigure)();
  const char* (*asmk_hip_emu_last_error)();

  // The library libasmk opens through ASMK_HIP_LIBRARY (the same file, so the same loaded copy).
  static const StandIn& get() {
    static const StandIn functions = [] {
      StandIn s{};
      void* library = dlopen(ASMK_HIP_EMU_LIBRARY, RTLD_NOW | RTLD_LOCAL);
      EXPECT_NE(library, nullptr) << dlerror();
      const auto bind = [&](const char* name, auto& slot) {
        slot = reinterpret_cast<std::remove_reference_t<decltype(slot)>>(dlsym(library, name));
        EXPECT_NE(reinterpret_cast<void*>(slot), nullptr) << name;
      };
#define ASMK_STAND_IN_BIND(name) bind(#name, s.name)
      ASMK_STAND_IN_BIND(hipMalloc);
      ASMK_STAND_IN_BIND(hipFree);
      ASMK_STAND_IN_BIND(hipMemcpy);
      ASMK_STAND_IN_BIND(hipMemcpyAsync);
      ASMK_STAND_IN_BIND(hipSetDevice);
      ASMK_STAND_IN_BIND(hipGetDevice);
      ASMK_STAND_IN_BIND(hipStreamCreate);
      ASMK_STAND_IN_BIND(hipStreamDestroy);
      ASMK_STAND_IN_BIND(hipStreamSynchronize);
      ASMK_STAND_IN_BIND(hipStreamBeginCapture);
      ASMK_STAND_IN_BIND(hipStreamEndCapture);
      ASMK_STAND_IN_BIND(hipGraphInstantiate);
      ASMK_STAND_IN_BIND(hipGraphLaunch);
      ASMK_STAND_IN_BIND(hipGraphExecDestroy);
      ASMK_STAND_IN_BIND(hipGraphDestroy);
      ASMK_STAND_IN_BIND(asmk_hip_emu_reconfigure);
      ASMK_STAND_IN_BIND(asmk_hip_emu_last_error);
#undef ASMK_STAND_IN_BIND
      return s;
    }();
    return functions;
  }
};

// Every test starts from the stand-in with one gfx942 device (304 CUs), the emulated HSA runtime
// for hsa, and nothing else set; a test changes what it needs and calls reconfigure().
class HipTest : public ::testing::Test {
 protected:
  void SetUp() override { reconfigure(); }
  void TearDown() override { StandIn::get().hipSetDevice(0); }
  // The stand-in reads ASMK_HIP_EMU_* once; this applies the test's settings (nothing may be alive).
  static void reconfigure() {
    ASSERT_EQ(StandIn::get().asmk_hip_emu_reconfigure(), 0) << "the stand-in still holds memory, modules or streams";
  }

  ScopedEnvironment base_{{"ASMK_HIP_LIBRARY", ASMK_HIP_EMU_LIBRARY},
                          {"ASMK_HSA_LIBRARY", ASMK_HSA_EMU_LIBRARY},
                          {"ASMK_BACKEND", nullptr},
                          {"ASMK_DEVICE", nullptr},
                          {"ASMK_HIP_EMU_ARCH", "gfx942"},
                          {"ASMK_HIP_EMU_CUS", nullptr},
                          {"ASMK_HSA_EMU_ARCH", "gfx942"},
                          {"ASMK_HSA_EMU_CUS", nullptr},
                          {"ASMK_EMU_STRICT", "1"}};
};

// Opens the test repository with `backend` (nullptr: ASMK_BACKEND decides), `device_index` and
// `device` (nullptr: none).
inline void open_device(Opened& out, const char* backend, int device_index, const char* device = nullptr) {
  asmk_open_options options;
  asmk_open_options_init(&options);
  options.backend = backend;
  options.device = device;
  options.device_index = device_index;
  out.status = asmk_open(hsaco_dir().c_str(), &options, &out.context);
  out.message = asmk_last_error();
}

inline std::string note_of(const Opened& o) {
  const char* note = nullptr;
  return o.context != nullptr && asmk_backend_note(o.context, &note) == ASMK_SUCCESS ? note : "<no note>";
}

inline std::string describe_of(const Opened& o) {
  const char* text = nullptr;
  return o.context != nullptr && asmk_backend_describe(o.context, &text) == ASMK_SUCCESS ? text : "<no description>";
}

inline asmk_stream as_stream(void* hip_stream) { return static_cast<asmk_stream>(hip_stream); }

}  // namespace asmk::hip_test
