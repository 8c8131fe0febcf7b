#include "asmk/ref/mla.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace asmk::ref {
namespace {

constexpr double minus_inf = -std::numeric_limits<double>::infinity();

bool supported_format(Format f) { return f == Format::bf16 || f == Format::e4m3fnuz || f == Format::e4m3fn; }

double element(Format format, const void* base, std::uint64_t index, double scale) {
  const std::uint32_t code = format == Format::bf16 ? static_cast<const std::uint16_t*>(base)[index]
                                                    : static_cast<const std::uint8_t*>(base)[index];
  return double(decode(format, code)) * scale;
}

std::string seq_name(std::uint32_t b) { return "sequence " + std::to_string(b); }

// The cache rows (page · page_size + slot) of sequence b's keys, in key order.
Status key_rows(const MlaDecodeArgs& a, std::uint32_t b, std::uint32_t seqlen_k, std::vector<std::uint64_t>& rows) {
  rows.resize(seqlen_k);
  for (std::uint32_t j = 0; j < seqlen_k; ++j) {
    const std::uint64_t entry = j / a.page_size;
    const std::int32_t page = a.kv_indptr != nullptr ? a.kv_indices[std::uint64_t(a.kv_indptr[b]) + entry]
                                                     : a.block_table[b * a.block_table_stride + entry];
    if (page < 0 || std::uint64_t(page) >= a.num_pages)
      return Status::failure("mla_decode: " + seq_name(b) + " names page " + std::to_string(page) + " (entry " +
                             std::to_string(entry) + "); the cache has pages 0.." + std::to_string(a.num_pages) + " - 1");
    rows[j] = std::uint64_t(page) * a.page_size + j % a.page_size;
  }
  return Status::success();
}

// One output row of softmax(scale · q·kᵀ)·v over the keys (cache rows) `keys` into `out` at row `row`.
void attend(const MlaDecodeArgs& a, const std::vector<double>& q, const std::vector<std::uint64_t>& keys,
            AttentionRef& out, std::size_t row, std::vector<double>& s, std::vector<double>& mag) {
  out.visible[row] = std::uint32_t(keys.size());
  if (keys.empty()) return;  // o = 0, lse = −inf
  s.resize(keys.size());
  mag.resize(keys.size());
  for (std::size_t n = 0; n < keys.size(); ++n) {
    double dot = 0.0, abs_dot = 0.0;
    for (std::uint32_t c = 0; c < kMlaHeadDimQk; ++c) {
      const double prod = q[c] * element(a.kv_format, a.kv, keys[n] * a.kv_stride_token + c, a.kv_scale);
      dot += prod;
      abs_dot += std::fabs(prod);
    }
    double score = a.scale * dot;
    if (a.softcap > 0.0) score = a.softcap * std::tanh(score / a.softcap);
    s[n] = score;
    mag[n] = std::fabs(a.scale) * abs_dot;
  }
  const double m = *std::max_element(s.begin(), s.end());
  double l = 0.0;
  for (std::size_t n = 0; n < s.size(); ++n) {
    out.max_score[row] = std::max(out.max_score[row], std::fabs(s[n]));
    out.score_mag[row] = std::max(out.score_mag[row], mag[n]);
    s[n] = std::exp(s[n] - m);  // p from here on
    l += s[n];
  }
  out.lse[row] = m + std::log(l);
  for (std::uint32_t c = 0; c < kMlaHeadDimV; ++c) {
    double sum = 0.0, weighted = 0.0, abs_sum = 0.0;
    for (std::size_t n = 0; n < keys.size(); ++n) {
      const double value = element(a.kv_format, a.kv, keys[n] * a.kv_stride_token + c, a.kv_scale);
      sum += s[n] * value;
      weighted += s[n] * std::fabs(value);
      abs_sum += std::fabs(value);
    }
    const std::size_t at = row * kMlaHeadDimV + c;
    out.out[at] = sum / l;
    out.weighted[at] = weighted / l;
    out.abs_sum[at] = abs_sum / l;
  }
}

Status check_args(const MlaDecodeArgs& a) {
  if (!supported_format(a.q_format) || !supported_format(a.kv_format))
    return Status::failure("mla_decode: q / kv formats " + std::string(format_name(a.q_format)) + " / " +
                           std::string(format_name(a.kv_format)) + " are not bf16 or an fp8 (e4m3) format");
  if (a.q == nullptr || a.kv == nullptr || a.qo_indptr == nullptr) return Status::failure("mla_decode: q, kv and qo_indptr are required");
  if (a.heads == 0 || a.page_size == 0) return Status::failure("mla_decode: heads and page_size must be positive");
  const bool csr = a.kv_indptr != nullptr;
  if (csr && (a.kv_indices == nullptr || a.kv_last_page_len == nullptr))
    return Status::failure("mla_decode: the CSR form needs kv_indptr, kv_indices and kv_last_page_len");
  if (!csr && (a.block_table == nullptr || a.seq_lens == nullptr))
    return Status::failure("mla_decode: give the CSR form (kv_indptr, kv_indices, kv_last_page_len) or a block table and seq_lens");
  if (a.softcap < 0.0) return Status::failure("mla_decode: softcap must be >= 0");
  if (a.qo_indptr[0] != 0) return Status::failure("mla_decode: qo_indptr[0] is " + std::to_string(a.qo_indptr[0]) + ", not 0");
  for (std::uint32_t b = 0; b < a.batch; ++b)
    if (a.qo_indptr[b + 1] < a.qo_indptr[b])
      return Status::failure("mla_decode: qo_indptr decreases at " + seq_name(b));
  return Status::success();
}

AttentionRef empty_result(std::uint32_t rows, std::uint32_t heads, std::uint32_t max_seqlen_k, double softcap) {
  AttentionRef r;
  r.rows = rows, r.heads_q = heads, r.head_dim_v = kMlaHeadDimV, r.head_dim_qk = kMlaHeadDimQk;
  r.softcap = softcap, r.max_seqlen_k = max_seqlen_k;
  const std::size_t elems = std::size_t{rows} * kMlaHeadDimV;
  r.out.assign(elems, 0.0), r.weighted.assign(elems, 0.0), r.abs_sum.assign(elems, 0.0);
  r.lse.assign(rows, minus_inf);
  r.score_mag.assign(rows, 0.0), r.max_score.assign(rows, 0.0), r.visible.assign(rows, 0);
  return r;
}

// Both forms: for every (token, head) of every sequence, calls emit(row base, q, visible key rows
// [0, limit) of the sequence's `keys`).
template <class Emit>
Status for_each_query(const MlaDecodeArgs& a, const std::vector<std::uint32_t>& seqlens, Emit emit) {
  std::vector<double> q(kMlaHeadDimQk);
  std::vector<std::uint64_t> keys;
  for (std::uint32_t b = 0; b < a.batch; ++b) {
    if (Status st = key_rows(a, b, seqlens[b], keys); !st.ok()) return st;
    const std::int64_t n = a.qo_indptr[b + 1] - a.qo_indptr[b];
    for (std::int64_t t = 0; t < n; ++t) {
      const std::uint64_t token = std::uint64_t(a.qo_indptr[b]) + std::uint64_t(t);
      // causal among the new tokens: token t of n sees keys j < seqlen_k − n + t + 1
      const std::int64_t limit = std::clamp<std::int64_t>(std::int64_t(seqlens[b]) - n + t + 1, 0, seqlens[b]);
      for (std::uint32_t h = 0; h < a.heads; ++h) {
        const std::uint64_t q_at = token * a.q_stride_token + h * a.q_stride_head;
        for (std::uint32_t c = 0; c < kMlaHeadDimQk; ++c) q[c] = element(a.q_format, a.q, q_at + c, a.q_scale);
        emit(token * a.heads + h, q, keys, std::uint32_t(limit), seqlens[b]);
      }
    }
  }
  return Status::success();
}

}  // namespace

