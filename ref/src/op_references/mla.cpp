// The MLA decode ops' references (ref/mla.hpp): mla_decode (CSR page table), mla_decode_block_table(_single),
// mla_decode_split(_block_table) (fp32 partials per split, with or without a split plan), mla_decode_plan(_block_table)
// and attn_lse_combine. o and the partials are compared under
// the attention tolerance of ref/TOLERANCE.md, the combine under its own rule ("LSE combine"). The fills
// make the index tensors meaningful: query tokens spread over the sequences (at most max_qlen each),
// distinct shuffled pages, last-page lengths in 1..page_size; the combine's partial LSEs finite or −inf.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <numeric>
#include <random>

#include "asmk/ref/mla.hpp"
#include "table.hpp"

namespace asmk::ref {
namespace {

std::int32_t* ints(OpTensor& t) { return reinterpret_cast<std::int32_t*>(t.bytes.data()); }
const std::int32_t* ints(const OpTensor& t) { return reinterpret_cast<const std::int32_t*>(t.bytes.data()); }

// `total` items over `parts` parts of at most `most` each (random proportions, empty parts included),
// as a prefix sum [parts + 1].
void fill_indptr(OpTensor& indptr, std::uint32_t parts, std::uint32_t total, std::uint32_t most, std::mt19937& rng) {
  std::int32_t* out = ints(indptr);
  std::uint32_t left = total;
  out[0] = 0;
  for (std::uint32_t b = 0; b < parts; ++b) {
    const std::uint32_t rest = parts - 1 - b, room = std::min(most, left);
    const std::uint64_t others = std::uint64_t(rest) * most;
    const std::uint32_t least = left > others ? std::uint32_t(left - others) : 0;
    std::uniform_int_distribution<std::uint32_t> pick(std::min(least, room), room);
    const std::uint32_t n = b + 1 == parts ? room : pick(rng);
    out[b + 1] = out[b] + std::int32_t(n);
    left -= n;
  }
}

// Distinct pages where the cache has enough, in a shuffled order.
void fill_pages(std::int32_t* out, std::size_t count, std::uint32_t num_pages, std::mt19937& rng) {
  std::vector<std::int32_t> order(num_pages);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  for (std::size_t i = 0; i < count; ++i) out[i] = order[i % num_pages];
}

void fill_csr(const OpProblem& p, OpTensors& t, std::mt19937& rng) {
  const std::uint32_t batch = p.u32("batch"), page_size = p.u32("page_size"), indices = p.u32("num_indices");
  fill_indptr(t.at("qo_indptr"), batch, p.u32("total_q"), p.u32("max_qlen"), rng);
  fill_indptr(t.at("kv_indptr"), batch, indices, indices, rng);
  fill_pages(ints(t.at("kv_indices")), indices, p.u32("num_pages"), rng);
  std::uniform_int_distribution<std::int32_t> last(1, std::int32_t(page_size));
  for (std::uint32_t b = 0; b < batch; ++b) ints(t.at("kv_last_page_len"))[b] = last(rng);
}

void fill_block_table(const OpProblem& p, OpTensors& t, std::mt19937& rng) {
  const std::uint32_t batch = p.u32("batch"), stride = p.u32("block_table_stride");
  fill_indptr(t.at("qo_indptr"), batch, p.u32("total_q"), p.u32("max_qlen"), rng);
  fill_pages(ints(t.at("block_table")), std::size_t(batch) * stride, p.u32("num_pages"), rng);
  std::uniform_int_distribution<std::int32_t> len(0, std::int32_t(stride * p.u32("page_size")));
  for (std::uint32_t b = 0; b < batch; ++b) ints(t.at("seq_lens"))[b] = len(rng);
}

Status args_of(const OpProblem& p, const OpTensors& t, MlaDecodeArgs& a) {
  const OpTensor &q = t.at("q"), &kv = t.at("kv");
  a.q_format = p.text("q_dtype") == "fp8" ? fp8_format(p.arch) : Format::bf16;
  a.q_scale = p.f32("q_scale");
  a.kv_format = p.text("kv_dtype") == "fp8" ? fp8_format(p.arch) : Format::bf16;
  a.kv_scale = p.f32("kv_scale");
  a.q = q.bytes.data(), a.kv = kv.bytes.data();
  a.q_stride_token = q.strides[0], a.q_stride_head = q.strides[1];
  a.batch = p.u32("batch"), a.heads = p.u32("heads"), a.page_size = p.u32("page_size"), a.num_pages = p.u32("num_pages");
  a.qo_indptr = ints(t.at("qo_indptr"));
  if (t.count("kv_indptr")) {
    a.kv_indptr = ints(t.at("kv_indptr")), a.kv_indices = ints(t.at("kv_indices"));
    a.kv_last_page_len = ints(t.at("kv_last_page_len"));
  } else {
    a.block_table = ints(t.at("block_table")), a.block_table_stride = p.u32("block_table_stride");
    a.seq_lens = ints(t.at("seq_lens"));
  }
  a.scale = p.f32("scale"), a.softcap = p.f32("softcap");
  if (std::uint32_t(a.qo_indptr[a.batch]) > p.u32("total_q"))
    return Status::failure("mla_decode: qo_indptr ends at " + std::to_string(a.qo_indptr[a.batch]) + ", past total_q " +
                           std::to_string(p.u32("total_q")));
  return Status::success();
}

// A tensor of `rows` packed rows of `dv` (bf16 with element strides, or f32) against the reference's rows; rows
// marked in `unread` (the o of a split without keys, which the kernels do not write) are not compared.
Comparison compare_rows(const AttentionRef& r, const OpTensor& o, OutType out, const std::vector<bool>& unread = {}) {
  std::vector<double> got(std::size_t(r.rows) * r.head_dim_v);
  const std::size_t rank = o.shape.size();
  // rows over every dimension but the last; o [tokens, heads, dv] through its strides, partials packed
  for (std::size_t row = 0; row < r.rows; ++row) {
    std::uint64_t at = 0, rest = row;
    for (std::size_t d = rank - 1; d-- > 0;) {
      at += (rest % o.shape[d]) * o.strides[d];
      rest /= o.shape[d];
    }
    for (std::uint32_t c = 0; c < r.head_dim_v; ++c) {
      double v;
      if (o.dtype == "f32") {
        float f;
        std::memcpy(&f, o.bytes.data() + 4 * (at + c), 4);
        v = f;
      } else {
        std::uint16_t code;
        std::memcpy(&code, o.bytes.data() + 2 * (at + c), 2);
        v = o.dtype == "bf16" ? bf16_to_f32(code) : fp16_to_f32(code);
      }
      got[row * r.head_dim_v + c] = row < unread.size() && unread[row] ? r.out[row * r.head_dim_v + c] : v;
    }
  }
  const ErrorSummary s = compare_attention(r, out, Format::bf16, got, nullptr);
  Comparison c;
  c.count = s.count, c.mismatches = s.violations, c.max_abs_error = s.max_abs_error;
  double sum = 0;
  for (std::size_t i = 0; i < got.size(); ++i) sum += std::fabs(got[i] - r.out[i]);
  c.mean_abs_error = got.empty() ? 0 : sum / double(got.size());
  if (!s.ok()) c.detail = o.name + ": " + s.describe();
  return c;
}

// lse packed in the reference's row order (natural log; −inf for a row without keys).
template <class Tolerance>
Comparison compare_lse(const std::vector<double>& want, const OpTensor& lse, Tolerance tolerance) {
  Comparison c;
  double sum = 0;
  for (std::size_t row = 0; row < want.size(); ++row) {
    float v;
    std::memcpy(&v, lse.bytes.data() + 4 * row, 4);
    const double error = std::isinf(want[row]) && want[row] == v ? 0 : std::fabs(v - want[row]);
    ++c.count;
    if (std::isfinite(error)) c.max_abs_error = std::max(c.max_abs_error, error), sum += error;
    if (!(error <= tolerance(row)) && c.mismatches++ == 0)
      c.detail = lse.name + ": row " + std::to_string(row) + ": kernel " + std::to_string(v) + ", ref " + std::to_string(want[row]);
  }
  c.mean_abs_error = c.count == 0 ? 0 : sum / double(c.count);
  return c;
}

Status decode_of(const OpProblem& p, const OpTensors& t, std::map<std::string, Expected>& expected) {
  MlaDecodeArgs a;
  if (Status s = args_of(p, t, a); !s.ok()) return s;
  auto result = std::make_shared<AttentionRef>();
  if (Status s = mla_decode(a, *result); !s.ok()) return s;
  expected["o"] = Expected::rule_of([result](const OpTensor& o) { return compare_rows(*result, o, OutType::bf16); });
  expected["lse"] = Expected::rule_of([result](const OpTensor& lse) {
    return compare_lse(result->lse, lse, [&](std::size_t row) { return attention_lse_tolerance(*result, row); });
  });
  return Status::success();
}

// The split plan an op call gives, or 0 (none). With a split_plan tensor the fill writes a valid plan: the
// fewest tiles that cover the longest sequence in num_splits splits.
std::uint32_t plan_of(const OpTensors& t) { return t.count("split_plan") ? std::uint32_t(ints(t.at("split_plan"))[0]) : 0; }

void fill_plan(const OpProblem& p, OpTensors& t) {
  if (!t.count("split_plan")) return;
  MlaDecodeArgs a;
  std::vector<std::uint32_t> lens;
  if (!args_of(p, t, a).ok() || !mla_seqlens_k(a, lens).ok()) return;
  ints(t.at("split_plan"))[0] = std::int32_t(mla_plan_split_tiles(lens, p.u32("num_splits"), 1, 1, 32));
}

OpReference split_reference(void (*fill_table)(const OpProblem&, OpTensors&, std::mt19937&)) {
  OpReference r;
  r.fill = fill_table;
  r.compute = [](const OpProblem& p, const OpTensors& t, std::map<std::string, Expected>& expected) {
    MlaDecodeArgs a;
    if (Status s = args_of(p, t, a); !s.ok()) return s;
    const std::uint32_t splits = p.u32("num_splits"), plan = plan_of(t);
    auto result = std::make_shared<AttentionRef>();
    // the kernels' split granule: one 32-key tile (templates/mla_decode)
    if (Status s = plan ? mla_decode_split_planned(a, splits, 32 * plan, *result) : mla_decode_split(a, splits, 32, *result);
        !s.ok())
      return s;
    // rows of splits without keys: their o is not written
    std::vector<std::uint32_t> lens;
    if (Status s = mla_seqlens_k(a, lens); !s.ok()) return s;
    auto unread = std::make_shared<std::vector<bool>>(result->rows, false);
    for (std::uint32_t b = 0; b < a.batch; ++b) {
      const std::uint64_t per = plan ? 32ull * plan : mla_split_keys(lens[b], splits, 32);
      for (std::int32_t tok = a.qo_indptr[b]; tok < a.qo_indptr[b + 1]; ++tok)
        for (std::uint32_t h = 0; h < a.heads; ++h)
          for (std::uint32_t sp = 0; sp < splits; ++sp)
            (*unread)[(std::size_t(tok) * a.heads + h) * splits + sp] = std::uint64_t(sp) * per >= lens[b];
    }
    expected["partial_o"] = Expected::rule_of(
        [result, unread](const OpTensor& o) { return compare_rows(*result, o, OutType::f32, *unread); });
    expected["partial_lse"] = Expected::rule_of([result](const OpTensor& lse) {
      return compare_lse(result->lse, lse, [&](std::size_t row) { return attention_lse_tolerance(*result, row); });
    });
    return Status::success();
  };
  return r;
}

// The plan ops: lengths of every kind (empty, short, long), the plan exactly ref::mla_plan_split_tiles's.
OpReference plan_reference(bool csr) {
  OpReference r;
  r.fill = [csr](const OpProblem& p, OpTensors& t, std::mt19937& rng) {
    const std::uint32_t batch = p.u32("batch");
    std::uniform_int_distribution<std::int32_t> len(0, 5000), pages(0, 200);
    std::int32_t* out = ints(t.at(csr ? "kv_indptr" : "seq_lens"));
    if (csr) out[0] = 0;
    for (std::uint32_t b = 0; b < batch; ++b) {
      if (csr) out[b + 1] = out[b] + pages(rng);
      else out[b] = len(rng);
    }
  };
  r.compute = [csr](const OpProblem& p, const OpTensors& t, std::map<std::string, Expected>& expected) {
    const std::uint32_t batch = p.u32("batch");
    std::vector<std::uint32_t> keys(batch);
    const std::int32_t* in = ints(t.at(csr ? "kv_indptr" : "seq_lens"));
    for (std::uint32_t b = 0; b < batch; ++b)
      keys[b] = csr ? std::uint32_t(in[b + 1] - in[b]) * p.u32("page_size") : std::uint32_t(in[b]);
    const std::int32_t want = std::int32_t(
        mla_plan_split_tiles(keys, p.u32("num_splits"), p.u32("work_target"), p.u32("min_tiles"), 32));
    expected["split_plan"] = Expected::rule_of([want](const OpTensor& plan) {
      Comparison c;
      c.count = 1;
      const std::int32_t got = ints(plan)[0];
      c.max_abs_error = c.mean_abs_error = std::fabs(double(got) - want);
      if (got != want) c.mismatches = 1, c.detail = "split_plan: kernel " + std::to_string(got) + ", ref " + std::to_string(want);
      return c;
    });
    return Status::success();
  };
  return r;
}

// A valid work list for the persistent ops (templates/mla_decode/README.md, "Persistent mode"), built here
// independently of libasmk's metadata (which balances; this one is random): every (sequence, row block of wg_rows
// rows) unit is left whole or cut at random tiles into 2..num_splits pieces (at most work_groups extra pieces in all,
// the metadata's bound), the items dealt to random workgroups; row_splits holds each cut unit's pieces on its rows.
void fill_work(const OpProblem& p, OpTensors& t, std::mt19937& rng) {
  MlaDecodeArgs a;
  std::vector<std::uint32_t> lens;
  if (!args_of(p, t, a).ok() || !mla_seqlens_k(a, lens).ok()) return;
  const std::uint32_t wg = p.text("wg_rows") == "32" ? 32 : 64, groups = p.u32("work_groups"), splits = p.u32("num_splits");
  struct Item { std::uint32_t group; std::int32_t v[4]; };
  std::vector<Item> items;
  std::int32_t* row_splits = ints(t.at("row_splits"));
  std::fill_n(row_splits, t.at("row_splits").bytes.size() / 4, 0);
  std::uint32_t extra = groups;
  std::uniform_int_distribution<std::uint32_t> group(0, groups - 1);
  for (std::uint32_t b = 0; b < a.batch; ++b) {
    const std::uint32_t tiles = (lens[b] + 31) / 32, rows = std::uint32_t(a.qo_indptr[b + 1] - a.qo_indptr[b]) * a.heads;
    for (std::uint32_t rb = 0; rb * wg < rows; ++rb) {
      const std::uint32_t most = std::min({splits, std::max(tiles, 1u), extra + 1});
      const std::uint32_t pieces = std::uniform_int_distribution<std::uint32_t>(1, most)(rng);
      extra -= pieces - 1;
      std::vector<std::uint32_t> cuts(tiles > 0 ? tiles - 1 : 0);  // distinct cut tiles in 1..tiles-1
      std::iota(cuts.begin(), cuts.end(), 1u);
      std::shuffle(cuts.begin(), cuts.end(), rng);
      cuts.resize(pieces - 1);
      cuts.push_back(0), cuts.push_back(tiles);
      std::sort(cuts.begin(), cuts.end());
      for (std::uint32_t k = 0; k < pieces; ++k)
        items.push_back({group(rng), {std::int32_t(b), std::int32_t(rb | (pieces == 1 ? 0 : k + 1) << 16),
                                      std::int32_t(cuts[k]), std::int32_t(cuts[k + 1] - cuts[k])}});
      if (pieces > 1)
        for (std::uint32_t r = rb * wg; r < std::min(rows, (rb + 1) * wg); ++r)
          row_splits[std::size_t(a.qo_indptr[b]) * a.heads + r] = std::int32_t(pieces);
    }
  }
  std::stable_sort(items.begin(), items.end(), [](const Item& x, const Item& y) { return x.group < y.group; });
  std::int32_t* work = ints(t.at("work"));
  std::fill_n(work, t.at("work").bytes.size() / 4, 0);
  for (std::uint32_t g = 0, i = 0; g <= groups; ++g) {
    while (i < items.size() && items[i].group < g) ++i;
    work[g] = std::int32_t(i);
  }
  for (std::size_t i = 0; i < items.size(); ++i) std::copy_n(items[i].v, 4, work + groups + 1 + 4 * i);
}

}  // namespace

OpReference mla_decode_reference() {
  OpReference r;
  r.fill = fill_csr;
  r.compute = decode_of;
  return r;
}

OpReference mla_decode_block_table_reference() {
  OpReference r;
  r.fill = fill_block_table;
  r.compute = decode_of;
  return r;
}

// The fused combine's arrival counters are zero between launches (its element rule): the fill leaves them so.
static void zero_counters(OpTensors& t) {
  if (t.count("counters")) std::fill(t.at("counters").bytes.begin(), t.at("counters").bytes.end(), std::uint8_t{0});
}

// mla_decode_split_fused: the split pass's partials and, merged by the last split of each row block, o and lse as
// the whole op; from a valid split plan and zeroed counters.
OpReference fused_reference(void (*fill_table)(const OpProblem&, OpTensors&, std::mt19937&)) {
  OpReference r = split_reference(fill_table);
  r.compute = [partials = r.compute](const OpProblem& p, const OpTensors& t, std::map<std::string, Expected>& expected) {
    if (Status s = partials(p, t, expected); !s.ok()) return s;
    return decode_of(p, t, expected);
  };
  return r;
}

OpReference mla_decode_split_fused_reference() {
  return fused_reference(
      [](const OpProblem& p, OpTensors& t, std::mt19937& rng) { fill_csr(p, t, rng), fill_plan(p, t), zero_counters(t); });
}

OpReference mla_decode_split_fused_block_table_reference() {
  return fused_reference(
      [](const OpProblem& p, OpTensors& t, std::mt19937& rng) { fill_block_table(p, t, rng), fill_plan(p, t), zero_counters(t); });
}

OpReference mla_decode_split_reference() {
  return split_reference([](const OpProblem& p, OpTensors& t, std::mt19937& rng) { fill_csr(p, t, rng), fill_plan(p, t); });
}

OpReference mla_decode_split_block_table_reference() {
  return split_reference(
      [](const OpProblem& p, OpTensors& t, std::mt19937& rng) { fill_block_table(p, t, rng), fill_plan(p, t); });
}

OpReference mla_decode_persistent_reference() {
  OpReference r;
  r.fill = [](const OpProblem& p, OpTensors& t, std::mt19937& rng) { fill_csr(p, t, rng), fill_work(p, t, rng); };
  r.compute = decode_of;
  return r;
}

OpReference mla_decode_persistent_block_table_reference() {
  OpReference r;
  r.fill = [](const OpProblem& p, OpTensors& t, std::mt19937& rng) { fill_block_table(p, t, rng), fill_work(p, t, rng); };
  r.compute = decode_of;
  return r;
}

OpReference mla_decode_plan_reference() { return plan_reference(true); }
OpReference mla_decode_plan_block_table_reference() { return plan_reference(false); }

OpReference attn_lse_combine_reference() {
  OpReference r;
  // partial LSEs in [-8, 8] with every fifth split empty (−inf) and the last row wholly empty
  r.fill = [](const OpProblem& p, OpTensors& t, std::mt19937& rng) {
    OpTensor& lse = t.at("partial_lse");
    const std::size_t rows = std::size_t(p.u32("tokens")) * p.u32("heads"), splits = p.u32("num_splits");
    std::uniform_real_distribution<float> value(-8.f, 8.f);
    float* out = reinterpret_cast<float*>(lse.bytes.data());
    for (std::size_t i = 0; i < rows * splits; ++i)
      out[i] = (i % 5 == 2 || i / splits == rows - 1) && rows > 1 ? -std::numeric_limits<float>::infinity() : value(rng);
  };
  r.compute = [](const OpProblem& p, const OpTensors& t, std::map<std::string, Expected>& expected) {
    const std::uint32_t rows = p.u32("tokens") * p.u32("heads"), splits = p.u32("num_splits"), dv = p.u32("dv");
    auto result = std::make_shared<LseCombineRef>();
    if (Status s = lse_combine(t.at("partial_o").as<float>(), t.at("partial_lse").as<float>(), rows, splits, dv, *result);
        !s.ok())
      return s;
    expected["o"] = Expected::rule_of([result](const OpTensor& o) {
      const OutType out = o.dtype == "bf16" ? OutType::bf16 : OutType::fp16;
      Comparison c;
      double sum = 0;
      for (std::size_t row = 0; row < result->rows; ++row)
        for (std::uint32_t col = 0; col < result->dv; ++col) {
          // o [tokens, heads, dv], or attn_lse_combine_grouped's [tokens / token_group, token_group, heads, dv]
          const std::size_t h = o.shape.size() - 2;
          const std::uint64_t token = row / o.shape[h], group = h == 2 ? token / o.shape[1] : 0;
          const std::uint64_t at = group * (h == 2 ? o.strides[0] : 0) + (token - group * (h == 2 ? o.shape[1] : 0)) * o.strides[h - 1] +
                                   (row % o.shape[h]) * o.strides[h] + col;
          std::uint16_t code;
          std::memcpy(&code, o.bytes.data() + 2 * at, 2);
          const double v = out == OutType::bf16 ? bf16_to_f32(code) : fp16_to_f32(code);
          const double want = result->out[row * result->dv + col], error = std::fabs(v - want);
          ++c.count;
          if (std::isfinite(error)) c.max_abs_error = std::max(c.max_abs_error, error), sum += error;
          if (!(error <= lse_combine_tolerance(*result, row, col, out)) && c.mismatches++ == 0)
            c.detail = "o: row " + std::to_string(row) + " col " + std::to_string(col) + ": kernel " + std::to_string(v) +
                       ", ref " + std::to_string(want);
        }
      c.mean_abs_error = c.count == 0 ? 0 : sum / double(c.count);
      return c;
    });
    expected["lse"] = Expected::rule_of([result](const OpTensor& lse) {
      return compare_lse(result->lse, lse, [&](std::size_t row) { return lse_combine_lse_tolerance(*result, row); });
    });
    return Status::success();
  };
  return r;
}

OpReference attn_lse_combine_rows_reference() {
  OpReference r;
  // attn_lse_combine's partial LSEs, and per row a split count 0..num_splits (every fourth row 0: not written)
  r.fill = [](const OpProblem& p, OpTensors& t, std::mt19937& rng) {
    attn_lse_combine_reference().fill(p, t, rng);
    const std::size_t rows = std::size_t(p.u32("tokens")) * p.u32("heads");
    std::uniform_int_distribution<std::int32_t> count(1, std::int32_t(p.u32("num_splits")));
    for (std::size_t row = 0; row < rows; ++row) ints(t.at("split_counts"))[row] = row % 4 == 1 ? 0 : count(rng);
  };
  // A row with a count: its first count splits combined (attn_lse_combine's reference and tolerance); a row
  // without: o and lse as the op runner left them (its outputs are filled with 0xee bytes before the run).
  r.compute = [](const OpProblem& p, const OpTensors& t, std::map<std::string, Expected>& expected) {
    const std::uint32_t rows = p.u32("tokens") * p.u32("heads"), splits = p.u32("num_splits"), dv = p.u32("dv");
    auto per_row = std::make_shared<std::vector<LseCombineRef>>(rows);
    const float *po = t.at("partial_o").as<float>(), *pl = t.at("partial_lse").as<float>();
    const std::int32_t* counts = ints(t.at("split_counts"));
    for (std::uint32_t row = 0; row < rows; ++row)
      if (counts[row] > 0)
        if (Status s = lse_combine(po + std::size_t(row) * splits * dv, pl + std::size_t(row) * splits, 1,
                                   std::min<std::uint32_t>(splits, counts[row]), dv, (*per_row)[row]);
            !s.ok())
          return s;
    expected["o"] = Expected::rule_of([per_row, dv](const OpTensor& o) {
      const OutType out = o.dtype == "bf16" ? OutType::bf16 : OutType::fp16;
      Comparison c;
      double sum = 0;
      for (std::size_t row = 0; row < per_row->size(); ++row)
        for (std::uint32_t col = 0; col < dv; ++col) {
          const std::uint64_t at = (row / o.shape[1]) * o.strides[0] + (row % o.shape[1]) * o.strides[1] + col;
          std::uint16_t code;
          std::memcpy(&code, o.bytes.data() + 2 * at, 2);
          const LseCombineRef& want = (*per_row)[row];
          ++c.count;
          if (want.rows == 0) {  // skipped: not written
            if (code != 0xeeee && c.mismatches++ == 0) c.detail = "o: row " + std::to_string(row) + " (count 0) was written";
            continue;
          }
          const double v = out == OutType::bf16 ? bf16_to_f32(code) : fp16_to_f32(code), error = std::fabs(v - want.out[col]);
          if (std::isfinite(error)) c.max_abs_error = std::max(c.max_abs_error, error), sum += error;
          if (!(error <= lse_combine_tolerance(want, 0, col, out)) && c.mismatches++ == 0)
            c.detail = "o: row " + std::to_string(row) + " col " + std::to_string(col) + ": kernel " + std::to_string(v) +
                       ", ref " + std::to_string(want.out[col]);
        }
      c.mean_abs_error = c.count == 0 ? 0 : sum / double(c.count);
      return c;
    });
    expected["lse"] = Expected::rule_of([per_row](const OpTensor& lse) {
      Comparison c;
      for (std::size_t row = 0; row < per_row->size(); ++row) {
        const LseCombineRef& want = (*per_row)[row];
        std::uint32_t bits;
        float v;
        std::memcpy(&bits, lse.bytes.data() + 4 * row, 4);
        std::memcpy(&v, &bits, 4);
        ++c.count;
        const bool ok = want.rows == 0 ? bits == 0xeeeeeeeeu
                                       : (std::isinf(want.lse[0]) && want.lse[0] == v) ||
                                             std::fabs(v - want.lse[0]) <= lse_combine_lse_tolerance(want, 0);
        if (!ok && c.mismatches++ == 0)
          c.detail = "lse: row " + std::to_string(row) + (want.rows == 0 ? " (count 0) was written" : ": kernel " +
                     std::to_string(v) + ", ref " + std::to_string(want.lse[0]));
      }
      return c;
    });
    return Status::success();
  };
  return r;
}

}  // namespace asmk::ref
