// Checking a tensor buffer before a launch: non-null, and large enough for the extent the problem
// reads or writes — against the caller's byte count and the backend's allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "../backend.hpp"

namespace asmk::ops {

// Bytes spanned by `rows` rows of `row_bytes` bytes, `stride_bytes` apart (saturating at
// UINT64_MAX so an absurd shape is refused as too large rather than wrapping to a small size).
std::uint64_t rows_extent(std::uint64_t rows, std::uint64_t row_bytes, std::uint64_t stride_bytes);

// Throws NULL_BUFFER (`op`: `name` is null) or BUFFER_TOO_SMALL naming the need, the shape and
// what the caller or the allocation holds.
void require_buffer(const Backend& backend, std::string_view op, std::string_view name, const void* pointer,
                    std::uint64_t needed, std::size_t caller_bytes, std::string_view shape);

// As require_buffer, for an optional buffer: a null pointer is fine.
void require_optional_buffer(const Backend& backend, std::string_view op, std::string_view name,
                             const void* pointer, std::uint64_t needed, std::size_t caller_bytes,
                             std::string_view shape);

}  // namespace asmk::ops
