#include "buffer_checks.hpp"

#include <fmt/format.h>

#include "../error.hpp"

namespace asmk::ops {

std::uint64_t saturating_mul(std::uint64_t a, std::uint64_t b) {
  std::uint64_t product = 0;
  return __builtin_mul_overflow(a, b, &product) ? UINT64_MAX : product;
}
std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) {
  std::uint64_t sum = 0;
  return __builtin_add_overflow(a, b, &sum) ? UINT64_MAX : sum;
}

BufferFault check_buffer(const Backend& backend, const void* pointer, std::uint64_t needed, std::size_t caller_bytes,
                         bool optional) {
  if (pointer == nullptr) return {optional ? BufferFault::ok : BufferFault::null, 0};
  if (caller_bytes != 0 && caller_bytes < needed) return {BufferFault::caller_too_small, 0};
  if (const auto available = backend.bytes_available(pointer); available && *available < needed)
    return {BufferFault::allocation_too_small, *available};
  return {};
}

void fail_buffer(const BufferFault& fault, std::string_view op, std::string_view name, std::uint64_t needed,
                 std::size_t caller_bytes, const std::string& shape) {
  switch (fault.kind) {
    case BufferFault::null:
      fail(ASMK_ERROR_NULL_BUFFER, fmt::format("{}: {} is null ({} needed: {})", op, name, needed, shape));
    case BufferFault::caller_too_small:
      fail(ASMK_ERROR_BUFFER_TOO_SMALL,
           fmt::format("{}: {} needs {} bytes ({}), the caller gave {}", op, name, needed, shape, caller_bytes));
    case BufferFault::allocation_too_small:
      fail(ASMK_ERROR_BUFFER_TOO_SMALL, fmt::format("{}: {} needs {} bytes ({}), its allocation has {} from that pointer",
                                                    op, name, needed, shape, fault.available));
    case BufferFault::ok: break;
  }
  fail(ASMK_ERROR_INTERNAL, fmt::format("{}: {}: fail_buffer called for a valid buffer", op, name));
}

}  // namespace asmk::ops
