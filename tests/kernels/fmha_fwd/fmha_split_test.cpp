// Split-KV attention for short queries (templates/fmha_fwd/op.yaml, op.varlen.yaml, op*split.yaml): the pipeline
// ops fmha_fwd / fmha_fwd_varlen, offered a workspace, cut each sequence's keys into splits (fmha_fwd_split: fp32
// partials per split) and merge them with attn_lse_combine (varlen) / attn_lse_combine_grouped (batch mode); against
// the fp64 attention reference in ref/ (attention.hpp, ref/TOLERANCE.md "Attention"), in strict mode (ctest sets
// ASMK_EMU_STRICT=1). Shapes: one, 7 and 33 queries over 1000-5000 keys, causal bottom-right, a (64, 0) window, GQA
// 4:1, LSE; varlen with an empty query sequence, a sequence without keys and one whose last splits hold no key (lse =
// -inf partials). bf16 and fp8, head dims 128 and 192x128 (and one shape for hd 64, 256 and fp8 192x128). The
// workspace bounds the splits; one too small for two falls back to the one launch; batch > 1 with seqlen_q > 1 splits
// with the split count filling the CUs in one round; decode (seqlen_q = 1) packs the query heads of a kv head into its
// rows; the partials themselves (fmha_fwd_varlen_split) against the split reference (ref::AttentionArgs::num_splits),
// their empty splits -inf and 0.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "asmk/ref/attention.hpp"
#include "asmk/ref/numeric.hpp"
#include "kernel_harness.hpp"

namespace {

namespace ref = asmk::ref;
using asmk::test::Buffer;
using asmk::test::OpArgs;
using asmk::test::Session;
using asmk::test::Variant;

constexpr uint16_t kSentinel = 0x7fc1;  // a NaN code in both bf16 and fp16: never a valid output

struct Shape {
  uint32_t batch, heads_q, heads_k, s_q, s_k;
  int32_t left = -1, right = -1;               // window (mask=window kernels), bottom-right
  std::vector<uint32_t> lens_q = {}, lens_k = {};  // varlen when not empty
};

std::string describe(const Shape& s) {
  return "b=" + std::to_string(s.batch) + " h=" + std::to_string(s.heads_q) + "/" + std::to_string(s.heads_k) +
         " s_q=" + std::to_string(s.s_q) + " s_k=" + std::to_string(s.s_k) + " window=(" + std::to_string(s.left) +
         "," + std::to_string(s.right) + ")" + (s.lens_q.empty() ? "" : " varlen");
}

uint32_t encode(ref::Format f, float x) {
  if (f == ref::Format::bf16) return ref::f32_to_bf16(x);
  if (f == ref::Format::fp16) return ref::f32_to_fp16(x);
  return ref::encode(f, x, ref::Overflow::saturate);
}

// One problem: inputs, the reference and the op arguments, contiguous tensors.
struct Problem {
  const Variant& v;
  Shape sh;
  bool fp8;
  ref::Format format;
  size_t ei;  // input element bytes
  uint32_t d, dv, tq, tk, sequences, max_q, max_k;
  bool varlen;
  std::vector<int32_t> cu_q{0}, cu_k{0};
  std::vector<uint8_t> q, k, val;
  float scale, q_descale, k_descale, v_descale;
  ref::AttentionRef expected;

