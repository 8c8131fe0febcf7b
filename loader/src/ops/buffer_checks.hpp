// Checking a tensor buffer before a launch: non-null, and large enough for the extent the problem
// reads or writes — against the caller's byte count and the backend's allocation. Runs on every
// launch, so the passing path formats nothing: only a refusal is worded (fail_buffer).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "../backend.hpp"

namespace asmk::ops {

// a·b and a+b saturating at UINT64_MAX: an absurd extent is refused as too large, never wrapped.
std::uint64_t saturating_mul(std::uint64_t a, std::uint64_t b);
std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b);

// What is wrong with a buffer (nothing: ok), and the allocation's size when that is the problem.
struct BufferFault {
  enum Kind { ok, null, caller_too_small, allocation_too_small } kind = ok;
  std::size_t available = 0;
};
BufferFault check_buffer(const Backend& backend, const void* pointer, std::uint64_t needed, std::size_t caller_bytes,
                         bool optional);

// Throws NULL_BUFFER or BUFFER_TOO_SMALL naming the op, the buffer, the need, the shape and what
// the caller or the allocation holds.
[[noreturn]] void fail_buffer(const BufferFault& fault, std::string_view op, std::string_view name,
                              std::uint64_t needed, std::size_t caller_bytes, const std::string& shape);

}  // namespace asmk::ops
