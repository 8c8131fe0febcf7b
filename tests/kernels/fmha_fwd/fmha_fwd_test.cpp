// The fmha_fwd family through the C ABI, against the fp64 attention reference in ref/ (attention.hpp)
// with the tolerance rule of ref/TOLERANCE.md ("Attention"), in strict mode (ctest sets
// ASMK_EMU_STRICT=1: a missing s_waitcnt, a hazard, an LDS race or an out-of-range access fails the launch).
// Every variant (bf16, fp16, fp8 with descales; head dims 64, 128, 192x128, 256; masks none / window; 4 waves, and
// for 16-bit and fp8 hd 128 (on gfx950 also 192x128) the 8-wave ping-pong, whose K and V tiles are shared
// through LDS: the race check applies) runs
// several shapes: query / key tails (1, 17, 129, 300 rows), s_q != s_k, GQA 8:1 and MQA, b > 1, padded
// strides and a packed QKV tensor, scores far beyond exp's range, a soft-cap, varlen batches with empty
// sequences; window kernels run causal top-left and bottom-right and sliding windows (0, 0), (64, 0),
// (17, 5). Long sequences (2048 causal, 8192 with a window) on one kernel per arch. The LSE is checked
// where it is written (and untouched when its pointer is null), and o's padding keeps its sentinel:
// nothing is written outside the output rows.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "asmk/ref/attention.hpp"
#include "asmk/ref/numeric.hpp"
#include "kernel_harness.hpp"

namespace {

namespace ref = asmk::ref;
using asmk::test::Arg;
using asmk::test::Buffer;
using asmk::test::OpArgs;
using asmk::test::Session;
using asmk::test::Variant;

constexpr uint16_t kSentinel = 0x7fc1;  // a NaN code in both bf16 and fp16: never a valid output

enum class Layout { contiguous, padded, packed_qkv };

struct Shape {
  uint32_t batch, heads_q, heads_k, s_q, s_k;
  Layout layout;
  int32_t left = -1, right = -1;
  bool bottom_right = true;
  bool with_lse = true;
  float q_gain = 1.f;  // > 1: scores far beyond exp's range (a naive softmax overflows)
  float softcap = 0.f;
  std::vector<uint32_t> lens_q = {}, lens_k = {};  // varlen mode (cu_seqlens) when not empty: batch = lens_q.size()
  // directed inputs (one head, contiguous, b = 1): the value of tensor 'q' / 'k' / 'v' at (token, column) before the fp8
  // or 16-bit encoding; NaN: the random value
  std::function<float(char tensor, uint32_t token, uint32_t col)> gen = {};
};

std::string describe(const Shape& s) {
  const char* layouts[] = {"contiguous", "padded", "packed_qkv"};
  return "b=" + std::to_string(s.batch) + " h=" + std::to_string(s.heads_q) + "/" + std::to_string(s.heads_k) +
         " s_q=" + std::to_string(s.s_q) + " s_k=" + std::to_string(s.s_k) + " " + layouts[int(s.layout)] +
         " window=(" + std::to_string(s.left) + "," + std::to_string(s.right) + ")" +
         (s.bottom_right ? " bottom-right" : " top-left") + (s.with_lse ? " lse" : "") +
         (s.q_gain != 1.f ? " q_gain=" + std::to_string(s.q_gain) : "") +
         (s.softcap > 0.f ? " softcap=" + std::to_string(s.softcap) : "") + (s.lens_q.empty() ? "" : " varlen");
}

// Strides of one tensor in elements.
struct Strides {
  uint32_t batch, token, head;
};

// Element codes: bf16 / fp16 (2 bytes, little-endian) or the arch's fp8 (1 byte, saturated).
uint32_t encode(ref::Format f, float x) {
  if (f == ref::Format::bf16) return ref::f32_to_bf16(x);
  if (f == ref::Format::fp16) return ref::f32_to_fp16(x);
  return ref::encode(f, x, ref::Overflow::saturate);
}
void put(std::vector<uint8_t>& bytes, size_t index, size_t size, uint32_t code) {
  for (size_t b = 0; b < size; ++b) bytes[index * size + b] = uint8_t(code >> (8 * b));
}
double decode16(ref::Format f, uint16_t c) { return f == ref::Format::bf16 ? ref::bf16_to_f32(c) : ref::fp16_to_f32(c); }

class FmhaFwd : public ::testing::TestWithParam<asmk::test::TestDevice> {
 protected:
  static constexpr float kQDescale = 0.37f, kKDescale = 0.11f;  // fp8's q and k descales in run()

