// Errors inside libasmk: an exception carrying an asmk_status and a one-line message.
// C++ internals throw asmk::Error; the C ABI (c_api.cpp) turns it into a status plus the
// thread's last-error message. Nothing in the library prints, aborts or exits.
#pragma once

#include <stdexcept>
#include <string>

#include "asmk.h"

namespace asmk {

class Error : public std::runtime_error {
 public:
  Error(asmk_status status, std::string message)
      : std::runtime_error(std::move(message)), status_(status) {}
  asmk_status status() const noexcept { return status_; }

 private:
  asmk_status status_;
};

[[noreturn]] inline void fail(asmk_status status, std::string message) {
  throw Error(status, std::move(message));
}

// The calling thread's last-error message (see asmk_last_error).
void set_last_error(std::string message) noexcept;
const char* last_error() noexcept;

}  // namespace asmk
