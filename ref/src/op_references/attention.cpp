// The fmha_fwd op's reference (ref/attention.hpp, batch mode): o compared under the attention
// tolerance of ref/TOLERANCE.md, lse under its own bound.
#include <cmath>
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

// o [batch, seqlen_q, heads_q, dv] -> the reference's rows (b·seqlen_q + i)·heads_q + h.
Comparison compare_o(const AttentionRef& r, const OpTensor& o, Format p_format) {
  const auto& sh = o.shape;
  std::vector<double> got(std::size_t(r.rows) * r.head_dim_v);
  for (std::uint64_t b = 0; b < sh[0]; ++b)
    for (std::uint64_t i = 0; i < sh[1]; ++i)
      for (std::uint64_t h = 0; h < sh[2]; ++h)
        for (std::uint64_t c = 0; c < sh[3]; ++c) {
          const std::uint64_t at = b * o.strides[0] + i * o.strides[1] + h * o.strides[2] + c;
          got[((b * sh[1] + i) * sh[2] + h) * sh[3] + c] = decode16(o.dtype, o.bytes.data() + 2 * at);
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

// lse [batch, heads_q, seqlen_q] (natural log; -inf for a row without visible keys).
Comparison compare_lse(const AttentionRef& r, const OpTensor& lse) {
  const auto& sh = lse.shape;
  Comparison c;
  double sum = 0;
  for (std::uint64_t b = 0; b < sh[0]; ++b)
    for (std::uint64_t h = 0; h < sh[1]; ++h)
      for (std::uint64_t i = 0; i < sh[2]; ++i) {
        float v;
        std::memcpy(&v, lse.bytes.data() + 4 * ((b * sh[1] + h) * sh[2] + i), 4);
        const std::size_t row = (b * sh[2] + i) * sh[1] + h;
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

}  // namespace

OpReference fmha_fwd_reference() {
  OpReference r;
  r.compute = [](const OpProblem& p, const OpTensors& t, std::map<std::string, Expected>& expected) {
    const OpTensor &q = t.at("q"), &k = t.at("k"), &v = t.at("v");
    AttentionArgs a;
    a.in_format = p.text("dtype") == "fp8" ? fp8_format(p.arch) : p.text("dtype") == "fp16" ? Format::fp16 : Format::bf16;
    a.q = q.bytes.data(), a.k = k.bytes.data(), a.v = v.bytes.data();
    a.batch = p.u32("batch"), a.heads_q = p.u32("num_heads_q"), a.heads_k = p.u32("num_heads_k");
    a.seqlen_q = p.u32("seqlen_q"), a.seqlen_k = p.u32("seqlen_k");
    a.head_dim_qk = static_cast<std::uint32_t>(q.shape[3]), a.head_dim_v = static_cast<std::uint32_t>(v.shape[3]);
    a.q_stride_batch = q.strides[0], a.q_stride_token = q.strides[1], a.q_stride_head = q.strides[2];
    a.k_stride_batch = k.strides[0], a.k_stride_token = k.strides[1], a.k_stride_head = k.strides[2];
    a.v_stride_batch = v.strides[0], a.v_stride_token = v.strides[1], a.v_stride_head = v.strides[2];
    a.scale = p.f32("scale");
    a.q_descale = p.f32("q_descale"), a.k_descale = p.f32("k_descale"), a.v_descale = p.f32("v_descale");
    a.softcap = p.f32("softcap");
    if (p.text("mask") == "window") {
      a.window_left = std::atoi(p.text("window_left").c_str());
      a.window_right = std::atoi(p.text("window_right").c_str());
    }
    a.bottom_right = p.u32("bottom_right") != 0;
    auto result = std::make_shared<AttentionRef>();
    if (Status s = attention(a, *result); !s.ok()) return s;
    const Format p_format = a.in_format;
    expected["o"] = Expected::rule_of([result, p_format](const OpTensor& o) { return compare_o(*result, o, p_format); });
    expected["lse"] = Expected::rule_of([result](const OpTensor& lse) { return compare_lse(*result, lse); });
    return Status::success();
  };
  return r;
}

}  // namespace asmk::ref
