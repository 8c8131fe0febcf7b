// The C ABI from several threads at once on one hsa context: four threads, each on its own stream
// (its own queue), allocate, upload, launch, synchronize and check. Built twice: as a unit test and,
// with the loader's sources, under ThreadSanitizer (label sanitize), which fails on any data race.
#include <gtest/gtest.h>

#include <thread>

#include "hsa_test_support.hpp"

namespace asmk::hsa_test {
namespace {

TEST_F(HsaTest, FourThreadsLaunchOnTheirOwnStreams) {
  ScopedEnvironment env{{"ASMK_HSA_QUEUE_SIZE", "4"}, {"ASMK_EMU_THREADS", "1"}};
  Opened o;
  open(o, "hsa", "MI300X");
  ASSERT_EQ(o.status, ASMK_SUCCESS) << o.message;
  constexpr int kThreads = 4, kLaunches = 6;
  std::vector<int> failures(kThreads, 0);
  std::vector<std::string> first_failure(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const auto stream = reinterpret_cast<asmk_stream>(std::uintptr_t(0x100 + t));
      for (int i = 0; i < kLaunches; ++i) {
        QuantBuffers b(o.context, 1 + (t + i) % 3, std::uint32_t(50 * t + i + 1));
        // Odd launches go through the op, so its selection cache is shared by the threads too.
        const asmk_status launched = i % 2 ? b.launch_op(stream) : b.launch(stream);
        auto result = launched == ASMK_SUCCESS && asmk_synchronize(o.context, stream) == ASMK_SUCCESS
                          ? b.output_is_right()
                          : ::testing::AssertionFailure() << asmk_last_error();
        if (!result) {
          if (failures[t]++ == 0) first_failure[t] = result.message();
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(failures[t], 0) << "thread " << t << ": " << first_failure[t];
}

}  // namespace
}  // namespace asmk::hsa_test
