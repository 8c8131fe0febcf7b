#include "asmk/ref/attention.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace asmk::ref {
namespace {


bool is_16bit(Format f) { return f == Format::bf16 || f == Format::fp16; }
bool is_8bit_float(Format f) {
  return f == Format::e4m3fnuz || f == Format::e5m2fnuz || f == Format::e4m3fn || f == Format::e5m2;
}

// One element of a q / k / v tensor, decoded and multiplied by its descale.
double element(const AttentionArgs& a, const void* base, std::uint64_t index, double descale) {
  const std::uint32_t code = is_16bit(a.in_format) ? static_cast<const std::uint16_t*>(base)[index]
                                                   : static_cast<const std::uint8_t*>(base)[index];
  return double(decode(a.in_format, code)) * descale;
}

// The sequences' extents: (first query token, s_q, first key token, s_k) of sequence b.
struct Sequence {
  std::uint64_t q0, s_q, k0, s_k;
};

Status sequence(const AttentionArgs& a, std::uint32_t b, Sequence& out) {
  if (a.cu_seqlens_q == nullptr) {
    out = {std::uint64_t{b} * a.seqlen_q, a.seqlen_q, 0, a.seqlen_k};
    return Status::success();
  }
  const std::int32_t q0 = a.cu_seqlens_q[b], q1 = a.cu_seqlens_q[b + 1];
  const std::int32_t k0 = a.cu_seqlens_k[b], k1 = a.cu_seqlens_k[b + 1];
  if (q0 < 0 || q1 < q0 || k0 < 0 || k1 < k0)
    return Status::failure("attention: cu_seqlens of sequence " + std::to_string(b) + " are [" + std::to_string(q0) +
                           ", " + std::to_string(q1) + ") / [" + std::to_string(k0) + ", " + std::to_string(k1) +
                           "); they must be non-negative and non-decreasing");
  out = {std::uint64_t(q0), std::uint64_t(q1 - q0), std::uint64_t(k0), std::uint64_t(k1 - k0)};
  return Status::success();
}

}  // namespace

bool attention_visible(std::int64_t i, std::int64_t j, std::int64_t s_q, std::int64_t s_k, std::int32_t window_left,
                       std::int32_t window_right, bool bottom_right) {
  if (j < 0 || j >= s_k) return false;
  const std::int64_t diagonal = i + (bottom_right ? s_k - s_q : 0);
  if (window_left >= 0 && j < diagonal - window_left) return false;
  if (window_right >= 0 && j > diagonal + window_right) return false;
  return true;
}

