#include "queue.hpp"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include <hsa/hsa_ext_amd.h>

#include "reports_text.hpp"
#include "runtime.hpp"

namespace asmk::hsa_emu {
namespace {

using emu_runtime::reports_text;

constexpr std::size_t kPacketBytes = 64;

std::uint64_t now_ns() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
}

std::string hex(std::uint64_t v) {
  std::ostringstream os;
  os << "0x" << std::hex << v;
  return os.str();
}

// The status a GPU queue reports for the first fault of a dispatch.
hsa_status_t status_of_fault(emu::FaultKind kind) {
  switch (kind) {
    case emu::FaultKind::unmapped_address: return static_cast<hsa_status_t>(HSA_STATUS_ERROR_MEMORY_APERTURE_VIOLATION);
    case emu::FaultKind::bad_instruction: return static_cast<hsa_status_t>(HSA_STATUS_ERROR_ILLEGAL_INSTRUCTION);
    default: return HSA_STATUS_ERROR_EXCEPTION;
  }
}

std::uint16_t packet_type(std::uint16_t header) {
  return (header >> HSA_PACKET_HEADER_TYPE) & ((1u << HSA_PACKET_HEADER_WIDTH_TYPE) - 1);
}

}  // namespace

Queue::Queue(Runtime& runtime, std::size_t agent, std::uint32_t size, ErrorCallback callback, void* data)
    : runtime_(runtime),
      agent_(agent),
      ring_(static_cast<std::uint8_t*>(std::aligned_alloc(kPacketBytes, std::size_t(size) * kPacketBytes)), std::free),
      callback_(callback),
      callback_data_(data) {
  // Every slot starts INVALID, so the processor never mistakes an unwritten slot for a packet.
  for (std::uint32_t i = 0; i < size; ++i) {
    auto* header = reinterpret_cast<std::uint16_t*>(ring_.get() + std::size_t(i) * kPacketBytes);
    std::memset(header, 0, kPacketBytes);
    *header = HSA_PACKET_TYPE_INVALID << HSA_PACKET_HEADER_TYPE;
  }
  queue_.type = HSA_QUEUE_TYPE_MULTI;
  queue_.features = HSA_QUEUE_FEATURE_KERNEL_DISPATCH;
  queue_.base_address = ring_.get();
  queue_.doorbell_signal = doorbell_.handle();
  queue_.size = size;
  static std::atomic<std::uint64_t> next_id{1};
  queue_.id = next_id.fetch_add(1);
  doorbell_.on_store([this] {
    if (runtime_.config().stall) return;  // a hung device does not hear its doorbell
    {
      std::lock_guard lock(mutex_);
      rung_ = true;
    }
    wake_.notify_one();
  });
  processor_ = std::thread([this] { process(); });
}

Queue::~Queue() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  processor_.join();
}

std::string Queue::error_text() const {
  std::lock_guard lock(mutex_);
  return error_text_;
}

void Queue::process() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return rung_ || stopping_; });
    if (stopping_) return;
    rung_ = false;
    if (inactive_ || runtime_.config().stall) continue;
    lock.unlock();
    while (read_index() < write_index())
      if (!execute(read_index())) break;
    lock.lock();
  }
}

void Queue::fail(hsa_status_t status, std::string text) {
  {
    std::lock_guard lock(mutex_);
    inactive_ = true;
    error_text_ = std::move(text);
  }
  if (callback_ != nullptr) callback_(status, &queue_, callback_data_);
}

