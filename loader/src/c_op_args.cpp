#include "c_op_args.hpp"

#include <fmt/format.h>

#include "dtype.hpp"
#include "error.hpp"

namespace asmk {

OpArgs& OpArgs::push(const asmk_op_arg& arg) {
  if (count_ == kCapacity)
    fail(ASMK_ERROR_INTERNAL, fmt::format("a typed entry point has more than {} arguments (raise OpArgs::kCapacity)",
                                          kCapacity));
  args_[count_++] = arg;
  return *this;
}

OpArgs& OpArgs::add(const char* name, asmk_value_type type, std::uint32_t value) {
  asmk_op_arg arg{};
  arg.name = name;
  arg.type = type;
  arg.value.u32 = value;
  return push(arg);
}

OpArgs& OpArgs::choice(const char* name, const char* value, int raw_enum_value) {
  asmk_op_arg arg{};
  arg.name = name;
  arg.type = ASMK_VALUE_STRING;
  arg.value.string = value;
  if (value == nullptr)
    arg.value.string =
        unknown_.emplace_back(std::make_unique<std::string>(fmt::format("<unknown value {}>", raw_enum_value)))->c_str();
  return push(arg);
}

OpArgs& OpArgs::tensor(const char* name, const void* pointer, std::size_t bytes) {
  asmk_op_arg arg{};
  arg.name = name;
  arg.type = ASMK_VALUE_POINTER;
  arg.value.pointer = pointer;
  arg.bytes = bytes;
  return push(arg);
}

OpArgs& OpArgs::dtype(const char* name, asmk_dtype dtype) {
  const auto text = dtype_name(dtype);  // a literal: null-terminated
  return choice(name, text ? text->data() : nullptr, static_cast<int>(dtype));
}

namespace {

const char* granularity(asmk_quant_granularity g) {
  if (g == ASMK_QUANT_ROW) return "row";
  if (g == ASMK_QUANT_GROUP) return "group";
  return nullptr;
}

const char* layout(asmk_b_layout l) {
  if (l == ASMK_B_ROW) return "row";
  if (l == ASMK_B_SHUFFLED) return "shuffled";
  return nullptr;
}

}  // namespace

OpArgs op_args(const asmk_quant_fp8_args& a) {
  OpArgs o;
  o.size("m", a.m).size("n", a.n).dtype("in_dtype", a.in_dtype).choice("granularity", granularity(a.granularity), a.granularity);
  o.u32("stride_x", a.stride_x).u32("stride_y", a.stride_y);
  o.tensor("x", a.x, a.x_bytes).tensor("y", a.y, a.y_bytes).tensor("scale", a.scale, a.scale_bytes);
  return o;
}

OpArgs op_args(const asmk_quant_mxfp4_args& a) {
  OpArgs o;
  o.size("m", a.m).size("n", a.n).dtype("in_dtype", a.in_dtype);
  o.u32("stride_x", a.stride_x).u32("stride_y", a.stride_y).u32("stride_scale", a.stride_scale);
  o.tensor("x", a.x, a.x_bytes).tensor("y", a.y, a.y_bytes).tensor("scale", a.scale, a.scale_bytes);
  return o;
}

OpArgs op_args(const asmk_shuffle_b_args& a) {
  OpArgs o;
  o.size("n", a.n).size("k", a.k).u32("stride_src", a.stride_src);
  o.tensor("src", a.src, a.src_bytes).tensor("dst", a.dst, a.dst_bytes);
  return o;
}

OpArgs op_args(const asmk_gemm_bf16_args& a) {
  OpArgs o;
  o.size("m", a.m).size("n", a.n).size("k", a.k).dtype("out_dtype", a.out_dtype);
  o.u32("stride_a", a.stride_a).u32("stride_b", a.stride_b).u32("stride_c", a.stride_c).u32("k_splits", a.k_splits);
  o.tensor("a", a.a, a.a_bytes).tensor("b", a.b, a.b_bytes).tensor("c", a.c, a.c_bytes);
  o.tensor("workspace", a.workspace, a.workspace_bytes);
  return o;
}

OpArgs op_args(const asmk_gemm_a8w8_args& a) {
  OpArgs o;
  o.size("m", a.m).size("n", a.n).size("k", a.k).dtype("in_dtype", a.in_dtype).dtype("out_dtype", a.out_dtype);
  o.choice("b_layout", layout(a.b_layout), a.b_layout);
  o.u32("stride_a", a.stride_a).u32("stride_b", a.stride_b).u32("stride_c", a.stride_c).u32("k_splits", a.k_splits);
  o.tensor("a", a.a, a.a_bytes).tensor("b", a.b, a.b_bytes).tensor("c", a.c, a.c_bytes);
  o.tensor("scale_a", a.scale_a, a.scale_a_bytes).tensor("scale_b", a.scale_b, a.scale_b_bytes);
  o.tensor("bias", a.bias, a.bias_bytes).tensor("workspace", a.workspace, a.workspace_bytes);
  return o;
}

OpArgs op_args(const asmk_gemm_a8w8_blockscale_args& a) {
  OpArgs o;
  o.size("m", a.m).size("n", a.n).size("k", a.k).dtype("in_dtype", a.in_dtype).dtype("out_dtype", a.out_dtype);
  o.u32("stride_a", a.stride_a).u32("stride_b", a.stride_b).u32("stride_c", a.stride_c);
  o.u32("stride_scale_a", a.stride_scale_a).u32("k_splits", a.k_splits);
  o.tensor("a", a.a, a.a_bytes).tensor("b", a.b, a.b_bytes).tensor("c", a.c, a.c_bytes);
  o.tensor("scale_a", a.scale_a, a.scale_a_bytes).tensor("scale_b", a.scale_b, a.scale_b_bytes);
  o.tensor("workspace", a.workspace, a.workspace_bytes);
  return o;
}

OpArgs op_args(const asmk_gemm_a4w4_args& a) {
  OpArgs o;
  o.size("m", a.m).size("n", a.n).size("k", a.k).dtype("out_dtype", a.out_dtype);
  o.u32("stride_a", a.stride_a).u32("stride_b", a.stride_b).u32("stride_c", a.stride_c);
  o.u32("stride_scale_a", a.stride_scale_a).u32("stride_scale_b", a.stride_scale_b).u32("k_splits", a.k_splits);
  o.tensor("a", a.a, a.a_bytes).tensor("b", a.b, a.b_bytes).tensor("c", a.c, a.c_bytes);
  o.tensor("scale_a", a.scale_a, a.scale_a_bytes).tensor("scale_b", a.scale_b, a.scale_b_bytes);
  o.tensor("workspace", a.workspace, a.workspace_bytes);
  return o;
}

}  // namespace asmk
