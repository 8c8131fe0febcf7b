// The MoE ops' references (ref/moe.hpp). Expert ids and sorted layouts are compared bit for bit;
// weights under the allowance derived next to each comparison.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <numeric>
#include <span>

#include "asmk/ref/moe.hpp"
#include "asmk/ref/numeric.hpp"
#include "asmk/ref/quant.hpp"
#include "asmk/ref/tolerance.hpp"
#include "table.hpp"

namespace asmk::ref {
namespace {


std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", v);
  return text;
}

// The allowance of a routing weight w_j = e_j / S computed in fp32 (moe_topk_softmax.s.j2), with
// x_j = (l_j − m)·log2 e ≤ 0:
//   e_j = 2^x_j: the subtraction and the multiply by a rounded log2 e put ≤ 3 roundings on x_j,
//         i.e. an error ≤ 3u·|x_j| in the exponent → ≤ 2.1u·|x_j| relative (× ln 2), plus v_exp_f32's
//         own ≤ 1 ulp: δ_j ≤ (2.1·|x_j| + 2)·u.
//   S = Σ_i e_i (all terms ≥ 0, the largest 1): the terms' errors add ≤ Σ δ_i·e_i ≤ Σ (2.1·|x_i|·2^x_i + 2)·u
//         ≤ (1.6 + 2)·E·u (|x|·2^x ≤ 1/(e·ln 2) < 0.54), the E − 1 additions ≤ E·u relative:
//         ≤ 5.6·E·u relative to S ≥ 1. With renormalization S sums k ≤ E of the e: the same bound.
//   the division: ≤ u.
// So |w − w_ref| ≤ (2.1·|x_j| + 5.6·E + 3)·u·w_ref, plus 2^-149 (a weight in fp32's subnormals).
double routing_weight_allowance(double weight, double x, std::uint32_t experts) {
  return (2.1 * std::abs(x) + 5.6 * experts + 3) * kFp32UnitRoundoff * std::abs(weight) + 0x1p-149;
}

Comparison compare_weights(const OpTensor& got, const std::vector<double>& want, const std::vector<double>& allowance) {
  Comparison c;
  c.tensor = got.name;
  c.rule = CompareRule::custom;
  double sum = 0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    float v;
    std::memcpy(&v, got.bytes.data() + 4 * i, 4);
    const double error = std::abs(double{v} - want[i]);
    ++c.count;
    sum += error;
    c.max_abs_error = std::max(c.max_abs_error, error);
    if (!(error <= allowance[i]) && c.mismatches++ == 0)
      c.detail = got.name + "[" + std::to_string(i) + "]: kernel " + number(v) + ", ref " + number(want[i]) + " (allowed error " +
                 number(allowance[i]) + ")";
  }
  c.mean_abs_error = c.count == 0 ? 0 : sum / double(c.count);
  return c;
}

// The layer's global -> local expert map: expert_map as given (an entry outside [0, E_local):
// remote), or expert e local e when e < E_local.
std::vector<std::int32_t> layer_expert_map(const OpProblem& p, const OpTensors& t, std::uint32_t local) {
  const std::uint32_t experts = p.u32("experts");
  std::vector<std::int32_t> map(experts, -1);
  const auto given = t.find("expert_map");
  for (std::uint32_t e = 0; e < experts; ++e) {
    const std::int32_t id = given != t.end() ? given->second.as<std::int32_t>()[e] : static_cast<std::int32_t>(e);
    map[e] = id >= 0 && id < static_cast<std::int32_t>(local) ? id : -1;
  }
  return map;
}

// `name` expected bit for bit: the tensor's shape and type, these bytes.
void expect_bits(const OpTensors& t, std::map<std::string, Expected>& expected, const char* name, const void* data,
                 std::size_t bytes) {
  OpTensor out = t.at(name);
  std::memcpy(out.bytes.data(), data, bytes);
  expected[name] = Expected::bits(std::move(out));
}

}  // namespace

OpReference moe_topk_softmax_reference() {
  OpReference r;
  // Logits: normals, every other token rounded to quarters so that equal logits (ties) are common.
  r.fill = [](const OpProblem& p, OpTensors& t, std::mt19937& rng) {
    OpTensor& logits = t.at("logits");
    std::normal_distribution<float> normal(0.f, 2.f);
    const std::uint32_t experts = p.u32("experts");
    for (std::size_t i = 0; i < logits.bytes.size() / 4; ++i) {
      float v = normal(rng);
      if (experts > 0 && (i / experts) % 2 == 1) v = std::round(v * 4) / 4;
      std::memcpy(logits.bytes.data() + 4 * i, &v, 4);
    }
  };
  r.compute = [](const OpProblem& p, const OpTensors& t, std::map<std::string, Expected>& expected) {
    TopkSoftmaxArgs a;
    a.logits = t.at("logits").as<float>();
    a.tokens = p.u32("tokens"), a.experts = p.u32("experts"), a.k = p.u32("k");
    a.renormalize = p.u32("renormalize") != 0;
    RoutingRef routing;
    if (Status s = topk_softmax(a, routing); !s.ok()) return s;
    OpTensor ids = t.at("topk_ids");
    std::memcpy(ids.bytes.data(), routing.ids.data(), routing.ids.size() * 4);
    expected["topk_ids"] = Expected::bits(std::move(ids));
    auto allowance = std::make_shared<std::vector<double>>(routing.weights.size());
    for (std::uint32_t token = 0; token < a.tokens; ++token) {
      const float* row = a.logits + std::size_t{token} * a.experts;
      const double top = *std::max_element(row, row + a.experts);
      for (std::uint32_t j = 0; j < a.k; ++j) {
        const std::size_t at = std::size_t{token} * a.k + j;
        const double x = (row[routing.ids[at]] - top) * 1.4426950408889634;
        (*allowance)[at] = routing_weight_allowance(routing.weights[at], x, a.experts);
      }
    }
    auto want = std::make_shared<std::vector<double>>(std::move(routing.weights));
    expected["topk_weights"] = Expected::rule_of([want, allowance](const OpTensor& got) { return compare_weights(got, *want, *allowance); });
    return Status::success();
  };
  return r;
}

// moe_sort: every output bit for bit (the whole capacity: sentinel, 0 and −1 past the total).
// Without expert_map the op's rule is that expert e is local e when e < local_experts, else remote.
OpReference moe_sort_reference() {
  OpReference r;
  // Each token's k experts distinct (a shuffle; k > E repeats), weights in (0, 1]; the map, when
  // given, makes a random local_experts of the E local (in increasing order) and the rest remote.
  r.fill = [](const OpProblem& p, OpTensors& t, std::mt19937& rng) {
    const std::uint32_t tokens = p.u32("tokens"), k = p.u32("k"), experts = p.u32("experts"), local = p.u32("local_experts");
    std::vector<std::int32_t> order(experts);
    std::int32_t* ids = t.at("topk_ids").as<std::int32_t>();
    float* weights = t.at("topk_weights").as<float>();
    std::uniform_real_distribution<float> weight(0x1p-8f, 1.0f);
    for (std::uint32_t token = 0; token < tokens; ++token) {
      std::iota(order.begin(), order.end(), 0);
      std::shuffle(order.begin(), order.end(), rng);
      for (std::uint32_t j = 0; j < k; ++j) {
        ids[std::size_t{token} * k + j] = order[j % experts];
        weights[std::size_t{token} * k + j] = weight(rng);
      }
    }
    if (auto map = t.find("expert_map"); map != t.end()) {
      std::iota(order.begin(), order.end(), 0);
      std::shuffle(order.begin(), order.end(), rng);
      std::vector<std::uint8_t> is_local(experts, 0);
      for (std::uint32_t i = 0; i < std::min(local, experts); ++i) is_local[static_cast<std::size_t>(order[i])] = 1;
      std::int32_t next = 0;
      for (std::uint32_t e = 0; e < experts; ++e) map->second.as<std::int32_t>()[e] = is_local[e] ? next++ : -1;
    }
  };
  r.compute = [](const OpProblem& p, const OpTensors& t, std::map<std::string, Expected>& expected) {
    MoeSortArgs a;
    a.tokens = p.u32("tokens"), a.k = p.u32("k"), a.experts = p.u32("experts"), a.local_experts = p.u32("local_experts");
    a.block_m = p.u32("block_m");
    a.weights = t.at("topk_weights").as<float>();
    // The ids as given (−1: no expert; anything else outside [0, E) is refused by the op's element
    // rule before a launch, and by ref::moe_sort here).
    const std::vector<std::int32_t> map = layer_expert_map(p, t, a.local_experts);
    a.ids = t.at("topk_ids").as<std::int32_t>(), a.expert_map = map.data();
    MoeSorted sorted;
    if (Status s = moe_sort(a, sorted); !s.ok()) return s;
    auto exact = [&](const char* name, const void* data, std::size_t bytes) { expect_bits(t, expected, name, data, bytes); };
    exact("sorted_ids", sorted.sorted_ids.data(), sorted.sorted_ids.size() * 4);
    exact("sorted_weights", sorted.sorted_weights.data(), sorted.sorted_weights.size() * 4);
    exact("block_expert", sorted.block_expert.data(), sorted.block_expert.size() * 4);
    const auto total = static_cast<std::int32_t>(sorted.padded_total);
    exact("total_padded", &total, 4);
    return Status::success();
  };
  return r;
}

namespace {

// Each token's k experts distinct (a shuffle; k > E repeats), weights in [2^-8, 1).
void fill_routing(std::uint32_t tokens, std::uint32_t k, std::uint32_t experts, std::int32_t* ids, float* weights, std::mt19937& rng) {
  std::vector<std::int32_t> order(experts);
  std::uniform_real_distribution<float> weight(0x1p-8f, 1.0f);
  for (std::uint32_t token = 0; token < tokens; ++token) {
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);
    for (std::uint32_t j = 0; j < k; ++j) {
      ids[std::size_t{token} * k + j] = order[j % experts];
      if (weights != nullptr) weights[std::size_t{token} * k + j] = weight(rng);
    }
  }
}

