// The "emu" backend: kernels run on the CDNA emulator (emu/) on the CPU.
//
// Memory lives in the emulator's device address space: asmk_malloc returns device addresses
// (like a GPU's, not dereferenceable on the host), asmk_memcpy and every kernel access are
// bounds-checked against the allocation they land in, and caller-owned host memory can be
// mapped in with asmk_register_host. Launches run synchronously, so a stream is trivially an
// in-order queue and a launch's error (a fault, a strict-mode finding) is its own status.
#pragma once

#include <atomic>
#include <map>
#include <set>
#include <memory>
#include <mutex>
#include <string>

#include "../backend.hpp"

namespace asmk::emu {
class CodeObject;
class Device;
}  // namespace asmk::emu

namespace asmk {

struct EmuBackendOptions {
  bool strict = false;   // report missing s_waitcnt, hazards, LDS overruns, misaligned accesses as errors
  unsigned threads = 0;  // host threads per launch; 0 = all cores
  int wave_quantum = -1; // instructions per wave turn (emu::LaunchOptions::wave_quantum); -1 = the emulator's default
  std::uint64_t max_launch_instructions = 0;  // a launch's wave-instruction budget (emu::LaunchOptions); 0 = none
  std::uint64_t max_launch_milliseconds = 0;  // a launch's wall-clock budget; 0 = none
  bool reverse_workgroups = false;  // run the grid's workgroups last first on one thread (cross-workgroup handoffs'
                                    // tests: the result must not depend on the order); ASMK_EMU_WORKGROUP_ORDER=reverse
  // Reads ASMK_EMU_STRICT (0/1), ASMK_EMU_THREADS, ASMK_EMU_WAVE_QUANTUM, ASMK_EMU_MAX_INSTRUCTIONS
  // ASMK_EMU_TIMEOUT_MS and ASMK_EMU_WORKGROUP_ORDER (forward / reverse); throws INVALID_ARGUMENT on a bad value.
  static EmuBackendOptions from_environment();
};

class EmuBackend final : public Backend {
 public:
  explicit EmuBackend(EmuBackendOptions options = {});
  ~EmuBackend() override;

  std::string_view name() const override { return "emu"; }
  void* allocate(std::size_t bytes) override;
  void release(void* pointer) override;
  void copy(void* destination, const void* source, std::size_t bytes, asmk_copy_kind kind) override;
  void synchronize(asmk_stream) override {}  // launches finish before launch() returns
  void launch(const LaunchRequest& request) override;
  void* register_host(void* host, std::size_t bytes) override;
  void unregister_host(void* host) override;
  std::optional<std::size_t> bytes_available(const void* pointer) const override;
  void set_launch_limits(const LaunchLimits& limits) override;
  void cancel() override;
  bool read_settled(const void* pointer, std::span<std::byte> out) const override;

  const EmuBackendOptions& options() const { return options_; }

 private:
  // The code object at `path`, loaded and decoded on first use (under mutex_). Throws MISSING_CODE_OBJECT.
  std::shared_ptr<const emu::CodeObject> code_object(const std::string& path, std::string_view kernel_name);
  // The host bytes behind [pointer, pointer + bytes) of device memory; throws naming `role`.
  std::byte* device_bytes(const void* pointer, std::size_t bytes, std::string_view role) const;

  EmuBackendOptions options_;
  // Guards the maps below. A launch holds it only while it finds its code object, so other threads'
  // calls go on while kernels run (emu::Device itself is safe to use from any thread).
  mutable std::mutex mutex_;
  std::unique_ptr<emu::Device> device_;
  std::set<std::atomic<bool>*> running_;  // the cancel flag of each launch running now (on its stack)
  std::map<std::string, std::shared_ptr<const emu::CodeObject>> code_objects_;  // by path
  std::set<const Kernel*> layout_checked_;  // kernels whose kernarg layout matched their metadata
  std::map<const void*, std::uint64_t> registered_;  // host pointer -> its device address
};

}  // namespace asmk
