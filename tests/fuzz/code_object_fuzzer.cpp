// Fuzz target over the emulator's code-object loader: CodeObject::load on arbitrary bytes must
// return a value or an error — never crash, hang or touch memory it does not own. What a loaded
// object offers (coverage, listings, lookups) is exercised too, since it reads the same bytes.
#include <cstddef>
#include <cstdint>
#include <span>

#include "asmk/emu/code_object.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto loaded = asmk::emu::CodeObject::load(std::span<const std::uint8_t>(data, size));
  if (!loaded) return 0;
  const asmk::emu::CodeObject& co = **loaded;
  (void)co.coverage();
  for (const auto& kernel : co.kernels()) {
    (void)co.find(kernel.name);
    (void)co.listing(kernel.name);
  }
  (void)co.find("no such kernel");
  return 0;
}
