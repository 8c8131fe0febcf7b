// Reference fused mixture-of-experts (the moe_* kernel families' contracts), fp64 on decoded inputs.
//
// A MoE layer in four steps, each a function below (and each one op of the moe families):
//   routing   logits [T, E] -> per token k expert ids (int32) and weights (fp32) [T, k]
//   sorting   ids -> per expert the (token, slot) pairs routed to it, each expert's list padded to
//             the M tile of the GEMM stages (the "sorted layout" below)
//   stage 1   for every routed pair: h = act(x[t] · W1[e]ᵀ (+ b1[e])) -> inter [T·k, I] bf16
//   stage 2   out[t] = Σ_slot w[t, slot] · inter[t·k + slot] · W2[e]ᵀ (+ b2[e]) -> out [T, H] bf16
// fused_moe composes them (inter rounded to bf16 between the stages, as the kernels store it).
//
// Shapes: T tokens, E experts, k experts per token, H hidden, I intermediate. W1 [E, 2·I, H]: rows
// [0, I) the gate projection, [I, 2·I) the up projection (gate and up stacked, not interleaved);
// W2 [E, H, I]. Every tensor is packed row-major. A "slot" is the flat index t·k + j of token t's
// j-th choice; inter and the routing outputs are indexed by it.
#pragma once

#include <cstdint>
#include <vector>

#include "asmk/ref/gemm.hpp"
#include "asmk/ref/status.hpp"

