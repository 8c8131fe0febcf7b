#include "stream_queue.hpp"

#include <cstring>
#include <thread>

#include <fmt/format.h>

#include "../../error.hpp"

namespace asmk::hsa {
namespace {

constexpr std::size_t kInitialKernargBytes = 256;
constexpr auto kWaitSlice = std::chrono::milliseconds(10);  // how often a wait looks for a queue error

std::uint16_t dispatch_header() {
  // Barrier bit: the stream is in order. System-scope fences: kernels see host writes made before
  // the launch, and the host sees the kernel's writes after the completion signal.
  return static_cast<std::uint16_t>((HSA_PACKET_TYPE_KERNEL_DISPATCH << HSA_PACKET_HEADER_TYPE) |
                                    (1u << HSA_PACKET_HEADER_BARRIER) |
                                    (HSA_FENCE_SCOPE_SYSTEM << HSA_PACKET_HEADER_SCACQUIRE_FENCE_SCOPE) |
                                    (HSA_FENCE_SCOPE_SYSTEM << HSA_PACKET_HEADER_SCRELEASE_FENCE_SCOPE));
}

std::uint32_t work_items(std::uint32_t workgroups, std::uint32_t block, const std::string& kernel, char axis) {
  const std::uint64_t n = std::uint64_t(workgroups) * block;
  if (n > UINT32_MAX)
    fail(ASMK_ERROR_UNSUPPORTED_SHAPE,
         fmt::format("kernel {}: the grid's {} extent is {} work-items, above the 2^32-1 an AQL packet holds", kernel,
                     axis, n));
  return static_cast<std::uint32_t>(n);
}

}  // namespace

StreamQueue::StreamQueue(const Api& api, const GpuAgent& agent, const MemoryPool& kernarg_pool, QueueSettings settings,
                         std::string label)
    : api_(api), agent_(agent), kernarg_pool_(kernarg_pool), settings_(settings), label_(std::move(label)) {
  api_.check(api_.hsa_queue_create(agent_.handle, settings_.size, HSA_QUEUE_TYPE_MULTI, &StreamQueue::on_queue_error,
                                   this, UINT32_MAX, UINT32_MAX, &queue_),
             ASMK_ERROR_BACKEND, fmt::format("hsa_queue_create({} packets on {}) for {}", settings_.size, agent_.name, label_));
  try {
    if (settings_.profiling)
      api_.check(api_.hsa_amd_profiling_set_profiler_enabled(queue_, 1), ASMK_ERROR_BACKEND,
                 "hsa_amd_profiling_set_profiler_enabled");
    slots_.resize(settings_.size);
    for (Slot& slot : slots_)
      api_.check(api_.hsa_signal_create(0, 0, nullptr, &slot.done), ASMK_ERROR_BACKEND, "hsa_signal_create");
    const std::size_t block_bytes = std::size_t(settings_.size) * kInitialKernargBytes;
    api_.check(api_.hsa_amd_memory_pool_allocate(kernarg_pool_.handle, block_bytes, 0, &kernarg_block_),
               ASMK_ERROR_OUT_OF_MEMORY, fmt::format("kernarg buffers of {} bytes for {}", block_bytes, label_));
    api_.check(api_.hsa_amd_agents_allow_access(1, &agent_.handle, nullptr, kernarg_block_), ASMK_ERROR_BACKEND,
               "hsa_amd_agents_allow_access(kernarg buffers)");
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      slots_[i].kernargs = static_cast<std::byte*>(kernarg_block_) + i * kInitialKernargBytes;
      slots_[i].capacity = kInitialKernargBytes;
    }
  } catch (...) {
    release();
    throw;
  }
}

StreamQueue::~StreamQueue() {
  drain_quietly();
  release();
}

// The queue goes first: destroying it stops its packet processor (the HSA spec leaves packets not
// yet complete undefined, and the emulated runtime finishes the one it is running), so no dispatch
// still decrements a completion signal or reads a kernarg buffer when they are destroyed below.
void StreamQueue::release() {
  if (queue_ != nullptr) api_.hsa_queue_destroy(queue_);
  queue_ = nullptr;
  for (Slot& slot : slots_) {
    if (slot.done.handle != 0) api_.hsa_signal_destroy(slot.done);
    if (slot.owns_kernargs) api_.hsa_amd_memory_pool_free(slot.kernargs);
  }
  slots_.clear();
  if (kernarg_block_ != nullptr) api_.hsa_amd_memory_pool_free(kernarg_block_);
  kernarg_block_ = nullptr;
}