  // via_op: through the op (asmk_run_op "fmha_fwd" / "fmha_fwd_varlen", which must select this variant
  // from the choices) instead of launching the kernel by name.
  void run(Session& s, const Variant& v, const Shape& sh, uint32_t seed, bool via_op = false) {
    SCOPED_TRACE(v.name + " " + describe(sh) + (via_op ? " via the op" : ""));
    const std::string dtype = v.param_str("dtype");
    const bool fp8 = dtype == "fp8";
    const ref::Format format = fp8 ? ref::fp8_format(v.arch == "gfx942" ? asmk::Arch::gfx942 : asmk::Arch::gfx950)
                                   : dtype == "bf16" ? ref::Format::bf16 : ref::Format::fp16;
    const ref::Format out_format = v.param_str("out_dtype") == "bf16" ? ref::Format::bf16 : ref::Format::fp16;
    const size_t ei = fp8 ? 1 : 2;  // input element bytes
    // fp8: per-tensor descales (any fp32 values) and inputs over a wide range of magnitudes
    const float q_descale = fp8 ? kQDescale : 1.f, k_descale = fp8 ? kKDescale : 1.f, v_descale = fp8 ? 1.7f : 1.f;
    const std::string dims = v.param_str("head_dims");  // "128" or "192x128": q/k and v/o head dims
    const uint32_t d = uint32_t(std::stoul(dims));
    const uint32_t dv = uint32_t(std::stoul(dims.substr(dims.find('x') == std::string::npos ? 0 : dims.find('x') + 1)));
    const uint32_t hq = sh.heads_q, hk = sh.heads_k;
    // Varlen: the sequences' tokens packed in one block of tensors (cu_seqlens = prefix sums of the lengths).
    const bool varlen = !sh.lens_q.empty();
    std::vector<int32_t> cu_q{0}, cu_k{0};
    for (size_t b = 0; b < sh.lens_q.size(); ++b) {
      cu_q.push_back(cu_q.back() + int32_t(sh.lens_q[b]));
      cu_k.push_back(cu_k.back() + int32_t(sh.lens_k[b]));
    }
    const uint32_t blocks = varlen ? 1 : sh.batch;                  // tensor blocks along the batch stride
    const uint32_t tq = varlen ? uint32_t(cu_q.back()) : sh.s_q;    // tokens per block
    const uint32_t tk = varlen ? uint32_t(cu_k.back()) : sh.s_k;
    const uint32_t sequences = varlen ? uint32_t(sh.lens_q.size()) : sh.batch;

    // Layouts: q/k/v/o in their own buffers (contiguous or with padding between heads and tokens), or
    // q, k, v as heads of one packed [b, s, hq·d + hk·d + hk·dv] tensor.
    Strides qs, ks, vs, os;
    size_t q_off = 0, k_off = 0, v_off = 0, in_elems = 0, k_elems = 0, v_elems = 0;
    if (sh.layout == Layout::packed_qkv) {
      const uint32_t token = (hq + hk) * d + hk * dv;
      qs = ks = {tq * token, token, d};
      vs = {tq * token, token, dv};
      k_off = size_t(hq) * d, v_off = size_t(hq + hk) * d;
      in_elems = size_t(blocks) * tq * token;
    } else {
      const uint32_t pad = sh.layout == Layout::padded ? uint32_t(16 / ei) : 0;  // 16 bytes
      qs = {tq * (hq * (d + pad) + 2 * pad), hq * (d + pad) + 2 * pad, d + pad};
      ks = {tk * (hk * (d + pad) + pad), hk * (d + pad) + pad, d + pad};
      vs = {tk * hk * (dv + 2 * pad), hk * (dv + 2 * pad), dv + 2 * pad};
      in_elems = size_t(blocks) * qs.batch, k_elems = size_t(blocks) * ks.batch, v_elems = size_t(blocks) * vs.batch;
    }
    const uint32_t opad = sh.layout == Layout::padded ? 8 : 0;
    os = {tq * hq * (dv + opad), hq * (dv + opad), dv + opad};

    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.f, 1.f);
    std::uniform_real_distribution<float> exponent(-4.f, 4.f);
    auto value = [&](float gain, size_t i) {
      if (fp8) return normal(rng) * gain * std::exp2(exponent(rng));
      return normal(rng) * gain * (i % 11 == 3 ? 4.f : 1.f);
    };
    if (sh.gen) ASSERT_TRUE(sh.layout == Layout::contiguous && hq == 1 && hk == 1 && blocks == 1 && d == dv);
    auto fill = [&](size_t n, float gain, char tensor) {
      std::vector<uint8_t> out(n * ei);
      for (size_t i = 0; i < n; ++i) {
        float x = value(gain, i);
        if (sh.gen) {
          const float g = sh.gen(tensor, uint32_t(i / d), uint32_t(i % d));
          if (!std::isnan(g)) x = g;
        }
        put(out, i, ei, encode(format, x));
      }
      return out;
    };
    // The packed tensor holds q heads scaled by q_gain; separate tensors likewise.
    std::vector<uint8_t> qh = fill(in_elems, sh.q_gain, 'q'), kh, vh;
    if (sh.layout == Layout::packed_qkv) {
      // k and v heads of the packed tensor: plain normal values
      for (size_t i = 0; i < in_elems; ++i)
        if (i % qs.token >= size_t(hq) * d) put(qh, i, ei, encode(format, value(1.f, i)));
    } else {
      kh = fill(k_elems, 1.f, 'k');
      vh = fill(v_elems, 1.f, 'v');
    }
    const uint8_t* qp = qh.data();
    const uint8_t* kp = sh.layout == Layout::packed_qkv ? qh.data() + ei * k_off : kh.data();
    const uint8_t* vp = sh.layout == Layout::packed_qkv ? qh.data() + ei * v_off : vh.data();
    const float scale = 1.f / std::sqrt(float(d));

