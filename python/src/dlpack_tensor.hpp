// dlpack_tensor.hpp — one tensor taken from a DLPack capsule (the `__dlpack__` protocol).
//
// The capsule is consumed as the protocol asks (renamed "used_dltensor"); the producer's deleter
// runs when the DlpackTensor is destroyed, so the memory stays alive for the call.
#pragma once

#include <dlpack/dlpack.h>
#include <pybind11/pybind11.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace asmk_py {

class DlpackTensor {
 public:
  // `role` names the argument in error messages ("x", "XQ", ...).
  DlpackTensor(pybind11::handle capsule, std::string role);
  ~DlpackTensor();
  DlpackTensor(const DlpackTensor&) = delete;
  DlpackTensor& operator=(const DlpackTensor&) = delete;

  const std::string& role() const { return role_; }
  int ndim() const { return tensor().ndim; }
  int64_t dim(int i) const { return tensor().shape[i]; }
  // Stride of dimension i in elements (DLPack's null strides mean compact row-major).
  int64_t stride(int i) const;
  int64_t numel() const;
  bool is_host() const;  // CPU, CUDA/ROCm pinned host
  bool is_gpu() const;   // CUDA (a ROCm build of a framework may say CUDA) or ROCm
  int device_id() const { return tensor().device.device_id; }
  uint8_t code() const { return tensor().dtype.code; }
  uint8_t bits() const { return tensor().dtype.bits; }
  std::string dtype_string() const;  // "float32", "bfloat16", "uint8", ...
  size_t itemsize() const { return tensor().dtype.bits / 8; }
  // The first element's address and the bytes from it to the end of the last element.
  void* data() const;
  size_t span_bytes() const;
  // True when the rows of a 2-D tensor (or a 1-D tensor) are contiguous (last stride 1).
  bool last_dim_contiguous() const { return ndim() == 0 || dim(ndim() - 1) <= 1 || stride(ndim() - 1) == 1; }
  bool is_compact() const;  // compact row-major (any shape)

 private:
  const DLTensor& tensor() const { return managed_->dl_tensor; }
  DLManagedTensor* managed_ = nullptr;
  std::string role_;
};

}  // namespace asmk_py
