// Errors are values: reference functions return a Status that names what was asked and what is
// allowed; they never print, abort or throw for bad arguments.
#pragma once

#include <string>
#include <utility>

namespace asmk::ref {

struct Status {
  std::string error;  // empty on success

  bool ok() const { return error.empty(); }
  static Status success() { return {}; }
  static Status failure(std::string message) { return {std::move(message)}; }
};

}  // namespace asmk::ref
