// Reading a whole input file with its kind and size checked before a byte is read: a directory,
// a FIFO, a device such as /dev/zero or a file larger than the caller's limit is an error message,
// never a hang, an endless read or an exception.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "asmk/emu/status.hpp"

namespace asmk::emu {

/// The bytes of the regular file at `path` (symbolic links followed), if it holds at most
/// `max_bytes`. `what` starts every message ("code object", "--kernarg", ...).
Expected<std::vector<uint8_t>> read_regular_file(const std::string& path, uint64_t max_bytes, const std::string& what);

}  // namespace asmk::emu
