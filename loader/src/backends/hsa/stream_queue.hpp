// One asmk stream = one user-mode AQL queue on the agent. A launch takes the next slot of a ring
// (as many slots as queue packets), each with its own completion signal and kernarg buffer from
// the kernarg pool (one block allocated with the queue; a larger buffer when a kernel needs it), so a buffer is reused only after the dispatch that read it has completed.
// Packets carry the barrier bit, so the stream is in order and synchronize waits on the last
// slot's signal. Every wait is bounded: a full queue, a slot still busy or a dispatch that does
// not finish within the timeout is ASMK_ERROR_BACKEND; a queue error the runtime reports (a kernel
// fault) is ASMK_ERROR_KERNEL_FAULT, after which the queue is dead and the stream gets a new one.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "agents.hpp"
#include "code_object_cache.hpp"
#include "asmk.h"

namespace asmk::hsa {

struct QueueSettings {
  std::uint32_t size = 1024;            // packets (a power of two within the agent's limits)
  std::chrono::milliseconds timeout{};  // bound of every wait
  bool profiling = false;               // dispatch timestamps
  std::uint64_t timestamp_frequency = 0;  // HSA system ticks per second
};

struct DispatchRequest {
  const std::string& kernel_name;
  const LoadedKernel& kernel;
  asmk_dim3 grid;   // workgroups
  asmk_dim3 block;  // work-items
  std::span<const std::byte> kernargs;
};

class StreamQueue {
 public:
  StreamQueue(const Api& api, const GpuAgent& agent, const MemoryPool& kernarg_pool, QueueSettings settings,
              std::string label);
  ~StreamQueue();
  StreamQueue(const StreamQueue&) = delete;
  StreamQueue& operator=(const StreamQueue&) = delete;

  void dispatch(const DispatchRequest& request);
  // Waits for every dispatch so far. Throws KERNEL_FAULT (the queue failed) or BACKEND (timeout).
  void synchronize();
  // Like synchronize, but a failure is left for the stream's own synchronize to report.
  void drain_quietly();
  // True once the runtime has reported an error on this queue: it accepts nothing more.
  bool failed() const { return error_.load() != HSA_STATUS_SUCCESS; }
  // Nanoseconds of the last completed dispatch (profiling on), else nullopt.
  std::optional<std::uint64_t> last_dispatch_ns() const;

 private:
  struct Slot {
    hsa_signal_t done{};       // 1 while its dispatch is in flight
    void* kernargs = nullptr;  // kernarg-pool memory: its part of kernarg_block_, or its own when larger
    std::size_t capacity = 0;
    bool owns_kernargs = false;
    std::string kernel;        // the kernel last dispatched from this slot
  };

  static void on_queue_error(hsa_status_t status, hsa_queue_t* queue, void* self);
  void ensure_capacity(Slot& slot, std::size_t bytes);
  // Waits until the slot's dispatch completed; false on timeout; throws on a queue error.
  bool wait_slot(Slot& slot, std::chrono::steady_clock::time_point deadline);
  [[noreturn]] void throw_queue_error();
  void release();

  const Api& api_;
  const GpuAgent& agent_;
  const MemoryPool& kernarg_pool_;
  QueueSettings settings_;
  std::string label_;  // "stream 0x..." for messages
  hsa_queue_t* queue_ = nullptr;
  std::vector<Slot> slots_;
  void* kernarg_block_ = nullptr;  // one kernarg buffer per slot, allocated with the queue
  std::uint64_t next_index_ = 0;  // this queue's only producer is the holder of mutex_
  std::optional<std::size_t> last_slot_;
  std::optional<std::uint64_t> last_ns_;
  std::atomic<hsa_status_t> error_{HSA_STATUS_SUCCESS};
  mutable std::mutex mutex_;
};

}  // namespace asmk::hsa