// Expert parallelism's map: `local` of the `experts` chosen at random are this rank's, numbered in
// expert order; the others map to -1.
void fill_expert_map(std::uint32_t experts, std::uint32_t local, std::int32_t* map, std::mt19937& rng) {
  std::vector<std::int32_t> order(experts);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  std::vector<std::uint8_t> is_local(experts, 0);
  for (std::uint32_t i = 0; i < std::min(local, experts); ++i) is_local[static_cast<std::size_t>(order[i])] = 1;
  std::int32_t next = 0;
  for (std::uint32_t e = 0; e < experts; ++e) map[e] = is_local[e] ? next++ : -1;
}

// The GEMM stages' inputs from moe_sort: a random routing sorted by the reference (the stage ops
// read a layout, so it must be a valid one; moe_sort's own op checks the kernel that makes it).
void fill_sorted_layout(const OpProblem& p, OpTensors& t, std::mt19937& rng) {
  const std::uint32_t tokens = p.u32("tokens"), k = p.u32("k"), experts = p.u32("experts");
  std::vector<std::int32_t> ids(std::size_t{tokens} * k);
  std::vector<float> weights(ids.size());
  fill_routing(tokens, k, experts, ids.data(), weights.data(), rng);
  MoeSortArgs a;
  a.ids = ids.data(), a.weights = weights.data();
  a.tokens = tokens, a.k = k, a.experts = experts, a.local_experts = experts, a.block_m = p.u32("block_m");
  MoeSorted sorted;
  if (!moe_sort(a, sorted).ok()) return;  // the op's rules refuse such a problem before any fill
  auto put = [&](const char* name, const void* data, std::size_t bytes) {
    if (auto it = t.find(name); it != t.end()) std::memcpy(it->second.bytes.data(), data, std::min(bytes, it->second.bytes.size()));
  };
  put("sorted_ids", sorted.sorted_ids.data(), sorted.sorted_ids.size() * 4);
  put("sorted_weights", sorted.sorted_weights.data(), sorted.sorted_weights.size() * 4);
  put("block_expert", sorted.block_expert.data(), sorted.block_expert.size() * 4);
  const auto total = static_cast<std::int32_t>(sorted.padded_total);
  put("total_padded", &total, 4);
}

// The layout as the op's tensors hold it.
MoeSorted sorted_from_tensors(const OpProblem& p, const OpTensors& t) {
  MoeSorted s;
  s.block_m = p.u32("block_m");
  s.sentinel = p.u32("tokens") * p.u32("k");
  const OpTensor& ids = t.at("sorted_ids");
  s.sorted_ids.assign(ids.as<std::int32_t>(), ids.as<std::int32_t>() + ids.bytes.size() / 4);
  const OpTensor& blocks = t.at("block_expert");
  s.block_expert.assign(blocks.as<std::int32_t>(), blocks.as<std::int32_t>() + blocks.bytes.size() / 4);
  if (auto w = t.find("sorted_weights"); w != t.end())
    s.sorted_weights.assign(w->second.as<float>(), w->second.as<float>() + w->second.bytes.size() / 4);
  else
    s.sorted_weights.assign(s.sorted_ids.size(), 0.0f);
  const std::int32_t total = *t.at("total_padded").as<std::int32_t>();
  s.padded_total = total < 0 ? 0 : std::min<std::uint32_t>(static_cast<std::uint32_t>(total), static_cast<std::uint32_t>(s.sorted_ids.size()));
  return s;
}

// Weights whose products' sums stay near 1 (the activations then work in their interesting range):
// bf16 normals scaled by 1 / √(row length); fp8 keeps the codes of normals and puts that factor
// into the row scales (each in [0.5, 1.5) / √(row length)) with channel scales in [0.5, 1.5).
// Biases small normals.
void fill_weights(const OpProblem& p, OpTensors& t, std::uint32_t row, std::mt19937& rng) {
  std::normal_distribution<float> normal(0.f, 1.f);
  const float scale = 1.0f / std::sqrt(static_cast<float>(std::max(row, 1u)));
  OpTensor& w = t.at("w");
  if (w.dtype == "fp4") {
    // w (and a when MXFP4 too; a16w4's bf16 a keeps the default fill of normals): any bytes (every e2m1
    // code is finite, magnitudes up to 6); e8m0 scales around 2^-1 for a and 2^-(3 + log2 √row) for w, so
    // that the sums stay near 1 (no 0xff: NaN)
    std::uniform_int_distribution<int> byte(0, 255), spread(-1, 1);
    for (const char* name : {"a", "w"})
      if (t.at(name).dtype == "fp4")
        for (std::uint8_t& b : t.at(name).bytes) b = static_cast<std::uint8_t>(byte(rng));
    const int w_exponent = 127 - 3 - static_cast<int>(std::lround(0.5 * std::log2(std::max(row, 1u))));
    if (auto scale_a = t.find("scale_a"); scale_a != t.end())
      for (std::uint8_t& e : scale_a->second.bytes) e = static_cast<std::uint8_t>(126 + spread(rng));
    for (std::uint8_t& e : t.at("scale_w").bytes) e = static_cast<std::uint8_t>(w_exponent + spread(rng));
  } else if (w.dtype == "int4") {
    // a: fp8 codes of standard normals; w: any bytes (int4 values in [−8, 7], about 4.6 times a standard
    // normal's spread); the row scales carry 1 / √(row length), the channel scales 1/4
    for (std::uint8_t& code : t.at("a").bytes) code = static_cast<std::uint8_t>(encode(fp8_format(p.arch), normal(rng), Overflow::saturate));
    std::uniform_int_distribution<int> byte(0, 255);
    for (std::uint8_t& b : w.bytes) b = static_cast<std::uint8_t>(byte(rng));
    std::uniform_real_distribution<float> factor(0.5f, 1.5f);
    for (float& v : std::span(t.at("scale_a").as<float>(), t.at("scale_a").bytes.size() / 4)) v = factor(rng) * scale;
    for (float& v : std::span(t.at("scale_w").as<float>(), t.at("scale_w").bytes.size() / 4)) v = 0.25f * factor(rng);
  } else if (w.dtype == "bf16") {
    for (std::size_t i = 0; i < w.bytes.size() / 2; ++i) {
      const std::uint16_t code = f32_to_bf16(normal(rng) * scale);
      std::memcpy(w.bytes.data() + 2 * i, &code, 2);
    }
  } else {
    // a and w: fp8 codes of standard normals (not of the format's whole range)
    for (const char* name : {"a", "w"}) {
      OpTensor& codes = t.at(name);
      for (std::uint8_t& code : codes.bytes) code = static_cast<std::uint8_t>(encode(fp8_format(p.arch), normal(rng), Overflow::saturate));
    }
    std::uniform_real_distribution<float> factor(0.5f, 1.5f);
    for (float& v : std::span(t.at("scale_a").as<float>(), t.at("scale_a").bytes.size() / 4)) v = factor(rng) * scale;
    for (float& v : std::span(t.at("scale_w").as<float>(), t.at("scale_w").bytes.size() / 4)) v = factor(rng);
  }
  if (auto b = t.find("bias"); b != t.end())
    for (std::size_t i = 0; i < b->second.bytes.size() / 4; ++i) b->second.as<float>()[i] = 0.25f * normal(rng);
}

MoeActivation activation_of(const std::string& name) {
  return name == "gelu" ? MoeActivation::gelu : name == "swiglu_oai" ? MoeActivation::swiglu_oai : MoeActivation::silu;
}

// Rows a sorted entry names are compared (element by element under `allowed`); the others are
// not part of the op's result (the kernel does not write them).
template <class Decode, class Allowed>
Comparison compare_rows(const OpTensor& got, const std::vector<std::uint8_t>& valid, std::uint32_t columns,
                        const std::vector<double>& want, Decode&& decode, Allowed&& allowed) {
  Comparison c;
  c.tensor = got.name;
  c.rule = CompareRule::custom;
  double sum = 0;
  for (std::size_t row = 0; row < valid.size(); ++row) {
    if (valid[row] == 0) continue;
    for (std::uint32_t col = 0; col < columns; ++col) {
      const std::size_t at = row * columns + col;
      const double v = decode(got, at), error = std::abs(v - want[at]), limit = allowed(at);
      ++c.count;
      sum += error;
      c.max_abs_error = std::max(c.max_abs_error, error);
      if (!(error <= limit) && c.mismatches++ == 0)
        c.detail = got.name + "[" + std::to_string(row) + ", " + std::to_string(col) + "]: kernel " + number(v) + ", ref " +
                   number(want[at]) + " (allowed error " + number(limit) + ")";
    }
  }
  c.mean_abs_error = c.count == 0 ? 0 : sum / double(c.count);
  return c;
}

double decode_bf16_at(const OpTensor& t, std::size_t at) {
  std::uint16_t code;
  std::memcpy(&code, t.bytes.data() + 2 * at, 2);
  return bf16_to_f32(code);
}
double decode_f32_at(const OpTensor& t, std::size_t at) {
  float v;
  std::memcpy(&v, t.bytes.data() + 4 * at, 4);
  return v;
}

