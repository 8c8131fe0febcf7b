#include "dlpack_tensor.hpp"

#include "errors.hpp"

namespace asmk_py {

DlpackTensor::DlpackTensor(pybind11::handle capsule, std::string role) : role_(std::move(role)) {
  if (!PyCapsule_IsValid(capsule.ptr(), "dltensor")) {
    throw Failure(ASMK_ERROR_INVALID_ARGUMENT,
                  role_ + ": not an unused DLPack capsule (pass a tensor with __dlpack__: NumPy >= 1.22, "
                          "PyTorch, JAX, CuPy)");
  }
  managed_ = static_cast<DLManagedTensor*>(PyCapsule_GetPointer(capsule.ptr(), "dltensor"));
  // The protocol: a consumed capsule is renamed so the producer's capsule destructor leaves it alone.
  PyCapsule_SetName(capsule.ptr(), "used_dltensor");
  if (tensor().dtype.lanes != 1) {
    if (managed_->deleter != nullptr) managed_->deleter(managed_);  // owned already: the destructor will not run
    managed_ = nullptr;
    throw Failure(ASMK_ERROR_UNSUPPORTED_DTYPE, role_ + ": vector dtypes (lanes > 1) are not supported");
  }
}

DlpackTensor::~DlpackTensor() {
  if (managed_ != nullptr && managed_->deleter != nullptr) managed_->deleter(managed_);
}

int64_t DlpackTensor::stride(int i) const {
  if (tensor().strides != nullptr) return tensor().strides[i];
  int64_t s = 1;
  for (int j = ndim() - 1; j > i; --j) s *= dim(j);
  return s;
}

int64_t DlpackTensor::numel() const {
  int64_t n = 1;
  for (int i = 0; i < ndim(); ++i) n *= dim(i);
  return n;
}

bool DlpackTensor::is_host() const {
  const auto t = tensor().device.device_type;
  return t == kDLCPU || t == kDLCUDAHost || t == kDLROCMHost;
}

bool DlpackTensor::is_gpu() const {
  const auto t = tensor().device.device_type;
  return t == kDLCUDA || t == kDLROCM;
}

std::string DlpackTensor::dtype_string() const {
  const char* kind = "?";
  switch (code()) {
    case kDLInt: kind = "int"; break;
    case kDLUInt: kind = "uint"; break;
    case kDLFloat: kind = "float"; break;
    case kDLBfloat: kind = "bfloat"; break;
    default: kind = "code"; break;
  }
  return std::string(kind) + std::to_string(bits());
}

void* DlpackTensor::data() const {
  return static_cast<char*>(tensor().data) + tensor().byte_offset;
}

size_t DlpackTensor::span_bytes() const {
  if (numel() == 0) return 0;
  int64_t last = 0;
  for (int i = 0; i < ndim(); ++i) {
    if (stride(i) < 0) throw Failure(ASMK_ERROR_UNSUPPORTED_SHAPE, role_ + ": negative strides are not supported");
    last += (dim(i) - 1) * stride(i);
  }
  return static_cast<size_t>(last + 1) * itemsize();
}

bool DlpackTensor::is_compact() const {
  int64_t expected = 1;
  for (int i = ndim() - 1; i >= 0; --i) {
    if (dim(i) != 1 && stride(i) != expected) return false;
    expected *= dim(i);
  }
  return true;
}

}  // namespace asmk_py