void StreamQueue::on_queue_error(hsa_status_t status, hsa_queue_t*, void* self) {
  hsa_status_t expected = HSA_STATUS_SUCCESS;
  static_cast<StreamQueue*>(self)->error_.compare_exchange_strong(expected, status);
}

void StreamQueue::throw_queue_error() {
  // The first dispatch still in flight is the one that stopped the queue.
  std::string kernel = "a kernel";
  for (std::uint64_t i = next_index_ > slots_.size() ? next_index_ - slots_.size() : 0; i < next_index_; ++i) {
    const Slot& slot = slots_[i % slots_.size()];
    if (api_.hsa_signal_load_scacquire(slot.done) > 0) {
      kernel = "kernel " + slot.kernel;
      break;
    }
  }
  std::string detail;
  if (api_.asmk_hsa_emu_queue_error != nullptr) {
    const char* text = api_.asmk_hsa_emu_queue_error(queue_);
    if (text != nullptr && *text != '\0') detail = fmt::format("; the runtime says: {}", text);
  }
  const char* status_text = nullptr;
  api_.hsa_status_string(error_.load(), &status_text);
  fail(ASMK_ERROR_KERNEL_FAULT, fmt::format("{} failed on {} ({}): {}{}", kernel, agent_.name, label_,
                                            status_text != nullptr ? status_text : "queue error", detail));
}

bool StreamQueue::wait_slot(Slot& slot, std::chrono::steady_clock::time_point deadline) {
  if (api_.hsa_signal_load_scacquire(slot.done) < 1) return true;  // the usual case: long done
  const std::uint64_t slice_ticks = settings_.timestamp_frequency / 1000 * kWaitSlice.count();
  for (;;) {
    if (api_.hsa_signal_wait_scacquire(slot.done, HSA_SIGNAL_CONDITION_LT, 1, slice_ticks, HSA_WAIT_STATE_BLOCKED) < 1)
      return true;
    if (failed()) throw_queue_error();
    if (std::chrono::steady_clock::now() >= deadline) return false;
  }
}

void StreamQueue::ensure_capacity(Slot& slot, std::size_t bytes) {
  if (slot.capacity >= bytes) return;
  const std::size_t capacity = bytes;
  void* memory = nullptr;
  api_.check(api_.hsa_amd_memory_pool_allocate(kernarg_pool_.handle, capacity, 0, &memory), ASMK_ERROR_OUT_OF_MEMORY,
             fmt::format("kernarg buffer of {} bytes", capacity));
  const hsa_status_t access = api_.hsa_amd_agents_allow_access(1, &agent_.handle, nullptr, memory);
  if (access != HSA_STATUS_SUCCESS) {
    api_.hsa_amd_memory_pool_free(memory);
    api_.check(access, ASMK_ERROR_BACKEND, "hsa_amd_agents_allow_access(kernarg buffer)");
  }
  if (slot.owns_kernargs) api_.hsa_amd_memory_pool_free(slot.kernargs);
  slot.kernargs = memory;
  slot.capacity = capacity;
  slot.owns_kernargs = true;
}