Status attention(const AttentionArgs& a, AttentionRef& out) {
  if (!is_16bit(a.in_format) && !is_8bit_float(a.in_format))
    return Status::failure("attention: input format " + std::string(format_name(a.in_format)) +
                           " is not bf16, fp16 or an fp8 format");
  if (a.q == nullptr || a.k == nullptr || a.v == nullptr) return Status::failure("attention: q, k and v are required");
  if (a.heads_k == 0 || a.heads_q == 0 || a.heads_q % a.heads_k != 0)
    return Status::failure("attention: heads_q (" + std::to_string(a.heads_q) + ") must be a positive multiple of heads_k (" +
                           std::to_string(a.heads_k) + ")");
  if (a.head_dim_qk == 0 || a.head_dim_v == 0) return Status::failure("attention: head dims must be positive");
  if ((a.cu_seqlens_q == nullptr) != (a.cu_seqlens_k == nullptr))
    return Status::failure("attention: varlen mode needs both cu_seqlens_q and cu_seqlens_k");
  if (a.softcap < 0.0) return Status::failure("attention: softcap must be >= 0");

  const std::uint32_t group = a.heads_q / a.heads_k;
  const std::uint64_t total_q =
      a.cu_seqlens_q ? std::uint64_t(std::max(0, a.cu_seqlens_q[a.batch])) : std::uint64_t{a.batch} * a.seqlen_q;
  if (a.num_splits == 0) return Status::failure("attention: num_splits must be >= 1");
  const std::uint32_t splits = a.num_splits;
  out = AttentionRef{};
  out.rows = std::uint32_t(total_q * a.heads_q * splits);
  out.heads_q = a.heads_q;
  out.softcap = a.softcap;
  out.head_dim_v = a.head_dim_v;
  const std::size_t elems = std::size_t{out.rows} * a.head_dim_v;
  out.out.assign(elems, 0.0);
  out.weighted.assign(elems, 0.0);
  out.abs_sum.assign(elems, 0.0);
  out.lse.assign(out.rows, -std::numeric_limits<double>::infinity());
  out.score_mag.assign(out.rows, 0.0);
  out.max_score.assign(out.rows, 0.0);
  out.visible.assign(out.rows, 0);

  std::vector<double> q(a.head_dim_qk), s, mag, p;
  for (std::uint32_t b = 0; b < a.batch; ++b) {
    Sequence seq;
    if (Status st = sequence(a, b, seq); !st.ok()) return st;
    out.max_seqlen_k = std::max<std::uint32_t>(out.max_seqlen_k, std::uint32_t(seq.s_k));
    const bool varlen = a.cu_seqlens_q != nullptr;
    const std::uint64_t qb = varlen ? 0 : b * a.q_stride_batch, kb = varlen ? 0 : b * a.k_stride_batch,
                        vb = varlen ? 0 : b * a.v_stride_batch;
    std::vector<double> keys_of_head, values_of_head;  // [s_k, d] of kv head hk, decoded once per head
    for (std::uint32_t h = 0; h < a.heads_q; ++h) {
      const std::uint32_t hk = h / group;
      if (h % group == 0) {
        keys_of_head.resize(seq.s_k * a.head_dim_qk);
        values_of_head.resize(seq.s_k * a.head_dim_v);
        for (std::uint64_t j = 0; j < seq.s_k; ++j) {
          const std::uint64_t k_at = kb + (seq.k0 + j) * a.k_stride_token + hk * a.k_stride_head;
          const std::uint64_t v_at = vb + (seq.k0 + j) * a.v_stride_token + hk * a.v_stride_head;
          for (std::uint32_t c = 0; c < a.head_dim_qk; ++c)
            keys_of_head[j * a.head_dim_qk + c] = element(a, a.k, k_at + c, a.k_descale);
          for (std::uint32_t c = 0; c < a.head_dim_v; ++c)
            values_of_head[j * a.head_dim_v + c] = element(a, a.v, v_at + c, a.v_descale);
        }
      }
      // split-KV: split n takes the keys of 32-key tiles [n·per, (n + 1)·per), per = ceil(tiles / splits)
      const std::uint64_t tiles = (seq.s_k + 31) / 32, per = (tiles + splits - 1) / splits;
      for (std::uint64_t i = 0; i < seq.s_q; ++i)
      for (std::uint32_t split = 0; split < splits; ++split) {
        const std::size_t row = std::size_t(((seq.q0 + i) * a.heads_q + h) * splits + split);
        const std::uint64_t q_token = varlen ? seq.q0 + i : i;  // batch mode: the sequence is in qb
        const std::uint64_t q_at = qb + q_token * a.q_stride_token + h * a.q_stride_head;
        for (std::uint32_t c = 0; c < a.head_dim_qk; ++c) q[c] = element(a, a.q, q_at + c, a.q_descale);
        const std::uint64_t key_lo = splits == 1 ? 0 : std::min<std::uint64_t>(seq.s_k, 32 * per * split);
        const std::uint64_t key_hi = splits == 1 ? seq.s_k : std::min<std::uint64_t>(seq.s_k, 32 * per * (split + 1));
        // pass 1: the scores of the visible keys and their maximum
        s.clear();
        mag.clear();
        std::vector<std::uint64_t> keys;
        for (std::uint64_t j = key_lo; j < key_hi; ++j) {
          if (!attention_visible(std::int64_t(i), std::int64_t(j), std::int64_t(seq.s_q), std::int64_t(seq.s_k),
                                 a.window_left, a.window_right, a.bottom_right))
            continue;
          const double* key = keys_of_head.data() + j * a.head_dim_qk;
          double dot = 0.0, abs_dot = 0.0;
          for (std::uint32_t c = 0; c < a.head_dim_qk; ++c) {
            const double prod = q[c] * key[c];
            dot += prod;
            abs_dot += std::fabs(prod);
          }
          double score = a.scale * dot;
          if (a.softcap > 0.0) score = a.softcap * std::tanh(score / a.softcap);
          s.push_back(score);
          mag.push_back(std::fabs(a.scale) * abs_dot);
          keys.push_back(j);
        }
        out.visible[row] = std::uint32_t(keys.size());
        if (keys.empty()) continue;  // o = 0, lse = -inf
        const double m = *std::max_element(s.begin(), s.end());
        // pass 2: the weights and the sums
        p.resize(s.size());
        double l = 0.0;
        for (std::size_t n = 0; n < s.size(); ++n) {
          p[n] = std::exp(s[n] - m);
          l += p[n];
          out.max_score[row] = std::max(out.max_score[row], std::fabs(s[n]));
          out.score_mag[row] = std::max(out.score_mag[row], mag[n]);
        }
        out.lse[row] = m + std::log(l);
        for (std::uint32_t c = 0; c < a.head_dim_v; ++c) {
          double sum = 0.0, weighted = 0.0, abs_sum = 0.0;
          for (std::size_t n = 0; n < keys.size(); ++n) {
            const double value = values_of_head[keys[n] * a.head_dim_v + c];
            sum += p[n] * value;
            weighted += p[n] * std::fabs(value);
            abs_sum += std::fabs(value);
          }
          out.out[row * a.head_dim_v + c] = sum / l;
          out.weighted[row * a.head_dim_v + c] = weighted / l;
          out.abs_sum[row * a.head_dim_v + c] = abs_sum / l;
        }
      }
    }
  }
  return Status::success();
}

