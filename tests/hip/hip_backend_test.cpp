// The hip backend on the emulator-backed stand-in for libamdhip64 (emu/hip_runtime): how it is
// chosen, the device it drives, memory, launches on the caller's stream in order with the
// framework's work, graph capture and replay, framework-owned memory, device selection.
#include <gtest/gtest.h>

#include <cstring>

#include "hip_test_support.hpp"

namespace asmk::hip_test {
namespace {

TEST_F(HipTest, ChosenByNameOrEnvironment) {
  {
    Opened o;
    open_device(o, "hip", -1);
    ASSERT_EQ(o.status, ASMK_SUCCESS) << o.message;
    EXPECT_EQ(o.backend(), "hip");
    EXPECT_EQ(note_of(o), "");  // named, not chosen
  }
  ScopedEnvironment env{{"ASMK_BACKEND", "hip"}};
  Opened o;
  open_device(o, nullptr, -1);
  ASSERT_EQ(o.status, ASMK_SUCCESS) << o.message;
  EXPECT_EQ(o.backend(), "hip");
  const std::string text = describe_of(o);
  for (const char* part : {"HIP runtime " ASMK_HIP_EMU_LIBRARY, "device 0: gfx942:sramecc+:xnack- (AMD Instinct MI300X) — 304 CUs",
                           "this context uses device 0 (gfx942, 304 CUs)"})
    EXPECT_TRUE(mentions(text, part)) << part << " not in:\n" << text;
}

TEST_F(HipTest, TheDeviceIsTheHipDevices) {
  struct Case {
    const char* arch;
    const char* cus;
    const char* name;
    std::uint32_t compute_units;
  };
  const Case cases[] = {{"gfx942", nullptr, "MI300X", 304}, {"gfx942", "80", "MI308X", 80}, {"gfx950", nullptr, "MI355X", 256}};
  for (const Case& c : cases) {
    ScopedEnvironment env{{"ASMK_HIP_EMU_ARCH", c.arch}, {"ASMK_HIP_EMU_CUS", c.cus}};
    reconfigure();
    Opened o;
    open_device(o, "hip", -1);
    ASSERT_EQ(o.status, ASMK_SUCCESS) << o.message;
    asmk_device_info info{};
    ASSERT_EQ(asmk_device_get(o.context, &info), ASMK_SUCCESS) << asmk_last_error();
    EXPECT_STREQ(info.name, c.name) << c.arch;
    EXPECT_STREQ(info.arch, c.arch);
    EXPECT_EQ(info.compute_units, c.compute_units);
  }
}

TEST_F(HipTest, AllocateCopyLaunchOnTheNullStream) {
  Opened o;
  open_device(o, "hip", -1, "MI300X");
  ASSERT_EQ(o.status, ASMK_SUCCESS) << o.message;
  QuantBuffers b(o.context, 3);
  ASSERT_EQ(b.launch(), ASMK_SUCCESS) << asmk_last_error();
  ASSERT_EQ(asmk_synchronize(o.context, nullptr), ASMK_SUCCESS) << asmk_last_error();
  EXPECT_TRUE(b.output_is_right());
  QuantBuffers through_op(o.context, 5, 20);
  ASSERT_EQ(through_op.launch_op(), ASMK_SUCCESS) << asmk_last_error();
  EXPECT_TRUE(through_op.output_is_right());  // asmk_memcpy waits for the launch
}

// The framework's own work and asmk's launches on one stream run in the order they were issued:
// launch (x = rows 1..4) -> framework copy of y -> launch (x2 = rows 50..53 into the same y).
TEST_F(HipTest, LaunchesAreOrderedWithTheFrameworksWorkOnItsStream) {
  const StandIn& hip = StandIn::get();
  Opened o;
  open_device(o, "hip", -1, "MI300X");
  ASSERT_EQ(o.status, ASMK_SUCCESS) << o.message;
  void* stream = nullptr;
  ASSERT_EQ(hip.hipStreamCreate(&stream), 0);
  const std::uint32_t rows = 4;
  QuantBuffers first(o.context, rows, 1), second(o.context, rows, 50);
  void *y_copy = nullptr, *scale_copy = nullptr;
  ASSERT_EQ(hip.hipMalloc(&y_copy, rows * kN), 0);
  ASSERT_EQ(hip.hipMalloc(&scale_copy, rows * 4), 0);
  for (int round = 0; round < 3; ++round) {
    ASSERT_EQ(launch_quant(o.context, first.x, first.y, first.scale, rows, as_stream(stream)), ASMK_SUCCESS) << asmk_last_error();
    ASSERT_EQ(hip.hipMemcpyAsync(y_copy, first.y, rows * kN, 3, stream), 0);
    ASSERT_EQ(hip.hipMemcpyAsync(scale_copy, first.scale, rows * 4, 3, stream), 0);
    ASSERT_EQ(launch_quant(o.context, second.x, first.y, first.scale, rows, as_stream(stream)), ASMK_SUCCESS);
    ASSERT_EQ(asmk_synchronize(o.context, as_stream(stream)), ASMK_SUCCESS) << asmk_last_error();
    std::vector<std::uint8_t> y(rows * kN), copied(rows * kN);
    std::vector<float> scale(rows), copied_scale(rows);
    ASSERT_EQ(hip.hipMemcpy(copied.data(), y_copy, copied.size(), kDeviceToHost), 0);
    ASSERT_EQ(hip.hipMemcpy(copied_scale.data(), scale_copy, rows * 4, kDeviceToHost), 0);
    ASSERT_EQ(hip.hipMemcpy(y.data(), first.y, y.size(), kDeviceToHost), 0);
    ASSERT_EQ(hip.hipMemcpy(scale.data(), first.scale, rows * 4, kDeviceToHost), 0);
    EXPECT_TRUE(quant_output_is_right(copied, copied_scale, rows, 1)) << "the copy between the launches";
    EXPECT_TRUE(quant_output_is_right(y, scale, rows, 50)) << "after the second launch";
  }
  hip.hipFree(y_copy);
  hip.hipFree(scale_copy);
  hip.hipStreamDestroy(stream);
}

// vLLM / SGLang capture decode steps into HIP graphs: an asmk launch on a capturing stream is
// recorded (not run), and every replay runs it again, reading its buffers as they are then.
TEST_F(HipTest, ALaunchCapturedInAGraphIsReplayed) {
  const StandIn& hip = StandIn::get();
  Opened o;
  open_device(o, "hip", -1, "MI300X");
  ASSERT_EQ(o.status, ASMK_SUCCESS) << o.message;
  const std::uint32_t rows = 6;
  QuantBuffers b(o.context, rows, 1);
  void* stream = nullptr;
  ASSERT_EQ(hip.hipStreamCreate(&stream), 0);
  ASSERT_EQ(hip.hipStreamBeginCapture(stream, 0), 0);
  ASSERT_EQ(b.launch_op(as_stream(stream)), ASMK_SUCCESS) << asmk_last_error();
  EXPECT_EQ(asmk_synchronize(o.context, as_stream(stream)), ASMK_ERROR_BACKEND);  // not while capturing
  EXPECT_TRUE(mentions(asmk_last_error(), "hipErrorStreamCaptureUnsupported")) << asmk_last_error();
  void* graph = nullptr;
  ASSERT_EQ(hip.hipStreamEndCapture(stream, &graph), 0);

  // Captured, not run: y is still zero.
  std::vector<std::uint8_t> y(rows * kN, 0xAA);
  ASSERT_EQ(asmk_memcpy(o.context, y.data(), b.y, y.size(), ASMK_COPY_DEVICE_TO_HOST), ASMK_SUCCESS) << asmk_last_error();
  EXPECT_EQ(y, std::vector<std::uint8_t>(rows * kN, 0));

  void* executable = nullptr;
  ASSERT_EQ(hip.hipGraphInstantiate(&executable, graph, nullptr, nullptr, 0), 0);
  ASSERT_EQ(hip.hipGraphLaunch(executable, stream), 0);
  ASSERT_EQ(hip.hipStreamSynchronize(stream), 0) << hip.asmk_hip_emu_last_error();
  EXPECT_TRUE(b.output_is_right()) << "first replay";

  // Second replay on new input in the same buffers (as a decode step refills its tensors).
  const auto next = quant_input(rows, 100);
  ASSERT_EQ(asmk_memcpy(o.context, b.x, next.data(), next.size() * 2, ASMK_COPY_HOST_TO_DEVICE), ASMK_SUCCESS);
  const std::vector<std::uint8_t> zeros(rows * kN, 0);
  ASSERT_EQ(asmk_memcpy(o.context, b.y, zeros.data(), zeros.size(), ASMK_COPY_HOST_TO_DEVICE), ASMK_SUCCESS);
  ASSERT_EQ(hip.hipGraphLaunch(executable, stream), 0);
  ASSERT_EQ(hip.hipStreamSynchronize(stream), 0) << hip.asmk_hip_emu_last_error();
  b.first = 100;
  EXPECT_TRUE(b.output_is_right()) << "second replay";

  hip.hipGraphExecDestroy(executable);
  hip.hipGraphDestroy(graph);
  hip.hipStreamDestroy(stream);
}

// A framework's tensors (hipMalloc'd by it, unknown to asmk) are used as they are.
TEST_F(HipTest, FrameworkOwnedMemoryIsAcceptedAsIs) {
  const StandIn& hip = StandIn::get();
  Opened o;
  open_device(o, "hip", -1, "MI300X");
  ASSERT_EQ(o.status, ASMK_SUCCESS) << o.message;
  const std::uint32_t rows = 7;
  const auto host_x = quant_input(rows, 30);
  void *x = nullptr, *y = nullptr, *scale = nullptr;
  ASSERT_EQ(hip.hipMalloc(&x, host_x.size() * 2), 0);
  ASSERT_EQ(hip.hipMalloc(&y, rows * kN), 0);
  ASSERT_EQ(hip.hipMalloc(&scale, rows * 4), 0);
  ASSERT_EQ(hip.hipMemcpy(x, host_x.data(), host_x.size() * 2, kHostToDevice), 0);

  asmk_quant_fp8_args a = ASMK_INIT(asmk_quant_fp8_args);
  a.m = rows, a.n = kN, a.in_dtype = ASMK_DTYPE_BF16, a.granularity = ASMK_QUANT_ROW;
  a.x = x, a.y = y, a.scale = static_cast<float*>(scale);
  a.x_bytes = host_x.size() * 2, a.y_bytes = std::size_t(rows) * kN, a.scale_bytes = rows * 4;
  ASSERT_EQ(asmk_quant_fp8(o.context, &a, nullptr, nullptr), ASMK_SUCCESS) << asmk_last_error();
  ASSERT_EQ(asmk_synchronize(o.context, nullptr), ASMK_SUCCESS) << asmk_last_error();

  std::vector<std::uint8_t> host_y(rows * kN);
  std::vector<float> host_scale(rows);
  ASSERT_EQ(hip.hipMemcpy(host_y.data(), y, host_y.size(), kDeviceToHost), 0);
  // asmk_memcpy also takes a framework pointer (no bounds known: the caller's word).
  ASSERT_EQ(asmk_memcpy(o.context, host_scale.data(), scale, rows * 4, ASMK_COPY_DEVICE_TO_HOST), ASMK_SUCCESS)
      << asmk_last_error();
  EXPECT_TRUE(quant_output_is_right(host_y, host_scale, rows, 30));
  hip.hipFree(x);
  hip.hipFree(y);
  hip.hipFree(scale);
}

TEST_F(HipTest, ADeviceIsChosenByIndexOrIsTheCurrentOne) {
  const StandIn& hip = StandIn::get();
  ScopedEnvironment env{{"ASMK_HIP_EMU_ARCH", "gfx942,gfx950,gfx942"}, {"ASMK_HIP_EMU_CUS", "304,256,80"}};
  reconfigure();
  {
    Opened o;
    open_device(o, "hip", 1);
    ASSERT_EQ(o.status, ASMK_SUCCESS) << o.message;
    asmk_device_info info{};
    ASSERT_EQ(asmk_device_get(o.context, &info), ASMK_SUCCESS);
    EXPECT_STREQ(info.name, "MI355X");
    EXPECT_TRUE(mentions(describe_of(o), "this context uses device 1 (gfx950, 256 CUs)")) << describe_of(o);
  }
  {
    ScopedEnvironment device{{"ASMK_DEVICE", "2"}};
    Opened o;
    open_device(o, "hip", -1);  // -1: ASMK_DEVICE
    ASSERT_EQ(o.status, ASMK_SUCCESS) << o.message;
    asmk_device_info info{};
    ASSERT_EQ(asmk_device_get(o.context, &info), ASMK_SUCCESS);
    EXPECT_STREQ(info.name, "MI308X");
  }
  // The current device of the opening thread (a tensor-parallel worker sets it), which asmk's own
  // calls leave as the caller set it.
  ASSERT_EQ(hip.hipSetDevice(2), 0);
  Opened current;
  open_device(current, "hip", -1);
  ASSERT_EQ(current.status, ASMK_SUCCESS) << current.message;
  EXPECT_TRUE(mentions(describe_of(current), "uses device 2")) << describe_of(current);
  Opened first;
  open_device(first, "hip", 0);
  ASSERT_EQ(first.status, ASMK_SUCCESS) << first.message;
  {
    QuantBuffers b(first.context, 2);
    ASSERT_EQ(b.launch(), ASMK_SUCCESS) << asmk_last_error();
    EXPECT_TRUE(b.output_is_right());
  }
  int device = -1;
  ASSERT_EQ(hip.hipGetDevice(&device), 0);
  EXPECT_EQ(device, 2) << "asmk changed the caller's current device";
}

TEST_F(HipTest, ADeviceIndexPastTheLastDeviceNamesHowManyExist) {
  ScopedEnvironment env{{"ASMK_HIP_EMU_ARCH", "gfx942,gfx942"}};
  reconfigure();
  for (const char* backend : {"hip", "hsa"}) {
    ScopedEnvironment hsa{{"ASMK_HSA_EMU_ARCH", "gfx942,gfx942"}};
    Opened o;
    open_device(o, backend, 5);
    EXPECT_EQ(o.status, ASMK_ERROR_NO_DEVICE) << backend;
    EXPECT_TRUE(mentions(o.message, "device_index 5 asked for")) << o.message;
    EXPECT_TRUE(mentions(o.message, std::string("has 2 ") + (backend == std::string("hip") ? "devices" : "GPU agents")))
        << o.message;
  }
  ScopedEnvironment device{{"ASMK_DEVICE", "3"}};
  Opened o;
  open_device(o, "hip", -1);
  EXPECT_EQ(o.status, ASMK_ERROR_NO_DEVICE);
  EXPECT_TRUE(mentions(o.message, "device_index 3 asked for, but the HIP runtime")) << o.message;
  ScopedEnvironment malformed{{"ASMK_DEVICE", "first"}};
  Opened bad;
  open_device(bad, "hip", -1);
  EXPECT_EQ(bad.status, ASMK_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(mentions(bad.message, "ASMK_DEVICE='first'")) << bad.message;
}

TEST_F(HipTest, HsaPicksTheAgentByIndexToo) {
  ScopedEnvironment env{{"ASMK_HSA_EMU_ARCH", "gfx942,gfx950"}};
  Opened o;
  open_device(o, "hsa", 1);
  ASSERT_EQ(o.status, ASMK_SUCCESS) << o.message;
  EXPECT_TRUE(mentions(describe_of(o), "uses agent 1 (gfx950, 256 CUs)")) << describe_of(o);
  Opened mismatch;
  open_device(mismatch, "hsa", 1, "MI300X");
  EXPECT_EQ(mismatch.status, ASMK_ERROR_UNSUPPORTED_ARCH);
  EXPECT_TRUE(mentions(mismatch.message, "GPU agent 1 is gfx950, but a gfx942 device was asked for")) << mismatch.message;
}

}  // namespace
}  // namespace asmk::hip_test
