#include "sha256.hpp"

#include <fstream>
#include <iterator>
#include <vector>

#include <fmt/format.h>
#include <llvm/ADT/ArrayRef.h>
#include <llvm/ADT/StringExtras.h>
#include <llvm/Support/SHA256.h>

#include "error.hpp"

namespace asmk {

// LLVM's SHA-256 (already linked for the emulator's disassembler) does the hashing.
std::string sha256_hex(std::span<const std::uint8_t> bytes) {
  const auto digest = llvm::SHA256::hash(llvm::ArrayRef<std::uint8_t>(bytes.data(), bytes.size()));
  return llvm::toHex(digest, /*LowerCase=*/true);
}

std::string sha256_file_hex(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) fail(ASMK_ERROR_MISSING_CODE_OBJECT, fmt::format("cannot read {} to check its sha256", file.string()));
  const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return sha256_hex(bytes);
}

}  // namespace asmk