namespace asmk::ref {

inline constexpr std::uint32_t moe_max_experts = 512;
inline constexpr std::uint32_t moe_max_topk = 16;

// ------------------------------------------------------------------------------------------------ routing

struct RoutingRef {
  std::uint32_t tokens = 0, k = 0;
  std::vector<std::int32_t> ids;  // [T, k], by decreasing score; equal scores: lower expert id first
  std::vector<double> weights;    // [T, k]
};

// topk_softmax: p = softmax(logits[t]) over E; the k experts of the largest logits (softmax is
// monotone, so the choice is made on the logits themselves, exactly; equal logits: the lower id);
// weight = p[e], or p[e] / Σ_chosen p when renormalize. 1 <= k <= E <= 512, k <= 16.
struct TopkSoftmaxArgs {
  const float* logits = nullptr;  // [T, E]
  std::uint32_t tokens = 0, experts = 0, k = 0;
  bool renormalize = false;
};
Status topk_softmax(const TopkSoftmaxArgs& args, RoutingRef& out);

// DeepSeek-V3's grouped routing ("noaux_tc"): s = sigmoid(logits[t]), b = s + bias (per expert);
// the E experts form n_group groups of E / n_group; a group's score is the sum of its two largest b
// (its largest when a group holds one expert); the topk_group groups of the largest scores (ties:
// lower group) are kept, and of their experts the k of the largest b (ties: lower id). The weight
// is s (without the bias), divided by Σ_chosen s when renormalize, times routed_scaling_factor.
struct GroupedTopkArgs {
  const float* logits = nullptr;           // [T, E]
  const float* correction_bias = nullptr;  // [E]; nullptr: zeros
  std::uint32_t tokens = 0, experts = 0, k = 0, n_group = 1, topk_group = 1;
  bool renormalize = true;
  double routed_scaling_factor = 1.0;
};
// E % n_group == 0, 1 <= topk_group <= n_group, k <= topk_group · E / n_group, E <= 512, k <= 16.
Status grouped_topk(const GroupedTopkArgs& args, RoutingRef& out);

// ------------------------------------------------------------------------------------------------ sorting

// The sorted layout of the GEMM stages. Local experts are visited in increasing id; expert e's
// entries are its slots t·k + j in increasing order, followed by padding up to a multiple of block_m
// (an expert without a slot takes no block). The padding entry is the sentinel T·k (weight 0).
// Capacity (what the caller allocates): max_blocks = ceil(T·k / block_m) + E_local blocks, i.e.
// max_blocks · block_m entries; entries and blocks past the padded total hold the sentinel / −1.
struct MoeSortArgs {
  const std::int32_t* ids = nullptr;      // [T, k] global expert ids in [0, E), or −1: no expert
                                          // (the slot is skipped, as a remote expert's)
  const float* weights = nullptr;         // [T, k]; nullptr: sorted weights are not produced
  const std::int32_t* expert_map = nullptr;  // [E]: global -> local expert id, −1 for another rank's
                                             // expert (its slots are skipped); nullptr: identity
  std::uint32_t tokens = 0, k = 0, experts = 0;
  std::uint32_t local_experts = 0;        // E_local; with no map it must equal E
  std::uint32_t block_m = 0;              // the M tile of the GEMM stages (>= 1)
};
struct MoeSorted {
  std::uint32_t block_m = 0, padded_total = 0, sentinel = 0;
  std::vector<std::int32_t> sorted_ids;    // [max_blocks · block_m]: a slot t·k + j, or the sentinel
  std::vector<float> sorted_weights;       // [max_blocks · block_m]: the slot's weight, 0 for padding
  std::vector<std::int32_t> block_expert;  // [max_blocks]: the local expert of each M block, −1 past the total
};
std::uint32_t moe_sort_max_blocks(std::uint32_t tokens, std::uint32_t k, std::uint32_t local_experts, std::uint32_t block_m);
// Checks every id (in [-1, E)) and map entry (in [-1, E_local)); nothing is produced on an error.
Status moe_sort(const MoeSortArgs& args, MoeSorted& out);

// ------------------------------------------------------------------------------------------------ stages

// How the GEMM stages' weights are coded relative to their activations.
enum class MoeWeights : std::uint8_t {
  as_inputs,  // in in_format, as x / inter (with its scales)
  e2m1,       // MXFP4 (e2m1 codes two per byte, e8m0 mx_scale_w* per 32 of K) against bf16 activations: a16w4
  int4,       // signed int4 (two's complement, two per byte, element 2j in the low nibble of byte j) with
              // fp32 per-channel scale_w* (the fp8 rowcol scales), against fp8 activations with per-row
              // scale_x / scale_inter: Grok-1's int4 × fp8 (a8w4)
};

enum class MoeActivation : std::uint8_t {
  silu,           // silu(g) · u,  silu(g) = g / (1 + e^-g)
  gelu,           // gelu(g) · u,  gelu(g) = g · ½ (1 + erf(g / √2))  (exact, not the tanh form)
  swiglu_oai,     // gpt-oss: g' = min(g, limit), u' = clamp(u, −limit, limit),
                  //          (u' + 1) · g' · sigmoid(alpha · g')
};
double moe_activation(MoeActivation act, double gate, double up, double alpha, double limit);
// gpt-oss's constants (as the kernels hold them, in fp32).
inline constexpr float swiglu_oai_alpha = 1.702f, swiglu_oai_limit = 7.0f;

// Stage 1 over a sorted layout: for every non-padding entry (slot s = t·k + j of block expert e),
//   gate_i = x[t] · W1[e][i] + b1[e][i],  up_i = x[t] · W1[e][I + i] + b1[e][I + i]  (i < I)
//   inter[s][i] = act(gate_i, up_i)
// Rows of inter no entry names (slots of remote experts) are not part of the result (valid = 0).
// Expert ids of blocks are local ids: W1 and b1 hold the E_local experts of this rank.
// fp8 (in_format an fp8 format): x and W1 are fp8 codes and the projections are scaled,
//   gate_i = (x[t] · W1[e][i]) · scale_x[t] · scale_w1[e][i] + b1[e][i]   (likewise up);
// with scale_block = 128 (DeepSeek-V3's block scales) per 128-deep K-block kb instead,
//   gate_i = Σ_kb (x[t] · W1[e][i] over kb) · scale_x[t][kb] · scale_w1[e][i / 128][kb] + b1[e][i]
//   (scale_x [T, H/128], scale_w1 [E_local, 2·I/128, H/128]; H and I multiples of 128).
// MXFP4 (in_format e2m1, OCP MX): x and W1 are e2m1 codes two per byte (element 2j in the low nibble
//   of byte j; rows of H/2 bytes) with e8m0 scales per 32 elements of K, mx_scale_x [T, H/32] and
//   mx_scale_w1 [E_local, 2·I, H/32]: gate_i = Σ_c x[t][c]·2^(sx[t][c/32]−127) · W1[e][i][c]·2^(sw[e][i][c/32]−127) + b1.
// MXFP4 weights against bf16 x (a16w4, gpt-oss's serving path: in_format bf16, weights e2m1): W1 as
//   for MXFP4 with mx_scale_w1, x bf16: gate_i = Σ_c x[t][c] · W1[e][i][c]·2^(sw[e][i][c/32]−127) + b1.
// int4 weights against fp8 x (Grok-1: in_format fp8, weights int4, scale_block 0): gate_i =
//   (x[t] · W1[e][i]) · scale_x[t] · scale_w1[e][i] + b1 with W1's elements the int4 values in [−8, 7].
struct MoeStage1Args {
  Format in_format = Format::bf16;    // bf16, or the fp8 format of x and W1
  MoeWeights weights = MoeWeights::as_inputs;
  const void* x = nullptr;            // [T, H] bf16 (uint16) or fp8 (uint8) codes
  const void* w1 = nullptr;           // [E_local, 2·I, H] likewise
  const float* scale_x = nullptr;     // fp8: [T] (scale_block 128: [T, H/128])
  const float* scale_w1 = nullptr;    // fp8: [E_local, 2·I] (scale_block 128: [E_local, 2·I/128, H/128])
  std::uint32_t scale_block = 0;      // 0: per row / per channel; 128: 1x128 / 128x128 block scales
  const std::uint8_t* mx_scale_x = nullptr;   // e2m1: [T, H/32] e8m0
  const std::uint8_t* mx_scale_w1 = nullptr;  // e2m1: [E_local, 2·I, H/32] e8m0
  const float* bias1 = nullptr;       // [E_local, 2·I] or nullptr
  const MoeSorted* sorted = nullptr;
  std::uint32_t tokens = 0, k = 0, hidden = 0, inter = 0, local_experts = 0;
  MoeActivation activation = MoeActivation::silu;
  double alpha = swiglu_oai_alpha, limit = swiglu_oai_limit;  // swiglu_oai only
};
struct MoeStage1Ref {
  std::uint32_t rows = 0, inter = 0;  // rows = T·k
  std::vector<double> value;          // [T·k, I]
  std::vector<double> error_bound;    // [T·k, I]: the fp32 kernel's allowance before the bf16 rounding
  std::vector<std::uint8_t> valid;    // [T·k]: 1 when a sorted entry names the row
};
Status moe_stage1(const MoeStage1Args& args, MoeStage1Ref& out);

// Stage 2: out[t][h] = Σ_j w[t·k + j] · (inter[t·k + j] · W2[e_j][h] + b2[e_j][h]) over the slots of
// token t that the sorted layout holds (a token whose experts are all remote gets 0).
// fp8: inter and W2 are fp8 codes, the sum scaled by scale_inter[slot] · scale_w2[e][h] before b2;
// with scale_block = 128 per K-block kb: Σ_kb (inter[s] · W2[e][h] over kb) · scale_inter[s][kb] ·
// scale_w2[e][h / 128][kb] (scale_inter [T·k, I/128], scale_w2 [E_local, H/128, I/128]).
// MXFP4 (in_format e2m1): inter and W2 e2m1 codes two per byte with e8m0 scales per 32 elements of K,
// mx_scale_inter [T·k, I/32] and mx_scale_w2 [E_local, H, I/32]. a16w4 (in_format bf16, weights e2m1):
// bf16 inter against W2 in MXFP4 with mx_scale_w2; int4 weights (in_format fp8): W2 int4 with scale_w2.
struct MoeStage2Args {
  Format in_format = Format::bf16;       // bf16, or the fp8 format of inter and W2
  MoeWeights weights = MoeWeights::as_inputs;
  const void* inter = nullptr;           // [T·k, I] bf16 (uint16) or fp8 (uint8) codes
  const void* w2 = nullptr;              // [E_local, H, I] likewise
  const float* scale_inter = nullptr;    // fp8: [T·k] (scale_block 128: [T·k, I/128])
  const float* scale_w2 = nullptr;       // fp8: [E_local, H] (scale_block 128: [E_local, H/128, I/128])
  std::uint32_t scale_block = 0;         // 0: per row / per channel; 128: 1x128 / 128x128 block scales
  const std::uint8_t* mx_scale_inter = nullptr;  // e2m1: [T·k, I/32] e8m0
  const std::uint8_t* mx_scale_w2 = nullptr;     // e2m1: [E_local, H, I/32] e8m0
  const float* bias2 = nullptr;          // [E_local, H] or nullptr
  const MoeSorted* sorted = nullptr;     // with sorted_weights
  std::uint32_t tokens = 0, k = 0, hidden = 0, inter_size = 0, local_experts = 0;
};
// value [T, H]; magnitude Σ_j |w|·(Σ_i |a·b|·|scales| + |b2|); the tolerance of ref/TOLERANCE.md applies
// with K = I + k + 2 (bias, scales and weight, then the k-term sum over the slots).
Status moe_stage2(const MoeStage2Args& args, GemmRef& out);
// The same per slot, before the sum over a token's slots (what the moe_gemm2 kernel writes):
// rows [T·k, H] with value w · (inter[s] · W2[e]ᵀ (· scales) + b2[e]) and magnitude |w| · (Σ |a·b|·|scales| + |b2|)
// (K = I + 3: the scales, the bias and the weight); valid[s] = 1 when a sorted entry names s.
Status moe_stage2_rows(const MoeStage2Args& args, GemmRef& rows, std::vector<std::uint8_t>& valid);

// The deterministic reduction over a token's slots (moe_sum): out[t][h] = bf16(fp32 sum of
// partial[t·k + j][h] over j = 0, 1, .. k−1 in that order, starting from +0), round to nearest even;
// slot j takes part when it has an expert (id != −1) and that expert is local (expert_map[id] in
// [0, E_local); no map: id < E_local). An id outside [−1, E) is an error. Bit for bit what a kernel
// summing in that order must give.
struct MoeSumArgs {
  const float* partial = nullptr;            // [T·k, H]
  const std::int32_t* ids = nullptr;         // [T, k]
  const std::int32_t* expert_map = nullptr;  // [E] or nullptr
  std::uint32_t tokens = 0, k = 0, experts = 0, local_experts = 0, hidden = 0;
};
Status moe_sum(const MoeSumArgs& args, std::vector<std::uint16_t>& out);

// ------------------------------------------------------------------------------------------------ the layer

// Routing given (ids, weights), sorting, stage 1, inter rounded to bf16, stage 2.
struct FusedMoeArgs {
  const std::uint16_t* x = nullptr;
  const std::uint16_t* w1 = nullptr;
  const std::uint16_t* w2 = nullptr;
  const float* bias1 = nullptr;
  const float* bias2 = nullptr;
  const std::int32_t* ids = nullptr;  // [T, k] in [−1, E) (−1: no expert)
  const float* weights = nullptr;     // [T, k]
  const std::int32_t* expert_map = nullptr;
  std::uint32_t tokens = 0, k = 0, experts = 0, local_experts = 0, hidden = 0, inter = 0, block_m = 32;
  MoeActivation activation = MoeActivation::silu;
  double alpha = swiglu_oai_alpha, limit = swiglu_oai_limit;
};
struct FusedMoeRef {
  MoeSorted sorted;
  MoeStage1Ref stage1;
  std::vector<std::uint16_t> inter_bf16;  // [T·k, I] (0 for rows no entry names)
  GemmRef out;                            // [T, H]
};
Status fused_moe(const FusedMoeArgs& args, FusedMoeRef& out);

}  // namespace asmk::ref
