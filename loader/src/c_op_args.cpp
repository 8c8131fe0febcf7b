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
        texts_.emplace_back(std::make_unique<std::string>(fmt::format("<unknown value {}>", raw_enum_value)))->c_str();
  return push(arg);
}

OpArgs& OpArgs::choice_text(const char* name, std::string value) {
  return choice(name, texts_.emplace_back(std::make_unique<std::string>(std::move(value)))->c_str());
}

OpArgs& OpArgs::i32(const char* name, std::int32_t value) {
  asmk_op_arg arg{};
  arg.name = name;
  arg.type = ASMK_VALUE_I32;
  arg.value.i32 = value;
  return push(arg);
}

OpArgs& OpArgs::f32(const char* name, float value) {
  asmk_op_arg arg{};
  arg.name = name;
  arg.type = ASMK_VALUE_F32;
  arg.value.f32 = value;
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

// fmha_fwd's head_dims choice: "128" for (128, 128), "192x128" for (192, 128); other pairs are
// worded as given and refused by the op, which names its values.
std::string head_dims(std::uint32_t qk, std::uint32_t v) {
  return qk == v && qk != 192 ? std::to_string(qk) : fmt::format("{}x{}", qk, v);
}

const char* activation(asmk_moe_activation a) {
  if (a == ASMK_MOE_SILU) return "silu";
  if (a == ASMK_MOE_GELU) return "gelu";
  if (a == ASMK_MOE_SWIGLU_OAI) return "swiglu_oai";
  return nullptr;
}

const char* routing(asmk_moe_routing r) {
  if (r == ASMK_MOE_ROUTING_SOFTMAX) return "softmax";
  if (r == ASMK_MOE_ROUTING_GROUPED) return "grouped";
  return nullptr;
}

const char* fp8_scales(asmk_fp8_scales f) {
  if (f == ASMK_FP8_SCALES_ROWCOL) return "rowcol";
  if (f == ASMK_FP8_SCALES_BLOCK128) return "block128";
  return nullptr;
}

// A scale field ASMK_INIT leaves 0 means the op's default (1): given only when set.
void scale_if_set(OpArgs& o, const char* name, float value) {
  if (value != 0.0f) o.f32(name, value);
}

// The attention mask as fmha_fwd's window arguments (templates/fmha_fwd/README.md, "mask").
void attention_mask(OpArgs& o, const asmk_fmha_fwd_args& a) {
  switch (a.mask) {
    case ASMK_MASK_NONE: o.choice("mask", "none"); return;
    case ASMK_MASK_CAUSAL: o.choice("mask", "window").i32("window_left", -1).i32("window_right", 0).u32("bottom_right", 0); return;
    case ASMK_MASK_CAUSAL_BOTTOM_RIGHT:
      o.choice("mask", "window").i32("window_left", -1).i32("window_right", 0).u32("bottom_right", 1);
      return;
    case ASMK_MASK_WINDOW:
      o.choice("mask", "window").i32("window_left", a.window_left).i32("window_right", a.window_right);
      o.u32("bottom_right", 1);
      return;
    default: break;
  }
  fail(ASMK_ERROR_INVALID_ARGUMENT,
       fmt::format("asmk_fmha_fwd_args.mask is {}: not an asmk_attention_mask (ASMK_MASK_NONE 0, ASMK_MASK_CAUSAL 1, "
                   "ASMK_MASK_CAUSAL_BOTTOM_RIGHT 2, ASMK_MASK_WINDOW 3)", static_cast<int>(a.mask)));
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

OpArgs op_args(const asmk_fmha_fwd_args& a) {
  const bool varlen = a.cu_seqlens_q != nullptr || a.cu_seqlens_k != nullptr;
  if (varlen && (a.cu_seqlens_q == nullptr || a.cu_seqlens_k == nullptr))
    fail(ASMK_ERROR_INVALID_ARGUMENT, fmt::format("asmk_fmha_fwd_args: varlen mode needs both cu_seqlens_q and cu_seqlens_k "
                                                  "(given: cu_seqlens_{} only)", a.cu_seqlens_q != nullptr ? "q" : "k"));
  OpArgs o;
  o.op(varlen ? "fmha_fwd_varlen" : "fmha_fwd");
  o.size("batch", a.batch).size("seqlen_q", a.seqlen_q).size("seqlen_k", a.seqlen_k);
  o.size("num_heads_q", a.num_heads_q).size("num_heads_k", a.num_heads_k);
  if (varlen) o.size("total_q", a.total_q).size("total_k", a.total_k);
  o.dtype("dtype", a.dtype).dtype("out_dtype", a.out_dtype).choice_text("head_dims", head_dims(a.head_dim_qk, a.head_dim_v));
  attention_mask(o, a);
  o.f32("scale", a.scale).f32("softcap", a.softcap);
  scale_if_set(o, "q_descale", a.q_descale), scale_if_set(o, "k_descale", a.k_descale), scale_if_set(o, "v_descale", a.v_descale);
  if (!varlen) {
    o.u32("q_stride_batch", a.q_stride_batch).u32("k_stride_batch", a.k_stride_batch);
    o.u32("v_stride_batch", a.v_stride_batch).u32("o_stride_batch", a.o_stride_batch);
  }
  o.u32("q_stride_token", a.q_stride_token).u32("q_stride_head", a.q_stride_head);
  o.u32("k_stride_token", a.k_stride_token).u32("k_stride_head", a.k_stride_head);
  o.u32("v_stride_token", a.v_stride_token).u32("v_stride_head", a.v_stride_head);
  o.u32("o_stride_token", a.o_stride_token).u32("o_stride_head", a.o_stride_head);
  o.tensor("q", a.q, a.q_bytes).tensor("k", a.k, a.k_bytes).tensor("v", a.v, a.v_bytes).tensor("o", a.o, a.o_bytes);
  o.tensor("lse", a.lse, a.lse_bytes);
  if (varlen) o.tensor("cu_seqlens_q", a.cu_seqlens_q, a.cu_seqlens_q_bytes).tensor("cu_seqlens_k", a.cu_seqlens_k, a.cu_seqlens_k_bytes);
  o.tensor("workspace", a.workspace, a.workspace_bytes);
  return o;
}

OpArgs op_args(const asmk_mla_decode_args& a) {
  const bool csr = a.kv_indptr != nullptr, table = a.block_table != nullptr;
  if (csr == table)
    fail(ASMK_ERROR_INVALID_ARGUMENT,
         csr ? "asmk_mla_decode_args: both page-table forms given (kv_indptr and block_table): give one"
             : "asmk_mla_decode_args: no page table: give kv_indptr, kv_indices, kv_last_page_len (CSR) or block_table "
               "and seq_lens");
  const bool persistent = a.work != nullptr;
  if (!persistent && (a.row_splits != nullptr || a.work_groups != 0 || a.num_splits != 0))
    fail(ASMK_ERROR_INVALID_ARGUMENT, "asmk_mla_decode_args: row_splits / work_groups / num_splits are the persistent "
                                      "mode's metadata, but work is NULL: give work too (asmk_mla_decode_metadata)");
  if (persistent && a.wg_rows != 32 && a.wg_rows != 64)
    fail(ASMK_ERROR_INVALID_ARGUMENT, fmt::format("asmk_mla_decode_args: wg_rows {}: give the metadata's "
                                                  "asmk_mla_metadata_args.wg_rows (32 or 64)", a.wg_rows));
  OpArgs o;
  o.op(persistent ? (csr ? "mla_decode_persistent" : "mla_decode_persistent_block_table")
                  : (csr ? "mla_decode" : "mla_decode_block_table"));
  if (persistent) {
    o.size("work_groups", a.work_groups).size("num_splits", a.num_splits).choice_text("wg_rows", std::to_string(a.wg_rows));
    o.tensor("work", a.work, a.work_bytes).tensor("row_splits", a.row_splits, a.row_splits_bytes);
  }
  o.size("batch", a.batch).size("heads", a.heads).size("max_qlen", a.max_qlen).size("total_q", a.total_q);
  o.size("num_pages", a.num_pages).size("page_size", a.page_size);
  o.dtype("q_dtype", a.q_dtype).dtype("kv_dtype", a.kv_dtype);
  o.f32("scale", a.scale).f32("softcap", a.softcap);
  scale_if_set(o, "q_scale", a.q_scale), scale_if_set(o, "kv_scale", a.kv_scale);
  o.u32("q_stride_token", a.q_stride_token).u32("q_stride_head", a.q_stride_head);
  o.u32("o_stride_token", a.o_stride_token).u32("o_stride_head", a.o_stride_head);
  o.tensor("q", a.q, a.q_bytes).tensor("kv", a.kv, a.kv_bytes).tensor("o", a.o, a.o_bytes).tensor("lse", a.lse, a.lse_bytes);
  o.tensor("qo_indptr", a.qo_indptr, a.qo_indptr_bytes);
  if (csr) {
    o.size("num_indices", a.num_indices).tensor("kv_indptr", a.kv_indptr, a.kv_indptr_bytes);
    o.tensor("kv_indices", a.kv_indices, a.kv_indices_bytes).tensor("kv_last_page_len", a.kv_last_page_len, a.kv_last_page_len_bytes);
  } else {
    o.size("block_table_stride", a.block_table_stride).tensor("block_table", a.block_table, a.block_table_bytes);
    o.tensor("seq_lens", a.seq_lens, a.seq_lens_bytes);
  }
  o.tensor("workspace", a.workspace, a.workspace_bytes);
  return o;
}

OpArgs op_args(const asmk_fused_moe_args& a) {
  const bool routed = a.topk_ids != nullptr || a.topk_weights != nullptr;
  if (routed == (a.logits != nullptr))
    fail(ASMK_ERROR_INVALID_ARGUMENT,
         routed ? "asmk_fused_moe_args: both logits and topk_ids / topk_weights given: give logits (the op routes) or "
                  "the routing (topk_ids and topk_weights)"
                : "asmk_fused_moe_args: no routing: give logits (the op routes) or topk_ids and topk_weights");
  if (routed && (a.routing != ASMK_MOE_ROUTING_SOFTMAX || a.correction_bias != nullptr))
    fail(ASMK_ERROR_INVALID_ARGUMENT,
         "asmk_fused_moe_args: routing / correction_bias apply to the op's routing from logits, but topk_ids are given");
  OpArgs o;
  o.op(routed ? "fused_moe_routed" : "fused_moe");
  o.size("tokens", a.tokens).size("experts", a.experts).size("k", a.k).size("hidden", a.hidden).size("inter", a.inter);
  o.u32("local_experts", a.local_experts).u32("block_m", a.block_m);
  o.choice("activation", activation(a.activation), a.activation).dtype("in_dtype", a.in_dtype);
  o.choice("act_dtype", a.bf16_activations != 0 ? "bf16" : "auto");
  o.choice("fp8_scales", fp8_scales(a.fp8_scales), a.fp8_scales);
  if (routed) {
    o.tensor("topk_ids", a.topk_ids, a.topk_ids_bytes).tensor("topk_weights", a.topk_weights, a.topk_weights_bytes);
  } else {
    o.choice("routing", routing(a.routing), a.routing).u32("renormalize", a.keep_softmax_weights != 0 ? 0 : 1);
    if (a.n_group != 0) o.u32("n_group", a.n_group);
    if (a.topk_group != 0) o.u32("topk_group", a.topk_group);
    scale_if_set(o, "routed_scaling_factor", a.routed_scaling_factor);
    o.tensor("logits", a.logits, a.logits_bytes).tensor("correction_bias", a.correction_bias, a.correction_bias_bytes);
  }
  o.tensor("expert_map", a.expert_map, a.expert_map_bytes).tensor("x", a.x, a.x_bytes);
  o.tensor("w1", a.w1, a.w1_bytes).tensor("w2", a.w2, a.w2_bytes);
  o.tensor("w1_scale", a.w1_scale, a.w1_scale_bytes).tensor("w2_scale", a.w2_scale, a.w2_scale_bytes);
  o.tensor("w1_mx_scale", a.w1_mx_scale, a.w1_mx_scale_bytes).tensor("w2_mx_scale", a.w2_mx_scale, a.w2_mx_scale_bytes);
  o.tensor("b1", a.b1, a.b1_bytes).tensor("b2", a.b2, a.b2_bytes).tensor("out", a.out, a.out_bytes);
  o.tensor("workspace", a.workspace, a.workspace_bytes);
  return o;
}

}  // namespace asmk
