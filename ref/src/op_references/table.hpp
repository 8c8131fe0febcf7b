// The built-in op references (table.cpp): one entry per op, each defined in a file of this folder.
#pragma once

#include <utility>
#include <vector>

#include "asmk/ref/op_reference.hpp"

namespace asmk::ref {

using MakeOpReference = OpReference (*)();
const std::vector<std::pair<const char*, MakeOpReference>>& builtin_op_references();

OpReference gemm_bf16_reference();             // gemm.cpp
OpReference gemm_a8w8_reference();             // gemm.cpp
OpReference gemm_a8w8_blockscale_reference();  // gemm.cpp
OpReference gemm_a4w4_reference();             // gemm.cpp
OpReference quant_fp8_reference();             // quant.cpp
OpReference quant_mxfp4_reference();           // quant.cpp
OpReference shuffle_b_reference();             // shuffle.cpp
OpReference moe_shuffle_weight_reference();    // shuffle.cpp
OpReference fmha_fwd_reference();              // attention.cpp
OpReference fmha_fwd_varlen_reference();       // attention.cpp
OpReference fmha_fwd_split_reference();        // attention.cpp
OpReference fmha_fwd_varlen_split_reference(); // attention.cpp
OpReference moe_topk_softmax_reference();      // moe.cpp
OpReference moe_grouped_topk_reference();      // moe.cpp
OpReference moe_sort_reference();              // moe.cpp
OpReference moe_gemm1_reference();             // moe.cpp (also moe_gemm1_fp8, moe_gemm1_mxfp4, moe_gemm1_a16w4, moe_gemm1_a8w4)
OpReference moe_gemm2_reference();             // moe.cpp (also moe_gemm2_fp8, moe_gemm2_mxfp4, moe_gemm2_a16w4, moe_gemm2_a8w4)
OpReference moe_gemm1_blockscale_reference();   // moe.cpp
OpReference moe_gemm1_blockscale_q8_reference();  // moe.cpp
OpReference moe_gemm1_mxfp4_q4_reference();       // moe.cpp
OpReference moe_gemm2_blockscale_reference();   // moe.cpp
OpReference moe_acc_zero_reference();
OpReference moe_acc_bf16_reference();
OpReference moe_route_sort_reference();
OpReference moe_sum_reference();               // moe.cpp
OpReference fused_moe_reference();             // moe.cpp
OpReference fused_moe_routed_reference();      // moe.cpp
OpReference mla_decode_reference();              // mla.cpp
OpReference mla_decode_block_table_reference();  // mla.cpp
OpReference mla_decode_split_reference();        // mla.cpp
OpReference mla_decode_split_fused_reference();  // mla.cpp
OpReference mla_decode_split_fused_block_table_reference();  // mla.cpp
OpReference mla_decode_split_block_table_reference();  // mla.cpp
OpReference mla_decode_plan_reference();        // mla.cpp
OpReference mla_decode_plan_block_table_reference();  // mla.cpp
OpReference attn_lse_combine_reference();        // mla.cpp (also attn_lse_combine_grouped)
OpReference attn_lse_combine_rows_reference();   // mla.cpp
OpReference mla_decode_persistent_reference();   // mla.cpp
OpReference mla_decode_persistent_block_table_reference();  // mla.cpp

}  // namespace asmk::ref