std::uint32_t mla_split_keys(std::uint32_t seqlen_k, std::uint32_t num_splits, std::uint32_t granule) {
  if (num_splits == 0 || granule == 0) return seqlen_k;
  const std::uint64_t per = (std::uint64_t{seqlen_k} + num_splits - 1) / num_splits;
  return std::uint32_t((per + granule - 1) / granule * granule);
}

Status mla_seqlens_k(const MlaDecodeArgs& a, std::vector<std::uint32_t>& out) {
  if (Status st = check_args(a); !st.ok()) return st;
  out.assign(a.batch, 0);
  for (std::uint32_t b = 0; b < a.batch; ++b) {
    if (a.kv_indptr != nullptr) {
      const std::int64_t pages = std::int64_t(a.kv_indptr[b + 1]) - a.kv_indptr[b];
      if (a.kv_indptr[b] < 0 || pages < 0) return Status::failure("mla_decode: kv_indptr decreases at " + seq_name(b));
      const std::int32_t last = a.kv_last_page_len[b];
      if (pages > 0 && (last < 1 || std::uint32_t(last) > a.page_size))
        return Status::failure("mla_decode: kv_last_page_len of " + seq_name(b) + " is " + std::to_string(last) +
                               "; it must be in 1.." + std::to_string(a.page_size));
      out[b] = pages == 0 ? 0 : std::uint32_t((pages - 1) * a.page_size + last);
    } else {
      if (a.seq_lens[b] < 0) return Status::failure("mla_decode: seq_lens of " + seq_name(b) + " is negative");
      out[b] = std::uint32_t(a.seq_lens[b]);
      if (std::uint64_t(out[b]) > a.block_table_stride * a.page_size)
        return Status::failure("mla_decode: " + seq_name(b) + " has " + std::to_string(out[b]) + " keys; its block table row holds " +
                               std::to_string(a.block_table_stride * a.page_size));
    }
  }
  return Status::success();
}

