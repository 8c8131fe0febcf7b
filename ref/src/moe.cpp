// Reference fused MoE (moe.hpp): routing, sorting and the two expert stages, fp64 on decoded inputs.
#include "asmk/ref/moe.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "asmk/ref/numeric.hpp"

namespace asmk::ref {
namespace {


std::string routing_limits(std::uint32_t tokens, std::uint32_t experts, std::uint32_t k) {
  return "tokens " + std::to_string(tokens) + ", experts " + std::to_string(experts) + ", k " + std::to_string(k);
}

Status check_routing(const float* logits, std::uint32_t tokens, std::uint32_t experts, std::uint32_t k) {
  if (experts < 1 || experts > moe_max_experts)
    return Status::failure("routing: experts must be in [1, 512] (" + routing_limits(tokens, experts, k) + ")");
  if (k < 1 || k > moe_max_topk || k > experts)
    return Status::failure("routing: k must be in [1, min(16, experts)] (" + routing_limits(tokens, experts, k) + ")");
  if (tokens > 0 && logits == nullptr) return Status::failure("routing: logits is null");
  return Status::success();
}

// The k indices of the largest scores, by decreasing score, equal scores by increasing index: a
// stable sort of the candidates (given in increasing index) by decreasing score.
std::vector<std::uint32_t> top_indices(const std::vector<std::uint32_t>& candidates, const std::vector<double>& score,
                                       std::uint32_t k) {
  std::vector<std::uint32_t> order = candidates;
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return score[a] > score[b]; });
  order.resize(std::min<std::size_t>(k, order.size()));
  return order;
}

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

}  // namespace

Status topk_softmax(const TopkSoftmaxArgs& a, RoutingRef& out) {
  if (Status s = check_routing(a.logits, a.tokens, a.experts, a.k); !s.ok()) return s;
  out = {a.tokens, a.k, std::vector<std::int32_t>(std::size_t{a.tokens} * a.k), std::vector<double>(std::size_t{a.tokens} * a.k)};
  std::vector<std::uint32_t> all(a.experts);
  std::iota(all.begin(), all.end(), 0u);
  std::vector<double> logit(a.experts);
  for (std::uint32_t t = 0; t < a.tokens; ++t) {
    const float* row = a.logits + std::size_t{t} * a.experts;
    for (std::uint32_t e = 0; e < a.experts; ++e) logit[e] = row[e];
    const double top = *std::max_element(logit.begin(), logit.end());
    double denominator = 0;
    for (double l : logit) denominator += std::exp(l - top);
    const std::vector<std::uint32_t> chosen = top_indices(all, logit, a.k);
    double chosen_sum = 0;
    for (std::uint32_t e : chosen) chosen_sum += std::exp(logit[e] - top) / denominator;
    for (std::uint32_t j = 0; j < a.k; ++j) {
      const double p = std::exp(logit[chosen[j]] - top) / denominator;
      out.ids[std::size_t{t} * a.k + j] = static_cast<std::int32_t>(chosen[j]);
      out.weights[std::size_t{t} * a.k + j] = a.renormalize ? p / chosen_sum : p;
    }
  }
  return Status::success();
}

