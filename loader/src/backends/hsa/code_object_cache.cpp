#include "code_object_cache.hpp"

#include <vector>

#include <fmt/format.h>

#include "../../code_object_check.hpp"
#include "asmk/emu/file.hpp"
#include "../../error.hpp"
#include "../kernarg_layout_check.hpp"

namespace asmk::hsa {
namespace {

std::vector<char> read_file(const std::string& path, const std::string& kernel_name) {
  auto bytes = emu::read_regular_file(path, kMaxCodeObjectBytes, fmt::format("kernel {}", kernel_name));
  if (!bytes) fail(ASMK_ERROR_MISSING_CODE_OBJECT, bytes.error());
  return {bytes->begin(), bytes->end()};
}

}  // namespace

CodeObjectCache::~CodeObjectCache() {
  for (auto& [path, e] : executables_) {
    api_.hsa_executable_destroy(e.executable);
    api_.hsa_code_object_reader_destroy(e.reader);
  }
}

const LoadedKernel& CodeObjectCache::get(const Kernel& kernel, std::string_view code_object_path, std::string_view symbol) {
  std::lock_guard lock(mutex_);
  if (auto it = kernels_.find(&kernel); it != kernels_.end()) return it->second;
  const std::string path(code_object_path);
  const Executable& e = executable(kernel, path);
  check_kernarg_layout(kernel, e.metadata, symbol);
  const LoadedKernel loaded = find(kernel, path, e, symbol);
  return kernels_.emplace(&kernel, loaded).first->second;
}

const CodeObjectCache::Executable& CodeObjectCache::executable(const Kernel& kernel, const std::string& path) {
  if (auto it = executables_.find(path); it != executables_.end()) return it->second;
  const std::vector<char> bytes = read_file(path, kernel.name);
  const auto what = [&](std::string_view step) { return fmt::format("kernel {}: {} of {}", kernel.name, step, path); };

  Executable e;
  api_.check(api_.hsa_code_object_reader_create_from_memory(bytes.data(), bytes.size(), &e.reader),
             ASMK_ERROR_MISSING_CODE_OBJECT, what("hsa_code_object_reader_create_from_memory"));
  try {  // from here on a failure must release what was made
    api_.check(api_.hsa_executable_create_alt(HSA_PROFILE_FULL, HSA_DEFAULT_FLOAT_ROUNDING_MODE_DEFAULT, nullptr,
                                              &e.executable),
               ASMK_ERROR_BACKEND, what("hsa_executable_create_alt"));
    api_.check(api_.hsa_executable_load_agent_code_object(e.executable, agent_, e.reader, nullptr, nullptr),
               ASMK_ERROR_MISSING_CODE_OBJECT, what("hsa_executable_load_agent_code_object"));
    api_.check(api_.hsa_executable_freeze(e.executable, nullptr), ASMK_ERROR_MISSING_CODE_OBJECT,
               what("hsa_executable_freeze"));
    // After the runtime took the bytes, so its own verdict on a broken file comes first.
    e.metadata = read_kernel_metadata({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()}, path);
  } catch (...) {
    if (e.executable.handle != 0) api_.hsa_executable_destroy(e.executable);
    api_.hsa_code_object_reader_destroy(e.reader);
    throw;
  }
  return executables_.emplace(path, e).first->second;
}

LoadedKernel CodeObjectCache::find(const Kernel& kernel, const std::string& path, const Executable& loaded,
                                   std::string_view symbol) {
  const auto what = [&](std::string_view step) { return fmt::format("kernel {}: {} of {}", kernel.name, step, path); };
  const std::string symbol_name = fmt::format("{}.kd", symbol);
  hsa_executable_symbol_t s{};
  api_.check(api_.hsa_executable_get_symbol_by_name(loaded.executable, symbol_name.c_str(), &agent_, &s),
             ASMK_ERROR_MISSING_CODE_OBJECT,
             what(fmt::format("symbol {} (named by the manifest)", symbol_name)));
  LoadedKernel k;
  auto info = [&](hsa_executable_symbol_info_t attribute, auto& value, const char* name) {
    api_.check(api_.hsa_executable_symbol_get_info(s, attribute, &value), ASMK_ERROR_MISSING_CODE_OBJECT,
               what(fmt::format("hsa_executable_symbol_get_info({})", name)));
  };
  info(HSA_EXECUTABLE_SYMBOL_INFO_KERNEL_OBJECT, k.kernel_object, "KERNEL_OBJECT");
  info(HSA_EXECUTABLE_SYMBOL_INFO_KERNEL_KERNARG_SEGMENT_SIZE, k.kernarg_segment_size, "KERNARG_SEGMENT_SIZE");
  info(HSA_EXECUTABLE_SYMBOL_INFO_KERNEL_GROUP_SEGMENT_SIZE, k.group_segment_size, "GROUP_SEGMENT_SIZE");
  info(HSA_EXECUTABLE_SYMBOL_INFO_KERNEL_PRIVATE_SEGMENT_SIZE, k.private_segment_size, "PRIVATE_SEGMENT_SIZE");

  // The manifest and the code object must describe the same kernel.
  const Resources& r = kernel.resources;
  const auto mismatch = [&](const char* segment, std::uint32_t in_code_object, std::uint32_t in_manifest) {
    if (in_code_object != in_manifest)
      fail(ASMK_ERROR_MISSING_CODE_OBJECT,
           fmt::format("kernel {}: code object {} has a {} segment of {} bytes, the manifest says {}; rebuild the "
                       "repository",
                       kernel.name, path, segment, in_code_object, in_manifest));
  };
  mismatch("kernarg", k.kernarg_segment_size, r.kernarg_bytes);
  mismatch("group (LDS)", k.group_segment_size, r.lds_bytes);
  mismatch("private (scratch)", k.private_segment_size, r.scratch_bytes);
  return k;
}

}  // namespace asmk::hsa
