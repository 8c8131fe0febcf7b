#include "module_cache.hpp"

#include <string>

#include <fmt/format.h>

#include "../../code_object_check.hpp"
#include "asmk/emu/file.hpp"
#include "../../error.hpp"
#include "../kernarg_layout_check.hpp"

namespace asmk::hip {

ModuleCache::~ModuleCache() {
  for (auto& [path, m] : modules_) api_.hipModuleUnload(m.module);
}

const ModuleCache::Module& ModuleCache::module(const Kernel& kernel, const std::string& path) {
  if (auto it = modules_.find(path); it != modules_.end()) return it->second;
  auto bytes = emu::read_regular_file(path, kMaxCodeObjectBytes, fmt::format("kernel {}", kernel.name));
  if (!bytes) fail(ASMK_ERROR_MISSING_CODE_OBJECT, bytes.error());
  Module m;
  m.image.assign(bytes->begin(), bytes->end());
  api_.check(api_.hipModuleLoadData(&m.module, m.image.data()), ASMK_ERROR_MISSING_CODE_OBJECT,
             fmt::format("kernel {}: hipModuleLoadData of {} on HIP device {}", kernel.name, path, device_));
  try {  // after the runtime took the bytes, so its own verdict on a broken file comes first
    m.metadata = read_kernel_metadata(*bytes, path);
  } catch (...) {
    api_.hipModuleUnload(m.module);
    throw;
  }
  return modules_.emplace(path, std::move(m)).first->second;
}

hipFunction_t ModuleCache::get(const Kernel& kernel, std::string_view code_object_path, std::string_view symbol) {
  std::lock_guard lock(mutex_);
  if (auto it = functions_.find(&kernel); it != functions_.end()) return it->second;
  const std::string path(code_object_path);
  const Module& m = module(kernel, path);
  check_kernarg_layout(kernel, m.metadata, symbol);
  const hipModule_t loaded = m.module;
  const std::string name(symbol);
  hipFunction_t function = nullptr;
  const hipError_t found = api_.hipModuleGetFunction(&function, loaded, name.c_str());
  if (found != hipSuccess)
    fail(ASMK_ERROR_MISSING_CODE_OBJECT, fmt::format("kernel {}: hipModuleGetFunction({}) in {} (the symbol the "
                                                     "manifest names): {}",
                                                     kernel.name, name, path, api_.describe(found)));
  return functions_.emplace(&kernel, function).first->second;
}

}  // namespace asmk::hip
