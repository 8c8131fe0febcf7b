#include "dtype.hpp"

namespace asmk {

std::optional<std::string_view> dtype_name(asmk_dtype dtype) {
  switch (dtype) {
    case ASMK_DTYPE_BF16: return "bf16";
    case ASMK_DTYPE_FP16: return "fp16";
    case ASMK_DTYPE_FP32: return "fp32";
    case ASMK_DTYPE_FP8: return "fp8";
    case ASMK_DTYPE_INT8: return "int8";
    case ASMK_DTYPE_FP4: return "fp4";
    case ASMK_DTYPE_INT4: return "int4";
    case ASMK_DTYPE_FORCE_INT32_: break;
  }
  return std::nullopt;
}

std::size_t dtype_bytes(asmk_dtype dtype) {
  switch (dtype) {
    case ASMK_DTYPE_BF16:
    case ASMK_DTYPE_FP16: return 2;
    case ASMK_DTYPE_FP32: return 4;
    case ASMK_DTYPE_FP8:
    case ASMK_DTYPE_INT8: return 1;
    case ASMK_DTYPE_FP4:
    case ASMK_DTYPE_INT4: return 0;  // half a byte: packed rows are sized by their users
    case ASMK_DTYPE_FORCE_INT32_: break;
  }
  return 0;
}

}  // namespace asmk
