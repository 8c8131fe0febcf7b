// The fmha_fwd and fmha_fwd_varlen ops' references (ref/attention.hpp): o compared under the
// attention tolerance of ref/TOLERANCE.md, lse under its own bound; the split ops' fp32 partials likewise, per split. Both lay tensors out as
// [tokens of a block, heads, d] per block: batch mode has `batch` blocks of seqlen tokens, varlen
// one block of total tokens (sequence b's from cu_seqlens[b]).
#include <cmath>
#include <random>
#include <cstring>
#include <algorithm>
#include <cstdlib>
#include <memory>

#include "asmk/ref/attention.hpp"
#include "table.hpp"

namespace asmk::ref {
namespace {

double decode16(const std::string& dtype, const std::uint8_t* p) {
  std::uint16_t code;
  std::memcpy(&code, p, 2);
  return dtype == "bf16" ? bf16_to_f32(code) : fp16_to_f32(code);
}

// o [blocks, tokens, heads_q, dv] (varlen: [tokens, heads_q, dv], one block) -> the reference's rows
// (block·tokens + i)·heads_q + h.
Comparison compare_o(const AttentionRef& r, const OpTensor& o, Format p_format) {
  const bool varlen = o.shape.size() == 3;
  const std::uint64_t blocks = varlen ? 1 : o.shape[0], block_stride = varlen ? 0 : o.strides[0];
  const std::size_t d = varlen ? 0 : 1;  // the first of tokens, heads, dv
  const std::uint64_t tokens = o.shape[d], heads = o.shape[d + 1], dv = o.shape[d + 2];
  if (blocks * tokens * heads != r.rows || dv != r.head_dim_v) {
    Comparison c;
    c.mismatches = 1;
    c.detail = "o: the reference has " + std::to_string(r.rows) + " rows, the tensor " + std::to_string(blocks * tokens * heads);
    return c;
  }
  std::vector<double> got(std::size_t(r.rows) * r.head_dim_v);
  for (std::uint64_t b = 0; b < blocks; ++b)
    for (std::uint64_t i = 0; i < tokens; ++i)
      for (std::uint64_t h = 0; h < heads; ++h)
        for (std::uint64_t c = 0; c < dv; ++c) {
          const std::uint64_t at = b * block_stride + i * o.strides[d] + h * o.strides[d + 1] + c;
          got[((b * tokens + i) * heads + h) * dv + c] = decode16(o.dtype, o.bytes.data() + 2 * at);
        }
  const OutType out = o.dtype == "bf16" ? OutType::bf16 : OutType::fp16;
  const ErrorSummary s = compare_attention(r, out, p_format, got, nullptr);
  Comparison c;
  c.count = s.count, c.mismatches = s.violations, c.max_abs_error = s.max_abs_error;
  double sum = 0;
  for (std::size_t i = 0; i < got.size(); ++i) sum += std::fabs(got[i] - r.out[i]);
  c.mean_abs_error = got.empty() ? 0 : sum / double(got.size());
  if (!s.ok()) c.detail = "o: " + s.describe();
  return c;
}

// lse [batch, heads_q, seqlen_q], varlen [heads_q, total_q] (natural log; -inf for a row without
// visible keys).
Comparison compare_lse(const AttentionRef& r, const OpTensor& lse) {
  const bool varlen = lse.shape.size() == 2;
  const std::uint64_t blocks = varlen ? 1 : lse.shape[0], heads = lse.shape[varlen ? 0 : 1];
  const std::uint64_t tokens = lse.shape[varlen ? 1 : 2];
  Comparison c;
  if (blocks * tokens * heads != r.rows) {
    c.mismatches = 1;
    c.detail = "lse: the reference has " + std::to_string(r.rows) + " rows, the tensor " + std::to_string(blocks * tokens * heads);
    return c;
  }
  double sum = 0;
  for (std::uint64_t b = 0; b < blocks; ++b)
    for (std::uint64_t h = 0; h < heads; ++h)
      for (std::uint64_t i = 0; i < tokens; ++i) {
        float v;
        std::memcpy(&v, lse.bytes.data() + 4 * ((b * heads + h) * tokens + i), 4);
        const std::size_t row = (b * tokens + i) * heads + h;
        const double want = r.lse[row];
        const double error = std::isinf(want) && want == v ? 0 : std::fabs(v - want);
        ++c.count;
        c.max_abs_error = std::max(c.max_abs_error, error);
        sum += error;
        if (!(error <= attention_lse_tolerance(r, row)) && c.mismatches++ == 0)
          c.detail = "lse: row " + std::to_string(row) + ": kernel " + std::to_string(v) + ", ref " + std::to_string(want);
      }
  c.mean_abs_error = c.count == 0 ? 0 : sum / double(c.count);
  return c;
}

// Sequence lengths for varlen: `total` tokens split over `batch` sequences of at most `longest`
// each, in random proportions (empty sequences included), as cu_seqlens [batch + 1].
void fill_cu_seqlens(OpTensor& cu, std::uint32_t batch, std::uint32_t total, std::uint32_t longest, std::mt19937& rng) {
  std::vector<std::int32_t> lengths(batch, 0);
  std::uint32_t left = total;
  for (std::uint32_t b = 0; b < batch && left > 0; ++b) {
    const std::uint32_t room = std::min(longest, left), rest = batch - 1 - b;
    // the later sequences must be able to take what is left
    const std::uint32_t least = left > std::uint64_t(rest) * longest ? left - rest * longest : 0;
    std::uniform_int_distribution<std::uint32_t> pick(std::min(least, room), room);
    lengths[b] = static_cast<std::int32_t>(b + 1 == batch ? room : pick(rng));
    left -= static_cast<std::uint32_t>(lengths[b]);
  }
  std::int32_t at = 0;
  for (std::uint32_t b = 0; b <= batch; ++b) {
    std::memcpy(cu.bytes.data() + 4 * b, &at, 4);
    if (b < batch) at += lengths[b];
  }
}

// The split ops' partials (fp32, packed): o [batch, heads_q, seqlen_q, splits, dv] (varlen [heads_q, total_q, splits,
// dv]) and lse [.., splits] against the reference's rows ((t·heads_q + h)·splits + n); o under the attention tolerance
// with an fp32 output, lse under its own (an empty split: lse −inf, o 0).
Comparison compare_partials(const AttentionRef& r, const OpTensor& x, Format p_format, bool varlen, std::uint32_t seqlen_q,
                            std::uint32_t splits, bool is_o) {
  const std::uint64_t heads = r.heads_q, per_row = is_o ? r.head_dim_v : 1;
  const std::uint64_t elems = x.bytes.size() / 4;
  Comparison c;
  if (elems != std::uint64_t(r.rows) * per_row) {
    c.mismatches = 1;
    c.detail = std::string(is_o ? "o" : "lse") + ": the reference has " + std::to_string(r.rows) + " partial rows, the tensor " +
               std::to_string(elems / per_row);
    return c;
  }
  const std::uint64_t total = r.rows / (heads * splits);  // query tokens of the batch
  double sum = 0;
  for (std::uint64_t row = 0; row < r.rows; ++row) {
    const std::uint64_t t = row / (heads * splits), h = row / splits % heads, n = row % splits;
    const std::uint64_t lse_row = varlen ? h * total + t : (t / seqlen_q * heads + h) * seqlen_q + t % seqlen_q;
    const std::uint64_t at = (lse_row * splits + n) * per_row;
    for (std::uint64_t col = 0; col < per_row; ++col) {
      float v;
      std::memcpy(&v, x.bytes.data() + 4 * (at + col), 4);
      const double want = is_o ? r.at(row, std::uint32_t(col)) : r.lse[row];
      const double tolerance = is_o ? attention_tolerance(r, row, std::uint32_t(col), OutType::f32, p_format)
                                    : attention_lse_tolerance(r, row);
      const double error = std::isinf(want) && want == v ? 0 : std::fabs(v - want);
      ++c.count;
      if (std::isfinite(error)) c.max_abs_error = std::max(c.max_abs_error, error), sum += error;
      if (!(error <= tolerance) && c.mismatches++ == 0)
        c.detail = std::string(is_o ? "o" : "lse") + ": row " + std::to_string(row / splits) + " split " + std::to_string(n) +
                   (is_o ? " col " + std::to_string(col) : "") + ": kernel " + std::to_string(v) + ", ref " + std::to_string(want) +
                   " (" + std::to_string(r.visible[row]) + " visible keys)";
    }
  }
  c.mean_abs_error = c.count == 0 ? 0 : sum / double(c.count);
  return c;
}

Status attention_of(const OpProblem& p, const OpTensors& t, std::map<std::string, Expected>& expected, bool varlen,
                    bool split = false) {
  const OpTensor &q = t.at("q"), &k = t.at("k"), &v = t.at("v");
  const std::size_t d = varlen ? 0 : 1;  // the dimension of tokens
  AttentionArgs a;
  a.in_format = p.text("dtype") == "fp8" ? fp8_format(p.arch) : p.text("dtype") == "fp16" ? Format::fp16 : Format::bf16;
  a.q = q.bytes.data(), a.k = k.bytes.data(), a.v = v.bytes.data();
  a.batch = p.u32("batch"), a.heads_q = p.u32("num_heads_q"), a.heads_k = p.u32("num_heads_k");
  a.seqlen_q = p.u32("seqlen_q"), a.seqlen_k = p.u32("seqlen_k");
  a.head_dim_qk = static_cast<std::uint32_t>(q.shape[d + 2]), a.head_dim_v = static_cast<std::uint32_t>(v.shape[d + 2]);
  if (!varlen) a.q_stride_batch = q.strides[0], a.k_stride_batch = k.strides[0], a.v_stride_batch = v.strides[0];
  a.q_stride_token = q.strides[d], a.q_stride_head = q.strides[d + 1];
  a.k_stride_token = k.strides[d], a.k_stride_head = k.strides[d + 1];
  a.v_stride_token = v.strides[d], a.v_stride_head = v.strides[d + 1];
  if (varlen) {
    a.cu_seqlens_q = reinterpret_cast<const std::int32_t*>(t.at("cu_seqlens_q").bytes.data());
    a.cu_seqlens_k = reinterpret_cast<const std::int32_t*>(t.at("cu_seqlens_k").bytes.data());
  }
  a.scale = p.f32("scale");
  a.q_descale = p.f32("q_descale"), a.k_descale = p.f32("k_descale"), a.v_descale = p.f32("v_descale");
  a.softcap = p.f32("softcap");
  if (p.text("mask") == "window" || p.text("mask") == "packed") {
    a.window_left = std::atoi(p.text("window_left").c_str());
    a.window_right = std::atoi(p.text("window_right").c_str());
  }
  a.bottom_right = p.u32("bottom_right") != 0;
  if (split) a.num_splits = std::max(1u, p.u32("num_splits"));
  auto result = std::make_shared<AttentionRef>();
  if (Status s = attention(a, *result); !s.ok()) return s;
  const Format p_format = a.in_format;
  if (split) {
    const std::uint32_t seqlen_q = a.seqlen_q, splits = a.num_splits;
    expected["o"] = Expected::rule_of([=](const OpTensor& o) {
      return compare_partials(*result, o, p_format, varlen, seqlen_q, splits, true);
    });
    expected["lse"] = Expected::rule_of([=](const OpTensor& lse) {
      return compare_partials(*result, lse, p_format, varlen, seqlen_q, splits, false);
    });
    return Status::success();
  }
  expected["o"] = Expected::rule_of([result, p_format](const OpTensor& o) { return compare_o(*result, o, p_format); });
  expected["lse"] = Expected::rule_of([result](const OpTensor& lse) { return compare_lse(*result, lse); });
  return Status::success();
}

void fill_varlen(const OpProblem& p, OpTensors& t, std::mt19937& rng) {
  fill_cu_seqlens(t.at("cu_seqlens_q"), p.u32("batch"), p.u32("total_q"), p.u32("seqlen_q"), rng);
  fill_cu_seqlens(t.at("cu_seqlens_k"), p.u32("batch"), p.u32("total_k"), p.u32("seqlen_k"), rng);
}

}  // namespace

OpReference fmha_fwd_split_reference() {
  OpReference r;
  r.compute = [](const OpProblem& p, const OpTensors& t, std::map<std::string, Expected>& expected) {
    return attention_of(p, t, expected, false, true);
  };
  return r;
}

OpReference fmha_fwd_varlen_split_reference() {
  OpReference r;
  r.fill = fill_varlen;
  r.compute = [](const OpProblem& p, const OpTensors& t, std::map<std::string, Expected>& expected) {
    return attention_of(p, t, expected, true, true);
  };
  return r;
}

OpReference fmha_fwd_reference() {
  OpReference r;
  r.compute = [](const OpProblem& p, const OpTensors& t, std::map<std::string, Expected>& expected) {
    return attention_of(p, t, expected, false);
  };
  return r;
}

OpReference fmha_fwd_varlen_reference() {
  OpReference r;
  r.fill = fill_varlen;
  r.compute = [](const OpProblem& p, const OpTensors& t, std::map<std::string, Expected>& expected) {
    return attention_of(p, t, expected, true);
  };
  return r;
}

}  // namespace asmk::ref