  // splits > 1: the reference of the split pass's partials (rows (t·h_q + h)·splits + n)
  Problem(const Variant& variant, const Shape& shape, uint32_t seed, uint32_t splits = 1) : v(variant), sh(shape) {
    fp8 = v.param_str("dtype") == "fp8";
    format = fp8 ? ref::fp8_format(v.arch == "gfx942" ? asmk::Arch::gfx942 : asmk::Arch::gfx950)
                 : v.param_str("dtype") == "bf16" ? ref::Format::bf16 : ref::Format::fp16;
    ei = fp8 ? 1 : 2;
    const std::string dims = v.param_str("head_dims");
    d = uint32_t(std::stoul(dims));
    dv = uint32_t(std::stoul(dims.substr(dims.find('x') == std::string::npos ? 0 : dims.find('x') + 1)));
    varlen = !sh.lens_q.empty();
    for (size_t b = 0; b < sh.lens_q.size(); ++b) {
      cu_q.push_back(cu_q.back() + int32_t(sh.lens_q[b]));
      cu_k.push_back(cu_k.back() + int32_t(sh.lens_k[b]));
    }
    sequences = varlen ? uint32_t(sh.lens_q.size()) : sh.batch;
    tq = varlen ? uint32_t(cu_q.back()) : sh.batch * sh.s_q;  // tokens over the whole batch
    tk = varlen ? uint32_t(cu_k.back()) : sh.batch * sh.s_k;
    max_q = varlen ? *std::max_element(sh.lens_q.begin(), sh.lens_q.end()) : sh.s_q;
    max_k = varlen ? *std::max_element(sh.lens_k.begin(), sh.lens_k.end()) : sh.s_k;
    q_descale = fp8 ? 0.37f : 1.f, k_descale = fp8 ? 0.11f : 1.f, v_descale = fp8 ? 1.7f : 1.f;
    scale = 1.f / std::sqrt(float(d));

    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.f, 1.f);
    std::uniform_real_distribution<float> exponent(-3.f, 3.f);
    auto fill = [&](size_t n) {
      std::vector<uint8_t> out(n * ei);
      for (size_t i = 0; i < n; ++i) {
        const uint32_t code = encode(format, normal(rng) * (fp8 ? std::exp2(exponent(rng)) : 1.f));
        for (size_t b = 0; b < ei; ++b) out[i * ei + b] = uint8_t(code >> (8 * b));
      }
      return out;
    };
    q = fill(size_t(tq) * sh.heads_q * d), k = fill(size_t(tk) * sh.heads_k * d), val = fill(size_t(tk) * sh.heads_k * dv);

    ref::AttentionArgs ra;
    ra.in_format = format;
    ra.q = q.data(), ra.k = k.data(), ra.v = val.data();
    ra.batch = sequences, ra.heads_q = sh.heads_q, ra.heads_k = sh.heads_k, ra.seqlen_q = sh.s_q, ra.seqlen_k = sh.s_k;
    ra.head_dim_qk = d, ra.head_dim_v = dv;
    ra.q_stride_token = uint64_t(sh.heads_q) * d, ra.q_stride_head = d, ra.q_stride_batch = uint64_t(sh.s_q) * ra.q_stride_token;
    ra.k_stride_token = uint64_t(sh.heads_k) * d, ra.k_stride_head = d, ra.k_stride_batch = uint64_t(sh.s_k) * ra.k_stride_token;
    ra.v_stride_token = uint64_t(sh.heads_k) * dv, ra.v_stride_head = dv, ra.v_stride_batch = uint64_t(sh.s_k) * ra.v_stride_token;
    ra.scale = scale, ra.q_descale = q_descale, ra.k_descale = k_descale, ra.v_descale = v_descale;
    if (varlen) ra.cu_seqlens_q = cu_q.data(), ra.cu_seqlens_k = cu_k.data();
    const bool window = v.param_str("mask") == "window";
    ra.window_left = window ? sh.left : -1, ra.window_right = window ? sh.right : -1, ra.bottom_right = true;
    ra.num_splits = splits;
    EXPECT_TRUE(ref::attention(ra, expected).ok());
  }

  // lse's element of reference row r = t·h_q + h: batch [b, h_q, s_q], varlen [h_q, total_q]
  size_t lse_index(size_t row) const {
    const size_t t = row / sh.heads_q, h = row % sh.heads_q;
    return varlen ? h * tq + t : (t / sh.s_q * sh.heads_q + h) * sh.s_q + t % sh.s_q;
  }
};

