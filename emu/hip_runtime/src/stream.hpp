// A HIP stream on the emulator: a worker thread that runs the stream's work in order, and its
// graph capture (while capturing, work is recorded instead of run; a graph launch runs the
// recorded work again on a stream).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "asmk/emu/emu.hpp"
#include "hip_types.hpp"

namespace asmk::hip_emu {

class Runtime;

struct LaunchTask {
  std::shared_ptr<const emu::CodeObject> code;  // keeps dispatch.kernel alive
  emu::Dispatch dispatch;                       // with its own copy of the kernel arguments
};
struct CopyTask {
  void* destination;
  const void* source;
  std::size_t bytes;
};
using Task = std::variant<LaunchTask, CopyTask>;

// A captured graph (hipGraph_t) and an instantiated one (hipGraphExec_t): the work, in order.
struct Graph {
  std::vector<Task> tasks;
};

class Stream {
 public:
  Stream(Runtime& runtime, int device);
  ~Stream();  // finishes the queued work
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  int device() const { return device_; }
  // Runs `task` after everything submitted before, or records it while capturing.
  void submit(Task task);
  // Waits for the stream's work; returns (and clears) the first failure since the last wait.
  hipError_t synchronize();

  hipError_t begin_capture();
  hipError_t end_capture(std::unique_ptr<Graph>& graph);
  bool capturing() const;

 private:
  void work();

  Runtime& runtime_;
  const int device_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Task> queue_;
  bool busy_ = false, stopping_ = false;
  hipError_t error_ = hipSuccess;  // a failed task; later tasks are dropped until a synchronize reports it
  std::string error_text_;
  std::unique_ptr<Graph> capture_;  // non-null while capturing
  std::thread worker_;
};

}  // namespace asmk::hip_emu
