// errors.hpp — a failed asmk call (or a refused argument) on its way to Python's asmk.Error.
#pragma once

#include <asmk.h>

#include <stdexcept>
#include <string>

namespace asmk_py {

struct Failure : std::runtime_error {
  Failure(asmk_status status, const std::string& message) : std::runtime_error(message), status(status) {}
  asmk_status status;
};

// Throws Failure with the status and asmk_last_error() when `status` is not ASMK_SUCCESS.
inline void check(asmk_status status, const char* what) {
  if (status != ASMK_SUCCESS) throw Failure(status, std::string(what) + ": " + asmk_last_error());
}

}  // namespace asmk_py