    ref::AttentionArgs ra;
    ra.in_format = format;
    ra.q = qp, ra.k = kp, ra.v = vp;
    ra.batch = sequences, ra.heads_q = hq, ra.heads_k = hk, ra.seqlen_q = sh.s_q, ra.seqlen_k = sh.s_k;
    ra.head_dim_qk = d, ra.head_dim_v = dv;
    ra.q_stride_batch = qs.batch, ra.q_stride_token = qs.token, ra.q_stride_head = qs.head;
    ra.k_stride_batch = ks.batch, ra.k_stride_token = ks.token, ra.k_stride_head = ks.head;
    ra.v_stride_batch = vs.batch, ra.v_stride_token = vs.token, ra.v_stride_head = vs.head;
    ra.scale = scale;
    ra.q_descale = q_descale, ra.k_descale = k_descale, ra.v_descale = v_descale;
    ra.softcap = sh.softcap;
    if (varlen) ra.cu_seqlens_q = cu_q.data(), ra.cu_seqlens_k = cu_k.data();
    const bool window = v.param_str("mask") == "window";
    ra.window_left = window ? sh.left : -1;
    ra.window_right = window ? sh.right : -1;
    ra.bottom_right = sh.bottom_right;
    ref::AttentionRef expected;
    ASSERT_TRUE(ref::attention(ra, expected).ok());

    Buffer qb = s.upload(qh), kb, vb;
    if (sh.layout != Layout::packed_qkv) kb = s.upload(kh), vb = s.upload(vh);
    const char* qdev = static_cast<const char*>(qb.get());
    const void* kdev = sh.layout == Layout::packed_qkv ? qdev + ei * k_off : kb.get();
    const void* vdev = sh.layout == Layout::packed_qkv ? qdev + ei * v_off : vb.get();
    const size_t o_elems = size_t(blocks) * os.batch;
    Buffer ob = s.upload(std::vector<uint16_t>(o_elems, kSentinel));  // no slack after the last row
    const size_t lse_count = size_t(blocks) * hq * tq;
    Buffer cqb = s.upload(cu_q), ckb = s.upload(cu_k);
    uint32_t max_q = sh.s_q, max_k = sh.s_k;
    if (varlen) {
      max_q = *std::max_element(sh.lens_q.begin(), sh.lens_q.end());
      max_k = *std::max_element(sh.lens_k.begin(), sh.lens_k.end());
    }
    auto bstride = [&](uint32_t stride) { return varlen ? 0u : stride; };  // unused in varlen mode
    Buffer lb = s.upload(std::vector<float>(lse_count, 12345.f));

    if (via_op) {
      OpArgs a;
      a.choice("dtype", dtype).choice("out_dtype", v.param_str("out_dtype")).choice("head_dims", dims);
      a.choice("mask", v.param_str("mask"));
      a.u32("batch", sequences).u32("seqlen_q", max_q).u32("seqlen_k", max_k).u32("num_heads_q", hq).u32("num_heads_k", hk);
      if (varlen) a.u32("total_q", tq).u32("total_k", tk);
      const Strides* strides[] = {&qs, &ks, &vs, &os};
      for (int t = 0; t < 4; ++t) {
        const std::string tensor = std::string(1, "qkvo"[t]) + "_stride_";
        if (!varlen) a.u32(tensor + "batch", strides[t]->batch);
        a.u32(tensor + "token", strides[t]->token).u32(tensor + "head", strides[t]->head);
      }
      a.f32("scale", scale).f32("softcap", sh.softcap).f32("q_descale", q_descale).f32("k_descale", k_descale);
      a.f32("v_descale", v_descale).i32("window_left", sh.left).i32("window_right", sh.right);
      a.u32("bottom_right", sh.bottom_right ? 1 : 0);
      a.ptr("q", qdev).ptr("k", kdev).ptr("v", vdev).ptr("o", ob.get());
      if (sh.with_lse) a.ptr("lse", lb.get());
      if (varlen) a.ptr("cu_seqlens_q", cqb.get()).ptr("cu_seqlens_k", ckb.get());
      asmk_selection sel = ASMK_INIT(asmk_selection);
      ASSERT_EQ(asmk_run_op(s.get(), varlen ? "fmha_fwd_varlen" : "fmha_fwd", a.data(), a.size(), nullptr, &sel),
                ASMK_SUCCESS) << asmk_last_error();
      // the op picks the number of waves itself (see TheOpPicksTheFasterWaveCount)
      const std::string picked = sel.kernel_name;
      EXPECT_EQ(picked.substr(0, picked.rfind("_w")), v.name.substr(0, v.name.rfind("_w")))
          << "the op selects a variant of the choices";
      ASSERT_EQ(asmk_synchronize(s.get(), nullptr), ASMK_SUCCESS) << asmk_last_error();
    } else {
      ASSERT_TRUE(s.launch(v.name,
                           {Arg::ptr("q", qdev), Arg::ptr("k", kdev), Arg::ptr("v", vdev), Arg::ptr("o", ob),
                            Arg::ptr("lse", sh.with_lse ? lb.get() : nullptr),
                            Arg::ptr("cu_seqlens_q", varlen ? cqb.get() : nullptr),
                            Arg::ptr("cu_seqlens_k", varlen ? ckb.get() : nullptr), Arg::u32("batch", sequences),
                            Arg::u32("seqlen_q", max_q), Arg::u32("seqlen_k", max_k), Arg::u32("num_heads_q", hq),
                            Arg::u32("num_heads_k", hk), Arg::u32("q_stride_batch", bstride(qs.batch)),
                            Arg::u32("q_stride_token", qs.token), Arg::u32("q_stride_head", qs.head),
                            Arg::u32("k_stride_batch", bstride(ks.batch)), Arg::u32("k_stride_token", ks.token),
                            Arg::u32("k_stride_head", ks.head), Arg::u32("v_stride_batch", bstride(vs.batch)),
                            Arg::u32("v_stride_token", vs.token), Arg::u32("v_stride_head", vs.head),
                            Arg::u32("o_stride_batch", bstride(os.batch)), Arg::u32("o_stride_token", os.token),
                            Arg::u32("o_stride_head", os.head), Arg::f32("scale", scale), Arg::f32("softcap", sh.softcap),
                            Arg::f32("q_descale", q_descale), Arg::f32("k_descale", k_descale),
                            Arg::f32("v_descale", v_descale),
                            Arg::i32("window_left", sh.left), Arg::i32("window_right", sh.right),
                            Arg::u32("bottom_right", sh.bottom_right ? 1 : 0), Arg::u32("num_splits", 1)}));
    }