// The formats and scales of a stage op's activations `a` and weights `w`, as their dtypes say: MXFP4 both (e8m0
// scales per 32), a16w4 (bf16 a, MXFP4 w), a8w4 (fp8 a, int4 w, fp32 scales), fp8 (fp32 scales), else bf16.
struct StageOperands {
  Format in_format = Format::bf16;
  MoeWeights weights = MoeWeights::as_inputs;
  const float* scale_a = nullptr;
  const float* scale_w = nullptr;
  const std::uint8_t* mx_scale_a = nullptr;
  const std::uint8_t* mx_scale_w = nullptr;
};
StageOperands stage_operands(const OpProblem& p, const OpTensors& t) {
  StageOperands o;
  if (t.at("a").dtype == "fp4") {
    o.in_format = Format::e2m1;
    o.mx_scale_a = t.at("scale_a").bytes.data(), o.mx_scale_w = t.at("scale_w").bytes.data();
  } else if (t.at("w").dtype == "fp4") {
    o.weights = MoeWeights::e2m1, o.mx_scale_w = t.at("scale_w").bytes.data();
  } else if (t.at("w").dtype == "int4") {
    o.in_format = fp8_format(p.arch), o.weights = MoeWeights::int4;
    o.scale_a = t.at("scale_a").as<float>(), o.scale_w = t.at("scale_w").as<float>();
  } else if (t.at("a").dtype == "fp8") {
    o.in_format = fp8_format(p.arch);
    o.scale_a = t.at("scale_a").as<float>(), o.scale_w = t.at("scale_w").as<float>();
  }
  return o;
}

// Stage 1 in float64 over an op's tensors, whatever its format (the inputs' dtypes say which); scale_block
// 128 for the block-scale forms.
Status stage1_of(const OpProblem& p, const OpTensors& t, std::uint32_t scale_block, MoeStage1Ref& out) {
  const MoeSorted sorted = sorted_from_tensors(p, t);
  MoeStage1Args a;
  a.scale_block = scale_block;
  a.x = t.at("a").bytes.data(), a.w1 = t.at("w").bytes.data();
  const StageOperands o = stage_operands(p, t);
  a.in_format = o.in_format, a.weights = o.weights;
  a.scale_x = o.scale_a, a.scale_w1 = o.scale_w, a.mx_scale_x = o.mx_scale_a, a.mx_scale_w1 = o.mx_scale_w;
  a.bias1 = t.count("bias") != 0 ? t.at("bias").as<float>() : nullptr;
  a.sorted = &sorted;
  a.tokens = p.u32("tokens"), a.k = p.u32("k"), a.hidden = p.u32("hidden"), a.inter = p.u32("inter"), a.local_experts = p.u32("experts");
  a.activation = activation_of(p.text("activation"));
  return moe_stage1(a, out);
}

// The reference's intermediate rounded to bf16, as a stage-1 kernel holds it before quantizing it.
std::vector<std::uint16_t> rounded_to_bf16(const MoeStage1Ref& stage1) {
  std::vector<std::uint16_t> out(stage1.value.size(), 0);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = f32_to_bf16(static_cast<float>(stage1.value[i]));
  return out;
}

// One quantization group of a stage-1 row: each element's allowance d1 (stage 1's bound and a bf16 ulp), the
// group's amax over the bf16 intermediate and the largest d1.
struct GroupAllowance {
  std::vector<double> d1;
  double amax = 0, d_max = 0;
};
GroupAllowance group_allowance(const MoeStage1Ref& stage1, const std::vector<std::uint16_t>& inter_bf16, std::size_t first,
                               std::uint32_t size) {
  GroupAllowance g;
  g.d1.resize(size);
  for (std::uint32_t i = 0; i < size; ++i) {
    const std::size_t at = first + i;
    g.d1[i] = stage1.error_bound[at] + output_ulp(OutType::bf16, std::abs(stage1.value[at]) + stage1.error_bound[at]);
    g.amax = std::max(g.amax, std::abs(double{bf16_to_f32(inter_bf16[at])}));
    g.d_max = std::max(g.d_max, g.d1[i]);
  }
  return g;
}

// moe_gemm1, moe_gemm1_fp8, moe_gemm1_blockscale (scale_block 128) and moe_gemm1_mxfp4: each row a slot names, under the
// stage-1 allowance (moe.hpp) plus the bf16 rounding.
OpReference stage1_reference(std::uint32_t scale_block) {
  OpReference r;
  r.fill = [](const OpProblem& p, OpTensors& t, std::mt19937& rng) {
    fill_sorted_layout(p, t, rng);
    fill_weights(p, t, p.u32("hidden"), rng);
  };
  r.compute = [scale_block](const OpProblem& p, const OpTensors& t, std::map<std::string, Expected>& expected) {
    auto ref = std::make_shared<MoeStage1Ref>();
    if (Status s = stage1_of(p, t, scale_block, *ref); !s.ok()) return s;
    expected["out"] = Expected::rule_of([ref](const OpTensor& got) {
      return compare_rows(got, ref->valid, ref->inter, ref->value, decode_bf16_at, [&](std::size_t at) {
        const double bound = ref->error_bound[at];
        return bound + 0.5 * output_ulp(OutType::bf16, std::abs(ref->value[at]) + bound);
      });
    });
    return Status::success();
  };
  return r;
}

// moe_gemm2, moe_gemm2_fp8, moe_gemm2_blockscale (scale_block 128) and moe_gemm2_mxfp4: each row a slot names, under
// ref/TOLERANCE.md with K = inter + 3 (f32 output). sum=atomic: out is an accumulator the kernel adds into — it
// starts as values in [-1, 1) (so a store instead of an add is caught), and every token's row must end as that
// start plus the token's rows (ref::moe_stage2), in any order: ref/TOLERANCE.md with K = inter + k + 3 (the
// rows' accumulation, scales, bias, weight, the k adds and the start) over the magnitudes plus |start|.
// The start of the sum=atomic accumulator's element i: a multiple of 2^-23 in [-1, 1) (a hash of i, so the compare
// step recomputes it after the run has overwritten out).
float accumulator_start(std::size_t i) {
  const std::uint32_t h = static_cast<std::uint32_t>(i) * 2654435761u;
  return static_cast<float>(static_cast<double>(h >> 8) * 0x1p-23 - 1.0);
}

OpReference stage2_reference(std::uint32_t scale_block) {
  OpReference r;
  r.fill = [](const OpProblem& p, OpTensors& t, std::mt19937& rng) {
    fill_sorted_layout(p, t, rng);
    fill_weights(p, t, p.u32("inter"), rng);
    if (p.text("sum") == "atomic") {
      OpTensor& out = t.at("out");
      for (std::size_t i = 0; i < out.bytes.size() / 4; ++i) out.as<float>()[i] = accumulator_start(i);
    }
  };
  r.compute = [scale_block](const OpProblem& p, const OpTensors& t, std::map<std::string, Expected>& expected) {
    auto sorted = std::make_shared<MoeSorted>(sorted_from_tensors(p, t));
    MoeStage2Args a;
    a.scale_block = scale_block;
    a.inter = t.at("a").bytes.data(), a.w2 = t.at("w").bytes.data();
    const StageOperands o = stage_operands(p, t);
    a.in_format = o.in_format, a.weights = o.weights;
    a.scale_inter = o.scale_a, a.scale_w2 = o.scale_w, a.mx_scale_inter = o.mx_scale_a, a.mx_scale_w2 = o.mx_scale_w;
    a.bias2 = t.count("bias") != 0 ? t.at("bias").as<float>() : nullptr;
    a.sorted = sorted.get();
    a.tokens = p.u32("tokens"), a.k = p.u32("k"), a.hidden = p.u32("hidden"), a.inter_size = p.u32("inter");
    a.local_experts = p.u32("experts");
    if (p.text("sum") == "atomic") {
      auto sums = std::make_shared<GemmRef>();
      if (Status s = moe_stage2(a, *sums); !s.ok()) return s;
      for (std::size_t i = 0; i < sums->value.size(); ++i)  // out holds the kernel's result by now: the start again
        sums->value[i] += accumulator_start(i), sums->magnitude[i] += std::abs(accumulator_start(i));
      auto every_token = std::make_shared<std::vector<std::uint8_t>>(a.tokens, 1);
      expected["out"] = Expected::rule_of([sums, every_token](const OpTensor& got) {
        return compare_rows(got, *every_token, sums->n, sums->value, decode_f32_at, [&](std::size_t at) {
          return gemm_tolerance(OutType::f32, sums->value[at], sums->magnitude[at], sums->k + 1);
        });
      });
      return Status::success();
    }
    auto rows = std::make_shared<GemmRef>();
    auto valid = std::make_shared<std::vector<std::uint8_t>>();
    if (Status s = moe_stage2_rows(a, *rows, *valid); !s.ok()) return s;
    expected["out"] = Expected::rule_of([rows, valid](const OpTensor& got) {
      return compare_rows(got, *valid, rows->n, rows->value, decode_f32_at, [&](std::size_t at) {
        return gemm_tolerance(OutType::f32, rows->value[at], rows->magnitude[at], rows->k);
      });
    });
    return Status::success();
  };
  return r;
}

}  // namespace

OpReference moe_gemm1_reference() { return stage1_reference(0); }
OpReference moe_gemm2_reference() { return stage2_reference(0); }
OpReference moe_gemm1_blockscale_reference() { return stage1_reference(128); }
OpReference moe_gemm2_blockscale_reference() { return stage2_reference(128); }

// moe_acc_zero: every element +0, bit for bit.
OpReference moe_acc_zero_reference() {
  OpReference r;
  r.compute = [](const OpProblem&, const OpTensors& t, std::map<std::string, Expected>& expected) {
    OpTensor acc = t.at("acc");
    std::fill(acc.bytes.begin(), acc.bytes.end(), std::uint8_t{0});
    expected["acc"] = Expected::bits(std::move(acc));
    return Status::success();
  };
  return r;
}

