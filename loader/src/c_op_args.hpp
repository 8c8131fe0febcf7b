// The typed C entry points (asmk_gemm_bf16, asmk_quant_fp8, ...) as named op arguments: each
// struct field becomes the asmk_op_arg of the same name, and the op runs through the generic layer
// (ops/op_run.hpp) exactly as asmk_run_op would run it. These mappings are the only per-op code.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "asmk.h"

namespace asmk {

class OpArgs {
 public:
  OpArgs& size(const char* name, std::uint32_t value) { return add(name, ASMK_VALUE_U32, value); }
  OpArgs& u32(const char* name, std::uint32_t value) { return add(name, ASMK_VALUE_U32, value); }
  OpArgs& choice(const char* name, std::string value);
  OpArgs& tensor(const char* name, const void* pointer, std::size_t bytes);
  // A dtype choice by enum: its asmk_dtype_name ("fp32" is taken for the manifests' "f32"),
  // "<unknown value N>" for values outside the enum (refused by the op).
  OpArgs& dtype(const char* name, asmk_dtype dtype);

  const std::vector<asmk_op_arg>& list() const { return args_; }

 private:
  OpArgs& add(const char* name, asmk_value_type type, std::uint32_t value);
  std::vector<asmk_op_arg> args_;
  std::deque<std::string> strings_;  // stable addresses for the string values
};

OpArgs op_args(const asmk_quant_fp8_args& a);
OpArgs op_args(const asmk_quant_mxfp4_args& a);
OpArgs op_args(const asmk_shuffle_b_args& a);
OpArgs op_args(const asmk_gemm_bf16_args& a);
OpArgs op_args(const asmk_gemm_a8w8_args& a);
OpArgs op_args(const asmk_gemm_a8w8_blockscale_args& a);
OpArgs op_args(const asmk_gemm_a4w4_args& a);

}  // namespace asmk
