// Closing an hsa stream with a dispatch in flight (issue 17: AddressSanitizer saw the runtime's
// packet processor decrement a completion signal that StreamQueue::release had destroyed).
// StreamQueue runs here on a fake HSA runtime that never completes a packet on its own and, like
// the emulated runtime, finishes the packet it is running when its queue is destroyed. The fake
// records every signal touched after its destruction: there must be none.
#include <gtest/gtest.h>

#include <array>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "backends/hsa/stream_queue.hpp"

namespace asmk::hsa {
namespace {

struct FakeRuntime {
  std::vector<std::string> calls;
  std::set<std::uint64_t> live_signals;
  std::vector<std::uint64_t> touched_after_destroy;
  std::array<hsa_signal_value_t, 64> values{};
  std::uint64_t next_signal = 1;
  hsa_queue_t queue{};
  std::array<hsa_kernel_dispatch_packet_t, 4> packets{};
  std::uint64_t write_index = 0;
};
FakeRuntime* fake = nullptr;

hsa_signal_value_t& value_of(hsa_signal_t s) {
  if (!fake->live_signals.contains(s.handle)) fake->touched_after_destroy.push_back(s.handle);
  return fake->values[s.handle % fake->values.size()];
}

Api fake_api() {
  Api api{};
  api.library = "fake";
  api.hsa_status_string = [](hsa_status_t, const char** text) { *text = "fake"; return HSA_STATUS_SUCCESS; };
  api.hsa_queue_create = [](hsa_agent_t, uint32_t size, hsa_queue_type32_t, void (*)(hsa_status_t, hsa_queue_t*, void*),
                            void*, uint32_t, uint32_t, hsa_queue_t** out) {
    fake->calls.push_back("queue_create");
    fake->queue.size = size;
    fake->queue.base_address = fake->packets.data();
    fake->queue.doorbell_signal = hsa_signal_t{1000};
    *out = &fake->queue;
    return HSA_STATUS_SUCCESS;
  };
  api.hsa_queue_destroy = [](hsa_queue_t*) {
    fake->calls.push_back("queue_destroy");
    // Like the emulated runtime: the packet being processed finishes, then the processor stops.
    if (fake->write_index > 0) {
      const auto& last = fake->packets[(fake->write_index - 1) % fake->packets.size()];
      value_of(last.completion_signal) -= 1;
    }
    return HSA_STATUS_SUCCESS;
  };
  api.hsa_signal_create = [](hsa_signal_value_t initial, uint32_t, const hsa_agent_t*, hsa_signal_t* out) {
    out->handle = fake->next_signal++;
    fake->live_signals.insert(out->handle);
    fake->values[out->handle % fake->values.size()] = initial;
    return HSA_STATUS_SUCCESS;
  };
  api.hsa_signal_destroy = [](hsa_signal_t s) {
    fake->calls.push_back("signal_destroy");
    fake->live_signals.erase(s.handle);
    return HSA_STATUS_SUCCESS;
  };
  api.hsa_signal_load_scacquire = [](hsa_signal_t s) { return value_of(s); };
  api.hsa_signal_store_relaxed = [](hsa_signal_t s, hsa_signal_value_t v) { value_of(s) = v; };
  api.hsa_signal_store_screlease = [](hsa_signal_t s, hsa_signal_value_t) {
    if (s.handle != 1000) value_of(s);  // the doorbell is not a slot signal
  };
  api.hsa_signal_wait_scacquire = [](hsa_signal_t s, hsa_signal_condition_t, hsa_signal_value_t, uint64_t,
                                     hsa_wait_state_t) { return value_of(s); };  // never completes
  api.hsa_amd_memory_pool_allocate = [](hsa_amd_memory_pool_t, size_t bytes, uint32_t, void** out) {
    *out = std::malloc(bytes);
    return HSA_STATUS_SUCCESS;
  };
  api.hsa_amd_memory_pool_free = [](void* p) {
    fake->calls.push_back("memory_free");
    std::free(p);
    return HSA_STATUS_SUCCESS;
  };
  api.hsa_amd_agents_allow_access = [](uint32_t, const hsa_agent_t*, const uint32_t*, const void*) {
    return HSA_STATUS_SUCCESS;
  };
  api.hsa_queue_load_read_index_scacquire = [](const hsa_queue_t*) { return fake->write_index; };
  api.hsa_queue_add_write_index_scacq_screl = [](const hsa_queue_t*, uint64_t n) {
    const std::uint64_t old = fake->write_index;
    fake->write_index += n;
    return old;
  };
  return api;
}

TEST(StreamQueueClose, TheQueueStopsBeforeItsSignalsAndKernargsAreFreed) {
  FakeRuntime runtime;
  fake = &runtime;
  const Api api = fake_api();
  GpuAgent agent;
  agent.name = "gfx942";
  MemoryPool kernarg_pool;
  QueueSettings settings;
  settings.size = 4;
  settings.timeout = std::chrono::milliseconds(20);  // the close gives up waiting quickly
  settings.timestamp_frequency = 1'000'000'000;
  {
    StreamQueue queue(api, agent, kernarg_pool, settings, "stream 0x1");
    const std::string name = "k";
    LoadedKernel kernel;
    kernel.kernarg_segment_size = 8;
    const std::array<std::byte, 8> kernargs{};
    queue.dispatch(DispatchRequest{name, kernel, {1, 1, 1}, {64, 1, 1}, kernargs});
  }  // closed with the dispatch still in flight
  fake = nullptr;
  EXPECT_TRUE(runtime.touched_after_destroy.empty())
      << runtime.touched_after_destroy.size() << " signal(s) completed after hsa_signal_destroy";
  ASSERT_FALSE(runtime.calls.empty());
  std::size_t queue_destroyed = 0;
  while (queue_destroyed < runtime.calls.size() && runtime.calls[queue_destroyed] != "queue_destroy") ++queue_destroyed;
  ASSERT_LT(queue_destroyed, runtime.calls.size()) << "hsa_queue_destroy never called";
  for (std::size_t i = 0; i < queue_destroyed; ++i)
    EXPECT_TRUE(runtime.calls[i] == "queue_create") << runtime.calls[i] << " before hsa_queue_destroy";
}

}  // namespace
}  // namespace asmk::hsa