class FmhaSplit : public ::testing::TestWithParam<asmk::test::TestDevice> {
 protected:
  struct Buffers {
    Buffer q, k, v, cu_q, cu_k;
  };
  Buffers upload(Session& s, const Problem& p) {
    return {s.upload(p.q), s.upload(p.k), s.upload(p.val), s.upload(p.cu_q), s.upload(p.cu_k)};
  }

  // The problem's sizes, choices, scalars and inputs for `op` (fmha_fwd[_varlen][_split]).
  void common_args(OpArgs& a, const Problem& p, const Buffers& in) {
    for (const char* c : {"dtype", "out_dtype", "head_dims", "mask"}) a.choice(c, p.v.param_str(c));
    a.u32("batch", p.sequences), a.u32("seqlen_q", p.max_q), a.u32("seqlen_k", p.max_k);
    a.u32("num_heads_q", p.sh.heads_q), a.u32("num_heads_k", p.sh.heads_k);
    if (p.varlen) a.u32("total_q", p.tq), a.u32("total_k", p.tk);
    a.f32("scale", p.scale), a.f32("q_descale", p.q_descale), a.f32("k_descale", p.k_descale);
    a.f32("v_descale", p.v_descale);
    a.i32("window_left", p.sh.left), a.i32("window_right", p.sh.right);
    a.u32("bottom_right", 1);
    a.ptr("q", in.q), a.ptr("k", in.k), a.ptr("v", in.v);
    if (p.varlen) a.ptr("cu_seqlens_q", in.cu_q), a.ptr("cu_seqlens_k", in.cu_k);
  }

