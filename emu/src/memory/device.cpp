// Device address space: a sorted table of allocations, copied on write so that a running launch
// reads a stable View without locks. Owned allocations are anonymous mmap(MAP_NORESERVE) mappings
// so that sparse multi-GiB buffers cost only the pages touched.
#include "asmk/emu/device.hpp"

#include <sys/mman.h>

#include <atomic>
#include <cstring>
#include <sstream>

namespace asmk::emu {
namespace {

constexpr uint64_t kPage = 4096;

std::string hex(uint64_t v) {
  std::ostringstream os;
  os << "0x" << std::hex << v;
  return os.str();
}

// Round-robin over the windows: a Device created after another gets a different one unless
// kWindows Devices were created in between.
uint64_t next_window_begin() {
  static std::atomic<uint64_t> devices_created{0};
  return Device::kAddressBegin + devices_created.fetch_add(1) % Device::kWindows * Device::kWindowBytes;
}

}  // namespace

Device::Device()
    : table_(std::make_shared<const Table>()), window_begin_(next_window_begin()), cursor_(window_begin_) {}

Device::~Device() = default;  // the last table's mappings unmap themselves

Device::Mapping::~Mapping() { munmap(host, bytes); }

Device::View Device::view() const {
  View v;
  v.window_begin_ = window_begin_;
  std::lock_guard lock(mutex_);
  v.table_ = table_;
  return v;
}

void Device::publish(Table table) { table_ = std::make_shared<const Table>(std::move(table)); }

uint64_t Device::place(const Table& allocations, uint64_t span, uint64_t align, uint64_t phase) {
  const uint64_t lowest = window_begin_ + kGuardBytes, highest = window_begin_ + kWindowBytes - kGuardBytes;
  auto up = [&](uint64_t pos) { return (pos - phase + align - 1) / align * align + phase; };
  for (uint64_t start : {std::max(cursor_, lowest), lowest}) {
    uint64_t pos = up(start);
    while (pos <= highest && span <= highest - pos) {
      auto next = allocations.lower_bound(pos);
      if (next != allocations.begin()) {
        auto prev = std::prev(next);
        uint64_t prev_end = prev->first + prev->second.span + kGuardBytes;
        if (prev_end > pos) {
          pos = up(prev_end);
          continue;
        }
      }
      if (next != allocations.end() && next->first < pos + span + kGuardBytes) {
        pos = up(next->first + next->second.span + kGuardBytes);
        continue;
      }
      cursor_ = pos + span + kGuardBytes;
      return pos;
    }
  }
  return 0;
}

Expected<uint64_t> Device::alloc(uint64_t bytes, uint64_t align) { return alloc_owned(bytes, align, nullptr); }

Expected<uint64_t> Device::alloc_read_only(uint64_t bytes, uint64_t align, const char* what) {
  return alloc_owned(bytes, align, what ? what : "read-only allocation");
}

Expected<uint64_t> Device::alloc_owned(uint64_t bytes, uint64_t align, const char* read_only) {
  if (align == 0 || (align & (align - 1)) != 0)
    return Expected<uint64_t>::failure("Device::alloc: alignment " + std::to_string(align) + " is not a power of two");
  if (bytes > kMaxAllocation)
    return Expected<uint64_t>::failure("Device::alloc: " + std::to_string(bytes) + " bytes is more than the largest allocation, " +
                                       std::to_string(kMaxAllocation) + " bytes");
  uint64_t mapped = ((bytes ? bytes : 1) + kPage - 1) / kPage * kPage;
  void* host = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (host == MAP_FAILED)
    return Expected<uint64_t>::failure("Device::alloc: cannot reserve " + std::to_string(bytes) + " bytes");
  auto owned = std::make_shared<const Mapping>(static_cast<uint8_t*>(host), mapped);
  std::lock_guard lock(mutex_);
  uint64_t base = place(*table_, mapped, std::max<uint64_t>(align, kPage), 0);
  if (!base)
    return Expected<uint64_t>::failure("Device::alloc: no room for " + std::to_string(bytes) +
                                       " bytes in this device's address window (" + std::to_string(table_->size()) +
                                       " allocations live, each kept 4 GiB from the next)");
  Table table = *table_;
  table[base] = Allocation{bytes, owned->host, mapped, read_only, owned};
  publish(std::move(table));
  return base;
}

Expected<uint64_t> Device::map_host(void* host, uint64_t bytes) {
  if (!host) return Expected<uint64_t>::failure("Device::map_host: null host pointer");
  if (bytes > kMaxAllocation)
    return Expected<uint64_t>::failure("Device::map_host: " + std::to_string(bytes) + " bytes is more than the largest allocation");
  std::lock_guard lock(mutex_);
  // Keep the host pointer's offset within a page so device alignment equals host alignment.
  uint64_t span = bytes ? bytes : 1;
  uint64_t base = place(*table_, span, kPage, reinterpret_cast<uintptr_t>(host) % kPage);
  if (!base) return Expected<uint64_t>::failure("Device::map_host: no room in this device's address window");
  Table table = *table_;
  table[base] = Allocation{bytes, static_cast<uint8_t*>(host), span, nullptr, nullptr};
  publish(std::move(table));
  return base;
}

Status Device::free(uint64_t address) {
  std::shared_ptr<const Table> old;  // released after the lock: its last owner unmaps freed memory
  std::lock_guard lock(mutex_);
  if (!table_->contains(address)) {
    View v;
    v.table_ = table_;
    v.window_begin_ = window_begin_;
    return Status::error("Device::free: " + hex(address) + " is not the base of an allocation; " + v.describe(address));
  }
  Table table = *table_;
  table.erase(address);
  old = table_;
  publish(std::move(table));
  return {};
}

Device::Region Device::region_of(uint64_t address) const { return view().region_of(address); }
void* Device::translate(uint64_t address, uint64_t bytes) const { return view().translate(address, bytes); }
std::string Device::describe(uint64_t address) const { return view().describe(address); }
std::string Device::describe_range(uint64_t address, uint64_t bytes) const {
  return view().describe_range(address, bytes);
}

const Device::Allocation* Device::View::find(uint64_t address, uint64_t& base) const {
  const Table& allocations = *table_;
  auto it = allocations.upper_bound(address);
  if (it == allocations.begin()) return nullptr;
  --it;
  if (address - it->first >= it->second.size) return nullptr;
  base = it->first;
  return &it->second;
}

void* Device::View::translate(uint64_t address, uint64_t bytes) const {
  uint64_t base = 0;
  const Allocation* a = find(address, base);
  if (!a) return nullptr;
  uint64_t off = address - base;
  if (bytes > a->size - off) return nullptr;
  return a->host + off;
}

Device::Region Device::View::region_of(uint64_t address) const {
  uint64_t base = 0;
  const Allocation* a = find(address, base);
  if (!a) return {};
  return Region{base, a->size, a->host, a->read_only};
}

// write/read/fill hold their view while copying, so a concurrent free cannot unmap the bytes.
Status Device::write(uint64_t address, const void* src, uint64_t bytes) {
  const View v = view();
  void* p = v.translate(address, bytes);
  if (!p) return Status::error("Device::write of " + std::to_string(bytes) + " bytes at " + hex(address) + ": " + v.describe_range(address, bytes));
  if (bytes) std::memcpy(p, src, bytes);
  return {};
}

Status Device::read(uint64_t address, void* dst, uint64_t bytes) const {
  const View v = view();
  const void* p = v.translate(address, bytes);
  if (!p) return Status::error("Device::read of " + std::to_string(bytes) + " bytes at " + hex(address) + ": " + v.describe_range(address, bytes));
  if (bytes) std::memcpy(dst, p, bytes);
  return {};
}

Status Device::fill(uint64_t address, uint8_t value, uint64_t bytes) {
  const View v = view();
  void* p = v.translate(address, bytes);
  if (!p) return Status::error("Device::fill of " + std::to_string(bytes) + " bytes at " + hex(address) + ": " + v.describe_range(address, bytes));
  if (bytes) std::memset(p, value, bytes);
  return {};
}

std::string Device::View::describe_range(uint64_t address, uint64_t bytes) const {
  uint64_t base = 0;
  const Allocation* a = find(address, base);
  if (a && bytes > a->size - (address - base))
    return "the access runs " + std::to_string(bytes - (a->size - (address - base))) +
           " bytes past the end of the allocation at " + hex(base) + " (" + std::to_string(a->size) + " bytes)";
  return describe(address);
}

std::string Device::View::describe(uint64_t address) const {
  const Table& allocations = *table_;
  if (address < window_begin_ || address - window_begin_ >= kWindowBytes) {
    if (address >= kAddressBegin && address < kAddressEnd)
      return hex(address) + " belongs to another device's address window (another context's pointer?); this device's window is " +
             hex(window_begin_) + ".." + hex(window_begin_ + kWindowBytes);
    return hex(address) + " is outside this device's address window " + hex(window_begin_) + ".." + hex(window_begin_ + kWindowBytes);
  }
  if (allocations.empty()) return "no allocations exist";
  auto it = allocations.upper_bound(address);
  if (it == allocations.begin())
    return hex(address) + " is below the first allocation at " + hex(it->first);
  --it;
  uint64_t off = address - it->first;
  if (off < it->second.size)
    return hex(address) + " is offset " + std::to_string(off) + " of the allocation at " + hex(it->first) + " (" +
           std::to_string(it->second.size) + " bytes)";
  return hex(address) + " is " + std::to_string(off - it->second.size) + " bytes past the end of the allocation at " +
         hex(it->first) + " (" + std::to_string(it->second.size) + " bytes)";
}

uint64_t Device::bytes_allocated() const {
  const View v = view();
  uint64_t total = 0;
  for (auto& [b, a] : *v.table_) total += a.size;
  return total;
}

}  // namespace asmk::emu