// moe_acc_bf16: each element rounded to nearest even, bit for bit.
OpReference moe_acc_bf16_reference() {
  OpReference r;
  r.compute = [](const OpProblem&, const OpTensors& t, std::map<std::string, Expected>& expected) {
    const OpTensor& acc = t.at("acc");
    OpTensor out = t.at("out");
    for (std::size_t i = 0; i < acc.bytes.size() / 4; ++i) {
      const std::uint16_t code = f32_to_bf16(acc.as<float>()[i]);
      std::memcpy(out.bytes.data() + 2 * i, &code, 2);
    }
    expected["out"] = Expected::bits(std::move(out));
    return Status::success();
  };
  return r;
}

// moe_sum: bit for bit (the fixed slot order is the op's contract).
OpReference moe_sum_reference() {
  OpReference r;
  r.fill = [](const OpProblem& p, OpTensors& t, std::mt19937& rng) {
    const std::uint32_t tokens = p.u32("tokens"), k = p.u32("k"), experts = p.u32("experts"), local = p.u32("local_experts");
    fill_routing(tokens, k, experts, t.at("topk_ids").as<std::int32_t>(), nullptr, rng);
    if (auto map = t.find("expert_map"); map != t.end())
      fill_expert_map(experts, local, map->second.as<std::int32_t>(), rng);
  };
  r.compute = [](const OpProblem& p, const OpTensors& t, std::map<std::string, Expected>& expected) {
    MoeSumArgs a;
    a.partial = t.at("partial").as<float>(), a.ids = t.at("topk_ids").as<std::int32_t>();
    a.expert_map = t.count("expert_map") != 0 ? t.at("expert_map").as<std::int32_t>() : nullptr;
    a.tokens = p.u32("tokens"), a.k = p.u32("k"), a.experts = p.u32("experts"), a.local_experts = p.u32("local_experts");
    a.hidden = p.u32("hidden");
    std::vector<std::uint16_t> sum;
    if (Status s = moe_sum(a, sum); !s.ok()) return s;
    OpTensor out = t.at("out");
    std::memcpy(out.bytes.data(), sum.data(), sum.size() * 2);
    expected["out"] = Expected::bits(std::move(out));
    return Status::success();
  };
  return r;
}

// moe_grouped_topk: ids bit for bit, weights under this allowance (moe_grouped_topk.s.j2, fp32):
//   s = 1 / (1 + 2^(−l·log2 e)): the exponent's argument rounded twice (≤ 2u·|l|·1.45 absolute →
//   ≤ 2.1u·|l| relative on the exponential, whose relative effect on s is at most that), v_exp_f32
//   ≤ 1 ulp, the addition and v_rcp_f32 ≤ 1 ulp each: δ_s ≤ (2.1·|l| + 4)·u.
//   renormalize: Σ of k positive s (k − 1 roundings, each term ≤ δ_max) and a division (u);
//   the scaling factor: u. So |w − w_ref| ≤ (2·(2.1·L + 4) + k + 2)·u·|w_ref| with L the largest
//   |logit| among the token's chosen experts, plus 2^-149.
// The fill puts logits on a grid of quarters and biases on a grid of 1/64 (equal values, hence ties,
// are common; unequal biased scores differ far more than fp32's rounding, so the choice is exact).
namespace {
double grouped_weight_allowance(double weight, double largest_logit, std::uint32_t k) {
  return (2 * (2.1 * largest_logit + 4) + k + 2) * kFp32UnitRoundoff * std::abs(weight) + 0x1p-149;
}
}  // namespace

OpReference moe_grouped_topk_reference() {
  OpReference r;
  r.fill = [](const OpProblem&, OpTensors& t, std::mt19937& rng) {
    std::normal_distribution<float> normal(0.f, 2.f);
    OpTensor& logits = t.at("logits");
    for (std::size_t i = 0; i < logits.bytes.size() / 4; ++i) logits.as<float>()[i] = std::round(normal(rng) * 4) / 4;
    if (auto bias = t.find("correction_bias"); bias != t.end()) {
      std::uniform_int_distribution<int> step(-16, 16);
      for (std::size_t i = 0; i < bias->second.bytes.size() / 4; ++i) bias->second.as<float>()[i] = step(rng) / 64.0f;
    }
  };
  r.compute = [](const OpProblem& p, const OpTensors& t, std::map<std::string, Expected>& expected) {
    GroupedTopkArgs a;
    a.logits = t.at("logits").as<float>();
    a.correction_bias = t.count("correction_bias") != 0 ? t.at("correction_bias").as<float>() : nullptr;
    a.tokens = p.u32("tokens"), a.experts = p.u32("experts"), a.k = p.u32("k");
    a.n_group = p.u32("n_group"), a.topk_group = p.u32("topk_group");
    a.renormalize = p.u32("renormalize") != 0;
    a.routed_scaling_factor = p.f32("routed_scaling_factor");
    RoutingRef routing;
    if (Status s = grouped_topk(a, routing); !s.ok()) return s;
    OpTensor ids = t.at("topk_ids");
    std::memcpy(ids.bytes.data(), routing.ids.data(), routing.ids.size() * 4);
    expected["topk_ids"] = Expected::bits(std::move(ids));
    auto allowance = std::make_shared<std::vector<double>>(routing.weights.size());
    for (std::uint32_t token = 0; token < a.tokens; ++token) {
      double largest = 0;
      for (std::uint32_t j = 0; j < a.k; ++j)
        largest = std::max(largest, std::abs(double{a.logits[std::size_t{token} * a.experts + routing.ids[std::size_t{token} * a.k + j]]}));
      for (std::uint32_t j = 0; j < a.k; ++j) {
        const std::size_t at = std::size_t{token} * a.k + j;
        (*allowance)[at] = grouped_weight_allowance(routing.weights[at], largest, a.k);
      }
    }
    auto want = std::make_shared<std::vector<double>>(std::move(routing.weights));
    expected["topk_weights"] = Expected::rule_of([want, allowance](const OpTensor& got) { return compare_weights(got, *want, *allowance); });
    return Status::success();
  };
  return r;
}

// moe_route_sort: the routing op's outputs under its own rules (moe_topk_softmax's or moe_grouped_topk's reference:
// ids bit for bit, weights under their allowance), then moe_sort of the reference's ids: sorted_ids, block_expert
// and total_padded bit for bit; sorted_weights entry by entry against the reference weight of the slot it holds,
// under that slot's routing allowance (padding: 0 exactly).
OpReference moe_route_sort_reference() {
  OpReference r;
  r.fill = [](const OpProblem& p, OpTensors& t, std::mt19937& rng) {
    (p.text("routing") == "grouped" ? moe_grouped_topk_reference() : moe_topk_softmax_reference()).fill(p, t, rng);
    if (auto map = t.find("expert_map"); map != t.end())
      fill_expert_map(p.u32("experts"), p.u32("local_experts"), map->second.as<std::int32_t>(), rng);
  };
  r.compute = [](const OpProblem& p, const OpTensors& t, std::map<std::string, Expected>& expected) {
    const bool grouped = p.text("routing") == "grouped";
    if (Status s = (grouped ? moe_grouped_topk_reference() : moe_topk_softmax_reference()).compute(p, t, expected); !s.ok()) return s;
    const std::uint32_t tokens = p.u32("tokens"), experts = p.u32("experts"), k = p.u32("k");
    const float* logits = t.at("logits").as<float>();
    RoutingRef routing;
    std::vector<double> allowance(std::size_t{tokens} * k);
    if (grouped) {
      GroupedTopkArgs a;
      a.logits = logits;
      a.correction_bias = t.count("correction_bias") != 0 ? t.at("correction_bias").as<float>() : nullptr;
      a.tokens = tokens, a.experts = experts, a.k = k, a.n_group = p.u32("n_group"), a.topk_group = p.u32("topk_group");
      a.renormalize = p.u32("renormalize") != 0, a.routed_scaling_factor = p.f32("routed_scaling_factor");
      if (Status s = grouped_topk(a, routing); !s.ok()) return s;
      for (std::uint32_t token = 0; token < tokens; ++token) {
        double largest = 0;
        for (std::uint32_t j = 0; j < k; ++j)
          largest = std::max(largest, std::abs(double{logits[std::size_t{token} * experts + routing.ids[std::size_t{token} * k + j]]}));
        for (std::uint32_t j = 0; j < k; ++j)
          allowance[std::size_t{token} * k + j] = grouped_weight_allowance(routing.weights[std::size_t{token} * k + j], largest, k);
      }
    } else {
      TopkSoftmaxArgs a;
      a.logits = logits, a.tokens = tokens, a.experts = experts, a.k = k, a.renormalize = p.u32("renormalize") != 0;
      if (Status s = topk_softmax(a, routing); !s.ok()) return s;
      for (std::uint32_t token = 0; token < tokens; ++token) {
        const float* row = logits + std::size_t{token} * experts;
        const double top = *std::max_element(row, row + experts);
        for (std::uint32_t j = 0; j < k; ++j) {
          const std::size_t at = std::size_t{token} * k + j;
          allowance[at] = routing_weight_allowance(routing.weights[at], (row[routing.ids[at]] - top) * 1.4426950408889634, experts);
        }
      }
    }
    MoeSortArgs a;
    a.tokens = tokens, a.k = k, a.experts = experts, a.local_experts = p.u32("local_experts"), a.block_m = p.u32("block_m");
    const std::vector<std::int32_t> map = layer_expert_map(p, t, a.local_experts);
    a.ids = routing.ids.data(), a.expert_map = map.data(), a.weights = nullptr;
    MoeSorted sorted;
    if (Status s = moe_sort(a, sorted); !s.ok()) return s;
    auto exact = [&](const char* name, const void* data, std::size_t bytes) { expect_bits(t, expected, name, data, bytes); };
    exact("sorted_ids", sorted.sorted_ids.data(), sorted.sorted_ids.size() * 4);
    exact("block_expert", sorted.block_expert.data(), sorted.block_expert.size() * 4);
    const auto total = static_cast<std::int32_t>(sorted.padded_total);
    exact("total_padded", &total, 4);
    auto want = std::make_shared<std::vector<double>>(sorted.sorted_ids.size(), 0.0);
    auto allowed = std::make_shared<std::vector<double>>(sorted.sorted_ids.size(), 0.0);
    for (std::size_t i = 0; i < sorted.sorted_ids.size(); ++i) {
      const auto slot = static_cast<std::size_t>(sorted.sorted_ids[i]);
      if (slot < routing.weights.size()) (*want)[i] = routing.weights[slot], (*allowed)[i] = allowance[slot];
    }
    expected["sorted_weights"] = Expected::rule_of([want, allowed](const OpTensor& got) { return compare_weights(got, *want, *allowed); });
    return Status::success();
  };
  return r;
}

