// The state of the emulated HIP runtime: the GPUs of the configuration, the current device of each
// thread, the emulator's device address space (shared by the devices), host memory registrations,
// loaded modules and their functions, streams (a null stream per device) and graphs.
//
// Environment (read at the first call, and again by asmk_hip_emu_reconfigure):
//   ASMK_HIP_EMU_ARCH   gfx942 (default), gfx950, a comma list (one device each), or "none"
//   ASMK_HIP_EMU_CUS    compute units per device (one number, or one per arch)
//   ASMK_EMU_STRICT     1: strict-mode findings fail the launch like a fault
//   ASMK_EMU_THREADS    host threads per launch (0 or unset: every core)
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "asmk/emu/emu.hpp"
#include "gpu_config.hpp"
#include "hip_types.hpp"
#include "stream.hpp"

namespace asmk::hip_emu {

// Why the calling thread's last failing call failed, in words (exported as asmk_hip_emu_last_error).
void set_last_detail(std::string text);
const char* last_detail();
// Returns `error` after recording `detail` for the calling thread.
hipError_t failed(hipError_t error, std::string detail);

struct Config {
  std::vector<emu_runtime::GpuConfig> gpus;
  bool strict = false;
  unsigned threads = 0;
  std::string error;  // non-empty: the environment is malformed (every call fails with it)
  static Config from_environment();
};

struct Module;
struct Function {
  const Module* module;
  const emu::Kernel* kernel;
};
struct Module {
  std::shared_ptr<const emu::CodeObject> code;
  int device = 0;
  std::map<std::string, std::unique_ptr<Function>, std::less<>> functions;  // made by hipModuleGetFunction
};

class Runtime {
 public:
  // The process's runtime, made from the environment at the first call.
  static Runtime& get();
  // Reads the environment again; refused (false) while modules, allocations or streams exist.
  static bool reconfigure();

  explicit Runtime(Config config);
  ~Runtime();

  const Config& config() const { return config_; }
  int device_count() const { return static_cast<int>(config_.gpus.size()); }
  // hipErrorNotInitialized when the configuration is malformed, hipErrorNoDevice when it has no GPU.
  hipError_t usable() const;
  // The calling thread's current device (0 until hipSetDevice).
  static int& current_device();

  // Memory: the emulator's device addresses, or host memory (registered or not) for copies.
  hipError_t allocate(std::size_t bytes, void** out);
  hipError_t free(void* pointer);
  hipError_t copy(void* destination, const void* source, std::size_t bytes, hipMemcpyKind kind);
  hipError_t register_host(void* host, std::size_t bytes);
  hipError_t unregister_host(void* host);
  hipError_t device_pointer(void* host, void** out) const;

  // Modules and functions.
  hipError_t load_module(const void* image, std::size_t bytes, Module** out);
  hipError_t unload_module(Module* module);
  hipError_t function(Module* module, const char* name, Function** out);
  bool is_function(const Function* function) const;

  // Runs one task of a stream on the emulator; `text` says why it failed.
  hipError_t run(const Task& task, std::string& text);

  // Streams: null = the current device's null stream. Null when the handle is not a stream.
  Stream* stream(const void* handle);
  Stream* create_stream();
  hipError_t destroy_stream(const void* handle);
  // Waits for every stream of `device` (-1: all); the first failure found.
  hipError_t synchronize(int device);
  bool any_capturing() const;

  // Graphs captured (hipGraph_t) and instantiated (hipGraphExec_t), owned here.
  Graph* keep_graph(std::unique_ptr<Graph> graph);
  hipError_t destroy_graph(const void* handle);
  bool is_graph(const void* handle) const;

  bool idle() const;  // no module, allocation, registration or created stream

 private:
  std::uint8_t* resolve(std::uint64_t address, std::size_t bytes) const;
  bool is_device_address(std::uint64_t address) const;

  Config config_;

  mutable std::mutex memory_mutex_;  // the emulator's allocation table and launches
  emu::Device device_;
  std::set<std::uint64_t> allocations_;                  // hipMalloc bases
  std::map<void*, std::pair<std::uint64_t, std::size_t>> registered_;  // host -> device address, bytes

  mutable std::mutex objects_mutex_;
  std::map<const void*, std::unique_ptr<Module>> modules_;
  std::set<const Function*> functions_;
  // Shared: a device-wide wait holds the streams it waits for while another thread destroys one.
  std::vector<std::shared_ptr<Stream>> null_streams_;  // one per device
  std::map<const void*, std::shared_ptr<Stream>> streams_;
  std::map<const void*, std::unique_ptr<Graph>> graphs_;
};

}  // namespace asmk::hip_emu
