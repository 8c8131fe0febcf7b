#include "device_pointers.hpp"

#include <algorithm>

#include "errors.hpp"

namespace asmk_py {

DevicePointers::DevicePointers(asmk_context* context, bool on_gpu,
                               const std::vector<const DlpackTensor*>& tensors)
    : context_(context), on_gpu_(on_gpu) {
  std::vector<Range> ranges;
  for (const DlpackTensor* t : tensors) {
    if (t == nullptr) continue;
    if (on_gpu && !t->is_gpu()) {
      throw Failure(ASMK_ERROR_INVALID_ARGUMENT,
                    t->role() + ": a host tensor given to a GPU context; move it to the GPU or use an emu context");
    }
    if (!on_gpu && !t->is_host()) {
      throw Failure(ASMK_ERROR_INVALID_ARGUMENT,
                    t->role() + ": a GPU tensor given to an emulator context; open a context with backend='hip'");
    }
    if (!on_gpu && t->span_bytes() > 0) {
      auto begin = reinterpret_cast<uintptr_t>(t->data());
      ranges.push_back({begin, begin + t->span_bytes()});
    }
  }
  if (on_gpu) return;
  std::sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) { return a.begin < b.begin; });
  for (const Range& r : ranges) {
    if (!registered_.empty() && r.begin < registered_.back().end) {
      registered_.back().end = std::max(registered_.back().end, r.end);
    } else {
      registered_.push_back(r);
    }
  }
  for (size_t i = 0; i < registered_.size(); ++i) {
    Range& r = registered_[i];
    asmk_status s = asmk_register_host(context_, reinterpret_cast<void*>(r.begin), r.end - r.begin, &r.device);
    if (s != ASMK_SUCCESS) {
      std::string message = std::string("asmk_register_host: ") + asmk_last_error();
      for (size_t j = 0; j < i; ++j) asmk_unregister_host(context_, reinterpret_cast<void*>(registered_[j].begin));
      registered_.clear();
      throw Failure(s, message);
    }
  }
}

DevicePointers::~DevicePointers() {
  for (const Range& r : registered_) asmk_unregister_host(context_, reinterpret_cast<void*>(r.begin));
}

void* DevicePointers::operator()(const DlpackTensor* t) const {
  if (t == nullptr) return nullptr;
  if (on_gpu_ || t->span_bytes() == 0) return t->data();
  auto address = reinterpret_cast<uintptr_t>(t->data());
  for (const Range& r : registered_) {
    if (address >= r.begin && address < r.end) {
      return static_cast<char*>(r.device) + (address - r.begin);
    }
  }
  throw Failure(ASMK_ERROR_INTERNAL, t->role() + ": not among the registered host ranges");
}

}  // namespace asmk_py