// ---------------------------------------------------------------------------------------------
// Tolerances: the derivation is in ref/TOLERANCE.md ("Attention").

namespace {

// ε: the error of one score as it reaches the exponent, in natural-log units.
double score_error(const AttentionRef& ref, std::size_t row, std::uint32_t head_dim_qk_bound) {
  const double d = head_dim_qk_bound;
  const double capped = ref.softcap > 0.0 ? 4.0 * ref.score_mag[row] + 9.0 * ref.softcap : 0.0;
  return kFp32UnitRoundoff * ((d + 2.0) * ref.score_mag[row] + 8.0 * ref.max_score[row] + 4.0 + capped);
}


// Unit roundoff of P's type: bf16 2^-8, fp16 2^-11, fp8 (e4m3) 2^-4.
double p_unit(Format p_format) {
  return p_format == Format::fp16 ? 0x1p-11 : p_format == Format::bf16 ? 0x1p-8 : 0x1p-4;
}
// Absolute error of a tiny p: fp16 subnormals (2^-25), a flushed fp32 denormal (2^-126, bf16), fp8 subnormals
// after the kernels' scaling of p by 2^7 (e4m3fnuz) / 2^8 (e4m3fn): half their spacing, 2^-11 / 2^-10, is
// 2^-18 of p.
double p_floor(Format p_format) {
  return p_format == Format::fp16 ? 0x1p-25 : p_format == Format::bf16 ? 0x1p-126 : 0x1p-18;
}

}  // namespace

double attention_tolerance(const AttentionRef& ref, std::size_t row, std::uint32_t col, OutType out, Format p_format) {
  const std::size_t at = row * ref.head_dim_v + col;
  const double n = ref.max_seqlen_k;
  const double eps = score_error(ref, row, ref.head_dim_qk);
  const double relative = std::expm1(2.0 * eps) + p_unit(p_format) + (3.0 * n + 6.0) * kFp32UnitRoundoff * (1.0 + p_unit(p_format));
  const double kernel = relative * ref.weighted[at] + p_floor(p_format) * ref.abs_sum[at];
  return kernel + 0.5 * output_ulp(out, std::fabs(ref.out[at]) + kernel);
}

double attention_lse_tolerance(const AttentionRef& ref, std::size_t row) {
  const double n = ref.max_seqlen_k;
  const double eps = score_error(ref, row, ref.head_dim_qk);
  const double eta = std::expm1(eps) + 3.0 * n * kFp32UnitRoundoff;
  const double lse = std::isfinite(ref.lse[row]) ? std::fabs(ref.lse[row]) : 0.0;
  return eps + eta / (1.0 - eta) + 6.0 * kFp32UnitRoundoff * (ref.max_score[row] + lse + 1.0);
}

ErrorSummary compare_attention(const AttentionRef& ref, OutType out, Format p_format, const std::vector<double>& got,
                               const std::vector<double>* lse) {
  ErrorSummary summary;
  double worst_ratio = -1.0;
  auto check = [&](std::size_t row, std::uint32_t col, double expected, double value, double tolerance) {
    ++summary.count;
    const double error = std::fabs(value - expected);
    bool pass;
    if (std::isinf(expected) || std::isinf(value)) pass = expected == value;  // only the LSE of a row with no key
    else pass = !std::isnan(value) && error <= tolerance;
    if (!pass) ++summary.violations;
    if (std::isfinite(error)) {
      summary.max_abs_error = std::max(summary.max_abs_error, error);
      if (expected != 0.0) summary.max_rel_error = std::max(summary.max_rel_error, error / std::fabs(expected));
    }
    const double ratio = pass ? (tolerance > 0.0 ? error / tolerance : 0.0) : std::numeric_limits<double>::infinity();
    if (ratio > worst_ratio || (!pass && summary.violations == 1)) {
      worst_ratio = ratio;
      summary.worst_row = std::uint32_t(row);
      summary.worst_col = col;
      summary.worst_ref = expected;
      summary.worst_got = value;
      summary.worst_tolerance = tolerance;
    }
  };
  for (std::size_t row = 0; row < ref.rows; ++row) {
    for (std::uint32_t c = 0; c < ref.head_dim_v; ++c)
      check(row, c, ref.at(row, c), got[row * ref.head_dim_v + c], attention_tolerance(ref, row, c, out, p_format));
    if (lse != nullptr) check(row, ref.head_dim_v, ref.lse[row], (*lse)[row], attention_lse_tolerance(ref, row));
  }
  return summary;
}

}  // namespace asmk::ref
