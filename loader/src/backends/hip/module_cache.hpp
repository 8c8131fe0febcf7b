// Code objects on one HIP device, loaded lazily: the first launch of a kernel whose .co is not
// loaded yet reads it and loads it with hipModuleLoadData (with that device current); several
// kernels may share one .co, which is then loaded once. Each kernel's function is found by its
// symbol on its first launch; later launches find it in the cache. Modules are unloaded with the cache.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "../../code_object_metadata.hpp"
#include "../../kernel.hpp"
#include "hip_api.hpp"

namespace asmk::hip {

class ModuleCache {
 public:
  ModuleCache(const Api& api, int device) : api_(api), device_(device) {}
  ~ModuleCache();  // the caller makes the device current
  ModuleCache(const ModuleCache&) = delete;
  ModuleCache& operator=(const ModuleCache&) = delete;

  // The kernel's function; its device must be current. Throws MISSING_CODE_OBJECT when the file
  // cannot be read, the runtime refuses it or the symbol is absent; BAD_REPOSITORY when its
  // metadata's kernarg layout differs from the manifest's.
  hipFunction_t get(const Kernel& kernel, std::string_view code_object_path, std::string_view symbol);

 private:
  struct Module {
    std::vector<char> image;  // kept for the module's life (the runtime may read it lazily)
    hipModule_t module = nullptr;
    std::vector<KernelMetadata> metadata;  // its kernels' metadata note, to check each manifest layout
  };
  const Module& module(const Kernel& kernel, const std::string& path);

  const Api& api_;
  int device_;
  std::mutex mutex_;
  std::unordered_map<std::string, Module> modules_;  // by code-object path
  // By the repository's Kernel record (it lives as long as the context): a warm lookup costs no string work.
  std::unordered_map<const Kernel*, hipFunction_t> functions_;
};

}  // namespace asmk::hip