Status grouped_topk(const GroupedTopkArgs& a, RoutingRef& out) {
  if (Status s = check_routing(a.logits, a.tokens, a.experts, a.k); !s.ok()) return s;
  if (a.n_group < 1 || a.experts % a.n_group != 0)
    return Status::failure("grouped routing: experts (" + std::to_string(a.experts) + ") must be a multiple of n_group (" +
                           std::to_string(a.n_group) + ")");
  const std::uint32_t per_group = a.experts / a.n_group;
  if (a.topk_group < 1 || a.topk_group > a.n_group)
    return Status::failure("grouped routing: topk_group (" + std::to_string(a.topk_group) + ") must be in [1, n_group = " +
                           std::to_string(a.n_group) + "]");
  if (a.k > a.topk_group * per_group)
    return Status::failure("grouped routing: k (" + std::to_string(a.k) + ") exceeds the experts of topk_group groups (" +
                           std::to_string(a.topk_group * per_group) + ")");
  out = {a.tokens, a.k, std::vector<std::int32_t>(std::size_t{a.tokens} * a.k), std::vector<double>(std::size_t{a.tokens} * a.k)};
  std::vector<double> score(a.experts), biased(a.experts), group_score(a.n_group);
  std::vector<std::uint32_t> groups(a.n_group);
  std::iota(groups.begin(), groups.end(), 0u);
  for (std::uint32_t t = 0; t < a.tokens; ++t) {
    const float* row = a.logits + std::size_t{t} * a.experts;
    for (std::uint32_t e = 0; e < a.experts; ++e) {
      score[e] = sigmoid(row[e]);
      biased[e] = score[e] + (a.correction_bias != nullptr ? a.correction_bias[e] : 0.0);
    }
    for (std::uint32_t g = 0; g < a.n_group; ++g) {
      std::vector<double> members(biased.begin() + g * per_group, biased.begin() + (g + 1) * per_group);
      std::sort(members.begin(), members.end(), std::greater<>());
      group_score[g] = members[0] + (per_group > 1 ? members[1] : 0.0);
    }
    std::vector<std::uint32_t> kept_groups = top_indices(groups, group_score, a.topk_group);
    std::sort(kept_groups.begin(), kept_groups.end());
    std::vector<std::uint32_t> candidates;
    for (std::uint32_t g : kept_groups)
      for (std::uint32_t e = g * per_group; e < (g + 1) * per_group; ++e) candidates.push_back(e);
    const std::vector<std::uint32_t> chosen = top_indices(candidates, biased, a.k);
    double chosen_sum = 0;
    for (std::uint32_t e : chosen) chosen_sum += score[e];
    for (std::uint32_t j = 0; j < a.k; ++j) {
      const double w = a.renormalize ? score[chosen[j]] / chosen_sum : score[chosen[j]];
      out.ids[std::size_t{t} * a.k + j] = static_cast<std::int32_t>(chosen[j]);
      out.weights[std::size_t{t} * a.k + j] = w * a.routed_scaling_factor;
    }
  }
  return Status::success();
}

std::uint32_t moe_sort_max_blocks(std::uint32_t tokens, std::uint32_t k, std::uint32_t local_experts, std::uint32_t block_m) {
  if (block_m == 0) return 0;
  return static_cast<std::uint32_t>((std::uint64_t{tokens} * k + block_m - 1) / block_m + local_experts);
}

