#include "sha256.hpp"

#include <vector>

#include <fmt/format.h>
#include <llvm/ADT/ArrayRef.h>
#include <llvm/ADT/StringExtras.h>
#include <llvm/Support/SHA256.h>

#include "asmk/emu/code_object.hpp"
#include "asmk/emu/file.hpp"
#include "error.hpp"

namespace asmk {

// LLVM's SHA-256 (already linked for the emulator's disassembler) does the hashing.
std::string sha256_hex(std::span<const std::uint8_t> bytes) {
  const auto digest = llvm::SHA256::hash(llvm::ArrayRef<std::uint8_t>(bytes.data(), bytes.size()));
  return llvm::toHex(digest, /*LowerCase=*/true);
}

std::string sha256_file_hex(const std::filesystem::path& file) {
  auto bytes = emu::read_regular_file(file.string(), emu::CodeObject::kMaxFileBytes, "sha256");
  if (!bytes) fail(ASMK_ERROR_MISSING_CODE_OBJECT, bytes.error());
  return sha256_hex(*bytes);
}

}  // namespace asmk
