// Code objects on one agent, loaded lazily: the first launch of a kernel whose .co is not loaded yet
// reads it, creates a code-object reader and an executable for the agent and freezes it; several
// kernels may share one .co, which is then loaded once. The first launch of each kernel reads its
// symbol's kernel object and kernarg / group / private segment sizes, which must agree with the
// manifest. Later launches find it in the cache.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "../../code_object_metadata.hpp"
#include "../../kernel.hpp"
#include "hsa_api.hpp"

namespace asmk::hsa {

struct LoadedKernel {
  std::uint64_t kernel_object = 0;
  std::uint32_t kernarg_segment_size = 0, group_segment_size = 0, private_segment_size = 0;
};

class CodeObjectCache {
 public:
  CodeObjectCache(const Api& api, hsa_agent_t agent) : api_(api), agent_(agent) {}
  ~CodeObjectCache();
  CodeObjectCache(const CodeObjectCache&) = delete;
  CodeObjectCache& operator=(const CodeObjectCache&) = delete;

  // Throws MISSING_CODE_OBJECT when the file cannot be read, the runtime refuses it, the symbol is
  // absent or its segment sizes differ from the manifest's resources; BAD_REPOSITORY when its
  // metadata's kernarg layout differs from the manifest's.
  const LoadedKernel& get(const Kernel& kernel, std::string_view code_object_path, std::string_view symbol);

 private:
  struct Executable {
    hsa_code_object_reader_t reader{};
    hsa_executable_t executable{};
    std::vector<KernelMetadata> metadata;  // its kernels' metadata note, to check each manifest layout
  };
  const Executable& executable(const Kernel& kernel, const std::string& path);
  LoadedKernel find(const Kernel& kernel, const std::string& path, const Executable& loaded, std::string_view symbol);

  const Api& api_;
  hsa_agent_t agent_;
  std::mutex mutex_;
  std::unordered_map<std::string, Executable> executables_;  // by code-object path
  // By the repository's Kernel record (it lives as long as the context, and names one code object
  // and symbol): a warm lookup costs no string work.
  std::unordered_map<const Kernel*, LoadedKernel> kernels_;
};

}  // namespace asmk::hsa
