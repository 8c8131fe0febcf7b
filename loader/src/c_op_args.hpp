// The typed C entry points (asmk_gemm_bf16, asmk_quant_fp8, ...) as named op arguments: each
// struct field becomes the asmk_op_arg of the same name, and the op runs through the generic layer
// (ops/op_run.hpp) exactly as asmk_run_op would run it. These mappings are the only per-op code.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "asmk.h"

namespace asmk {

// A typed struct's fields as named arguments, held inline: a warm launch through a typed entry
// point allocates nothing here (perf/bench_launch). Choice values are the enums' static names.
class OpArgs {
 public:
  static constexpr std::size_t kCapacity = 64;

  OpArgs& size(const char* name, std::uint32_t value) { return add(name, ASMK_VALUE_U32, value); }
  OpArgs& u32(const char* name, std::uint32_t value) { return add(name, ASMK_VALUE_U32, value); }
  OpArgs& i32(const char* name, std::int32_t value);
  OpArgs& f32(const char* name, float value);
  // `value` must outlive the OpArgs (a string literal); nullptr words an enum value outside the
  // enum as "<unknown value N>" (refused by the op).
  OpArgs& choice(const char* name, const char* value, int raw_enum_value = 0);
  // A choice whose text is made here (e.g. head dims "192x128" from two fields): kept by the OpArgs.
  OpArgs& choice_text(const char* name, std::string value);
  OpArgs& tensor(const char* name, const void* pointer, std::size_t bytes);
  // A dtype choice by enum: its asmk_dtype_name ("fp32" is taken for the manifests' "f32").
  OpArgs& dtype(const char* name, asmk_dtype dtype);

  // The op the struct's fields call for, when the struct stands for more than one (attention's
  // batch and varlen modes, ...); `fallback` (the struct's own name) otherwise.
  OpArgs& op(const char* name) { op_ = name; return *this; }
  const char* op_or(const char* fallback) const { return op_ != nullptr ? op_ : fallback; }

  std::span<const asmk_op_arg> list() const { return {args_.data(), count_}; }

 private:
  OpArgs& push(const asmk_op_arg& arg);
  OpArgs& add(const char* name, asmk_value_type type, std::uint32_t value);
  std::array<asmk_op_arg, kCapacity> args_{};
  std::size_t count_ = 0;
  const char* op_ = nullptr;
  std::vector<std::unique_ptr<std::string>> texts_;  // choice_text's texts and out-of-enum values' wording
};

OpArgs op_args(const asmk_quant_fp8_args& a);
OpArgs op_args(const asmk_quant_mxfp4_args& a);
OpArgs op_args(const asmk_shuffle_b_args& a);
OpArgs op_args(const asmk_gemm_bf16_args& a);
OpArgs op_args(const asmk_gemm_a8w8_args& a);
OpArgs op_args(const asmk_gemm_a8w8_blockscale_args& a);
OpArgs op_args(const asmk_gemm_a4w4_args& a);
OpArgs op_args(const asmk_fmha_fwd_args& a);
OpArgs op_args(const asmk_mla_decode_args& a);
OpArgs op_args(const asmk_fused_moe_args& a);

}  // namespace asmk