Status moe_sort(const MoeSortArgs& a, MoeSorted& out) {
  const std::string what = "moe_sort (tokens " + std::to_string(a.tokens) + ", k " + std::to_string(a.k) + ", experts " +
                           std::to_string(a.experts) + ", local experts " + std::to_string(a.local_experts) + ", block_m " +
                           std::to_string(a.block_m) + ")";
  if (a.block_m < 1) return Status::failure(what + ": block_m must be >= 1");
  if (a.k < 1 || a.experts < 1) return Status::failure(what + ": k and experts must be >= 1");
  if (a.expert_map == nullptr && a.local_experts != a.experts)
    return Status::failure(what + ": without an expert map every expert is local (local experts must equal experts)");
  if (a.tokens > 0 && a.ids == nullptr) return Status::failure(what + ": ids is null");
  const std::uint64_t slots = std::uint64_t{a.tokens} * a.k;
  if (slots >= (1ull << 31)) return Status::failure(what + ": tokens · k must stay below 2^31");
  for (std::uint32_t e = 0; a.expert_map != nullptr && e < a.experts; ++e)
    if (a.expert_map[e] < -1 || a.expert_map[e] >= static_cast<std::int32_t>(a.local_experts))
      return Status::failure(what + ": expert_map[" + std::to_string(e) + "] = " + std::to_string(a.expert_map[e]) +
                             " is outside [-1, local experts)");
  std::vector<std::vector<std::uint32_t>> per_expert(a.local_experts);
  for (std::uint64_t s = 0; s < slots; ++s) {
    const std::int32_t id = a.ids[s];
    if (id < -1 || id >= static_cast<std::int32_t>(a.experts))
      return Status::failure(what + ": expert id " + std::to_string(id) + " of token " + std::to_string(s / a.k) + ", slot " +
                             std::to_string(s % a.k) + " is outside [-1, experts)");
    if (id == -1) continue;  // no expert: the slot takes no part
    const std::int32_t local = a.expert_map != nullptr ? a.expert_map[id] : id;
    if (local >= 0) per_expert[static_cast<std::size_t>(local)].push_back(static_cast<std::uint32_t>(s));
  }
  const std::uint32_t max_blocks = moe_sort_max_blocks(a.tokens, a.k, a.local_experts, a.block_m);
  out.block_m = a.block_m;
  out.sentinel = static_cast<std::uint32_t>(slots);
  out.sorted_ids.assign(std::size_t{max_blocks} * a.block_m, static_cast<std::int32_t>(slots));
  out.sorted_weights.assign(std::size_t{max_blocks} * a.block_m, 0.0f);
  out.block_expert.assign(max_blocks, -1);
  std::size_t entry = 0;
  for (std::uint32_t e = 0; e < a.local_experts; ++e) {
    const std::vector<std::uint32_t>& list = per_expert[e];
    for (std::size_t i = 0; i < list.size(); ++i) {
      out.sorted_ids[entry + i] = static_cast<std::int32_t>(list[i]);
      out.sorted_weights[entry + i] = a.weights != nullptr ? a.weights[list[i]] : 0.0f;
    }
    const std::size_t blocks = (list.size() + a.block_m - 1) / a.block_m;
    for (std::size_t b = 0; b < blocks; ++b) out.block_expert[entry / a.block_m + b] = static_cast<std::int32_t>(e);
    entry += blocks * a.block_m;
  }
  out.padded_total = static_cast<std::uint32_t>(entry);
  return Status::success();
}

double moe_activation(MoeActivation act, double gate, double up, double alpha, double limit) {
  switch (act) {
    case MoeActivation::silu: return gate * sigmoid(gate) * up;
    // Φ(g) = ½·erfc(−g/√2): 1 + erf(g/√2) would cancel for negative g (relative error ~ 2^-52 / Φ(g))
    case MoeActivation::gelu: return gate * 0.5 * std::erfc(-gate / std::sqrt(2.0)) * up;
    case MoeActivation::swiglu_oai: {
      const double g = std::min(gate, limit);
      const double u = std::clamp(up, -limit, limit);
      return (u + 1.0) * g * sigmoid(alpha * g);
    }
  }
  return 0.0;
}

namespace {

Status check_sorted(const MoeSorted* sorted, std::uint32_t tokens, std::uint32_t k, std::uint32_t local_experts, const char* stage) {
  if (sorted == nullptr) return Status::failure(std::string(stage) + ": no sorted layout");
  if (sorted->sentinel != tokens * k)
    return Status::failure(std::string(stage) + ": the sorted layout is of " + std::to_string(sorted->sentinel) + " slots, the call of " +
                           std::to_string(tokens * k));
  for (std::uint32_t b = 0; b < sorted->padded_total / sorted->block_m; ++b)
    if (sorted->block_expert[b] < 0 || sorted->block_expert[b] >= static_cast<std::int32_t>(local_experts))
      return Status::failure(std::string(stage) + ": block " + std::to_string(b) + " names expert " +
                             std::to_string(sorted->block_expert[b]) + ", outside [0, " + std::to_string(local_experts) + ")");
  return Status::success();
}

// x · wᵀ of two rows of length n (bf16 codes, or fp8 codes of `format`) and Σ |x·w|.
std::pair<double, double> dot_row(Format format, const void* x, const void* w, std::size_t x_row, std::size_t w_row, std::uint32_t n) {
  double sum = 0, magnitude = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    double a, b;
    if (format == Format::bf16) {
      a = bf16_to_f32(static_cast<const std::uint16_t*>(x)[x_row * n + i]);
      b = bf16_to_f32(static_cast<const std::uint16_t*>(w)[w_row * n + i]);
    } else {
      a = decode(format, static_cast<const std::uint8_t*>(x)[x_row * n + i]);
      b = decode(format, static_cast<const std::uint8_t*>(w)[w_row * n + i]);
    }
    sum += a * b;
    magnitude += std::abs(a * b);
  }
  return {sum, magnitude};
}