  // Through the pipeline op with `workspace` bytes (0: none): expects `launches` launches (2: the split pass with
  // `splits` splits when not 0, then the combine) and the reference's o and lse.
  // Batch-mode decode shapes (s_q = 1, GQA / MQA, every key visible: no bounded window_left; these tests' windows are
  // bottom-right) pack the query heads of a kv head into its rows through a view (op.yaml `pack` 1): the kernel
  // without a mask of the choices; other short queries with GQA (s_q <= 8, varlen: the longest, hd 128) run the kernel
  // with the mask "packed" (op.yaml `pack` 2, op.varlen.yaml `pack` 1; hd 64, 128, 256: 192x128 has none); packed,
  // grid.x = num_heads_k (else num_heads_q).
  void run_op(Session& s, const Variant& v, const Shape& sh, uint32_t seed, size_t workspace, uint32_t launches,
              uint32_t splits = 0) {
    const bool view = sh.lens_q.empty() && sh.s_q == 1 && sh.heads_q > sh.heads_k &&
                      (v.param_str("mask") == "none" || sh.left < 0);
    const uint32_t longest_q = sh.lens_q.empty() ? sh.s_q : *std::max_element(sh.lens_q.begin(), sh.lens_q.end());
    const bool rows_packed = !view && longest_q <= 8 && sh.heads_q > sh.heads_k && v.param_str("head_dims") != "192x128";
    const bool packed = view || rows_packed;
    SCOPED_TRACE(v.name + " " + describe(sh) + " workspace " + std::to_string(workspace));
    const Problem p(v, sh, seed);
    const Buffers in = upload(s, p);
    const size_t o_elems = size_t(p.tq) * sh.heads_q * p.dv, lse_count = size_t(p.tq) * sh.heads_q;
    Buffer ob = s.upload(std::vector<uint16_t>(o_elems, kSentinel));
    Buffer lb = s.upload(std::vector<float>(lse_count, 12345.f));
    Buffer wb = s.alloc(std::max<size_t>(workspace, 1));
    OpArgs a;
    common_args(a, p, in);
    a.ptr("o", ob), a.ptr("lse", lb);
    if (workspace > 0) a.ptr("workspace", wb.get(), workspace);
    const char* op = p.varlen ? "fmha_fwd_varlen" : "fmha_fwd";
    asmk_selection plan = ASMK_INIT(asmk_selection);
    ASSERT_EQ(asmk_select_op(s.get(), op, a.data(), a.size(), &plan), ASMK_SUCCESS) << asmk_last_error();
    ASSERT_EQ(plan.launch_count, launches) << plan.reason;
    const std::string arch = v.arch;
    std::string kernel = v.name;
    if (view && kernel.find("_window_") != std::string::npos) kernel.replace(kernel.find("_window_"), 8, "_none_");
    const std::string mask = "_" + v.param_str("mask") + "_";
    if (rows_packed) kernel.replace(kernel.find(mask), mask.size(), "_packed_");
    EXPECT_EQ(plan.launches[0].grid.x, packed ? sh.heads_k : sh.heads_q) << "query heads packed into kv heads' rows (grid.x: heads)";
    if (launches == 1) {
      EXPECT_EQ(std::string(plan.launches[0].kernel_name).substr(0, kernel.size() - 3), kernel.substr(0, kernel.size() - 3))
          << "the one launch: a kernel of the choices (" << (view ? "packed: no mask)" : rows_packed ? "packed rows)" : "any waves)");
    }
    if (launches == 2) {
      EXPECT_EQ(std::string(plan.launches[0].kernel_name), kernel) << "the split pass: the 4-wave kernel of the choices";
      EXPECT_GT(plan.launches[0].grid.z, p.sequences) << "grid.z = batch · num_splits";
      if (splits > 0) EXPECT_EQ(plan.launches[0].grid.z, p.sequences * splits) << "grid.z = batch · num_splits";
      // batch mode: lse's rows (b·h_q + h, i) reach o through token groups
      // (attn_lse_combine's names end in its `slots` axis, _s16 or _s12: the op picks by the rows)
      EXPECT_EQ(std::string(plan.launches[1].kernel_name).rfind(
                    std::string(p.varlen ? "attn_lse_combine_" : "attn_lse_combine_grouped_") + arch + "_" + v.param_str("out_dtype") +
                        (p.varlen ? "_s" : ""), 0), 0u) << plan.launches[1].kernel_name;
      EXPECT_LE(plan.workspace_bytes, workspace);
    }
    ASSERT_EQ(asmk_run_op(s.get(), op, a.data(), a.size(), nullptr, nullptr), ASMK_SUCCESS)
        << asmk_last_error();
    ASSERT_EQ(asmk_synchronize(s.get(), nullptr), ASMK_SUCCESS) << asmk_last_error();

    const std::vector<uint16_t> o = ob.download<uint16_t>(o_elems);
    const std::vector<float> lse_dev = lb.download<float>(lse_count);
    const ref::Format out_format = v.param_str("out_dtype") == "bf16" ? ref::Format::bf16 : ref::Format::fp16;
    std::vector<double> got(o_elems), lse(lse_count);
    for (size_t row = 0; row < lse_count; ++row) {
      for (uint32_t c = 0; c < p.dv; ++c) {
        const uint16_t code = o[row * p.dv + c];
        got[row * p.dv + c] = out_format == ref::Format::bf16 ? ref::bf16_to_f32(code) : ref::fp16_to_f32(code);
      }
      lse[row] = lse_dev[p.lse_index(row)];
    }
    const ref::ErrorSummary summary = ref::compare_attention(
        p.expected, out_format == ref::Format::bf16 ? ref::OutType::bf16 : ref::OutType::fp16, p.format, got, &lse);
    EXPECT_TRUE(summary.ok()) << summary.describe() << " (row " << summary.worst_row << ", col " << summary.worst_col
                              << ", " << p.expected.visible[summary.worst_row] << " visible keys)";
  }