    // o and lse in the reference's row order (row = t·h_q + h, t = b·s_q + i or the varlen token); padding
    // keeps the sentinel. LSE: [b, h_q, s_q], varlen [h_q, total_q].
    const std::vector<uint16_t> o = ob.download<uint16_t>(o_elems);
    std::vector<double> got(size_t(expected.rows) * dv), lse(expected.rows);
    std::vector<bool> is_output(o_elems, false);
    const std::vector<float> lse_dev = lb.download<float>(lse_count);
    for (uint32_t b = 0; b < blocks; ++b)
      for (uint32_t i = 0; i < tq; ++i)
        for (uint32_t h = 0; h < hq; ++h) {
          const size_t row = (size_t(b) * tq + i) * hq + h;
          for (uint32_t c = 0; c < dv; ++c) {
            const size_t at = size_t(b) * os.batch + size_t(i) * os.token + size_t(h) * os.head + c;
            got[row * dv + c] = decode16(out_format, o[at]);
            is_output[at] = true;
          }
          lse[row] = lse_dev[varlen ? size_t(h) * tq + i : (size_t(b) * hq + h) * tq + i];
        }
    const ref::ErrorSummary summary =
        ref::compare_attention(expected, out_format == ref::Format::bf16 ? ref::OutType::bf16 : ref::OutType::fp16,
                               format, got, sh.with_lse ? &lse : nullptr);
    EXPECT_TRUE(summary.ok()) << summary.describe() << " (row " << summary.worst_row << " = (token, head) ("
                              << summary.worst_row / hq << ", " << summary.worst_row % hq << "), col "
                              << summary.worst_col << ", " << expected.visible[summary.worst_row] << " visible keys)";
    size_t padding_written = 0;
    for (size_t i = 0; i < o_elems; ++i) padding_written += !is_output[i] && o[i] != kSentinel;
    EXPECT_EQ(padding_written, 0u) << "elements written outside the output rows";
    if (!sh.with_lse) {
      size_t touched = 0;
      for (float x : lse_dev) touched += x != 12345.f;
      EXPECT_EQ(touched, 0u) << "lse written though its pointer was null";
    }
  }

  static std::vector<Shape> shapes(const Variant& v) {
    using L = Layout;
    if (v.param_str("mask") == "none")
      return {
          {1, 1, 1, 1, 1, L::contiguous},                     // the smallest problem
          {2, 4, 1, 17, 129, L::padded, -1, -1, true, false},  // MQA, tails, padded strides, no lse, b > 1
          {1, 2, 2, 129, 40, L::packed_qkv},                   // packed QKV needs s_q == s_k: see below
          {1, 8, 1, 33, 300, L::contiguous, -1, -1, true, true, 30.f},  // GQA 8:1, big scores
          {1, 1, 1, 300, 17, L::contiguous},                   // s_q > s_k, one partial tile
          {1, 2, 1, 40, 70, L::contiguous, -1, -1, true, true, 8.f, 20.f},  // soft-cap 20 on big scores
          {0, 2, 2, 0, 0, L::padded, -1, -1, true, true, 1.f, 0.f, {17, 0, 129, 5}, {40, 3, 129, 0}},  // varlen
      };
    return {
        {1, 2, 1, 129, 129, L::contiguous, -1, 0, false},     // causal top-left
        {2, 2, 2, 17, 100, L::padded, -1, 0, true},           // causal bottom-right, s_k > s_q
        {1, 1, 1, 40, 17, L::contiguous, -1, 0, true},        // bottom-right with s_q > s_k: rows without keys
        {1, 1, 1, 100, 10, L::contiguous, -1, 0, true},       // ... and whole waves without keys (no tile loaded)
        {1, 2, 1, 70, 70, L::packed_qkv, 17, 5, true},        // sliding window (17, 5)
        {1, 1, 1, 64, 200, L::contiguous, 64, 0, true},       // (64, 0), skipped leading tiles
        {1, 1, 1, 33, 33, L::contiguous, 0, 0, true, false},  // (0, 0): only the diagonal
        {1, 1, 1, 1, 300, L::contiguous, -1, 0, true},        // one query (decode-like) sees all 300 keys
        {1, 4, 2, 300, 300, L::contiguous, -1, 0, false, true, 30.f},  // causal, GQA, big scores
        {1, 1, 1, 100, 100, L::contiguous, 17, 5, true, true, 8.f, 30.f},  // window and soft-cap
        // varlen, causal bottom-right: an empty query sequence, one without keys, s_k > s_q and s_k < s_q
        {0, 2, 1, 0, 0, L::contiguous, -1, 0, true, true, 1.f, 0.f, {33, 0, 1, 70, 9}, {33, 5, 0, 100, 4}},
    };
  }
};

