// Template part of memory_table.hpp.
#pragma once

#include <fmt/format.h>

#include "../error.hpp"

namespace asmk {

template <typename Available>
void check_copy_range(const Available& available, void* destination, const void* source, std::size_t bytes,
                      asmk_copy_kind kind) {
  const auto check = [&](const void* pointer, const char* role) {
    const std::optional<std::size_t> left = available(pointer);
    if (left && *left < bytes)
      fail(ASMK_ERROR_BUFFER_TOO_SMALL,
           fmt::format("asmk_memcpy: {} {} has {} bytes left in its allocation, {} asked", role, pointer, *left, bytes));
  };
  if (kind != ASMK_COPY_DEVICE_TO_HOST) check(destination, "destination");
  if (kind != ASMK_COPY_HOST_TO_DEVICE) check(source, "source");
}

}  // namespace asmk