  // The 4-wave kernel fmha_fwd_<arch>_<kind>_w4, e.g. kind "bf16_bf16_d128_window".
  static Variant variant(const char* arch, const std::string& kind) {
    for (const Variant& v : asmk::test::variants(arch, "fmha_fwd"))
      if (v.name == "fmha_fwd_" + std::string(arch) + "_" + kind + "_w4") return v;
    ADD_FAILURE() << "no kernel fmha_fwd_" << arch << "_" << kind << "_w4";
    return asmk::test::variants(arch, "fmha_fwd").at(0);
  }
  static std::vector<Variant> variants(const char* arch) {
    // bf16 and fp8, hd 128 and 192x128, both masks for bf16 hd 128 (4 waves: the split kernels)
    std::vector<Variant> out;
    for (const Variant& v : asmk::test::variants(arch, "fmha_fwd")) {
      if (v.param_int("waves") != 4 || v.param_str("mask") == "packed") continue;
      const std::string dt = v.param_str("dtype"), dims = v.param_str("head_dims"), mask = v.param_str("mask");
      if ((dt == "bf16" && dims == "128") || (dt == "fp8" && dims == "128" && mask == "window") ||
          (dt == "bf16" && dims == "192x128" && mask == "window"))
        out.push_back(v);
    }
    return out;
  }
};

// Decode-like and chunked-prefill-tail shapes through the pipeline ops with a workspace: split pass and combine.
TEST_P(FmhaSplit, ShortQueriesSplitTheKeys) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const std::vector<Variant> vs = variants(GetParam().arch);
  ASSERT_EQ(vs.size(), 4u);
  uint32_t seed = 1200;
  for (const Variant& v : vs) {
    const bool window = v.param_str("mask") == "window";
    const std::vector<Shape> shapes =
        window ? std::vector<Shape>{
                     {1, 4, 1, 7, 3000, -1, 0},   // causal bottom-right, GQA 4:1
                     {2, 4, 2, 1, 1500, 64, 0},   // a (64, 0) window: the tiles left of it are skipped
                     {1, 2, 1, 33, 5000, -1, 0},  // two waves, 19 splits (5000 / 256)
                     // varlen, causal: an empty query sequence, one without keys, one whose last splits hold no
                     // key (40 keys: 2 tiles over the longest sequence's split count)
                     {0, 4, 1, 0, 0, -1, 0, {1, 0, 7, 3, 2}, {1000, 600, 0, 40, 2500}},
                 }
               : std::vector<Shape>{
                     {1, 4, 1, 1, 1000},  // one query over 1000 keys
                     {1, 8, 2, 33, 2000},
                     {0, 4, 1, 0, 0, -1, -1, {7, 0, 1}, {3100, 20, 0}},
                 };
    for (const Shape& sh : shapes) run_op(s, v, sh, seed++, 64 << 20, 2);
  }
}

// The partial-o stores of the other head dims: hd 64 (two dv per lane and block: 8-byte stores) and hd 256 (O in
// AccVGPRs; fp8: the wide V layout, dv 8i + b, two 16-byte stores per register), fp16, bf16 and fp8; h_q = h_k (with
// GQA hd 64 and 256 take the packed rows: the next test).
TEST_P(FmhaSplit, EveryHeadDimStoresItsPartials) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  uint32_t seed = 1250;
  for (const char* kind : {"fp16_fp16_d64_none", "bf16_bf16_d256_none", "fp8_bf16_d192x128_window", "fp8_bf16_d256_none"})
    run_op(s, variant(GetParam().arch, kind), {1, 2, 2, 5, 1100, -1, 0}, seed++, 64 << 20, 2);
}

