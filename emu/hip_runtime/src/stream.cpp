#include "stream.hpp"

#include "runtime.hpp"

namespace asmk::hip_emu {

Stream::Stream(Runtime& runtime, int device) : runtime_(runtime), device_(device), worker_([this] { work(); }) {}

Stream::~Stream() {
  {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return queue_.empty() && !busy_; });
    stopping_ = true;
  }
  changed_.notify_all();
  worker_.join();
}

void Stream::submit(Task task) {
  {
    std::lock_guard lock(mutex_);
    if (capture_) {
      capture_->tasks.push_back(std::move(task));
      return;
    }
    queue_.push_back(std::move(task));
  }
  changed_.notify_all();
}

hipError_t Stream::synchronize() {
  std::unique_lock lock(mutex_);
  if (capture_)
    return failed(hipErrorStreamCaptureUnsupported, "hipStreamSynchronize on a stream that is being captured");
  changed_.wait(lock, [&] { return queue_.empty() && !busy_; });
  const hipError_t error = error_;
  if (error != hipSuccess) {
    set_last_detail(error_text_);
    error_ = hipSuccess;
    error_text_.clear();
  }
  return error;
}

hipError_t Stream::begin_capture() {
  std::lock_guard lock(mutex_);
  if (capture_) return failed(hipErrorIllegalState, "hipStreamBeginCapture: the stream is already being captured");
  capture_ = std::make_unique<Graph>();
  return hipSuccess;
}

hipError_t Stream::end_capture(std::unique_ptr<Graph>& graph) {
  std::lock_guard lock(mutex_);
  if (!capture_) return failed(hipErrorIllegalState, "hipStreamEndCapture: the stream is not being captured");
  graph = std::move(capture_);
  return hipSuccess;
}

bool Stream::capturing() const {
  std::lock_guard lock(mutex_);
  return capture_ != nullptr;
}

void Stream::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, with nothing left
    Task task = std::move(queue_.front());
    queue_.pop_front();
    if (error_ != hipSuccess) {  // after a failure the stream's work is dropped until it is reported
      changed_.notify_all();
      continue;
    }
    busy_ = true;
    lock.unlock();
    std::string text;
    const hipError_t error = runtime_.run(task, text);
    lock.lock();
    busy_ = false;
    if (error != hipSuccess) {
      error_ = error;
      error_text_ = std::move(text);
    }
    changed_.notify_all();
  }
}

}  // namespace asmk::hip_emu