void StreamQueue::dispatch(const DispatchRequest& request) {
  const std::uint32_t grid_x = work_items(request.grid.x, request.block.x, request.kernel_name, 'x');
  const std::uint32_t grid_y = work_items(request.grid.y, request.block.y, request.kernel_name, 'y');
  const std::uint32_t grid_z = work_items(request.grid.z, request.block.z, request.kernel_name, 'z');
  std::lock_guard lock(mutex_);
  if (failed()) throw_queue_error();
  const auto deadline = std::chrono::steady_clock::now() + settings_.timeout;

  // A free packet slot: the packet processor must have consumed the packet `size` launches ago.
  while (next_index_ - api_.hsa_queue_load_read_index_scacquire(queue_) >= settings_.size) {
    if (failed()) throw_queue_error();
    if (std::chrono::steady_clock::now() >= deadline)
      fail(ASMK_ERROR_BACKEND,
           fmt::format("kernel {}: the queue of {} is full ({} packets not consumed by {} within {} ms)",
                       request.kernel_name, label_, settings_.size, agent_.name, settings_.timeout.count()));
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
  Slot& slot = slots_[next_index_ % slots_.size()];
  if (!wait_slot(slot, deadline))
    fail(ASMK_ERROR_BACKEND, fmt::format("kernel {}: the dispatch of {} that used this queue slot ({} on {}) did not "
                                         "complete within {} ms",
                                         request.kernel_name, slot.kernel, label_, agent_.name, settings_.timeout.count()));

  const std::size_t kernarg_bytes = std::max<std::size_t>(request.kernargs.size(), request.kernel.kernarg_segment_size);
  ensure_capacity(slot, kernarg_bytes);
  std::memcpy(slot.kernargs, request.kernargs.data(), request.kernargs.size());
  std::memset(static_cast<std::byte*>(slot.kernargs) + request.kernargs.size(), 0, kernarg_bytes - request.kernargs.size());
  slot.kernel = request.kernel_name;
  api_.hsa_signal_store_relaxed(slot.done, 1);

  const std::uint64_t index = api_.hsa_queue_add_write_index_scacq_screl(queue_, 1);
  auto* packet = static_cast<hsa_kernel_dispatch_packet_t*>(queue_->base_address) + index % queue_->size;
  // The body first; the header (with setup) last, in one release store, hands the packet over.
  const std::uint16_t dims = request.grid.z > 1 ? 3 : request.grid.y > 1 ? 2 : 1;
  packet->workgroup_size_x = static_cast<std::uint16_t>(request.block.x);
  packet->workgroup_size_y = static_cast<std::uint16_t>(request.block.y);
  packet->workgroup_size_z = static_cast<std::uint16_t>(request.block.z);
  packet->reserved0 = 0;
  packet->grid_size_x = grid_x;
  packet->grid_size_y = grid_y;
  packet->grid_size_z = grid_z;
  packet->private_segment_size = request.kernel.private_segment_size;
  packet->group_segment_size = request.kernel.group_segment_size;
  packet->kernel_object = request.kernel.kernel_object;
  packet->kernarg_address = slot.kernargs;
  packet->reserved2 = 0;
  packet->completion_signal = slot.done;
  const std::uint32_t header_and_setup =
      dispatch_header() | (std::uint32_t(dims << HSA_KERNEL_DISPATCH_PACKET_SETUP_DIMENSIONS) << 16);
  __atomic_store_n(reinterpret_cast<std::uint32_t*>(packet), header_and_setup, __ATOMIC_RELEASE);
  api_.hsa_signal_store_screlease(queue_->doorbell_signal, static_cast<hsa_signal_value_t>(index));

  last_slot_ = index % slots_.size();
  next_index_ = index + 1;
}

void StreamQueue::synchronize() {
  std::lock_guard lock(mutex_);
  if (failed()) throw_queue_error();
  if (!last_slot_) return;
  Slot& slot = slots_[*last_slot_];
  if (!wait_slot(slot, std::chrono::steady_clock::now() + settings_.timeout))
    fail(ASMK_ERROR_BACKEND, fmt::format("kernel {} on {} ({}) did not complete within {} ms (ASMK_HSA_TIMEOUT_MS)",
                                         slot.kernel, agent_.name, label_, settings_.timeout.count()));
  if (settings_.profiling) {
    hsa_amd_profiling_dispatch_time_t time{};
    api_.check(api_.hsa_amd_profiling_get_dispatch_time(agent_.handle, slot.done, &time), ASMK_ERROR_BACKEND,
               "hsa_amd_profiling_get_dispatch_time");
    const std::uint64_t ticks = time.end >= time.start ? time.end - time.start : 0;
    last_ns_ = settings_.timestamp_frequency == 0
                   ? 0
                   : static_cast<std::uint64_t>(static_cast<double>(ticks) * 1e9 /
                                                static_cast<double>(settings_.timestamp_frequency));
  }
}

void StreamQueue::drain_quietly() {
  try {
    synchronize();
  } catch (const Error&) {
  }
}

std::optional<std::uint64_t> StreamQueue::last_dispatch_ns() const {
  std::lock_guard lock(mutex_);
  return last_ns_;
}

}  // namespace asmk::hsa