// The packed rows of hd 64 (gpt-oss, Llama-3.2-1B: GQA 8:1, 4:1) and hd 256 (Gemma: MQA 8:1, GQA 2:1), as for hd 128
// (ShortQueriesPackTheQueryHeadsOfAKvHead): the kernels' mask "packed" with causal bottom-right rows, split pass and
// one launch, batch and varlen (an empty query sequence, one without keys), fp16 / bf16 / fp8.
TEST_P(FmhaSplit, ShortQueriesPackEveryHeadDim) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const char* arch = GetParam().arch;
  const Variant d64 = variant(arch, "fp16_fp16_d64_window"), d256 = variant(arch, "bf16_bf16_d256_window");
  run_op(s, d64, {2, 16, 2, 3, 1100, -1, 0}, 1340, 64 << 20, 2);                           // s_q 3, GQA 8:1, split pass
  run_op(s, d64, {0, 8, 2, 0, 0, -1, 0, {2, 0, 5, 1}, {900, 300, 40, 0}}, 1341, 0, 1);     // varlen, one launch
  run_op(s, d256, {1, 8, 1, 8, 900, -1, 0}, 1342, 64 << 20, 2);                            // s_q 8, MQA: two waves
  run_op(s, d256, {0, 4, 2, 0, 0, -1, 0, {3, 0, 1}, {700, 50, 0}}, 1343, 64 << 20, 2);      // varlen, GQA 2:1, split
  // fp8 (hd 64: 8-bit V loads, no wide V): split pass; hd 256, one launch: the o stores from AccVGPRs
  run_op(s, variant(arch, "fp8_bf16_d64_window"), {1, 8, 2, 4, 600, -1, 0}, 1344, 64 << 20, 2);
  run_op(s, variant(arch, "fp8_bf16_d256_window"), {2, 4, 1, 2, 700, -1, 0}, 1345, 0, 1);
  run_op(s, variant(arch, "fp8_bf16_d256_window"), {1, 8, 2, 4, 600, -1, 0}, 1346, 64 << 20, 2);  // split pass
}

// The workspace bounds the splits (op.yaml: bytes / (rows · (4·d_v + 4)) of them); without a workspace, or
// with one too small for two splits, the pipeline runs the one launch (fmha_fwd_single): the same answer.
TEST_P(FmhaSplit, TheWorkspaceBoundsTheSplits) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const Variant v = variant(GetParam().arch, "bf16_bf16_d128_window");
  const Shape sh{1, 4, 1, 7, 3000, -1, 0};  // 28 rows: 28 · (4 · 128 + 4) bytes per split
  run_op(s, v, sh, 1299, 11 * 28 * 516, 2, 11);  // what an unbounded selection plans (3000 / 256 = 11 splits) and needs
  run_op(s, v, sh, 1300, 3 * 28 * 516, 2, 3);
  run_op(s, v, sh, 1301, 2 * 28 * 516 - 1, 1);
  run_op(s, v, sh, 1302, 0, 1);
}

// Batch mode with batch > 1 and seqlen_q > 1 (decode batches of a few tokens, chunked-prefill tails of a few query
// tiles): the combine (attn_lse_combine_grouped) reaches o [b, s_q, h_q, d] from lse's rows (b·h_q + h, i) through
// o_stride_batch; the split count fills the CUs in one round (2 · CUs // workgroups, >= 256 keys each).
TEST_P(FmhaSplit, BatchesOfShortQueriesSplit) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const Variant v = variant(GetParam().arch, "bf16_bf16_d128_window");
  const uint32_t cus = std::string(GetParam().arch) == "gfx942" ? 304 : 256;
  // 3 · 4 workgroups, 1100 / 256 = 4 splits; 2 sequences · 2 query tiles · 2 heads = 8 workgroups, 4 splits; 20 · 8 =
  // 160 workgroups of 2 queries over 1024 keys: 2 · CUs / 160 = 3 splits (not 1024 / 256 = 4: no second round)
  run_op(s, v, {3, 4, 2, 7, 1100, -1, 0}, 1310, 64 << 20, 2, std::min(2 * cus / 12, 1100u / 256));
  run_op(s, v, {2, 2, 1, 150, 1100, -1, 0}, 1311, 64 << 20, 2, std::min(2 * cus / 8, 1100u / 256));
  run_op(s, v, {20, 8, 8, 2, 1024, -1, 0}, 1312, 64 << 20, 2, 2 * cus / 160);
}