// fused_moe (the pipeline of templates/moe_gemm/op.fused_moe.yaml): ids from ref::topk_softmax
// (exact, so the kernels' layout is the reference's), then ref::fused_moe on the weights as fp32.
// out is compared under ref/TOLERANCE.md (K = inter + k + 2: stage 2's accumulation, bias, weight,
// the sum over the slots) plus what the earlier stages' own allowances become at the output:
//   Σ_j |w_j| · Σ_i (bound1_i + ulp_bf16(|inter_i| + bound1_i)) · |W2[e_j][h][i]|
// (a kernel's intermediate may differ from the reference's by stage 1's allowance and, rounded to
// bf16 on both sides, by up to one ulp), and Σ_j Δw_j · Σ_i |inter_i · W2[e_j][h][i]| (the routing
// weight's allowance, as moe_topk_softmax's).
namespace {

// The layers' expert weights: bf16 normals scaled by 1 / √(row length); fp8 (in_dtype=fp8): the
// codes of standard normals with that factor in the per-channel or per-block scales (each in
// [0.5, 1.5) / √(row length)); fp4: e2m1 codes with e8m0 scales near 1 / (2·√(row length)). Biases
// small normals. With expert_map: a random local_experts of the E experts local (in increasing order).
void fill_layer_weights(const OpProblem& p, OpTensors& t, std::mt19937& rng) {
  std::normal_distribution<float> normal(0.f, 1.f);
  std::uniform_real_distribution<float> factor(0.5f, 1.5f);
  auto scaled = [&](const char* name, const char* scales, const char* mx_scales, std::uint32_t row) {
    OpTensor& w = t.at(name);
    const float scale = 1.0f / std::sqrt(static_cast<float>(std::max(row, 1u)));
    if (w.dtype == "fp8") {  // per channel or per 128x128 block: the scale tensor's shape says which
      for (std::uint8_t& code : w.bytes) code = static_cast<std::uint8_t>(encode(fp8_format(p.arch), normal(rng), Overflow::saturate));
      if (auto it = t.find(scales); it != t.end())
        for (float& v : std::span(it->second.as<float>(), it->second.bytes.size() / 4)) v = factor(rng) * scale;
      return;
    }
    if (w.dtype == "int4") {  // any bytes (int4 in [−8, 7]: fill_random's), per-channel scales near 1 / (4·√row)
      if (auto it = t.find(scales); it != t.end())
        for (float& v : std::span(it->second.as<float>(), it->second.bytes.size() / 4)) v = 0.25f * factor(rng) * scale;
      return;
    }
    if (w.dtype == "fp4") {  // e2m1 codes of 2·normals (fill_random's), e8m0 scales near 1 / (2·√row)
      const int exponent = 127 - 1 - static_cast<int>(std::lround(0.5 * std::log2(std::max(row, 1u))));
      std::uniform_int_distribution<int> spread(-1, 1);
      if (auto it = t.find(mx_scales); it != t.end())
        for (std::uint8_t& code : it->second.bytes) code = static_cast<std::uint8_t>(exponent + spread(rng));
      return;
    }
    for (std::size_t i = 0; i < w.bytes.size() / 2; ++i) {
      const std::uint16_t code = f32_to_bf16(normal(rng) * scale);
      std::memcpy(w.bytes.data() + 2 * i, &code, 2);
    }
  };
  scaled("w1", "w1_scale", "w1_mx_scale", p.u32("hidden"));
  scaled("w2", "w2_scale", "w2_mx_scale", p.u32("inter"));
  for (const char* name : {"b1", "b2"})
    if (auto b = t.find(name); b != t.end())
      for (float& v : std::span(b->second.as<float>(), b->second.bytes.size() / 4)) v = 0.25f * normal(rng);
  if (auto map = t.find("expert_map"); map != t.end()) {
    const std::uint32_t experts = p.u32("experts");
    fill_expert_map(experts, p.u32("local_experts") != 0 ? p.u32("local_experts") : experts,
                    map->second.as<std::int32_t>(), rng);
  }
}

// The quantized layers (in_dtype fp8 or fp4): x quantized (ref::quant_fp8 / ref::quant_mxfp4, the
// quant ops bit for bit), stage 1 on the codes, its output rounded to bf16 and quantized the same
// way per slot, stage 2 on those codes — the reference's own intermediate. The forms:
//   fp8 rowcol:   one fp32 scale per row (token / slot), W scales per channel;
//   fp8 block128: one fp32 scale per 1x128 group of a row, W scales per 128x128 block (DeepSeek-V3);
//   fp4 (mx32):   e2m1 codes with an e8m0 scale per 32 elements of a row, W likewise (gpt-oss);
//   fp4 with act_dtype=bf16 (a16w4): W as fp4, x and the bf16 intermediate not quantized (the
//                 difference below is then d1 itself, as in the bf16 layer).
// A kernel's intermediate element may differ from the reference's by stage 1's allowance and a bf16
// ulp (d1). Quantized, the two sides may then differ by (per group g, the elements sharing a scale):
//   fp8: each side within half a step of the fp8 grid of its group's scale — at most 2^-4 of the
//        value (3 mantissa bits) plus half the least subnormal (≤ 2^-10 of the scale) — and a
//        kernel group's scale at most (amax_g + max_g d1) / fp8_max: d1 + h(|v|, s_ref) + h(|v| + d1, s_kernel);
//   fp4: the kernel's scale code is the one of an amax in [amax_g − max_g d1, amax_g + max_g d1]
//        (one or two codes), and e2m1's rounding is monotone, so its element is the rounding of a
//        value in [v − d1, v + d1] at one of those scales: the largest distance of those roundings'
//        ends from the reference's quantized element, exactly.
// Stage 2 carries that difference to out through |W2| (with its scales) and the routing weight.
enum class LayerFormat {
  fp8_rowcol, fp8_block128, mxfp4,
  mxfp4_a16,  // MXFP4 weights against bf16 activations (in_dtype=fp4 act_dtype=bf16: a16w4), nothing quantized
  int4_fp8,   // int4 weights with per-channel scales against fp8 rows (in_dtype=int4: Grok-1's a8w4)
};

LayerFormat layer_format(const OpProblem& p) {
  if (p.text("in_dtype") == "fp4") return p.text("act_dtype") == "bf16" ? LayerFormat::mxfp4_a16 : LayerFormat::mxfp4;
  if (p.text("in_dtype") == "int4") return LayerFormat::int4_fp8;
  return p.text("fp8_scales") == "block128" ? LayerFormat::fp8_block128 : LayerFormat::fp8_rowcol;
}

// A matrix of n columns in one of the layers' codings, element (row, i) as the kernels decode it: fp8
// codes times an fp32 scale per row (rowcol) or per 1x128 group (block128: one scale row for every
// rows_per_scale rows — 1 for activations' 1x128 groups, 128 for the weights' 128x128 blocks), e2m1
// codes (two per byte, element 2j in the low nibble of byte j) times an e8m0 scale per 32, int4 (two's
// complement, packed as e2m1) times an fp32 scale per row, or bf16.
struct MatrixCodes {
  enum class Kind { bf16, fp8_row, fp8_block128, mxfp4, int4_row } kind = Kind::fp8_row;
  Format fp8 = Format::e4m3fn;
  const std::uint8_t* codes = nullptr;
  const float* scale = nullptr;            // fp8: [rows] or [rows / rows_per_scale, n / 128]
  const std::uint8_t* mx_scale = nullptr;  // MXFP4: [rows, n / 32]
  std::uint32_t n = 0, rows_per_scale = 1;
  double value(std::size_t row, std::uint32_t i) const {
    const std::size_t at = row * n + i;
    switch (kind) {
      case Kind::bf16: {
        std::uint16_t code;
        std::memcpy(&code, codes + 2 * at, 2);
        return bf16_to_f32(code);
      }
      case Kind::mxfp4: return decode_scaled(Format::e2m1, (codes[at / 2] >> (4 * (at % 2))) & 0xf, mx_scale[row * (n / 32) + i / 32]);
      case Kind::fp8_row: return double{decode(fp8, codes[at])} * scale[row];
      case Kind::int4_row: {
        const int nibble = (codes[at / 2] >> (4 * (at % 2))) & 0xf;
        return (nibble >= 8 ? nibble - 16 : nibble) * double{scale[row]};
      }
      case Kind::fp8_block128: return double{decode(fp8, codes[at])} * scale[(row / rows_per_scale) * (n / 128) + i / 128];
    }
    return 0;
  }
};

// The coding of a layer's activations (x, the intermediate) and of its weights.
MatrixCodes::Kind activation_kind(LayerFormat f) {
  switch (f) {
    case LayerFormat::fp8_rowcol:
    case LayerFormat::int4_fp8: return MatrixCodes::Kind::fp8_row;
    case LayerFormat::fp8_block128: return MatrixCodes::Kind::fp8_block128;
    case LayerFormat::mxfp4: return MatrixCodes::Kind::mxfp4;
    case LayerFormat::mxfp4_a16: return MatrixCodes::Kind::bf16;
  }
  return MatrixCodes::Kind::bf16;
}
MatrixCodes::Kind weight_kind(LayerFormat f) {
  return f == LayerFormat::mxfp4_a16 ? MatrixCodes::Kind::mxfp4 : f == LayerFormat::int4_fp8 ? MatrixCodes::Kind::int4_row : activation_kind(f);
}

// Rows quantized in the layer's format (a16w4: the bf16 rows as they are), owning their codes and scales.
struct QuantizedRows {
  LayerFormat format = LayerFormat::fp8_rowcol;
  Format fp8 = Format::e4m3fn;
  std::uint32_t m = 0, n = 0;
  std::vector<std::uint8_t> codes;     // fp8 bytes, e2m1 two per byte, or bf16 (two bytes each)
  std::vector<float> scale;            // fp8: [m] or [m, n / 128]
  std::vector<std::uint8_t> mx_scale;  // fp4: [m, n / 32]
  std::uint32_t group() const { return format == LayerFormat::fp8_block128 ? 128 : format == LayerFormat::mxfp4 ? mx_block_size : n; }
  MatrixCodes view() const { return {activation_kind(format), fp8, codes.data(), scale.data(), mx_scale.data(), n, 1}; }
  double value(std::uint32_t row, std::uint32_t i) const { return view().value(row, i); }
};

Status quantize_rows(const OpProblem& p, LayerFormat format, const std::uint16_t* x, std::uint32_t m, std::uint32_t n, QuantizedRows& q) {
  q.format = format, q.fp8 = fp8_format(p.arch), q.m = m, q.n = n;
  if (format == LayerFormat::mxfp4_a16) {  // bf16 activations: nothing to quantize
    q.codes.resize(std::size_t{m} * n * 2);
    std::memcpy(q.codes.data(), x, q.codes.size());
    return Status::success();
  }
  if (format == LayerFormat::mxfp4) {
    q.codes.assign(std::size_t{m} * n / 2, 0), q.mx_scale.assign(std::size_t{m} * n / 32, 0);
    QuantMxfp4Args a;
    a.x = x, a.y = q.codes.data(), a.scale = q.mx_scale.data(), a.m = m, a.n = n, a.stride_x = n, a.stride_y = n / 2, a.stride_scale = n / 32;
    return quant_mxfp4(a);
  }
  const bool rows = format != LayerFormat::fp8_block128;  // fp8 rowcol, int4's fp8 rows
  q.codes.assign(std::size_t{m} * n, 0), q.scale.assign(rows ? m : std::size_t{m} * (n / 128), 0.f);
  QuantFp8Args a;
  a.arch = p.arch, a.granularity = rows ? QuantGranularity::row : QuantGranularity::group;
  a.x = x, a.y = q.codes.data(), a.scale = q.scale.data(), a.m = m, a.n = n, a.stride_x = n, a.stride_y = n;
  return quant_fp8(a);
}

// How far a kernel's quantized intermediate element may be from the reference's (see above): v the
// reference's bf16 value, d its allowance d1, amax / d_max its group's largest |v| and d1.
double quantized_difference(const QuantizedRows& q, std::uint32_t row, std::uint32_t i, double v, double d, double amax,
                            double d_max, double fp8_limit) {
  if (q.format == LayerFormat::mxfp4_a16) return d;  // bf16 on both sides: no quantization step
  if (q.format != LayerFormat::mxfp4) {
    auto half_step = [](double magnitude, double scale) { return 0x1p-4 * magnitude * (1 + 0x1p-20) + 0x1p-10 * scale; };
    const double s_ref = q.format != LayerFormat::fp8_block128 ? q.scale[row] : q.scale[std::size_t{row} * (q.n / 128) + i / 128];
    const double s_kernel = s_ref * (1 + 0x1p-20) + d_max / fp8_limit;
    return d + half_step(std::abs(v), s_ref) + half_step(std::abs(v) + d, s_kernel);
  }
  const double want = q.value(row, i);
  const std::uint8_t low = mxfp4_scale_code(static_cast<float>(std::max(0.0, amax - d_max)));
  const std::uint8_t high = mxfp4_scale_code(static_cast<float>(amax + d_max));
  double worst = 0;
  for (unsigned code = low; code <= high; ++code)
    for (const double end : {v - d, v + d}) {
      const std::uint8_t element = mxfp4_element(static_cast<float>(end), static_cast<std::uint8_t>(code));
      worst = std::max(worst, std::abs(decode_scaled(Format::e2m1, element, static_cast<std::uint8_t>(code)) - want));
    }
  return worst;
}

Status expect_layer_quantized(const OpProblem& p, const OpTensors& t, const std::int32_t* ids, const std::vector<float>& weights,
                              const std::vector<double>& weight_allowance, std::map<std::string, Expected>& expected) {
  const std::uint32_t tokens = p.u32("tokens"), k = p.u32("k"), hidden = p.u32("hidden"), inter = p.u32("inter");
  const std::uint32_t local = p.u32("local_experts") != 0 ? p.u32("local_experts") : p.u32("experts");
  const std::uint32_t slots = tokens * k;
  const LayerFormat format = layer_format(p);
  const Format fp8 = fp8_format(p.arch);
  const double fp8_limit = fp8_max(p.arch);
  const std::vector<std::int32_t> map = layer_expert_map(p, t, local);
  MoeSortArgs sa;
  sa.ids = ids, sa.weights = weights.data(), sa.expert_map = map.data();
  sa.tokens = tokens, sa.k = k, sa.experts = p.u32("experts"), sa.local_experts = local;
  sa.block_m = p.u32("block_m") != 0 ? p.u32("block_m") : 16;
  MoeSorted sorted;
  if (Status s = moe_sort(sa, sorted); !s.ok()) return s;
  const bool mx = format == LayerFormat::mxfp4, a16w4 = format == LayerFormat::mxfp4_a16;
  const std::uint32_t scale_block = format == LayerFormat::fp8_block128 ? 128 : 0;
  auto bias = [&](const char* name) { return t.count(name) != 0 ? t.at(name).as<float>() : nullptr; };

  QuantizedRows x_q, inter_q;
  if (Status s = quantize_rows(p, format, t.at("x").as<std::uint16_t>(), tokens, hidden, x_q); !s.ok()) return s;
  MoeStage1Args s1;
  const bool int4 = format == LayerFormat::int4_fp8;
  s1.in_format = mx ? Format::e2m1 : a16w4 ? Format::bf16 : fp8, s1.scale_block = scale_block;
  if (int4) s1.weights = MoeWeights::int4;
  s1.x = x_q.codes.data(), s1.w1 = t.at("w1").bytes.data();
  if (a16w4) s1.weights = MoeWeights::e2m1, s1.mx_scale_w1 = t.at("w1_mx_scale").bytes.data();
  else if (mx) s1.mx_scale_x = x_q.mx_scale.data(), s1.mx_scale_w1 = t.at("w1_mx_scale").bytes.data();
  else s1.scale_x = x_q.scale.data(), s1.scale_w1 = t.at("w1_scale").as<float>();
  s1.bias1 = bias("b1"), s1.sorted = &sorted;
  s1.tokens = tokens, s1.k = k, s1.hidden = hidden, s1.inter = inter, s1.local_experts = local;
  s1.activation = activation_of(p.text("activation"));
  MoeStage1Ref stage1;
  if (Status s = moe_stage1(s1, stage1); !s.ok()) return s;
  std::vector<std::uint16_t> inter_bf16(stage1.value.size(), 0);
  for (std::size_t i = 0; i < inter_bf16.size(); ++i) inter_bf16[i] = f32_to_bf16(static_cast<float>(stage1.value[i]));
  if (Status s = quantize_rows(p, format, inter_bf16.data(), slots, inter, inter_q); !s.ok()) return s;
  MoeStage2Args s2;
  s2.in_format = mx ? Format::e2m1 : a16w4 ? Format::bf16 : fp8, s2.scale_block = scale_block;
  if (int4) s2.weights = MoeWeights::int4;
  s2.inter = inter_q.codes.data(), s2.w2 = t.at("w2").bytes.data();
  if (a16w4) s2.weights = MoeWeights::e2m1, s2.mx_scale_w2 = t.at("w2_mx_scale").bytes.data();
  else if (mx) s2.mx_scale_inter = inter_q.mx_scale.data(), s2.mx_scale_w2 = t.at("w2_mx_scale").bytes.data();
  else s2.scale_inter = inter_q.scale.data(), s2.scale_w2 = t.at("w2_scale").as<float>();
  s2.bias2 = bias("b2"), s2.sorted = &sorted;
  s2.tokens = tokens, s2.k = k, s2.hidden = hidden, s2.inter_size = inter, s2.local_experts = local;
  GemmRef out;
  if (Status s = moe_stage2(s2, out); !s.ok()) return s;

  // W2 [E_local, H, I] as rows e·H + h (block128: a scale row per 128 of them)
  const bool mx_w = mx || a16w4;
  const MatrixCodes w2{weight_kind(format), fp8, t.at("w2").bytes.data(), mx_w ? nullptr : t.at("w2_scale").as<float>(),
                       mx_w ? t.at("w2_mx_scale").bytes.data() : nullptr, inter, 128};
  auto allowed = std::make_shared<std::vector<double>>(out.value.size());
  const std::uint32_t group = inter_q.group();
  std::vector<double> d1(inter), dq(inter), a_value(inter);
  for (std::uint32_t slot = 0; slot < slots; ++slot) {
    if (ids[slot] < 0 || map[static_cast<std::size_t>(ids[slot])] < 0) continue;  // no expert, or a remote one: no term
    const auto e = static_cast<std::size_t>(map[static_cast<std::size_t>(ids[slot])]);
    const std::size_t token = slot / k;
    for (std::uint32_t i = 0; i < inter; ++i) {
      const std::size_t at = std::size_t{slot} * inter + i;
      d1[i] = stage1.error_bound[at] + output_ulp(OutType::bf16, std::abs(stage1.value[at]) + stage1.error_bound[at]);
      a_value[i] = inter_q.value(slot, i);
    }
    for (std::uint32_t g = 0; g < inter; g += group) {
      double amax = 0, d_max = 0;
      for (std::uint32_t i = g; i < g + group; ++i) {
        amax = std::max(amax, std::abs(double{bf16_to_f32(inter_bf16[std::size_t{slot} * inter + i])}));
        d_max = std::max(d_max, d1[i]);
      }
      for (std::uint32_t i = g; i < g + group; ++i)
        dq[i] = quantized_difference(inter_q, slot, i, bf16_to_f32(inter_bf16[std::size_t{slot} * inter + i]), d1[i], amax, d_max,
                                     fp8_limit);
    }
    for (std::uint32_t h = 0; h < hidden; ++h) {
      double carried = 0, magnitude = 0;
      for (std::uint32_t i = 0; i < inter; ++i) {
        const double wv = std::abs(w2.value(e * hidden + h, i));
        carried += dq[i] * wv;
        magnitude += std::abs(a_value[i]) * wv;
      }
      (*allowed)[token * hidden + h] += std::abs(double{weights[slot]}) * carried + weight_allowance[slot] * magnitude;
    }
  }
  // ref/TOLERANCE.md with K = I + k + 2 (stage 2's accumulation, scales, bias, weight, the sum over the
  // slots), plus a K-block's two extra roundings (the scales' product, the fold into the running sum)
  // for the block scales.
  const std::uint32_t extra = format == LayerFormat::fp8_block128 ? 2 * (inter / 128) : 0;
  for (std::size_t i = 0; i < allowed->size(); ++i)
    (*allowed)[i] += gemm_tolerance(OutType::bf16, out.value[i], out.magnitude[i], inter + k + 2 + extra);
  auto want = std::make_shared<std::vector<double>>(std::move(out.value));
  auto all_rows = std::make_shared<std::vector<std::uint8_t>>(tokens, 1);
  expected["out"] = Expected::rule_of([want, allowed, all_rows, hidden](const OpTensor& got) {
    return compare_rows(got, *all_rows, hidden, *want, decode_bf16_at, [&](std::size_t at) { return (*allowed)[at]; });
  });
  return Status::success();
}
// The layer's out from routing (ids in [−1, E), fp32 weights, each weight's own allowance: 0 when
// given) under the fused_moe allowance above.
Status expect_layer(const OpProblem& p, const OpTensors& t, const std::int32_t* ids, const std::vector<float>& weights,
                    const std::vector<double>& weight_allowance, std::map<std::string, Expected>& expected) {
  if (p.text("in_dtype") != "bf16") return expect_layer_quantized(p, t, ids, weights, weight_allowance, expected);
  const std::uint32_t tokens = p.u32("tokens"), experts = p.u32("experts"), k = p.u32("k");
  const std::uint32_t hidden = p.u32("hidden"), inter = p.u32("inter");
  const std::uint32_t local = p.u32("local_experts") != 0 ? p.u32("local_experts") : experts;
  const std::vector<std::int32_t> map = layer_expert_map(p, t, local);
  FusedMoeArgs a;
  a.x = t.at("x").as<std::uint16_t>(), a.w1 = t.at("w1").as<std::uint16_t>(), a.w2 = t.at("w2").as<std::uint16_t>();
  a.bias1 = t.count("b1") != 0 ? t.at("b1").as<float>() : nullptr, a.bias2 = t.count("b2") != 0 ? t.at("b2").as<float>() : nullptr;
  a.ids = ids, a.weights = weights.data();
  a.tokens = tokens, a.k = k, a.experts = experts, a.local_experts = local, a.hidden = hidden, a.inter = inter;
  a.expert_map = map.data();
  // The layer's out does not depend on the M tile (it only orders the rows): block_m 0 (the op
  // chooses) is sorted with any tile here.
  a.block_m = p.u32("block_m") != 0 ? p.u32("block_m") : 16, a.activation = activation_of(p.text("activation"));
  FusedMoeRef ref;
  if (Status s = fused_moe(a, ref); !s.ok()) return s;
  auto allowed = std::make_shared<std::vector<double>>(ref.out.value.size());
  const std::uint16_t* w2 = a.w2;
  for (std::uint32_t slot = 0; slot < tokens * k; ++slot) {
    if (ids[slot] < 0 || map[static_cast<std::size_t>(ids[slot])] < 0) continue;  // no expert, or a remote one: no term
    const auto e = static_cast<std::size_t>(map[static_cast<std::size_t>(ids[slot])]);
    const std::size_t token = slot / k;
    for (std::uint32_t h = 0; h < hidden; ++h) {
      double carried = 0, magnitude = 0;
      for (std::uint32_t i = 0; i < inter; ++i) {
        const std::size_t at = std::size_t{slot} * inter + i;
        const double w = std::abs(double{bf16_to_f32(w2[(e * hidden + h) * inter + i])});
        const double bound = ref.stage1.error_bound[at];
        carried += (bound + output_ulp(OutType::bf16, std::abs(ref.stage1.value[at]) + bound)) * w;
        magnitude += std::abs(double{bf16_to_f32(ref.inter_bf16[at])}) * w;
      }
      (*allowed)[token * hidden + h] += std::abs(double{weights[slot]}) * carried + weight_allowance[slot] * magnitude;
    }
  }
  for (std::size_t i = 0; i < allowed->size(); ++i)
    (*allowed)[i] += gemm_tolerance(OutType::bf16, ref.out.value[i], ref.out.magnitude[i], inter + k + 2);
  auto want = std::make_shared<std::vector<double>>(std::move(ref.out.value));
  auto all_rows = std::make_shared<std::vector<std::uint8_t>>(tokens, 1);
  expected["out"] = Expected::rule_of([want, allowed, all_rows, hidden](const OpTensor& got) {
    return compare_rows(got, *all_rows, hidden, *want, decode_bf16_at, [&](std::size_t at) { return (*allowed)[at]; });
  });
  return Status::success();
}

// moe_gemm1_blockscale_q8: stage 1 in block scales with the intermediate quantized in the epilogue. The
// reference's own intermediate (float64 stage 1 rounded to bf16) quantized by ref::quant_fp8 granularity
// group; a kernel's element may differ from it by stage 1's allowance and a bf16 ulp (d1), so its group's
// scale by at most max d1 / fp8_max (plus the division's rounding), and its code, decoded with the
// reference's scale, by d1, half an fp8 step at each side's scale (quantized_difference) and fp8_max times
// the difference of the scales. (The bit-for-bit check against moe_gemm1_blockscale followed by quant_fp8
// is in tests/kernels/moe/fused_moe_quant_test.cpp.)
OpReference stage1_q8_reference() {
  OpReference r = stage1_reference(128);
  const auto fill = r.fill;
  r.compute = [](const OpProblem& p, const OpTensors& t, std::map<std::string, Expected>& expected) {
    const std::uint32_t tokens = p.u32("tokens"), k = p.u32("k"), inter = p.u32("inter");
    MoeStage1Ref stage1;
    if (Status s = stage1_of(p, t, 128, stage1); !s.ok()) return s;
    const std::uint32_t slots = tokens * k, groups = inter / 128;
    const std::vector<std::uint16_t> inter_bf16 = rounded_to_bf16(stage1);
    auto q = std::make_shared<QuantizedRows>();
    if (Status s = quantize_rows(p, LayerFormat::fp8_block128, inter_bf16.data(), slots, inter, *q); !s.ok()) return s;
    const double fp8_limit = fp8_max(p.arch);
    auto want = std::make_shared<std::vector<double>>(std::size_t{slots} * inter);
    auto allowed = std::make_shared<std::vector<double>>(std::size_t{slots} * inter);
    auto want_scale = std::make_shared<std::vector<double>>(std::size_t{slots} * groups);
    auto allowed_scale = std::make_shared<std::vector<double>>(std::size_t{slots} * groups);
    auto valid = std::make_shared<std::vector<std::uint8_t>>(stage1.valid);
    for (std::uint32_t slot = 0; slot < slots; ++slot) {
      if (!stage1.valid[slot]) continue;
      for (std::uint32_t g = 0; g < groups; ++g) {
        const GroupAllowance ga = group_allowance(stage1, inter_bf16, std::size_t{slot} * inter + 128 * g, 128);
        const std::vector<double>& d1 = ga.d1;
        const double amax = ga.amax, d_max = ga.d_max;
        const double s_ref = q->scale[std::size_t{slot} * groups + g];
        (*want_scale)[std::size_t{slot} * groups + g] = s_ref;
        (*allowed_scale)[std::size_t{slot} * groups + g] = s_ref * 0x1p-20 + d_max / fp8_limit;
        for (std::uint32_t i = 0; i < 128; ++i) {
          const std::uint32_t col = 128 * g + i;
          const std::size_t at = std::size_t{slot} * inter + col;
          (*want)[at] = q->value(slot, col);
          (*allowed)[at] = quantized_difference(*q, slot, col, bf16_to_f32(inter_bf16[at]), d1[i], amax, d_max, fp8_limit) +
                           fp8_limit * (s_ref * 0x1p-20 + d_max / fp8_limit);
        }
      }
    }
    const Format fp8 = fp8_format(p.arch);
    expected["out"] = Expected::rule_of([q, want, allowed, valid, inter, groups, fp8](const OpTensor& got) {
      // the kernel's codes decoded with the reference's scales (the scales are checked on their own)
      return compare_rows(got, *valid, inter, *want,
                          [&](const OpTensor& g, std::size_t at) {
                            return double{decode(fp8, g.bytes[at])} * q->scale[(at / inter) * groups + (at % inter) / 128];
                          },
                          [&](std::size_t at) { return (*allowed)[at]; });
    });
    expected["out_scale"] = Expected::rule_of([want_scale, allowed_scale, valid, groups](const OpTensor& got) {
      return compare_rows(got, *valid, groups, *want_scale, decode_f32_at, [&](std::size_t at) { return (*allowed_scale)[at]; });
    });
    return Status::success();
  };
  r.fill = fill;
  return r;
}

// moe_gemm1_mxfp4_q4: MXFP4 stage 1 with the intermediate quantized in the epilogue (e2m1 + e8m0 per 1x32).
// The reference's bf16 intermediate quantized by ref::quant_mxfp4; a kernel's element may differ from it by
// d1, so its group's scale code may be any an amax in [amax − max d1, amax + max d1] gives (checked as a
// range of codes), and its code, decoded with the reference's scale, by quantized_difference (the e2m1
// roundings of v ± d1 at each of those codes, exactly) — when the codes may differ, by 6 · 2^(high − 127)
// more (a code decoded at the other scale). (The bit-for-bit check against moe_gemm1_mxfp4 followed by
// quant_mxfp4 is in tests/kernels/moe/fused_moe_quant_test.cpp.)
OpReference stage1_q4_reference() {
  OpReference r = stage1_reference(0);
  r.compute = [](const OpProblem& p, const OpTensors& t, std::map<std::string, Expected>& expected) {
    const std::uint32_t tokens = p.u32("tokens"), k = p.u32("k"), inter = p.u32("inter");
    MoeStage1Ref stage1;
    if (Status s = stage1_of(p, t, 0, stage1); !s.ok()) return s;
    const std::uint32_t slots = tokens * k, groups = inter / 32;
    const std::vector<std::uint16_t> inter_bf16 = rounded_to_bf16(stage1);
    auto q = std::make_shared<QuantizedRows>();
    if (Status s = quantize_rows(p, LayerFormat::mxfp4, inter_bf16.data(), slots, inter, *q); !s.ok()) return s;
    auto want = std::make_shared<std::vector<double>>(std::size_t{slots} * inter);
    auto allowed = std::make_shared<std::vector<double>>(std::size_t{slots} * inter);
    auto want_code = std::make_shared<std::vector<double>>(std::size_t{slots} * groups);
    auto allowed_code = std::make_shared<std::vector<double>>(std::size_t{slots} * groups);
    auto valid = std::make_shared<std::vector<std::uint8_t>>(stage1.valid);
    for (std::uint32_t slot = 0; slot < slots; ++slot) {
      if (!stage1.valid[slot]) continue;
      for (std::uint32_t g = 0; g < groups; ++g) {
        const GroupAllowance ga = group_allowance(stage1, inter_bf16, std::size_t{slot} * inter + 32 * g, 32);
        const std::vector<double>& d1 = ga.d1;
        const double amax = ga.amax, d_max = ga.d_max;
        const double code = q->mx_scale[std::size_t{slot} * groups + g];
        const double low = mxfp4_scale_code(static_cast<float>(std::max(0.0, amax - d_max)));
        const double high = mxfp4_scale_code(static_cast<float>(amax + d_max));
        (*want_code)[std::size_t{slot} * groups + g] = code;
        (*allowed_code)[std::size_t{slot} * groups + g] = std::max(code - low, high - code);
        const double other = high > low ? 6 * std::ldexp(1.0, static_cast<int>(high) - 127) : 0;
        for (std::uint32_t i = 0; i < 32; ++i) {
          const std::uint32_t col = 32 * g + i;
          const std::size_t at = std::size_t{slot} * inter + col;
          (*want)[at] = q->value(slot, col);
          (*allowed)[at] = quantized_difference(*q, slot, col, bf16_to_f32(inter_bf16[at]), d1[i], amax, d_max, 0) + other;
        }
      }
    }
    expected["out"] = Expected::rule_of([q, want, allowed, valid, inter, groups](const OpTensor& got) {
      // the kernel's e2m1 codes decoded with the reference's scales (the scales are checked on their own)
      return compare_rows(got, *valid, inter, *want,
                          [&](const OpTensor& g, std::size_t at) {
                            const int nibble = (g.bytes[at / 2] >> (4 * (at % 2))) & 0xf;
                            return decode_scaled(Format::e2m1, static_cast<std::uint8_t>(nibble),
                                                 q->mx_scale[(at / inter) * groups + (at % inter) / 32]);
                          },
                          [&](std::size_t at) { return (*allowed)[at]; });
    });
    expected["out_scale"] = Expected::rule_of([want_code, allowed_code, valid, groups](const OpTensor& got) {
      return compare_rows(got, *valid, groups, *want_code, [](const OpTensor& g, std::size_t at) { return static_cast<double>(g.bytes[at]); },
                          [&](std::size_t at) { return (*allowed_code)[at]; });
    });
    return Status::success();
  };
  return r;
}

}  // namespace

