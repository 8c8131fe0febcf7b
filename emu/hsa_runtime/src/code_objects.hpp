// Code object readers, executables and their kernel symbols, on the emulator's code-object
// loader: loading decodes the code object once and registers each kernel's kernel object.
#pragma once

#include <hsa/hsa.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime.hpp"

namespace asmk::hsa_emu {

struct CodeObjectReader {
  std::vector<std::uint8_t> bytes;
};

struct ExecutableSymbol {
  std::string name;  // "<kernel>.kd", as a ROCm loader names kernel symbols
  hsa_agent_t agent{};
  std::uint64_t kernel_object = 0;
  std::uint32_t kernarg_segment_size = 0, group_segment_size = 0, private_segment_size = 0;
};

class Executable {
 public:
  explicit Executable(Runtime& runtime) : runtime_(runtime) {}
  ~Executable();  // unregisters its kernel objects
  Executable(const Executable&) = delete;
  Executable& operator=(const Executable&) = delete;

  // Fails (with a detail) on a malformed code object or one for another arch than the agent's.
  hsa_status_t load(hsa_agent_t agent, const CodeObjectReader& reader);
  hsa_status_t freeze();
  const ExecutableSymbol* symbol(std::string_view name, hsa_agent_t agent) const;

 private:
  Runtime& runtime_;
  bool frozen_ = false;
  std::vector<std::unique_ptr<ExecutableSymbol>> symbols_;
};

}  // namespace asmk::hsa_emu