bool fp8_inputs(Format format) { return format != Format::bf16 && format != Format::e2m1; }

// The scaled dot product of an fp8 row pair and its magnitude Σ |a·b·scale|: one scale for the
// whole row (block = 0: scale_x[0] · scale_w[0]), or one per `block`-deep K-block kb
// (scale_x[kb] · scale_w[kb], both rows of per-K-block scales).
std::pair<double, double> scaled_dot_row(Format format, const void* x, const void* w, std::size_t x_row, std::size_t w_row, std::uint32_t n,
                                         const float* scale_x, const float* scale_w, std::uint32_t block) {
  if (block == 0) {
    auto [sum, magnitude] = dot_row(format, x, w, x_row, w_row, n);
    const double scale = double{scale_x[0]} * scale_w[0];
    return {sum * scale, magnitude * std::abs(scale)};
  }
  const auto* xs = static_cast<const std::uint8_t*>(x) + x_row * n;
  const auto* ws = static_cast<const std::uint8_t*>(w) + w_row * n;
  double sum = 0, magnitude = 0;
  for (std::uint32_t kb = 0; kb * block < n; ++kb) {
    double part = 0, part_magnitude = 0;
    for (std::uint32_t i = kb * block; i < std::min(n, (kb + 1) * block); ++i) {
      const double product = decode(format, xs[i]) * decode(format, ws[i]);
      part += product, part_magnitude += std::abs(product);
    }
    const double scale = double{scale_x[kb]} * scale_w[kb];
    sum += part * scale, magnitude += part_magnitude * std::abs(scale);
  }
  return {sum, magnitude};
}

// Element i of a row of e2m1 codes (two per byte, element 2j in the low nibble of byte j) with e8m0
// scales per 32 elements.
double mx_element(const std::uint8_t* row, const std::uint8_t* scales, std::uint32_t i) {
  return decode_scaled(Format::e2m1, (row[i / 2] >> (4 * (i % 2))) & 0xfu, scales[i / 32]);
}

// The MXFP4 dot product of two rows of n e2m1 codes with their scales, and Σ |a·b|.
std::pair<double, double> mx_dot_row(const void* x, const void* w, std::size_t x_row, std::size_t w_row, std::uint32_t n,
                                     const std::uint8_t* x_scales, const std::uint8_t* w_scales) {
  const auto* xs = static_cast<const std::uint8_t*>(x) + x_row * (n / 2);
  const auto* ws = static_cast<const std::uint8_t*>(w) + w_row * (n / 2);
  double sum = 0, magnitude = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    const double product = mx_element(xs, x_scales, i) * mx_element(ws, w_scales, i);
    sum += product, magnitude += std::abs(product);
  }
  return {sum, magnitude};
}

// A bf16 row against an MXFP4 weight row (a16w4) and Σ |a·b|.
std::pair<double, double> bf16_mx_dot_row(const void* x, const void* w, std::size_t x_row, std::size_t w_row, std::uint32_t n,
                                          const std::uint8_t* w_scales) {
  const auto* xs = static_cast<const std::uint16_t*>(x) + x_row * n;
  const auto* ws = static_cast<const std::uint8_t*>(w) + w_row * (n / 2);
  double sum = 0, magnitude = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    const double product = double{bf16_to_f32(xs[i])} * mx_element(ws, w_scales, i);
    sum += product, magnitude += std::abs(product);
  }
  return {sum, magnitude};
}

// An fp8 row against an int4 weight row (two's complement, two per byte, low nibble first) and Σ |a·b|.
std::pair<double, double> fp8_int4_dot_row(Format format, const void* x, const void* w, std::size_t x_row, std::size_t w_row,
                                           std::uint32_t n) {
  const auto* xs = static_cast<const std::uint8_t*>(x) + x_row * n;
  const auto* ws = static_cast<const std::uint8_t*>(w) + w_row * (n / 2);
  double sum = 0, magnitude = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    const int nibble = (ws[i / 2] >> (4 * (i % 2))) & 0xf;
    const double product = double{decode(format, xs[i])} * (nibble >= 8 ? nibble - 16 : nibble);
    sum += product, magnitude += std::abs(product);
  }
  return {sum, magnitude};
}

