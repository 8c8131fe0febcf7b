#include "signal.hpp"

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

// The change and the wake-up happen under the lock: a waiter returns (and may destroy the signal)
// only after the notifier has let go of it.
void Signal::store(hsa_signal_value_t value) {
  {
    std::lock_guard lock(mutex_);
    value_.store(value, std::memory_order_release);
    changed_.notify_all();
  }
  if (hook_) hook_();
}

void Signal::add(hsa_signal_value_t delta) {
  {
    std::lock_guard lock(mutex_);
    value_.fetch_add(delta, std::memory_order_acq_rel);
    changed_.notify_all();
  }
  if (hook_) hook_();
}

Signal::~Signal() {
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