TEST_P(FmhaFwd, EveryVariantMatchesTheReference) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  std::vector<Variant> variants = asmk::test::variants(GetParam().arch, "fmha_fwd");
  // (the packed-rows kernels of short queries with GQA: fmha_split_test.cpp)
  std::erase_if(variants, [](const Variant& v) { return v.param_str("mask") == "packed"; });
  // 3 dtypes x 4 head dims x 2 masks at 4 waves; at 8 waves 3 dtypes x 2 masks for hd 128 and 2 16-bit dtypes x 2 masks
  // for 192x128
  const size_t expected = 34u;
  ASSERT_EQ(variants.size(), expected);
  uint32_t seed = 1;
  for (const Variant& v : variants)
    for (Shape sh : shapes(v)) {
      if (sh.layout == Layout::packed_qkv) sh.s_k = sh.s_q;  // one token dimension for q, k and v
      run(s, v, sh, seed++);
    }
}

// Long sequences (one head) on the bf16 hd 128 window kernels of each arch (4 waves and the 8-wave ping-pong):
// the online softmax over 64 tiles of a causal 2048-token sequence, and an 8192-token sequence with a sliding
// window (256 keys back): masked tiles are skipped.
TEST_P(FmhaFwd, LongSequences) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  for (const char* waves : {"_w4", "_w8"}) {
    const std::string name = std::string("fmha_fwd_") + GetParam().arch + "_bf16_bf16_d128_window" + waves;
    bool found = false;
    for (const Variant& v : asmk::test::variants(GetParam().arch, "fmha_fwd")) {
      if (v.name != name) continue;
      run(s, v, {1, 1, 1, 2048, 2048, Layout::contiguous, -1, 0, true, true, 4.f}, 77);
      run(s, v, {1, 1, 1, 8192, 8192, Layout::contiguous, 256, 0, true, true}, 78);
      found = true;
    }
    EXPECT_TRUE(found) << "no kernel " << name;
  }
}

// The ping-pong for DeepSeek's head dims 192x128: K rows of 384 bytes reach LDS in a 256-byte and a 128-byte
// DMA part (lanes 0..31 alone), 12 K fragments per lane (gfx942: V read element by element, V_LDS16); causal bottom-right with s_k > s_q and GQA 2:1 over
// 22 key tiles, every buffer reused several times, a sliding window (100, 7) over 1000 keys and three sequences of
// two query tiles (strict mode: the LDS race check applies).
TEST_P(FmhaFwd, PingPongHeadDims192x128) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  uint32_t seed = 90, found = 0;
  for (const Variant& v : asmk::test::variants(GetParam().arch, "fmha_fwd")) {
    if (v.name.find("_d192x128_window_w8") == std::string::npos) continue;
    run(s, v, {1, 2, 1, 300, 700, Layout::contiguous, -1, 0, true, true, 4.f}, seed++);
    // a sliding window over 1000 keys: each wave's computed tiles lie inside the workgroup's, with tiles it only
    // brings before and after them (the loop's general head after the fast entry's compare fails)
    run(s, v, {1, 1, 1, 1000, 1000, Layout::padded, 100, 7, true, true}, seed++);
    // the 8-wave grid (heads, sequences, query tiles): three sequences of two query tiles (a grid read the other way
    // round leaves the third sequence unwritten)
    run(s, v, {3, 1, 1, 260, 260, Layout::contiguous, -1, 0, true}, seed++);
    ++found;
  }
  EXPECT_EQ(found, 2u) << "expected the bf16 and fp16 window kernels";
}