bool mx_inputs(Format format) { return format == Format::e2m1; }

// The weights' coding is one the stages have: as the inputs, MXFP4 against bf16, int4 against fp8
// (per-channel scales, scale_block 0); and n (K) splits into whole blocks of its scales / bytes.
Status check_weights(MoeWeights weights, Format in_format, std::uint32_t scale_block, const void* mx_scale_w, std::uint32_t n,
                     const char* stage) {
  switch (weights) {
    case MoeWeights::as_inputs: return Status::success();
    case MoeWeights::e2m1:
      if (in_format != Format::bf16 || mx_scale_w == nullptr || n % 32 != 0)
        return Status::failure(std::string(stage) + ": MXFP4 weights take bf16 activations, their e8m0 scales and K a multiple of 32");
      return Status::success();
    case MoeWeights::int4:
      if (!fp8_inputs(in_format) || scale_block != 0 || n % 2 != 0)
        return Status::failure(std::string(stage) + ": int4 weights take fp8 activations with per-row / per-channel scales and an even K");
      return Status::success();
  }
  return Status::failure(std::string(stage) + ": unknown weight coding");
}

Status check_scale_block(std::uint32_t block, std::uint32_t k, std::uint32_t n, const char* stage) {
  if (block != 0 && block != 128) return Status::failure(std::string(stage) + ": scale_block " + std::to_string(block) + " (0 or 128)");
  if (block == 128 && (k % 128 != 0 || n % 128 != 0))
    return Status::failure(std::string(stage) + ": block scales need K and N multiples of 128, got " + std::to_string(k) + " and " +
                           std::to_string(n));
  return Status::success();
}

}  // namespace

