#include "code_object_cache.hpp"

#include <vector>

#include <fmt/format.h>

#include "../../code_object_check.hpp"
#include "asmk/emu/file.hpp"
#include "../../error.hpp"

namespace asmk::hsa {
namespace {

std::vector<char> read_file(const std::string& path, const std::string& kernel_name) {
  auto bytes = emu::read_regular_file(path, kMaxCodeObjectBytes, fmt::format("kernel {}", kernel_name));
  if (!bytes) fail(ASMK_ERROR_MISSING_CODE_OBJECT, bytes.error());
  return {bytes->begin(), bytes->end()};
}

}  // namespace

CodeObjectCache::~CodeObjectCache() {
  for (auto& [key, e] : entries_) {
    api_.hsa_executable_destroy(e.executable);
    api_.hsa_code_object_reader_destroy(e.reader);
  }
}

const LoadedKernel& CodeObjectCache::get(const Kernel& kernel, std::string_view code_object_path, std::string_view symbol) {
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(&kernel); it != entries_.end()) return it->second.kernel;
  Entry entry = load(kernel, std::string(code_object_path), symbol);
  return entries_.emplace(&kernel, entry).first->second.kernel;
}

CodeObjectCache::Entry CodeObjectCache::load(const Kernel& kernel, const std::string& path, std::string_view symbol) {
  const std::vector<char> bytes = read_file(path, kernel.name);
  const auto what = [&](std::string_view step) { return fmt::format("kernel {}: {} of {}", kernel.name, step, path); };

  Entry e;
  api_.check(api_.hsa_code_object_reader_create_from_memory(bytes.data(), bytes.size(), &e.reader),
             ASMK_ERROR_MISSING_CODE_OBJECT, what("hsa_code_object_reader_create_from_memory"));
  // From here on a failure must release what was made.
  auto release = [&] {
    if (e.executable.handle != 0) api_.hsa_executable_destroy(e.executable);
    api_.hsa_code_object_reader_destroy(e.reader);
  };
  try {
    api_.check(api_.hsa_executable_create_alt(HSA_PROFILE_FULL, HSA_DEFAULT_FLOAT_ROUNDING_MODE_DEFAULT, nullptr,
                                              &e.executable),
               ASMK_ERROR_BACKEND, what("hsa_executable_create_alt"));
    api_.check(api_.hsa_executable_load_agent_code_object(e.executable, agent_, e.reader, nullptr, nullptr),
               ASMK_ERROR_MISSING_CODE_OBJECT, what("hsa_executable_load_agent_code_object"));
    api_.check(api_.hsa_executable_freeze(e.executable, nullptr), ASMK_ERROR_MISSING_CODE_OBJECT,
               what("hsa_executable_freeze"));
    const std::string symbol_name = fmt::format("{}.kd", symbol);
    hsa_executable_symbol_t s{};
    api_.check(api_.hsa_executable_get_symbol_by_name(e.executable, symbol_name.c_str(), &agent_, &s),
               ASMK_ERROR_MISSING_CODE_OBJECT, what(fmt::format("symbol {}", symbol_name)));
    auto info = [&](hsa_executable_symbol_info_t attribute, auto& value, const char* name) {
      api_.check(api_.hsa_executable_symbol_get_info(s, attribute, &value), ASMK_ERROR_MISSING_CODE_OBJECT,
                 what(fmt::format("hsa_executable_symbol_get_info({})", name)));
    };
    info(HSA_EXECUTABLE_SYMBOL_INFO_KERNEL_OBJECT, e.kernel.kernel_object, "KERNEL_OBJECT");
    info(HSA_EXECUTABLE_SYMBOL_INFO_KERNEL_KERNARG_SEGMENT_SIZE, e.kernel.kernarg_segment_size, "KERNARG_SEGMENT_SIZE");
    info(HSA_EXECUTABLE_SYMBOL_INFO_KERNEL_GROUP_SEGMENT_SIZE, e.kernel.group_segment_size, "GROUP_SEGMENT_SIZE");
    info(HSA_EXECUTABLE_SYMBOL_INFO_KERNEL_PRIVATE_SEGMENT_SIZE, e.kernel.private_segment_size, "PRIVATE_SEGMENT_SIZE");

    // The manifest and the code object must describe the same kernel.
    const Resources& r = kernel.resources;
    const auto mismatch = [&](const char* segment, std::uint32_t in_code_object, std::uint32_t in_manifest) {
      if (in_code_object != in_manifest)
        fail(ASMK_ERROR_MISSING_CODE_OBJECT,
             fmt::format("kernel {}: code object {} has a {} segment of {} bytes, the manifest says {}; rebuild the "
                         "repository",
                         kernel.name, path, segment, in_code_object, in_manifest));
    };
    mismatch("kernarg", e.kernel.kernarg_segment_size, r.kernarg_bytes);
    mismatch("group (LDS)", e.kernel.group_segment_size, r.lds_bytes);
    mismatch("private (scratch)", e.kernel.private_segment_size, r.scratch_bytes);
  } catch (...) {
    release();
    throw;
  }
  return e;
}

}  // namespace asmk::hsa
