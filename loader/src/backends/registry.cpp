// The backends built into libasmk. Adding one is a factory line below.
#include <functional>

#include <fmt/format.h>

#include "../backend.hpp"
#include "../error.hpp"
#include "../nearest.hpp"
#include "emu_module.hpp"
#include "hip/hip_backend.hpp"
#include "hsa/hsa_backend.hpp"
#include "record.hpp"

namespace asmk {
namespace {

struct BackendEntry {
  std::string_view name;
  std::function<std::unique_ptr<Backend>()> make;
};

const std::vector<BackendEntry>& entries() {
  static const std::vector<BackendEntry> list{
      {"emu", [] { return make_emu_backend(); }},  // a module loaded on first use (it needs libLLVM)
      {"record", [] { return std::make_unique<RecordingBackend>(); }},
      {"hsa", [] { return std::make_unique<HsaBackend>(HsaBackendOptions::from_environment(), AgentRequest{}); }},
      {"hip", [] { return std::make_unique<HipBackend>(GpuRequest{}); }},
  };
  return list;
}

}  // namespace

std::vector<std::string> backend_names() {
  std::vector<std::string> names;
  for (const auto& e : entries()) names.emplace_back(e.name);
  return names;
}

std::unique_ptr<Backend> make_backend(std::string_view name) {
  for (const auto& e : entries())
    if (e.name == name) return e.make();
  fail(ASMK_ERROR_UNKNOWN_BACKEND,
       fmt::format("backend '{}' is not built into this libasmk; available: {} (or auto: hip when a HIP "
                   "device fits the repository, else hsa when a GPU agent does, else emu)", name, join_names(backend_names())));
}

}  // namespace asmk