Status moe_stage1(const MoeStage1Args& a, MoeStage1Ref& out) {
  if (Status s = check_sorted(a.sorted, a.tokens, a.k, a.local_experts, "moe stage 1"); !s.ok()) return s;
  if (a.hidden < 1 || a.inter < 1) return Status::failure("moe stage 1: hidden and inter must be >= 1");
  if (mx_inputs(a.in_format) && (a.mx_scale_x == nullptr || a.mx_scale_w1 == nullptr || a.hidden % 32 != 0))
    return Status::failure("moe stage 1: MXFP4 inputs need mx_scale_x, mx_scale_w1 and hidden a multiple of 32");
  if (Status s = check_weights(a.weights, a.in_format, a.scale_block, a.mx_scale_w1, a.hidden, "moe stage 1"); !s.ok()) return s;
  if (fp8_inputs(a.in_format) && (a.scale_x == nullptr || a.scale_w1 == nullptr))
    return Status::failure("moe stage 1: fp8 inputs need scale_x and scale_w1");
  if (Status s = check_scale_block(a.scale_block, a.hidden, 2 * a.inter, "moe stage 1"); !s.ok()) return s;
  const std::uint32_t kblocks = a.scale_block == 0 ? 1 : a.hidden / a.scale_block;
  const std::uint32_t rows = a.tokens * a.k;
  out = {rows, a.inter, std::vector<double>(std::size_t{rows} * a.inter), std::vector<double>(std::size_t{rows} * a.inter),
         std::vector<std::uint8_t>(rows)};
  const MoeSorted& sorted = *a.sorted;
  for (std::uint32_t entry = 0; entry < sorted.padded_total; ++entry) {
    const auto slot = static_cast<std::uint32_t>(sorted.sorted_ids[entry]);
    if (slot >= rows) continue;  // padding
    const auto e = static_cast<std::size_t>(sorted.block_expert[entry / sorted.block_m]);
    const std::size_t token = slot / a.k;
    out.valid[slot] = 1;
    for (std::uint32_t i = 0; i < a.inter; ++i) {
      const std::size_t gate_row = e * 2 * a.inter + i, up_row = gate_row + a.inter;
      // fp8: the weight scales of a row are its own (per channel), or its 128-row block's K-block scales
      auto projection = [&](std::size_t row) {
        if (mx_inputs(a.in_format))
          return mx_dot_row(a.x, a.w1, token, row, a.hidden, a.mx_scale_x + token * (a.hidden / 32), a.mx_scale_w1 + row * (a.hidden / 32));
        if (a.weights == MoeWeights::e2m1)
          return bf16_mx_dot_row(a.x, a.w1, token, row, a.hidden, a.mx_scale_w1 + row * (a.hidden / 32));
        if (a.weights == MoeWeights::int4) {
          auto [sum, magnitude] = fp8_int4_dot_row(a.in_format, a.x, a.w1, token, row, a.hidden);
          const double scale = double{a.scale_x[token]} * a.scale_w1[row];
          return std::pair{sum * scale, magnitude * std::abs(scale)};
        }
        if (!fp8_inputs(a.in_format)) return dot_row(a.in_format, a.x, a.w1, token, row, a.hidden);
        const float* w_scales = a.scale_block == 0 ? a.scale_w1 + row : a.scale_w1 + (row / a.scale_block) * kblocks;
        return scaled_dot_row(a.in_format, a.x, a.w1, token, row, a.hidden, a.scale_x + token * kblocks, w_scales, a.scale_block);
      };
      auto [gate, gate_mag] = projection(gate_row);
      auto [up, up_mag] = projection(up_row);
      if (a.bias1 != nullptr) {
        const double bg = a.bias1[e * 2 * a.inter + i], bu = a.bias1[e * 2 * a.inter + a.inter + i];
        gate += bg, up += bu, gate_mag += std::abs(bg), up_mag += std::abs(bu);
      }
      const double f = moe_activation(a.activation, gate, up, a.alpha, a.limit);
      // The kernel's allowance: each projection's fp32 accumulation error (ref/TOLERANCE.md, K = H + 1
      // with the bias), carried through the activation (the largest change of f over the box of
      // both errors, from its corners: f is monotone in each argument over so small a box, up to
      // the clamp's kinks, which only shrink the change), plus the activation's own fp32 evaluation:
      // exp of an argument rounded relative to |g| (≤ |g|·u each), a division, the products, an
      // erf/sigmoid approximation — 32 + 4·|g| units of roundoff relative to |f|; GELU's erfc
      // exponentiates −g²/2 + P(t), whose rounding (≤ 2u of its magnitude) adds g²·u.
      const double acc_g = (a.hidden + 4) * kFp32UnitRoundoff * gate_mag;
      const double acc_u = (a.hidden + 4) * kFp32UnitRoundoff * up_mag;
      double carried = 0;
      for (double dg : {-acc_g, acc_g})
        for (double du : {-acc_u, acc_u})
          carried = std::max(carried, std::abs(moe_activation(a.activation, gate + dg, up + du, a.alpha, a.limit) - f));
      const double gelu_exponent = a.activation == MoeActivation::gelu ? gate * gate : 0.0;
      const double evaluation = (32 + 4 * std::abs(gate) + gelu_exponent) * kFp32UnitRoundoff * std::abs(f);
      // Underflow, where relative bounds end: for a very negative gate, sigmoid(g) or Φ(g) leaves fp32's
      // normal range (e^−g overflows past g ≈ −88.7; Φ(g) < 2^-126 below g ≈ −13), and the kernel's
      // factor is 0 or subnormal while the true one is below 2^-126: f is then off by at most
      // 2^-126 · |g| · (|u| + 1) (the +1: SwiGLU's u + 1).
      const double underflow = 0x1p-126 * std::abs(gate) * (std::abs(up) + 1);
      const std::size_t at = std::size_t{slot} * a.inter + i;
      out.value[at] = f;
      out.error_bound[at] = carried + evaluation + underflow;
    }
  }
  return Status::success();
}

