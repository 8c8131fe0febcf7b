// The "record" backend: host memory for allocations, and launches recorded (never run), so
// tests and dry runs can see exactly what would have been launched — or that nothing was.
#pragma once

#include <map>
#include <mutex>
#include <vector>

#include "../backend.hpp"

namespace asmk {

struct RecordedLaunch {
  std::string kernel;
  std::string code_object_path;
  std::string symbol;
  asmk_dim3 grid{};
  asmk_dim3 block{};
  std::vector<std::byte> kernargs;
  asmk_stream stream = nullptr;
};

class RecordingBackend final : public Backend {
 public:
  ~RecordingBackend() override;
  std::string_view name() const override { return "record"; }
  void* allocate(std::size_t bytes) override;
  void release(void* pointer) override;
  void copy(void* destination, const void* source, std::size_t bytes, asmk_copy_kind kind) override;
  void synchronize(asmk_stream) override {}
  void launch(const LaunchRequest& request) override;
  // Host memory is device memory here: the pointer is returned as it is, and its range is known.
  void* register_host(void* host, std::size_t bytes) override;
  void unregister_host(void* host) override;
  std::optional<std::size_t> bytes_available(const void* pointer) const override;
  void cancel() override {}  // nothing runs

  // Read it when no other thread is launching on this context.
  const std::vector<RecordedLaunch>& launches() const { return launches_; }

 private:
  std::optional<std::size_t> bytes_available_locked(const void* pointer) const;
  // Throws BACKEND unless [pointer, pointer + bytes) lies inside one of our allocations.
  void require_device_range(const void* pointer, std::size_t bytes, std::string_view role) const;

  mutable std::mutex mutex_;  // a context may be used from several threads
  std::map<const std::byte*, std::size_t> allocations_;  // base -> size
  std::map<const std::byte*, std::size_t> registered_;   // caller-owned host memory: base -> size
  std::vector<RecordedLaunch> launches_;
};

}  // namespace asmk
