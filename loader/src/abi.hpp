// The C ABI's sized structs (asmk.h, "Sized structs"): a caller's struct is read and written only
// as far as its `struct_size` says, so a caller built against an older asmk.h keeps working and
// one built against a newer header is refused instead of read past its end.
//
// kFirstSize is the size of a struct's first released layout. Appending a field to a struct in
// asmk.h leaves it as it is (write the old size as the offset of the new field) and adds a frozen
// copy of the old layout to tests/loader/test_abi.cpp.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string_view>

#include <fmt/format.h>

#include "asmk.h"
#include "error.hpp"

namespace asmk::abi {

template <typename T>
inline constexpr std::size_t kFirstSize = sizeof(T);  // a sized struct's layout is its first (0.1)...
// ...unless fields were appended since:
template <>
inline constexpr std::size_t kFirstSize<asmk_open_options> = offsetof(asmk_open_options, max_launch_instructions);
// asmk_selection.launches (its last field) grew from 0.1's 8 slots to ASMK_MAX_LAUNCHES: write() fills the slots
// the caller's size covers; launch_count counts every launch.
inline constexpr std::size_t kLaunchSlotsV1 = 8;
template <>
inline constexpr std::size_t kFirstSize<asmk_selection> =
    offsetof(asmk_selection, launches) + kLaunchSlotsV1 * sizeof(asmk_launch_info);
template <>
inline constexpr std::size_t kFirstSize<asmk_mla_decode_args> = offsetof(asmk_mla_decode_args, work);

// Refuses a struct_size that is 0, below the first layout or beyond this library's.
inline void check_size(std::size_t size, std::size_t first, std::size_t current, std::string_view type) {
  if (size == 0)
    fail(ASMK_ERROR_INVALID_ARGUMENT,
         fmt::format("{}.struct_size is 0: set it to sizeof({}) ({} bytes in this asmk.h; ASMK_INIT({}) does)", type,
                     type, current, type));
  if (size < first)
    fail(ASMK_ERROR_INVALID_ARGUMENT, fmt::format("{}.struct_size is {}, below every layout of {} (this library knows "
                                                  "{} to {} bytes)", type, size, type, first, current));
  if (size > current)
    fail(ASMK_ERROR_INVALID_ARGUMENT,
         fmt::format("{}.struct_size is {}: the caller was built against a newer asmk.h than this libasmk {} ({} "
                     "knows {} to {} bytes); use the libasmk of that header", type, size,
                     fmt::format("{}.{}.{}", ASMK_VERSION_MAJOR, ASMK_VERSION_MINOR, ASMK_VERSION_PATCH), type, first,
                     current));
}

// The caller's struct with the fields its size covers; the others as in `defaults`.
template <typename T>
T read(const T* in, std::string_view type, T defaults = T{}) {
  if (in == nullptr) fail(ASMK_ERROR_INVALID_ARGUMENT, fmt::format("{} is null", type));
  check_size(in->struct_size, kFirstSize<T>, sizeof(T), type);
  std::memcpy(&defaults, in, in->struct_size);
  defaults.struct_size = sizeof(T);
  return defaults;
}

// Checks the caller's output struct before anything is done.
template <typename T>
void check_output(const T* out, std::string_view type) {
  if (out != nullptr) check_size(out->struct_size, kFirstSize<T>, sizeof(T), type);
}

// Writes `full` into the caller's struct as far as its (checked) size goes; struct_size stays.
template <typename T>
void write(const T& full, T* out) {
  const std::size_t size = out->struct_size;
  std::memcpy(out, &full, std::min(size, sizeof(T)));
  out->struct_size = size;
}

}  // namespace asmk::abi