// The fp8 ping-pong (hd 128): 128-byte K and V rows reach LDS two per DMA instruction, V is read by the
// transposing ds_read_b64_tr_b8 into the P·V operands on gfx950, by ds_read_b32 per key and the v_perm gather on gfx942. Causal bottom-right with s_k > s_q and GQA 4:1 over 22 key
// tiles and two workgroups, a 2048-token causal sequence (64 tiles: every buffer reused ~20 times) with scores far
// beyond exp's range, a sliding window over 1000 keys (leading tiles skipped), and non-causal GQA on the kernel
// without a mask; strict mode with the LDS race check. (Every other shape, varlen with empty sequences among them,
// runs in EveryVariantMatchesTheReference.)
TEST_P(FmhaFwd, PingPongFp8) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  uint32_t seed = 120, found = 0;
  for (const Variant& v : asmk::test::variants(GetParam().arch, "fmha_fwd")) {
    if (v.name.find("_fp8_bf16_d128_") == std::string::npos || v.name.find("_w8") == std::string::npos) continue;
    if (v.param_str("mask") == "window") {
      run(s, v, {1, 4, 1, 300, 700, Layout::contiguous, -1, 0, true, true, 4.f}, seed++);
      run(s, v, {1, 1, 1, 2048, 2048, Layout::contiguous, -1, 0, true, true, 8.f}, seed++);
      run(s, v, {1, 2, 2, 1000, 1000, Layout::padded, 100, 7, true, true}, seed++);
    } else {
      run(s, v, {2, 4, 2, 300, 500, Layout::padded}, seed++);
    }
    ++found;
  }
  EXPECT_EQ(found, 2u) << "expected the fp8 hd 128 kernels without a mask and with a window";
}

// The fp8 ping-pong's kept maximum (gfx942, MAX_KEPT in fmha_fwd.s.j2: a row's running maximum m stays while no lane's
// scores pass it by more than MAX_SLACK = 2 in log2 units, P scaled by 2^5 so p <= 2^7 fits fp8) on directed scores.
// q row i is qv_i (8..16) in every column, k row j a sum of exact fp8 powers of two, so the score of (i, j) is exactly
// qv_i / 16 · T(j), T(j) in log2 units (c = scale · log2 e · descales) chosen per case, quantized to 2^-6 of a unit of
// Σ k; v random. Each key tile's maximum sits at a different key (a permutation of the tile), so the two lane halves
// see different maxima. Strict mode with the LDS race check, against the fp64 reference; on gfx950 (no kept maximum
// there) the same inputs check the fp8 ping-pong's ordinary rescale. Shown failing on gfx942 (README "Kept maximum and
// fast entry"): a slack of 8 fails (a), (b) and (d) with NaN; the exchange without its v_max fails (a) to (d); P·2^6
// (p up to 2^8 > 240) fails (b) with NaN.
class KeptMaximum {
 public:
  // T: the intended score of key j for a row with qv = 16, in log2 units
  KeptMaximum(uint32_t s_k, const std::function<double(uint32_t key)>& T, float q_descale, float k_descale)
      : u_(double(q_descale) * k_descale / std::sqrt(128.0) * 1.4426950408889634), k_(size_t(s_k) * 128, 0.f),
        t_(s_k) {
    for (uint32_t j = 0; j < s_k; ++j) {
      const long long n = std::llround(T(j) / (16.0 * u_) * 64.0);  // Σ_c k[c] in units of 2^-6
      long long rest = n < 0 ? -n : n;
      const float sign = n < 0 ? -1.f : 1.f;
      uint32_t c = 0;
      for (; rest >= 128 * 64; rest -= 128 * 64) k_[size_t(j) * 128 + c++] = sign * 128.f;  // 128: fp8's largest 2^e
      for (int e = 6; e >= -6; --e)
        if (rest & (1ll << (e + 6))) k_[size_t(j) * 128 + c++] = sign * std::ldexp(1.f, e);
      EXPECT_LE(c, 128u) << "key " << j << ": T = " << T(j) << " needs more than 128 columns";
      t_[j] = 16.0 * u_ * double(n) / 64.0;
    }
  }
  // the achieved score of key j for qv = 16 (log2 units)
  double t(uint32_t key) const { return t_[key]; }
  double tile_max(uint32_t tile) const {
    double m = -INFINITY;
    for (uint32_t j = tile * 32; j < std::min<uint32_t>(tile * 32 + 32, uint32_t(t_.size())); ++j) m = std::max(m, t_[j]);
    return m;
  }
  // q row i: qv(i) in every column; v: random
  std::function<float(char, uint32_t, uint32_t)> gen(std::function<float(uint32_t query)> qv) const {
    return [k = k_, qv](char tensor, uint32_t token, uint32_t col) -> float {
      if (tensor == 'q') return qv(token);
      if (tensor == 'k') return k[size_t(token) * 128 + col];
      return NAN;
    };
  }
  // The position of a key in its tile's order: 0 (the tile's maximum) .. 31, a different key first in each tile.
  static uint32_t rank(uint32_t key) { return ((key % 32 + 5 * (key / 32)) * 7) % 32; }

 private:
  double u_;
  std::vector<float> k_;
  std::vector<double> t_;
};

