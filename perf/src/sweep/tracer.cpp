// Runs one representative workgroup on the emulator with tracing on.
#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>

#include "asmk/emu/code_object.hpp"
#include "asmk/emu/device.hpp"
#include "asmk/perf/sweep.hpp"
#include "asmk/perf/trace_ops.hpp"

namespace asmk::perf {
namespace {

// Code objects are decoded once per process.
Expected<std::shared_ptr<const emu::CodeObject>> code_object(const std::string& path) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const emu::CodeObject>> cache;
  std::lock_guard lock(mutex);
  if (const auto it = cache.find(path); it != cache.end()) return it->second;
  auto loaded = emu::CodeObject::load_file(path);
  if (!loaded) return Status::error("cannot load " + path + ": " + loaded.error());
  cache[path] = *loaded;
  return *loaded;
}

void put(std::vector<uint8_t>& kernargs, uint32_t offset, uint32_t size, uint64_t value) {
  if (kernargs.size() < offset + size) kernargs.resize(offset + size);
  std::memcpy(kernargs.data() + offset, &value, std::min<uint32_t>(size, sizeof value));
}

}  // namespace

Expected<WorkgroupProgram> trace_workgroup(const KernelEntry& entry, const LaunchSpec& launch) {
  auto co = code_object(entry.code_object);
  if (!co) return co.status();
  auto kernel = (*co)->find(entry.name);
  if (!kernel) return kernel.status();

  emu::Device device;
  std::map<std::string, uint64_t> addresses;
  for (const auto& [name, bytes] : launch.buffers) {
    auto address = device.alloc(std::max<uint64_t>(bytes, 4));
    if (!address) return Status::error("trace of " + entry.name + ": " + address.error());
    addresses[name] = *address;
  }
  emu::Dispatch dispatch;
  dispatch.kernel = *kernel;
  dispatch.grid = {1, 1, 1};  // the representative workgroup is the first one
  dispatch.block = launch.block;
  dispatch.kernargs.assign((*kernel)->kernarg_segment_size, 0);
  for (const auto& arg : (*kernel)->args) {
    if (arg.name.empty()) continue;
    if (const auto b = addresses.find(arg.name); b != addresses.end()) {
      put(dispatch.kernargs, arg.offset, arg.size, b->second);
      continue;
    }
    bool found = std::find(launch.null_buffers.begin(), launch.null_buffers.end(), arg.name) != launch.null_buffers.end();
    for (const auto& [name, value] : launch.values)
      if (name == arg.name) put(dispatch.kernargs, arg.offset, arg.size, value), found = true;
    if (!found) return Status::error("trace of " + entry.name + ": no value for kernel argument " + arg.name);
  }
  emu::LaunchOptions options;
  options.trace = true;
  options.threads = 1;
  const emu::LaunchReport report = emu::launch(device, dispatch, options);
  if (report.status != emu::LaunchStatus::ok) {
    std::string why = report.message;
    if (!report.faults.empty()) why += (why.empty() ? "" : "; ") + report.faults.front().to_string();
    return Status::error("trace of " + entry.name + " (" + launch.key() + ") failed: " + why);
  }
  auto programs = programs_from_trace(**co, **kernel, report);
  if (!programs) return programs.status();
  if (programs->empty()) return Status::error("trace of " + entry.name + ": no workgroup traced");
  return std::move(programs->front());
}

}  // namespace asmk::perf
