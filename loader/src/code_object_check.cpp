#include "code_object_check.hpp"

#include <fmt/format.h>

#include "asmk/emu/file.hpp"
#include "error.hpp"
#include "sha256.hpp"

namespace asmk {

std::vector<std::uint8_t> read_code_object(const Kernel& kernel) {
  auto bytes = emu::read_regular_file(kernel.code_object_path, kMaxCodeObjectBytes,
                                      fmt::format("code object of kernel {}", kernel.name));
  if (!bytes) fail(ASMK_ERROR_MISSING_CODE_OBJECT, bytes.error());
  return std::move(*bytes);
}

void check_sha256(const Kernel& kernel, std::span<const std::uint8_t> bytes) {
  if (kernel.sha256.empty())
    fail(ASMK_ERROR_BAD_REPOSITORY,
         fmt::format("kernel {}: its manifest entry has no sha256 (\"sha256\": \"\" or absent), and this context "
                     "verifies code objects (verify_sha256): rebuild the manifest with asmgen",
                     kernel.name));
  const std::string actual = sha256_hex(bytes);
  if (actual != kernel.sha256)
    fail(ASMK_ERROR_MISSING_CODE_OBJECT,
         fmt::format("code object {} of kernel {} has sha256 {}, the manifest says {}", kernel.code_object_path,
                     kernel.name, actual, kernel.sha256));
}

}  // namespace asmk