TEST_P(FmhaFwd, KeptMaximumDirected) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const auto rows_8_to_16 = [](uint32_t i) { return float(8 + i % 9); };  // rises of qv / 16 of the T's
  uint32_t found = 0;
  for (const Variant& v : asmk::test::variants(GetParam().arch, "fmha_fwd")) {
    if (v.name.find("_fp8_bf16_d128_") == std::string::npos || v.name.find("_w8") == std::string::npos) continue;
    ++found;
    if (v.param_str("mask") == "none") {
      {  // (a) slow drift: 66 tiles, each one's maximum 1.9 (rows qv 8..16: 0.95..1.9) above the previous one's, the
         // other keys down to 7.75 below it: the kept maximum lags the true one by up to the slack all along; 144 query
         // rows in (a) to (c): waves 0..4, both ping-pong groups (group 1, waves 4..7, runs half an iteration late)
        SCOPED_TRACE("(a) drift by 1.9 per tile");
        const uint32_t s_k = 66 * 32;
        KeptMaximum km(s_k, [](uint32_t j) { return -60.0 + 1.9 * (j / 32) - 0.25 * KeptMaximum::rank(j); }, kQDescale,
                       kKDescale);
        Shape sh{1, 1, 1, 144, s_k, Layout::contiguous};
        sh.gen = km.gen(rows_8_to_16);
        run(s, v, sh, 200);
        // ... under a soft-cap of 30 (capped scores in log2 units up to 43, their drift slowing as they saturate)
        sh.softcap = 30.f;
        run(s, v, sh, 205);
      }
      {  // (b) jumps around the slack: each tile's maximum 2 ± δ (δ = 2^-8, 2^-6, 2^-3), 3, 4, 8 or lower
         // above the running maximum m the rule keeps (simulated on the achieved scores, qv = 16; rows with qv 14
         // see 7/8 of each jump)
        SCOPED_TRACE("(b) jumps around the slack of 2");
        const double jumps[] = {2 - 1. / 64, 2 + 1. / 64, 2 - 1. / 8, 2 + 1. / 8, 0.5, 2 + 1. / 256, -6, 2 - 1. / 256,
                                3,           2 + 1. / 64, 4,          2 - 1. / 64, 8,   -1, 2 + 1. / 8, 2 - 1. / 8};
        const uint32_t tiles = 48, s_k = tiles * 32;
        std::vector<double> base(tiles);
        double m = -20;  // the intended running maximum
        base[0] = m;
        for (uint32_t t = 1; t < tiles; ++t) {
          base[t] = m + jumps[(t - 1) % std::size(jumps)];
          if (base[t] > m + 2) m = base[t];
        }
        KeptMaximum km(s_k, [&](uint32_t j) { return base[j / 32] - 0.25 * KeptMaximum::rank(j); }, kQDescale,
                       kKDescale);
        // the achieved jumps lie on their intended side of the slack
        double kept = km.tile_max(0);
        for (uint32_t t = 1; t < tiles; ++t) {
          const double jump = jumps[(t - 1) % std::size(jumps)], got = km.tile_max(t) - kept;
          EXPECT_EQ(got > 2, jump > 2) << "tile " << t << ": jump " << got << " for " << jump;
          if (got > 2) kept = km.tile_max(t);
        }
        Shape sh{1, 1, 1, 144, s_k, Layout::contiguous};
        sh.gen = km.gen([](uint32_t i) { return i % 2 ? 14.f : 16.f; });
        run(s, v, sh, 201);
      }
      {  // (c) the maximum in the first tile, every later tile's maximum 2^-6 .. 2.8 below it: no update ever
        SCOPED_TRACE("(c) maximum in the first tile");
        const uint32_t s_k = 40 * 32;
        KeptMaximum km(s_k, [](uint32_t j) {
          const uint32_t t = j / 32;
          return (t == 0 ? 10.0 : 10.0 - 1. / 64 - 0.25 * (t % 12)) - 0.25 * KeptMaximum::rank(j);
        }, kQDescale, kKDescale);
        for (uint32_t t = 1; t < 40; ++t) EXPECT_LT(km.tile_max(t), km.tile_max(0)) << "tile " << t;
        Shape sh{1, 1, 1, 144, s_k, Layout::contiguous};
        sh.gen = km.gen(rows_8_to_16);
        run(s, v, sh, 202);
      }
    } else {
      {  // (d) causal bottom-right with the drift of (a): 66 tiles and a 17-key tail, the rows' diagonals in the last
         // two tiles, whose masked keys hold some tiles' maxima
        SCOPED_TRACE("(d) causal bottom-right, drift by 1.9 per tile");
        const uint32_t s_k = 66 * 32 + 17;
        KeptMaximum km(s_k, [](uint32_t j) { return -60.0 + 1.9 * (j / 32) - 0.25 * KeptMaximum::rank(j); }, kQDescale,
                       kKDescale);
        Shape sh{1, 1, 1, 40, s_k, Layout::contiguous, -1, 0, true};
        sh.gen = km.gen(rows_8_to_16);
        run(s, v, sh, 203);
        // ... and a sliding window (200, 0) over its first 600 keys and 144 rows: each row's first visible tile is
        // partly masked, the wave's leading tiles only brought
        Shape window{1, 1, 1, 144, 600, Layout::contiguous, 200, 0, true};
        KeptMaximum km600(600, [](uint32_t j) { return -20.0 + 1.9 * (j / 32) - 0.25 * KeptMaximum::rank(j); },
                          kQDescale, kKDescale);
        window.gen = km600.gen(rows_8_to_16);
        run(s, v, window, 206);
      }
      {  // (d) causal top-left, scores rising 1.9 / 32 per key: each row's maximum is its diagonal key, the keys
         // after it (higher) masked
        SCOPED_TRACE("(d) causal top-left, rising keys");
        const uint32_t s_k = 256;
        KeptMaximum km(s_k, [](uint32_t j) { return -5.0 + 1.9 / 32 * j; }, kQDescale, kKDescale);
        Shape sh{1, 1, 1, 256, s_k, Layout::contiguous, -1, 0, false};
        sh.gen = km.gen(rows_8_to_16);
        run(s, v, sh, 204);
      }
    }
  }
  EXPECT_EQ(found, 2u) << "expected the fp8 hd 128 kernels without a mask and with a window";
}

