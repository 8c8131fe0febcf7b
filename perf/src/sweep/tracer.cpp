// Runs one representative workgroup on the emulator with tracing on.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>
#include <map>
#include <memory>
#include <mutex>

#include "asmk/emu/code_object.hpp"
#include "asmk/emu/device.hpp"
#include "asmk/perf/sweep.hpp"
#include "asmk/perf/trace_ops.hpp"
#include "asmk/ref/numeric.hpp"

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

// splitmix64: the next 64 random bits of `state`.
uint64_t random_mix(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// A buffer's own seed: the launch's mixed with its name (FNV-1a), so q and k differ.
uint64_t buffer_seed(uint64_t seed, const std::string& name) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (const unsigned char c : name) h = (h ^ c) * 0x100000001b3ull;
  return seed ^ h;
}

}  // namespace

Expected<std::vector<uint8_t>> random_values(const std::string& format, uint64_t bytes, uint64_t seed) {
  const bool f32 = format == "f32";
  const auto f = ref::parse_format(format);
  if (!f32 && !f) return Status::error("random inputs: unknown element format " + format);
  const uint32_t bits = f32 ? 32 : uint32_t(ref::format_info(*f).bits);
  if (bits % 8) return Status::error("random inputs: " + format + " is not a whole number of bytes");
  const uint32_t size = bits / 8;
  std::vector<uint8_t> out(bytes, 0);
  uint64_t state = seed;
  double spare = 0;
  bool have_spare = false;
  for (uint64_t at = 0; at + size <= bytes; at += size) {
    double x = spare;
    if (!have_spare) {  // Box-Muller: two N(0, 1) values from two uniforms in (0, 1]
      const double u1 = (double(random_mix(state) >> 11) + 1.0) * 0x1p-53;
      const double u2 = double(random_mix(state) >> 11) * 0x1p-53;
      const double r = std::sqrt(-2.0 * std::log(u1)), t = 2.0 * std::numbers::pi * u2;
      x = r * std::cos(t);
      spare = r * std::sin(t);
    }
    have_spare = !have_spare;
    uint32_t code = 0;
    if (f32) {
      const float v = float(x);
      std::memcpy(&code, &v, 4);
    } else {
      code = ref::encode(*f, x, ref::Overflow::saturate);
    }
    for (uint32_t b = 0; b < size; ++b) out[at + b] = uint8_t(code >> (8 * b));
  }
  return out;
}

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
  for (const auto& [name, format] : launch.random) {
    const auto buffer = std::find_if(launch.buffers.begin(), launch.buffers.end(), [&](const auto& b) { return b.first == name; });
    if (buffer == launch.buffers.end())
      return Status::error("trace of " + entry.name + ": random contents for " + name + ", which is not a buffer of the launch");
    auto values = random_values(format, buffer->second, buffer_seed(launch.seed, name));
    if (!values) return Status::error("trace of " + entry.name + ": " + values.error());
    if (auto written = device.write(addresses.at(name), values->data(), values->size()); !written.ok())
      return Status::error("trace of " + entry.name + ": " + written.message());
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