Status moe_stage2_rows(const MoeStage2Args& a, GemmRef& rows, std::vector<std::uint8_t>& valid) {
  if (Status s = check_sorted(a.sorted, a.tokens, a.k, a.local_experts, "moe stage 2"); !s.ok()) return s;
  if (a.hidden < 1 || a.inter_size < 1) return Status::failure("moe stage 2: hidden and inter must be >= 1");
  const std::uint32_t slots = a.tokens * a.k;
  if (mx_inputs(a.in_format) && (a.mx_scale_inter == nullptr || a.mx_scale_w2 == nullptr || a.inter_size % 32 != 0))
    return Status::failure("moe stage 2: MXFP4 inputs need mx_scale_inter, mx_scale_w2 and inter a multiple of 32");
  if (Status s = check_weights(a.weights, a.in_format, a.scale_block, a.mx_scale_w2, a.inter_size, "moe stage 2"); !s.ok()) return s;
  if (fp8_inputs(a.in_format) && (a.scale_inter == nullptr || a.scale_w2 == nullptr))
    return Status::failure("moe stage 2: fp8 inputs need scale_inter and scale_w2");
  if (Status s = check_scale_block(a.scale_block, a.inter_size, a.hidden, "moe stage 2"); !s.ok()) return s;
  const std::uint32_t kblocks = a.scale_block == 0 ? 1 : a.inter_size / a.scale_block;
  rows.m = slots, rows.n = a.hidden, rows.k = a.inter_size + 3;
  rows.value.assign(std::size_t{slots} * a.hidden, 0.0);
  rows.magnitude.assign(std::size_t{slots} * a.hidden, 0.0);
  valid.assign(slots, 0);
  const MoeSorted& sorted = *a.sorted;
  for (std::uint32_t entry = 0; entry < sorted.padded_total; ++entry) {
    const auto slot = static_cast<std::uint32_t>(sorted.sorted_ids[entry]);
    if (slot >= slots) continue;  // padding
    const auto e = static_cast<std::size_t>(sorted.block_expert[entry / sorted.block_m]);
    const double weight = sorted.sorted_weights[entry];
    valid[slot] = 1;
    for (std::uint32_t h = 0; h < a.hidden; ++h) {
      const std::size_t w_row = e * a.hidden + h;
      const float* w_scales = a.scale_block == 0 ? a.scale_w2 + w_row : a.scale_w2 + (w_row / a.scale_block) * kblocks;
      auto projection = [&]() -> std::pair<double, double> {
        const std::size_t a_row = slot;
        if (a.weights == MoeWeights::e2m1)
          return bf16_mx_dot_row(a.inter, a.w2, a_row, w_row, a.inter_size, a.mx_scale_w2 + w_row * (a.inter_size / 32));
        if (a.weights == MoeWeights::int4) {
          auto [sum, magnitude] = fp8_int4_dot_row(a.in_format, a.inter, a.w2, a_row, w_row, a.inter_size);
          const double scale = double{a.scale_inter[slot]} * a.scale_w2[w_row];
          return {sum * scale, magnitude * std::abs(scale)};
        }
        if (mx_inputs(a.in_format))
          return mx_dot_row(a.inter, a.w2, a_row, w_row, a.inter_size, a.mx_scale_inter + a_row * (a.inter_size / 32),
                            a.mx_scale_w2 + w_row * (a.inter_size / 32));
        if (fp8_inputs(a.in_format))
          return scaled_dot_row(a.in_format, a.inter, a.w2, a_row, w_row, a.inter_size, a.scale_inter + a_row * kblocks, w_scales,
                                a.scale_block);
        return dot_row(a.in_format, a.inter, a.w2, a_row, w_row, a.inter_size);
      };
      auto [sum, magnitude] = projection();
      if (a.bias2 != nullptr) sum += a.bias2[e * a.hidden + h], magnitude += std::abs(a.bias2[e * a.hidden + h]);
      rows.value[std::size_t{slot} * a.hidden + h] = weight * sum;
      rows.magnitude[std::size_t{slot} * a.hidden + h] = std::abs(weight) * magnitude;
    }
  }
  return Status::success();
}