Status mla_decode(const MlaDecodeArgs& a, AttentionRef& out) {
  std::vector<std::uint32_t> seqlens;
  if (Status st = mla_seqlens_k(a, seqlens); !st.ok()) return st;
  const std::uint32_t tokens = std::uint32_t(a.qo_indptr[a.batch]);
  out = empty_result(tokens * a.heads, a.heads, seqlens.empty() ? 0 : *std::max_element(seqlens.begin(), seqlens.end()), a.softcap);
  std::vector<double> s, mag;
  std::vector<std::uint64_t> visible;
  return for_each_query(a, seqlens, [&](std::size_t row, const std::vector<double>& q, const std::vector<std::uint64_t>& keys,
                                        std::uint32_t limit, std::uint32_t) {
    visible.assign(keys.begin(), keys.begin() + limit);
    attend(a, q, visible, out, row, s, mag);
  });
}

namespace {

// Split-KV partials with per(seqlen_k) keys per split: split s covers [s·per, (s+1)·per) ∩ [0, seqlen_k).
template <class PerSplit>
Status split_partials(const MlaDecodeArgs& a, std::uint32_t num_splits, PerSplit per_split, AttentionRef& out) {
  if (num_splits == 0) return Status::failure("mla_decode: num_splits must be positive");
  std::vector<std::uint32_t> seqlens;
  if (Status st = mla_seqlens_k(a, seqlens); !st.ok()) return st;
  const std::uint32_t tokens = std::uint32_t(a.qo_indptr[a.batch]);
  std::uint32_t longest_split = 0;
  for (std::uint32_t len : seqlens) longest_split = std::max(longest_split, std::min(len, per_split(len)));
  out = empty_result(tokens * a.heads * num_splits, a.heads, longest_split, a.softcap);
  std::vector<double> s, mag;
  std::vector<std::uint64_t> visible;
  return for_each_query(a, seqlens, [&](std::size_t row, const std::vector<double>& q, const std::vector<std::uint64_t>& keys,
                                        std::uint32_t limit, std::uint32_t seqlen_k) {
    const std::uint32_t per = per_split(seqlen_k);
    for (std::uint32_t sp = 0; sp < num_splits; ++sp) {
      const std::uint64_t begin = std::min<std::uint64_t>(std::uint64_t{sp} * per, limit);
      const std::uint64_t end = std::min<std::uint64_t>(std::uint64_t{sp + 1} * per, limit);
      visible.assign(keys.begin() + std::ptrdiff_t(begin), keys.begin() + std::ptrdiff_t(end));
      attend(a, q, visible, out, row * num_splits + sp, s, mag);
    }
  });
}

}  // namespace

Status mla_decode_split(const MlaDecodeArgs& a, std::uint32_t num_splits, std::uint32_t granule, AttentionRef& out) {
  return split_partials(a, num_splits, [&](std::uint32_t len) { return mla_split_keys(len, num_splits, granule); }, out);
}

Status mla_decode_split_planned(const MlaDecodeArgs& a, std::uint32_t num_splits, std::uint32_t keys_per_split,
                                AttentionRef& out) {
  if (keys_per_split == 0) return Status::failure("mla_decode: keys_per_split must be positive");
  std::vector<std::uint32_t> seqlens;
  if (Status st = mla_seqlens_k(a, seqlens); !st.ok()) return st;
  for (std::uint32_t b = 0; b < a.batch; ++b)
    if (std::uint64_t{keys_per_split} * num_splits < seqlens[b])
      return Status::failure("mla_decode: " + std::to_string(num_splits) + " splits of " + std::to_string(keys_per_split) +
                             " keys do not cover " + seq_name(b) + " (" + std::to_string(seqlens[b]) + " keys)");
  return split_partials(a, num_splits, [&](std::uint32_t) { return keys_per_split; }, out);
}

