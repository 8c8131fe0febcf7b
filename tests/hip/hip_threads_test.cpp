// The C ABI from several threads at once on one hip context: four threads, each on a stream it
// created as a framework would (and with another current device than the context's), allocate,
// upload, launch, synchronize and check.
#include <gtest/gtest.h>

#include <thread>

#include "hip_test_support.hpp"

namespace asmk::hip_test {
namespace {

TEST_F(HipTest, FourThreadsLaunchOnTheirOwnStreams) {
  const StandIn& hip = StandIn::get();
  ScopedEnvironment env{{"ASMK_HIP_EMU_ARCH", "gfx950,gfx942"}, {"ASMK_EMU_THREADS", "1"}};
  reconfigure();
  Opened o;
  open_device(o, "hip", 1, "MI300X");
  ASSERT_EQ(o.status, ASMK_SUCCESS) << o.message;
  constexpr int kThreads = 4, kLaunches = 6;
  std::vector<int> failures(kThreads, 0);
  std::vector<std::string> first_failure(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const auto record = [&](::testing::AssertionResult result) {
        if (!result && failures[t]++ == 0) first_failure[t] = result.message();
      };
      // Each thread's streams belong to the context's device (1); its current device stays 0.
      void* stream = nullptr;
      hip.hipSetDevice(1);
      if (hip.hipStreamCreate(&stream) != 0) return record(::testing::AssertionFailure() << "hipStreamCreate");
      hip.hipSetDevice(0);
      for (int i = 0; i < kLaunches; ++i) {
        QuantBuffers b(o.context, 1 + (t + i) % 3, std::uint32_t(50 * t + i + 1));
        // Odd launches go through the op, so its selection cache is shared by the threads too.
        const asmk_status launched = i % 2 ? b.launch_op(as_stream(stream)) : b.launch(as_stream(stream));
        record(launched == ASMK_SUCCESS && asmk_synchronize(o.context, as_stream(stream)) == ASMK_SUCCESS
                   ? b.output_is_right()
                   : ::testing::AssertionFailure() << asmk_last_error());
      }
      int current = -1;
      hip.hipGetDevice(&current);
      if (current != 0) record(::testing::AssertionFailure() << "the thread's current device became " << current);
      hip.hipStreamDestroy(stream);
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(failures[t], 0) << "thread " << t << ": " << first_failure[t];
}

}  // namespace
}  // namespace asmk::hip_test
