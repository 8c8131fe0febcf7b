#include "error.hpp"

namespace asmk {
namespace {
thread_local std::string thread_last_error;
}

void set_last_error(std::string message) noexcept { thread_last_error = std::move(message); }

const char* last_error() noexcept { return thread_last_error.c_str(); }

}  // namespace asmk