// Decode with GQA (seqlen_q = 1, h_q / h_k = 8, Llama-3-70B's ratio): the group's query heads are one kv head's query
// rows (op.yaml `pack`), with and without a workspace, causal or without a mask; a bounded window_left needs each
// row's own window: the kernel's packed rows (mask "packed").
TEST_P(FmhaSplit, DecodePacksTheQueryHeadsOfAKvHead) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const Variant causal = variant(GetParam().arch, "bf16_bf16_d128_window"), none = variant(GetParam().arch, "bf16_bf16_d128_none");
  run_op(s, causal, {3, 16, 2, 1, 1300, -1, 0}, 1320, 64 << 20, 2);  // split pass packed
  run_op(s, causal, {3, 16, 2, 1, 1300, -1, 0}, 1321, 0, 1);         // one launch packed
  run_op(s, none, {2, 8, 1, 1, 700}, 1322, 0, 1);                     // MQA, no mask
  run_op(s, causal, {2, 8, 1, 1, 1300, 100, 0}, 1323, 64 << 20, 2);  // (100, 0): the kernel's packed rows
  // fp8 (descales; q rows 128 bytes apart in the view) and DeepSeek's 192x128 head dims (q and o head strides differ)
  run_op(s, variant(GetParam().arch, "fp8_bf16_d128_window"), {2, 8, 2, 1, 900, -1, 0}, 1324, 64 << 20, 2);
  run_op(s, variant(GetParam().arch, "bf16_bf16_d192x128_window"), {1, 4, 1, 1, 600, -1, 0}, 1325, 0, 1);
}

// Speculative decoding / MTP (s_q 2..8, GQA): the kernels' packed rows (mask "packed", op.yaml `pack` 2): row r of a
// kv head's G·s_q rows is (query head kv_head·G + r / s_q, token r % s_q), its causal limit (bottom-right, s_k > s_q)
// from its token; s_q 2, 4, 8 with GQA 8:1, 4:1 and MQA, bf16 and fp8, with and without a workspace (then the partials'
// rows in lse's order and the grouped combine). An 8-query MQA head of 8 heads fills two waves (64 rows). Varlen decode
// batches (fmha_fwd_varlen): per sequence likewise, with an empty query sequence and one without keys.
TEST_P(FmhaSplit, ShortQueriesPackTheQueryHeadsOfAKvHead) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const Variant bf16 = variant(GetParam().arch, "bf16_bf16_d128_window"), fp8 = variant(GetParam().arch, "fp8_bf16_d128_window");
  run_op(s, bf16, {2, 16, 2, 2, 1100, -1, 0}, 1330, 64 << 20, 2);  // s_q 2, GQA 8:1, split pass
  run_op(s, bf16, {3, 8, 2, 4, 600, -1, 0}, 1331, 0, 1);           // s_q 4, GQA 4:1, one launch
  run_op(s, bf16, {1, 8, 1, 8, 900, -1, 0}, 1332, 64 << 20, 2);    // s_q 8, MQA 8:1, two waves, split pass
  run_op(s, fp8, {2, 8, 2, 4, 1000, -1, 0}, 1333, 64 << 20, 2);    // fp8, s_q 4, GQA 4:1, split pass
  run_op(s, fp8, {1, 8, 1, 8, 300, -1, 0}, 1334, 0, 1);            // fp8, s_q 8, MQA, one launch
  // varlen decode batches (fmha_fwd_varlen): mixed query counts with an empty sequence, one without keys; lse's rows
  // [h_q, total_q] (and the partials') per lane: head rows total_q apart
  const Shape varlen{0, 8, 2, 0, 0, -1, 0, {2, 0, 5, 1, 8}, {900, 300, 40, 0, 1200}};
  run_op(s, bf16, varlen, 1335, 64 << 20, 2);
  run_op(s, bf16, varlen, 1336, 0, 1);
  run_op(s, fp8, {0, 8, 1, 0, 0, -1, 0, {3, 1, 0, 4}, {700, 1, 50, 1000}}, 1337, 64 << 20, 2);
}

