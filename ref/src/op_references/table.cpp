// The op references this library ships, by op name: a new op adds its line here (and its
// declaration in table.hpp). Tests and plugins add theirs with register_op_reference.
#include "table.hpp"

namespace asmk::ref {

const std::vector<std::pair<const char*, MakeOpReference>>& builtin_op_references() {
  static const std::vector<std::pair<const char*, MakeOpReference>> table{
      {"gemm_bf16", gemm_bf16_reference},
      {"gemm_a8w8", gemm_a8w8_reference},
      {"gemm_a8w8_blockscale", gemm_a8w8_blockscale_reference},
      {"gemm_a4w4", gemm_a4w4_reference},
      {"quant_fp8", quant_fp8_reference},
      {"quant_mxfp4", quant_mxfp4_reference},
      {"shuffle_b", shuffle_b_reference},
      {"moe_shuffle_weight", moe_shuffle_weight_reference},
      {"fmha_fwd", fmha_fwd_reference},
      {"fmha_fwd_varlen", fmha_fwd_varlen_reference},
      {"fmha_fwd_single", fmha_fwd_reference},
      {"fmha_fwd_varlen_single", fmha_fwd_varlen_reference},
      {"fmha_fwd_split", fmha_fwd_split_reference},
      {"fmha_fwd_varlen_split", fmha_fwd_varlen_split_reference},
      {"moe_topk_softmax", moe_topk_softmax_reference},
      {"moe_grouped_topk", moe_grouped_topk_reference},
      {"moe_sort", moe_sort_reference},
      {"moe_sort_chunked", moe_sort_reference},
      {"moe_sort_onepass", moe_sort_reference},
      {"moe_gemm1", moe_gemm1_reference},
      {"moe_gemm2", moe_gemm2_reference},
      {"moe_gemm1_fp8", moe_gemm1_reference},
      {"moe_gemm2_fp8", moe_gemm2_reference},
      {"moe_gemm1_blockscale", moe_gemm1_blockscale_reference},
      {"moe_gemm1_blockscale_q8", moe_gemm1_blockscale_q8_reference},
      {"moe_gemm1_mxfp4_q4", moe_gemm1_mxfp4_q4_reference},
      {"moe_gemm2_blockscale", moe_gemm2_blockscale_reference},
      {"moe_gemm1_mxfp4", moe_gemm1_reference},
      {"moe_gemm2_mxfp4", moe_gemm2_reference},
      {"moe_gemm1_a16w4", moe_gemm1_reference},
      {"moe_gemm2_a16w4", moe_gemm2_reference},
      {"moe_gemm1_a8w4", moe_gemm1_reference},
      {"moe_gemm2_a8w4", moe_gemm2_reference},
      {"moe_sum", moe_sum_reference},
      {"moe_acc_zero", moe_acc_zero_reference},
      {"moe_acc_bf16", moe_acc_bf16_reference},
      {"moe_route_sort", moe_route_sort_reference},
      {"fused_moe", fused_moe_reference},
      {"fused_moe_routed", fused_moe_routed_reference},
      {"mla_decode", mla_decode_reference},
      {"mla_decode_persistent", mla_decode_persistent_reference},
      {"mla_decode_persistent_block_table", mla_decode_persistent_block_table_reference},
      {"attn_lse_combine_rows", attn_lse_combine_rows_reference},
      {"mla_decode_single", mla_decode_reference},
      {"mla_decode_block_table", mla_decode_block_table_reference},
      {"mla_decode_block_table_single", mla_decode_block_table_reference},
      {"mla_decode_split", mla_decode_split_reference},
      {"mla_decode_split_fused", mla_decode_split_fused_reference},  // the fused combine: o and lse as the whole op
      {"mla_decode_split_fused_block_table", mla_decode_split_fused_block_table_reference},
      {"mla_decode_split_block_table", mla_decode_split_block_table_reference},
      {"mla_decode_plan", mla_decode_plan_reference},
      {"mla_decode_plan_block_table", mla_decode_plan_block_table_reference},
      {"attn_lse_combine", attn_lse_combine_reference},
      {"attn_lse_combine_grouped", attn_lse_combine_reference},
  };
  return table;
}

}  // namespace asmk::ref