bool Queue::execute(std::uint64_t index) {
  auto* packet = reinterpret_cast<hsa_kernel_dispatch_packet_t*>(ring_.get() + (index % queue_.size) * kPacketBytes);
  const std::uint16_t header = __atomic_load_n(&packet->header, __ATOMIC_ACQUIRE);
  const std::uint16_t type = packet_type(header);
  if (type == HSA_PACKET_TYPE_INVALID) return false;  // not written yet: the next doorbell brings it
  auto consumed = [&] {
    __atomic_store_n(&packet->header, std::uint16_t(HSA_PACKET_TYPE_INVALID << HSA_PACKET_HEADER_TYPE), __ATOMIC_RELEASE);
    read_index_.fetch_add(1, std::memory_order_acq_rel);
  };
  if (type != HSA_PACKET_TYPE_KERNEL_DISPATCH) {
    fail(HSA_STATUS_ERROR_INVALID_PACKET_FORMAT,
         "packet " + std::to_string(index) + " has type " + std::to_string(type) +
             "; this runtime processes kernel dispatch packets only");
    return false;
  }

  const auto loaded = runtime_.kernel(packet->kernel_object);
  if (!loaded) {
    fail(HSA_STATUS_ERROR_INVALID_PACKET_FORMAT,
         "packet " + std::to_string(index) + ": kernel_object " + hex(packet->kernel_object) +
             " is not a kernel of a loaded executable");
    return false;
  }
  const emu::Kernel& kernel = *loaded->kernel;
  if (loaded->agent != agent_) {
    fail(HSA_STATUS_ERROR_INVALID_PACKET_FORMAT,
         "kernel " + kernel.name + " was loaded for another agent than this queue's");
    return false;
  }
  const std::uint32_t dims = (packet->setup >> HSA_KERNEL_DISPATCH_PACKET_SETUP_DIMENSIONS) & 3u;
  const std::uint32_t block[3] = {packet->workgroup_size_x, dims > 1 ? packet->workgroup_size_y : 1u,
                                  dims > 2 ? packet->workgroup_size_z : 1u};
  const std::uint32_t grid[3] = {packet->grid_size_x, dims > 1 ? packet->grid_size_y : 1u,
                                 dims > 2 ? packet->grid_size_z : 1u};
  for (int d = 0; d < 3; ++d) {
    if (dims < 1 || block[d] == 0 || grid[d] == 0 || grid[d] % block[d] != 0) {
      fail(HSA_STATUS_ERROR_INVALID_PACKET_FORMAT,
           "kernel " + kernel.name + ": dimensions " + std::to_string(dims) + ", grid (" + std::to_string(grid[0]) +
               ", " + std::to_string(grid[1]) + ", " + std::to_string(grid[2]) + ") work-items is not a whole number " +
               "of workgroups of (" + std::to_string(block[0]) + ", " + std::to_string(block[1]) + ", " +
               std::to_string(block[2]) + ")");
      return false;
    }
  }
  if (packet->group_segment_size < kernel.descriptor.group_segment_fixed_size) {
    fail(HSA_STATUS_ERROR_INVALID_PACKET_FORMAT,
         "kernel " + kernel.name + ": group_segment_size " + std::to_string(packet->group_segment_size) +
             " is below the kernel's static LDS of " + std::to_string(kernel.descriptor.group_segment_fixed_size));
    return false;
  }
  const std::size_t kernarg_bytes = kernel.kernarg_segment_size;
  const std::uint8_t* kernargs = runtime_.host_bytes(reinterpret_cast<std::uint64_t>(packet->kernarg_address), kernarg_bytes);
  if (kernargs == nullptr && kernarg_bytes > 0) {
    fail(HSA_STATUS_ERROR_INVALID_PACKET_FORMAT,
         "kernel " + kernel.name + ": kernarg_address " + hex(reinterpret_cast<std::uint64_t>(packet->kernarg_address)) +
             " is not kernarg-pool memory holding " + std::to_string(kernarg_bytes) + " bytes");
    return false;
  }

  emu::Dispatch dispatch;
  dispatch.kernel = &kernel;
  dispatch.grid = {grid[0] / block[0], grid[1] / block[1], grid[2] / block[2]};
  dispatch.block = {block[0], block[1], block[2]};
  if (kernarg_bytes > 0) dispatch.kernargs.assign(kernargs, kernargs + kernarg_bytes);
  dispatch.dynamic_lds = packet->group_segment_size - kernel.descriptor.group_segment_fixed_size;
  dispatch.fill_hidden_args = false;  // the kernarg segment is used as the application wrote it
  const hsa_signal_t completion = packet->completion_signal;

  const std::uint64_t start = now_ns();
  const emu::LaunchReport report = runtime_.run(dispatch);
  const std::uint64_t end = now_ns();

  if (report.status == emu::LaunchStatus::invalid) {
    fail(HSA_STATUS_ERROR_INVALID_PACKET_FORMAT, "kernel " + kernel.name + ": " + report.message);
    return false;
  }
  if (report.fault_count > 0) {
    fail(status_of_fault(report.faults.empty() ? emu::FaultKind::unmapped_address : report.faults.front().kind),
         "kernel " + kernel.name + " faulted: " + reports_text(report.faults, report.fault_count, "fault"));
    return false;
  }
  if (runtime_.config().strict && report.strict_count > 0) {
    fail(HSA_STATUS_ERROR_EXCEPTION, "kernel " + kernel.name + " ran, but strict mode (ASMK_EMU_STRICT) found " +
                                         reports_text(report.strict, report.strict_count, "problem"));
    return false;
  }
  consumed();
  if (completion.handle != 0) {
    const std::uint64_t times[2] = {start, end};
    Signal::complete(completion, -1, profiling_.load() ? times : nullptr);  // false: destroyed early
  }
  return true;
}

}  // namespace asmk::hsa_emu
