// SHA-256 (FIPS 180-4, computed by libasmk itself) of a file, to check a code object against its manifest entry.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

namespace asmk {

// Lowercase hex digest of `bytes`.
std::string sha256_hex(std::span<const std::uint8_t> bytes);

// Lowercase hex digest of the file's contents; throws asmk::Error if it cannot be read.
std::string sha256_file_hex(const std::filesystem::path& file);

}  // namespace asmk