Status moe_stage2(const MoeStage2Args& a, GemmRef& out) {
  GemmRef rows;
  std::vector<std::uint8_t> valid;
  if (Status s = moe_stage2_rows(a, rows, valid); !s.ok()) return s;
  out.m = a.tokens, out.n = a.hidden, out.k = a.inter_size + a.k + 2;
  out.value.assign(std::size_t{a.tokens} * a.hidden, 0.0);
  out.magnitude.assign(std::size_t{a.tokens} * a.hidden, 0.0);
  for (std::size_t slot = 0; slot < valid.size(); ++slot) {
    if (valid[slot] == 0) continue;
    const std::size_t t = slot / a.k;
    for (std::uint32_t h = 0; h < a.hidden; ++h) {
      out.value[t * a.hidden + h] += rows.value[slot * a.hidden + h];
      out.magnitude[t * a.hidden + h] += rows.magnitude[slot * a.hidden + h];
    }
  }
  return Status::success();
}

Status moe_sum(const MoeSumArgs& a, std::vector<std::uint16_t>& out) {
  if (a.k < 1 || a.hidden < 1) return Status::failure("moe_sum: k and hidden must be >= 1");
  if (a.tokens > 0 && (a.partial == nullptr || a.ids == nullptr)) return Status::failure("moe_sum: partial or ids is null");
  for (std::size_t s = 0; s < std::size_t{a.tokens} * a.k; ++s)
    if (a.ids[s] < -1 || a.ids[s] >= static_cast<std::int32_t>(a.experts))
      return Status::failure("moe_sum: expert id " + std::to_string(a.ids[s]) + " of slot " + std::to_string(s) +
                             " is outside [-1, experts)");
  out.assign(std::size_t{a.tokens} * a.hidden, 0);
  for (std::uint32_t t = 0; t < a.tokens; ++t)
    for (std::uint32_t h = 0; h < a.hidden; ++h) {
      float sum = 0.0f;
      for (std::uint32_t j = 0; j < a.k; ++j) {
        const std::int32_t id = a.ids[std::size_t{t} * a.k + j];
        if (id == -1) continue;  // no expert
        const std::int32_t local = a.expert_map != nullptr ? a.expert_map[id] : id;
        if (local < 0 || local >= static_cast<std::int32_t>(a.local_experts)) continue;
        sum += a.partial[(std::size_t{t} * a.k + j) * a.hidden + h];
      }
      out[std::size_t{t} * a.hidden + h] = f32_to_bf16(sum);
    }
  return Status::success();
}

Status fused_moe(const FusedMoeArgs& a, FusedMoeRef& out) {
  MoeSortArgs sort;
  sort.ids = a.ids, sort.weights = a.weights, sort.expert_map = a.expert_map;
  sort.tokens = a.tokens, sort.k = a.k, sort.experts = a.experts, sort.local_experts = a.local_experts, sort.block_m = a.block_m;
  if (Status s = moe_sort(sort, out.sorted); !s.ok()) return s;
  MoeStage1Args s1;
  s1.x = a.x, s1.w1 = a.w1, s1.bias1 = a.bias1, s1.sorted = &out.sorted;
  s1.tokens = a.tokens, s1.k = a.k, s1.hidden = a.hidden, s1.inter = a.inter, s1.local_experts = a.local_experts;
  s1.activation = a.activation, s1.alpha = a.alpha, s1.limit = a.limit;
  if (Status s = moe_stage1(s1, out.stage1); !s.ok()) return s;
  out.inter_bf16.assign(out.stage1.value.size(), 0);
  for (std::size_t i = 0; i < out.stage1.value.size(); ++i)
    out.inter_bf16[i] = f32_to_bf16(static_cast<float>(out.stage1.value[i]));
  MoeStage2Args s2;
  s2.inter = out.inter_bf16.data(), s2.w2 = a.w2, s2.bias2 = a.bias2, s2.sorted = &out.sorted;
  s2.tokens = a.tokens, s2.k = a.k, s2.hidden = a.hidden, s2.inter_size = a.inter, s2.local_experts = a.local_experts;
  return moe_stage2(s2, out.out);
}

}  // namespace asmk::ref
