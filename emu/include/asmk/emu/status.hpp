// Errors as values for the emulator's public API: Status (ok or a message) and Expected<T>
// (a value or a message). Nothing in asmk::emu throws across the API, prints or aborts.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace asmk::emu {

/// Success, or a failure with a message that names what was asked and what exists.
class Status {
 public:
  Status() = default;
  static Status success() { return {}; }
  static Status error(std::string message) {
    Status s;
    s.ok_ = false;
    s.message_ = std::move(message);
    return s;
  }
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const std::string& message() const { return message_; }

 private:
  bool ok_ = true;
  std::string message_;
};

/// A value of T, or the error message that explains why there is none.
template <class T>
class Expected {
 public:
  Expected(T value) : state_(std::move(value)) {}           // NOLINT: implicit by design
  Expected(Status failed) : state_(failed.message()) {}     // NOLINT: only for failed statuses
  static Expected failure(std::string message) { return Expected(Status::error(std::move(message))); }

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(state_); }
  const T& value() const { return std::get<0>(state_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const std::string& error() const { return std::get<1>(state_); }
  Status status() const { return ok() ? Status::success() : Status::error(error()); }

 private:
  std::variant<T, std::string> state_;
};

}  // namespace asmk::emu
