// Reference scaled-dot-product attention (the fmha_fwd kernels' contract), in fp64 on decoded inputs:
//
//   s[i][j] = scale · Σ_c q[i][c]·k[j][c]              (softcap > 0: s = softcap · tanh(s / softcap))
//   o[i]    = Σ_{j visible} e^(s[i][j] − m) · v[j] / Σ_{j visible} e^(s[i][j] − m),   m = max_j s[i][j]
//   lse[i]  = m + ln Σ_{j visible} e^(s[i][j] − m)      (natural log; −inf and o = 0 with no visible key)
//
// per (sequence b, query head h); query head h reads key/value head h / (heads_q / heads_k) (GQA, MQA).
// Key j is visible to query i of a sequence (lengths s_q, s_k) when
//   j < s_k,  j ≥ i + off − window_left (window_left ≥ 0),  j ≤ i + off + window_right (window_right ≥ 0),
//   off = s_k − s_q when bottom_right, else 0
// — causal top-left is (−1, 0) with bottom_right false, causal bottom-right (−1, 0) with it true, and
// flash-attention's window_size (left, right) is bottom_right true.
//
// Two passes over the keys of each row (the maximum first, then the sums): no online softmax, so the
// kernels' algorithm is checked, not copied. Along with the values the reference keeps what the error of a
// kernel scales with (ref/TOLERANCE.md, "Attention"): per output element W = Σ p·|v| / Σ p, per row the
// largest score magnitude scale·Σ|q·k| and the largest |s| over the visible keys.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "asmk/ref/gemm.hpp"
#include "asmk/ref/numeric.hpp"
#include "asmk/ref/status.hpp"
#include "asmk/ref/tolerance.hpp"

namespace asmk::ref {

struct AttentionArgs {
  Format in_format = Format::bf16;  // q, k, v codes: bf16 / fp16 (uint16) or an fp8 format (uint8)
  const void* q = nullptr;          // [.., heads_q, head_dim_qk] per token
  const void* k = nullptr;          // [.., heads_k, head_dim_qk]
  const void* v = nullptr;          // [.., heads_k, head_dim_v]
  std::uint32_t batch = 1, heads_q = 1, heads_k = 1;
  std::uint32_t seqlen_q = 0, seqlen_k = 0;  // batch mode (ignored with cu_seqlens)
  std::uint32_t head_dim_qk = 0, head_dim_v = 0;
  // Element strides. Batch mode: token t of sequence b, head h at b·stride_batch + t·stride_token +
  // h·stride_head. Varlen mode (cu_seqlens_q and cu_seqlens_k, int32 [batch + 1], non-decreasing):
  // sequence b holds tokens [cu[b], cu[b+1]) of a packed tensor, stride_batch unused.
  std::uint64_t q_stride_batch = 0, q_stride_token = 0, q_stride_head = 0;
  std::uint64_t k_stride_batch = 0, k_stride_token = 0, k_stride_head = 0;
  std::uint64_t v_stride_batch = 0, v_stride_token = 0, v_stride_head = 0;
  const std::int32_t* cu_seqlens_q = nullptr;
  const std::int32_t* cu_seqlens_k = nullptr;
  double scale = 1.0;                                      // softmax scale (usually 1/sqrt(head_dim_qk))
  double q_descale = 1.0, k_descale = 1.0, v_descale = 1.0;  // multiply the decoded inputs (fp8)
  std::int32_t window_left = -1, window_right = -1;        // −1: unbounded on that side
  bool bottom_right = true;                                // the window's diagonal (see above)
  double softcap = 0.0;                                    // > 0: logits soft-cap
  // Split-KV partials (the fmha_fwd_split ops' contract) when > 1: each sequence's keys in 32-key tiles, split n
  // taking tiles [n·per, (n + 1)·per), per = ceil(tiles / num_splits) (the last splits shorter or empty); every row
  // becomes num_splits rows, each the attention over its split's visible keys alone (o = 0, lse = −inf without one).
  std::uint32_t num_splits = 1;
};

// Results per output row r = (query token t, head h) with r = t·heads_q + h, t counted over the whole
// batch (batch mode: t = b·seqlen_q + i; varlen: t = cu_seqlens_q[b] + i); with num_splits > 1 per row and split,
// r·num_splits + n.
struct AttentionRef {
  std::uint32_t rows = 0, heads_q = 0, head_dim_v = 0;
  std::vector<double> out;        // [rows, head_dim_v]
  std::vector<double> weighted;   // [rows, head_dim_v]: W = Σ p·|v| / Σ p (0 without visible keys)
  std::vector<double> abs_sum;    // [rows, head_dim_v]: Σ |v| / Σ p over the visible keys
  std::vector<double> lse;        // [rows]
  std::vector<double> score_mag;  // [rows]: max over visible j of scale·Σ_c |q·k| (0 when none)
  std::vector<double> max_score;  // [rows]: max over visible j of |s| (after the soft-cap)
  std::vector<std::uint32_t> visible;  // [rows]: visible keys
  std::uint32_t max_seqlen_k = 0;      // the longest key sequence (accumulation lengths)
  std::uint32_t head_dim_qk = 256;     // bounds the dot products' length in the score error (MLA: 576)
  double softcap = 0.0;                // the arguments' soft-cap (its evaluation error joins the scores')

  double at(std::size_t row, std::uint32_t col) const { return out[row * head_dim_v + col]; }
};

// Visibility of key j to query i in a sequence of lengths (s_q, s_k) — the rule above.
bool attention_visible(std::int64_t i, std::int64_t j, std::int64_t s_q, std::int64_t s_k, std::int32_t window_left,
                       std::int32_t window_right, bool bottom_right);

Status attention(const AttentionArgs& args, AttentionRef& out);

// Tolerances (ref/TOLERANCE.md, "Attention"): `p_format` is the type P is rounded to for the P·V
// product (bf16 or fp16), `out` the output type.
double attention_tolerance(const AttentionRef& ref, std::size_t row, std::uint32_t col, OutType out, Format p_format);
double attention_lse_tolerance(const AttentionRef& ref, std::size_t row);

// Compares a kernel's output, given as doubles [rows, head_dim_v] in the reference's row order (and its
// LSE [rows] when `lse` is not null), with the reference. worst_row / worst_col name the element; a
// worst_col of head_dim_v means the LSE.
ErrorSummary compare_attention(const AttentionRef& ref, OutType out, Format p_format, const std::vector<double>& got,
                               const std::vector<double>* lse);

}  // namespace asmk::ref