std::uint32_t mla_plan_split_tiles(const std::vector<std::uint32_t>& keys, std::uint32_t num_splits,
                                   std::uint32_t work_target, std::uint32_t min_tiles, std::uint32_t granule) {
  std::uint64_t total = 0, longest = 0;
  for (std::uint32_t k : keys) {
    const std::uint64_t tiles = (std::uint64_t{k} + granule - 1) / granule;
    total += tiles;
    longest = std::max(longest, tiles);
  }
  auto ceil_div = [](std::uint64_t x, std::uint64_t y) { return y == 0 ? x : (x + y - 1) / y; };
  const std::uint64_t n0 = std::max({ceil_div(total, work_target), ceil_div(longest, num_splits), std::uint64_t{min_tiles},
                                     std::uint64_t{1}});
  // The splits over the batch with n tiles each: each sequence's rounded up, so up to one more per sequence
  // than T / n — past work_target a whole extra round of workgroups for a few of them.
  auto splits_with = [&](std::uint64_t n) {
    std::uint64_t count = 0;
    for (std::uint32_t k : keys) count += ceil_div(ceil_div(k, granule), n);
    return count;
  };
  // The smallest n in [n0, n0 + n0 / 4] whose splits fit in work_target, else n0 (an uneven batch, where
  // larger splits would lengthen the longest sequence's path more than a second round of short ones costs).
  std::uint64_t lo = n0, hi = n0 + n0 / 4 + 1;  // hi: none found
  while (lo < hi) {
    const std::uint64_t mid = (lo + hi) / 2;
    if (splits_with(mid) <= work_target) hi = mid;
    else lo = mid + 1;
  }
  return std::uint32_t(lo == n0 + n0 / 4 + 1 ? n0 : lo);
}

Status lse_combine(const float* partial_o, const float* partial_lse, std::uint32_t rows, std::uint32_t splits,
                   std::uint32_t dv, LseCombineRef& out) {
  if (partial_o == nullptr || partial_lse == nullptr) return Status::failure("lse_combine: partial_o and partial_lse are required");
  if (splits == 0 || dv == 0) return Status::failure("lse_combine: splits and dv must be positive");
  out = LseCombineRef{};
  out.rows = rows, out.splits = splits, out.dv = dv;
  out.out.assign(std::size_t{rows} * dv, 0.0);
  out.weighted.assign(std::size_t{rows} * dv, 0.0);
  out.lse.assign(rows, minus_inf);
  out.lse_mag.assign(rows, 0.0);
  std::vector<double> w(splits);
  for (std::size_t r = 0; r < rows; ++r) {
    const float* lse = partial_lse + r * splits;
    double m = minus_inf;
    for (std::uint32_t s = 0; s < splits; ++s) {
      if (std::isnan(lse[s]) || lse[s] == std::numeric_limits<float>::infinity())
        return Status::failure("lse_combine: partial lse of row " + std::to_string(r) + ", split " + std::to_string(s) +
                               " is " + std::to_string(lse[s]) + "; it must be finite or -inf");
      m = std::max(m, double(lse[s]));
      if (std::isfinite(lse[s])) out.lse_mag[r] = std::max(out.lse_mag[r], std::fabs(double(lse[s])));
    }
    if (m == minus_inf) continue;  // no split saw a key: o = 0, lse = −inf
    double l = 0.0;
    for (std::uint32_t s = 0; s < splits; ++s) l += w[s] = std::exp(double(lse[s]) - m);
    out.lse[r] = m + std::log(l);
    for (std::uint32_t c = 0; c < dv; ++c) {
      double sum = 0.0, weighted = 0.0;
      for (std::uint32_t s = 0; s < splits; ++s) {
        if (lse[s] == minus_inf) continue;  // an empty split: o_s unread
        const double o = partial_o[(r * splits + s) * dv + c];
        sum += w[s] * o;
        weighted += w[s] * std::fabs(o);
      }
      out.out[r * dv + c] = sum / l;
      out.weighted[r * dv + c] = weighted / l;
    }
  }
  return Status::success();
}

// ref/TOLERANCE.md, "LSE combine": the fp32 weights e^(lse_s − m) carry a relative error of
// ε = u·(3·(|lse_s| + |m|) + 4) (the exponent's argument rounded at the magnitude of the lse values,
// exp's own ulps), a sum over the splits adds (splits + 4)·u.
double lse_combine_tolerance(const LseCombineRef& ref, std::size_t row, std::uint32_t col, OutType out) {
  const double eps = kFp32UnitRoundoff * (6.0 * ref.lse_mag[row] + 4.0);
  const double kernel = (2.0 * eps + (ref.splits + 4.0) * kFp32UnitRoundoff) * ref.weighted[row * ref.dv + col];
  return kernel + 0.5 * output_ulp(out, std::fabs(ref.out[row * ref.dv + col]) + kernel);
}

double lse_combine_lse_tolerance(const LseCombineRef& ref, std::size_t row) {
  return kFp32UnitRoundoff * (8.0 * (ref.lse_mag[row] + 1.0) + 2.0 * ref.splits);
}

}  // namespace asmk::ref