// The split pass alone (fmha_fwd_varlen_split, 4 splits) against the reference's partials (ref::AttentionArgs
// num_splits: each split's keys alone, under the attention tolerance with an fp32 output): a split without a key
// writes lse -inf and o 0; nothing is NaN.
TEST_P(FmhaSplit, ThePartialsOfEachSplit) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const Variant v = variant(GetParam().arch, "bf16_bf16_d128_window");
  const uint32_t splits = 4;
  // causal; sequence 1 has 40 keys (2 tiles: splits 2, 3 empty), sequence 2 none
  const Shape sh{0, 2, 1, 0, 0, -1, 0, {3, 2, 1}, {700, 40, 0}};
  const Problem p(v, sh, 1400, splits);
  const Buffers in = upload(s, p);
  const size_t rows = size_t(sh.heads_q) * p.tq;
  ASSERT_EQ(p.expected.rows, rows * splits);
  Buffer ob = s.upload(std::vector<float>(rows * splits * p.dv, 7.f));
  Buffer lb = s.upload(std::vector<float>(rows * splits, 7.f));
  OpArgs a;
  common_args(a, p, in);
  a.u32("num_splits", splits), a.ptr("o", ob), a.ptr("lse", lb);
  asmk_selection sel = ASMK_INIT(asmk_selection);
  ASSERT_EQ(asmk_run_op(s.get(), "fmha_fwd_varlen_split", a.data(), a.size(), nullptr, &sel), ASMK_SUCCESS)
      << asmk_last_error();
  EXPECT_EQ(sel.grid.z, p.sequences * splits);
  ASSERT_EQ(asmk_synchronize(s.get(), nullptr), ASMK_SUCCESS) << asmk_last_error();
  const std::vector<float> po = ob.download<float>(), pl = lb.download<float>();

  // reference row (t·h_q + h)·splits + n; the partial row (lse's order [h_q, total_q]) (h·total_q + t)·splits + n
  size_t bad = 0, empty = 0;
  for (size_t row = 0; row < rows * splits; ++row) {
    const size_t t = row / splits / sh.heads_q, h = row / splits % sh.heads_q, n = row % splits;
    const size_t at = (h * p.tq + t) * splits + n;
    const double want_lse = p.expected.lse[row];
    const float lse = pl[at];
    empty += std::isinf(want_lse);
    if (std::isinf(want_lse) ? lse != want_lse : !(std::fabs(lse - want_lse) <= ref::attention_lse_tolerance(p.expected, row)))
      if (bad++ < 5) ADD_FAILURE() << "lse of row " << row / splits << " split " << n << ": " << lse << ", ref " << want_lse;
    for (uint32_t c = 0; c < p.dv; ++c) {
      const float x = po[at * p.dv + c];
      const double tol = ref::attention_tolerance(p.expected, row, c, ref::OutType::f32, p.format);
      if (!(std::fabs(x - p.expected.at(row, c)) <= tol) && bad++ < 5)
        ADD_FAILURE() << "o of row " << row / splits << " split " << n << " col " << c << ": " << x << ", ref "
                      << p.expected.at(row, c);
    }
  }
  EXPECT_EQ(bad, 0u);
  // sequence 1's splits 2, 3 (4 rows), sequence 2's every split (2 rows): no key; the others have some
  EXPECT_EQ(empty, 2u * 2 * 2 + 2u * 1 * 4);
}

INSTANTIATE_TEST_SUITE_P(Devices, FmhaSplit, ::testing::ValuesIn(asmk::test::kTestDevices),
                         [](const auto& info) { return std::string(info.param.arch); });

}  // namespace
