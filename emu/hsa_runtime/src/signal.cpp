#include "signal.hpp"

#include <unordered_set>

namespace asmk::hsa_emu {

bool condition_holds(hsa_signal_condition_t condition, hsa_signal_value_t value, hsa_signal_value_t compare) {
  switch (condition) {
    case HSA_SIGNAL_CONDITION_EQ: return value == compare;
    case HSA_SIGNAL_CONDITION_NE: return value != compare;
    case HSA_SIGNAL_CONDITION_LT: return value < compare;
    case HSA_SIGNAL_CONDITION_GTE: return value >= compare;
  }
  return false;
}

namespace {

// Every live signal, so that the packet processor can tell whether the completion signal of a
// packet still exists (hsa_signal_destroy may come before the dispatch finished).
std::mutex g_live_mutex;
std::unordered_set<const Signal*> g_live;

}  // namespace

Signal::Signal(hsa_signal_value_t initial) : value_(initial) {
  std::lock_guard lock(g_live_mutex);
  g_live.insert(this);
}

// The change and the wake-up happen under the lock: a waiter returns (and may destroy the signal)
// only after the notifier has let go of it. So nothing of `this` is read after the unlock unless
// the signal has a hook: a queue's doorbell, which only the queue's owner destroys (after the queue).
void Signal::store(hsa_signal_value_t value) {
  bool has_hook = false;
  {
    std::lock_guard lock(mutex_);
    has_hook = static_cast<bool>(hook_);
    value_.store(value, std::memory_order_release);
    changed_.notify_all();
  }
  if (has_hook) hook_();
}

void Signal::add(hsa_signal_value_t delta) {
  bool has_hook = false;
  {
    std::lock_guard lock(mutex_);
    has_hook = static_cast<bool>(hook_);
    value_.fetch_add(delta, std::memory_order_acq_rel);
    changed_.notify_all();
  }
  if (has_hook) hook_();
}

bool Signal::complete(hsa_signal_t handle, hsa_signal_value_t delta, const std::uint64_t* start_end_ns) {
  std::lock_guard live(g_live_mutex);  // held through add(): the destructor waits for it
  Signal* signal = of(handle);
  if (!g_live.contains(signal)) return false;
  if (start_end_ns != nullptr) {
    signal->start_ns = start_end_ns[0];
    signal->end_ns = start_end_ns[1];
  }
  signal->add(delta);
  return true;
}

Signal::~Signal() {
  {
    std::lock_guard live(g_live_mutex);
    g_live.erase(this);
  }
  std::lock_guard lock(mutex_);  // a notifier still inside store/add finishes first
}

hsa_signal_value_t Signal::wait(hsa_signal_condition_t condition, hsa_signal_value_t compare,
                                std::chrono::nanoseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(mutex_);
  for (;;) {
    const hsa_signal_value_t value = load();
    if (condition_holds(condition, value, compare)) return value;
    if (changed_.wait_until(lock, deadline) == std::cv_status::timeout) return load();
  }
}

}  // namespace asmk::hsa_emu
