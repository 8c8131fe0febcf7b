// A user-mode AQL queue and its packet processor. The application writes 64-byte packets into
// the ring (body first, header last) and stores the write index into the doorbell signal; the
// doorbell wakes this queue's processor thread, which decodes each packet (kernel object ->
// loaded kernel, kernarg address, grid and workgroup sizes, group segment size), runs the dispatch
// on the emulator and decrements the completion signal. A dispatch that faults (or, with
// ASMK_EMU_STRICT=1, has strict-mode findings) calls the queue's error callback and leaves the
// queue inactive, as a GPU queue would be after a fault; its completion signal is not decremented.
#pragma once

#include <hsa/hsa.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "signal.hpp"

namespace asmk::hsa_emu {

class Runtime;

class Queue {
 public:
  using ErrorCallback = void (*)(hsa_status_t, hsa_queue_t*, void*);
  Queue(Runtime& runtime, std::size_t agent, std::uint32_t size, ErrorCallback callback, void* data);
  ~Queue();  // stops the processor thread
  Queue(const Queue&) = delete;
  Queue& operator=(const Queue&) = delete;

  hsa_queue_t* public_queue() { return &queue_; }
  std::size_t agent() const { return agent_; }

  std::uint64_t read_index() const { return read_index_.load(std::memory_order_acquire); }
  std::uint64_t write_index() const { return write_index_.load(std::memory_order_acquire); }
  void store_write_index(std::uint64_t value) { write_index_.store(value, std::memory_order_release); }
  std::uint64_t add_write_index(std::uint64_t value) { return write_index_.fetch_add(value, std::memory_order_acq_rel); }
  bool compare_exchange_write_index(std::uint64_t& expected, std::uint64_t value) {
    return write_index_.compare_exchange_strong(expected, value, std::memory_order_acq_rel);
  }

  void set_profiling(bool on) { profiling_.store(on); }
  // What went wrong with the dispatch that stopped this queue ("" while none did).
  std::string error_text() const;

 private:
  void process();  // the packet processor thread
  // Runs the packet at `index`; false when it stopped the queue.
  bool execute(std::uint64_t index);
  void fail(hsa_status_t status, std::string text);

  Runtime& runtime_;
  std::size_t agent_;
  hsa_queue_t queue_{};
  std::unique_ptr<std::uint8_t[], void (*)(void*)> ring_;
  Signal doorbell_{0};
  ErrorCallback callback_;
  void* callback_data_;
  std::atomic<std::uint64_t> read_index_{0}, write_index_{0};
  std::atomic<bool> profiling_{false};

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool rung_ = false, stopping_ = false, inactive_ = false;
  std::string error_text_;
  std::thread processor_;
};

}  // namespace asmk::hsa_emu