OpReference moe_gemm1_blockscale_q8_reference() { return stage1_q8_reference(); }
OpReference moe_gemm1_mxfp4_q4_reference() { return stage1_q4_reference(); }

OpReference fused_moe_reference() {
  OpReference r;
  r.fill = [](const OpProblem& p, OpTensors& t, std::mt19937& rng) {
    std::normal_distribution<float> normal(0.f, 1.f);
    fill_layer_weights(p, t, rng);
    if (p.text("routing") == "grouped") {  // moe_grouped_topk's fill: its choice is then exact
      moe_grouped_topk_reference().fill(p, t, rng);
      return;
    }
    OpTensor& logits = t.at("logits");
    for (std::size_t i = 0; i < logits.bytes.size() / 4; ++i) logits.as<float>()[i] = 2.0f * normal(rng);
  };
  r.compute = [](const OpProblem& p, const OpTensors& t, std::map<std::string, Expected>& expected) {
    const std::uint32_t tokens = p.u32("tokens"), experts = p.u32("experts"), k = p.u32("k");
    if (p.text("routing") == "grouped") {
      // DeepSeek-V3's routing: ids exact, each weight under moe_grouped_topk's allowance.
      GroupedTopkArgs ga;
      ga.logits = t.at("logits").as<float>();
      ga.correction_bias = t.count("correction_bias") != 0 ? t.at("correction_bias").as<float>() : nullptr;
      ga.tokens = tokens, ga.experts = experts, ga.k = k, ga.n_group = p.u32("n_group"), ga.topk_group = p.u32("topk_group");
      ga.renormalize = p.u32("renormalize") != 0, ga.routed_scaling_factor = p.f32("routed_scaling_factor");
      RoutingRef routing;
      if (Status s = grouped_topk(ga, routing); !s.ok()) return s;
      std::vector<float> weights(routing.weights.begin(), routing.weights.end());
      std::vector<double> weight_allowance(weights.size());
      for (std::uint32_t token = 0; token < tokens; ++token) {
        double largest = 0;
        for (std::uint32_t j = 0; j < k; ++j)
          largest = std::max(largest, std::abs(double{ga.logits[std::size_t{token} * experts + routing.ids[std::size_t{token} * k + j]]}));
        for (std::uint32_t j = 0; j < k; ++j) {
          const std::size_t at = std::size_t{token} * k + j;
          weight_allowance[at] = grouped_weight_allowance(routing.weights[at], largest, k) +
                                 std::abs(routing.weights[at]) * kFp32UnitRoundoff;  // and its rounding to fp32
        }
      }
      return expect_layer(p, t, routing.ids.data(), weights, weight_allowance, expected);
    }
    TopkSoftmaxArgs ra;
    ra.logits = t.at("logits").as<float>(), ra.tokens = tokens, ra.experts = experts, ra.k = k;
    ra.renormalize = p.u32("renormalize") != 0;
    RoutingRef routing;
    if (Status s = topk_softmax(ra, routing); !s.ok()) return s;
    std::vector<float> weights(routing.weights.begin(), routing.weights.end());
    std::vector<double> weight_allowance(weights.size());
    for (std::uint32_t token = 0; token < tokens; ++token) {
      const float* row = ra.logits + std::size_t{token} * experts;
      const double top = *std::max_element(row, row + experts);
      for (std::uint32_t j = 0; j < k; ++j) {
        const std::size_t at = std::size_t{token} * k + j;
        weight_allowance[at] = routing_weight_allowance(routing.weights[at], (row[routing.ids[at]] - top) * 1.4426950408889634, experts) +
                               std::abs(routing.weights[at]) * kFp32UnitRoundoff;  // and its rounding to fp32
      }
    }
    return expect_layer(p, t, routing.ids.data(), weights, weight_allowance, expected);
  };
  return r;
}

// fused_moe_routed (templates/moe_gemm/op.fused_moe_routed.yaml): the caller's ids and weights
// (exact inputs: no routing allowance), ref::fused_moe under fused_moe's allowance. The fill routes
// each token to k distinct experts; a test may give ids with −1 (no expert) instead.
OpReference fused_moe_routed_reference() {
  OpReference r;
  r.fill = [](const OpProblem& p, OpTensors& t, std::mt19937& rng) {
    fill_layer_weights(p, t, rng);
    fill_routing(p.u32("tokens"), p.u32("k"), p.u32("experts"), t.at("topk_ids").as<std::int32_t>(),
                 t.at("topk_weights").as<float>(), rng);
  };
  r.compute = [](const OpProblem& p, const OpTensors& t, std::map<std::string, Expected>& expected) {
    const std::size_t slots = std::size_t{p.u32("tokens")} * p.u32("k");
    const float* given = t.at("topk_weights").as<float>();
    const std::vector<float> weights(given, given + slots);
    return expect_layer(p, t, t.at("topk_ids").as<std::int32_t>(), weights, std::vector<double>(slots, 0.0), expected);
  };
  return r;
}

}  // namespace asmk::ref
