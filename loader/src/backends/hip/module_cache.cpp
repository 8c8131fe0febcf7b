#include "module_cache.hpp"

#include <string>

#include <fmt/format.h>

#include "../../code_object_check.hpp"
#include "asmk/emu/file.hpp"
#include "../../error.hpp"

namespace asmk::hip {

ModuleCache::~ModuleCache() {
  for (auto& [kernel, e] : entries_) api_.hipModuleUnload(e.module);
}

hipFunction_t ModuleCache::get(const Kernel& kernel, std::string_view code_object_path, std::string_view symbol) {
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(&kernel); it != entries_.end()) return it->second.function;

  const std::string path(code_object_path);
  auto bytes = emu::read_regular_file(path, kMaxCodeObjectBytes, fmt::format("kernel {}", kernel.name));
  if (!bytes) fail(ASMK_ERROR_MISSING_CODE_OBJECT, bytes.error());
  Entry e;
  e.image.assign(bytes->begin(), bytes->end());
  api_.check(api_.hipModuleLoadData(&e.module, e.image.data()), ASMK_ERROR_MISSING_CODE_OBJECT,
             fmt::format("kernel {}: hipModuleLoadData of {} on HIP device {}", kernel.name, path, device_));
  const std::string name(symbol);
  const hipError_t found = api_.hipModuleGetFunction(&e.function, e.module, name.c_str());
  if (found != hipSuccess) {
    const std::string why = api_.describe(found);
    api_.hipModuleUnload(e.module);
    fail(ASMK_ERROR_MISSING_CODE_OBJECT,
         fmt::format("kernel {}: hipModuleGetFunction({}) in {}: {}", kernel.name, name, path, why));
  }
  return entries_.emplace(&kernel, std::move(e)).first->second.function;
}

}  // namespace asmk::hip