// The op's choice of waves (templates/fmha_fwd/op.single.yaml `prefer`, the pipeline fmha_fwd without a workspace): the
// 8-wave ping-pong once it keeps as many CUs
// busy as four waves do and idles no more query rows, four waves otherwise and where no ping-pong kernel exists
// (other head dims).
TEST_P(FmhaFwd, TheOpPicksTheFasterWaveCount) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  struct Case {
    const char* dtype;
    const char* dims;
    uint32_t batch, heads, s_q;
    const char* waves;
    const char* waves_gfx950 = nullptr;  // when gfx950 differs
  };
  const Case cases[] = {
      {"bf16", "128", 1, 64, 4096, "_w8"},  // 1024 workgroups of 8 waves: every CU busy either way
      {"fp16", "128", 2, 32, 8192, "_w8"},
      {"bf16", "128", 1, 1, 300, "_w4"},    // 3 workgroups of 4 waves, 2 of 8
      {"bf16", "128", 1, 16, 1, "_w4"},     // decode-like: as many workgroups, but 255 idle rows at 8 waves
      {"bf16", "128", 1, 64, 1100, "_w4"},  // 52 idle rows at 4 waves, 180 at 8
      {"fp8", "128", 1, 64, 4096, "_w8"},
      {"bf16", "64", 1, 64, 4096, "_w4"},
      {"bf16", "192x128", 4, 16, 4096, "_w8"},  // DeepSeek-V3 prefill: the ping-pong
  };
  const std::vector<uint8_t> dummy(64);
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.dtype) + " d" + c.dims + " b=" + std::to_string(c.batch) + " h=" + std::to_string(c.heads) +
                 " s=" + std::to_string(c.s_q));
    const uint32_t d = uint32_t(std::stoul(c.dims)), token = c.heads * d;  // (192x128: d 192 for v and o too: only the
                                                                                // selection runs, the strides need not be tight)
    const std::string out = std::string(c.dtype) == "fp16" ? "fp16" : "bf16";
    OpArgs a;
    a.choice("dtype", c.dtype).choice("out_dtype", out).choice("head_dims", c.dims);
    a.u32("batch", c.batch).u32("seqlen_q", c.s_q).u32("seqlen_k", c.s_q).u32("num_heads_q", c.heads);
    a.u32("num_heads_k", c.heads);
    for (const char* t : {"q", "k", "v", "o"}) {
      const std::string stride = std::string(t) + "_stride_";
      a.u32(stride + "batch", c.s_q * token).u32(stride + "token", token).u32(stride + "head", d);
      a.ptr(t, dummy.data());
    }
    a.f32("scale", 0.125f);
    asmk_selection sel = ASMK_INIT(asmk_selection);
    ASSERT_EQ(asmk_select_op(s.get(), "fmha_fwd", a.data(), a.size(), &sel), ASMK_SUCCESS) << asmk_last_error();
    const std::string picked = sel.kernel_name;
    EXPECT_EQ(picked, std::string("fmha_fwd_") + GetParam().arch + "_" + c.dtype + "_" + out + "_d" + c.dims + "_none" +
                          (c.waves_gfx950 && std::string(GetParam().arch) == "gfx950" ? c.waves_gfx950 : c.waves))
        << sel.reason;
  }
}

// The fmha_fwd and fmha_fwd_varlen ops (templates/fmha_fwd/op*.yaml) select the variant of their
// choices, bind every argument by name, check the buffers and launch: a shape per mask kind and
// head dims per dtype, batch and varlen.
TEST_P(FmhaFwd, TheOpsRunTheirVariants) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  uint32_t seed = 500;
  for (const Variant& v : asmk::test::variants(GetParam().arch, "fmha_fwd")) {
    if (v.param_str("mask") == "packed") continue;  // fmha_split_test.cpp
    const auto all = shapes(v);
    run(s, v, all[1], seed++, true);       // padded strides (none: MQA, b > 1, no lse; window: causal bottom-right)
    run(s, v, all.back(), seed++, true);   // varlen
  }
}

INSTANTIATE_TEST_SUITE_P(Devices, FmhaFwd, ::testing::ValuesIn(asmk::test::kTestDevices),
                         [](const auto& info) { return std::string(info.param.arch); });

}  // namespace
