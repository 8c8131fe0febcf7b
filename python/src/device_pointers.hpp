// device_pointers.hpp — the pointers a kernel gets for the tensors of one call.
//
// On a GPU backend (hip, hsa) a GPU tensor's data pointer is used as is. On the emulator (emu,
// record) host tensors are registered with the context (asmk_register_host) for the call and
// unregistered afterwards; overlapping tensors (views of one buffer) are registered once, as
// the union of their byte ranges.
#pragma once

#include <asmk.h>

#include <cstdint>
#include <vector>

#include "dlpack_tensor.hpp"

namespace asmk_py {

class DevicePointers {
 public:
  // `on_gpu`: the context's backend runs on a GPU (hip, hsa).
  DevicePointers(asmk_context* context, bool on_gpu, const std::vector<const DlpackTensor*>& tensors);
  ~DevicePointers();
  DevicePointers(const DevicePointers&) = delete;
  DevicePointers& operator=(const DevicePointers&) = delete;

  // The kernel-side pointer of `t` (one of the tensors given), or nullptr for nullptr.
  void* operator()(const DlpackTensor* t) const;

 private:
  struct Range {
    uintptr_t begin, end;
    void* device = nullptr;
  };
  asmk_context* context_;
  bool on_gpu_;
  std::vector<Range> registered_;
};

}  // namespace asmk_py
