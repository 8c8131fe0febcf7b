// HSA signals: a 64-bit value that the host and the (emulated) packet processor change, with
// waits that sleep until a condition holds or a timeout passes. A doorbell is a signal whose
// stores also wake the queue's packet processor.
#pragma once

#include <hsa/hsa.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>

namespace asmk::hsa_emu {

class Signal {
 public:
  explicit Signal(hsa_signal_value_t initial);
  // Waits for a completion still being delivered by complete(), then forgets the signal: a
  // packet processor finishing later finds it gone and leaves it alone.
  ~Signal();
  Signal(const Signal&) = delete;
  Signal& operator=(const Signal&) = delete;

  hsa_signal_value_t load() const { return value_.load(std::memory_order_acquire); }
  void store(hsa_signal_value_t value);
  void add(hsa_signal_value_t delta);

  // Waits until `condition` holds against `compare` or `timeout` passes; returns the value seen last.
  hsa_signal_value_t wait(hsa_signal_condition_t condition, hsa_signal_value_t compare,
                          std::chrono::nanoseconds timeout);

  // Called after every store (the doorbell of a queue).
  void on_store(std::function<void()> hook) { hook_ = std::move(hook); }

  // Dispatch timestamps (ns) of the last profiled dispatch that completed on this signal.
  std::uint64_t start_ns = 0, end_ns = 0;

  static Signal* of(hsa_signal_t signal) { return reinterpret_cast<Signal*>(signal.handle); }

  // The packet processor's completion: `delta` added to the signal if it still exists (the
  // application may destroy a completion signal early: then nothing is touched). Profiled
  // dispatches also record their timestamps. Returns whether the signal existed.
  static bool complete(hsa_signal_t signal, hsa_signal_value_t delta, const std::uint64_t* start_end_ns);
  hsa_signal_t handle() { return hsa_signal_t{reinterpret_cast<std::uint64_t>(this)}; }

 private:
  std::atomic<hsa_signal_value_t> value_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::function<void()> hook_;
};

bool condition_holds(hsa_signal_condition_t condition, hsa_signal_value_t value, hsa_signal_value_t compare);

}  // namespace asmk::hsa_emu
