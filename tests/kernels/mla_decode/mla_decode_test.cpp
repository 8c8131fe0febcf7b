// The mla_decode family (q and cache bf16 or fp8) through the C ABI, against the fp64 MLA reference in ref/ (mla.hpp) with the attention
// tolerance rule of ref/TOLERANCE.md ("Attention"), in strict mode (ctest sets ASMK_EMU_STRICT=1: a missing
// s_waitcnt, a hazard, an LDS race or an out-of-range access fails the launch).
// Every variant runs: heads 8, 16, 32, 64, 128; page sizes 1, 16, 64 over shuffled pages; both page-table forms;
// q lengths 1..8 with causal masking (tokens that see no key included); seqlen_k 1, 7 and a few hundred; soft-cap;
// padded q / o strides; with and without the LSE; split-KV partials with 1..5 splits including splits without
// keys; page indices beyond 65,536. o's padding keeps its sentinel (nothing written outside the output rows).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "asmk/ref/attention.hpp"
#include "asmk/ref/mla.hpp"
#include "asmk/ref/numeric.hpp"
#include "kernel_harness.hpp"

namespace {

namespace ref = asmk::ref;
using asmk::test::Arg;
using asmk::test::Buffer;
using asmk::test::OpArgs;
using asmk::test::Session;
using asmk::test::Variant;

constexpr uint32_t D = ref::kMlaHeadDimQk, DV = ref::kMlaHeadDimV;
constexpr uint16_t kSentinel = 0x7fc1;  // a bf16 NaN: never a valid output
constexpr float kLseSentinel = 12345.f;

// v's name without its rows per workgroup (`_r32` / `_r64`): the dtypes the op must select. Which rows the ops
// pick is their op spec's `prefer` rule (one place); the test SplitOpsCountTheSplitsThatHoldKeys checks it on
// shapes worked out by hand.
std::string without_rows(const std::string& name) { return name.substr(0, name.rfind("_r")); }

struct Shape {
  uint32_t heads, page_size;
  std::vector<uint32_t> q_lens, kv_lens;
  bool csr = true;
  uint32_t splits = 0;       // 0: the final o (one split); > 0: partials over that many splits
  bool with_lse = true;
  float softcap = 0.f;
  bool padded = false;       // q and o with padding between heads and tokens
  uint32_t first_page = 0;   // pages below it are never named (page indices beyond 65,536)
  size_t workspace = 0;      // via the op, CSR with o: the pipeline op mla_decode with this workspace (bytes)
  size_t launches = 0;       // ... and the launches it must plan (2: plan + split with the fused combine; 3: plan + split
                             //     + combine, combine=launch; 1: mla_decode_single)
  uint32_t plan_tiles = 0;   // partials with a split plan of this many 32-key tiles per split (0: the even cut)
  bool persistent = false;   // persistent mode: asmk_mla_decode_metadata's work list, attn_lse_combine_rows
  uint32_t max_splits = 0;   // ... its most pieces per (sequence, row block) (0: 16)
  uint32_t work_groups = 24;  // ... its grid (0: the device's CUs × workgroups per CU; 24 keeps the emulator quick)
  int cut = -1;              // ... whether it must cut a unit (1), must not (0), or either (-1)
  bool fault = false;        // ... with one work item a tile short: the comparison must fail
  bool bad_items = false;    // ... with two corrupt items the kernel must skip (a sequence ≥ batch, a slot past
                             //     num_splits), walked last: the comparison must still pass
  bool fused = false;        // splits > 0 with o: the split pass merging the partials itself (the last arriver)
  int32_t dirty_counter = 0; // ... its arrival counters start at this value instead of 0 (the contract broken)
};

std::string describe(const Shape& s) {
  auto list = [](const std::vector<uint32_t>& v) {
    std::string out;
    for (uint32_t x : v) out += (out.empty() ? "" : ",") + std::to_string(x);
    return out;
  };
  return "h=" + std::to_string(s.heads) + " page=" + std::to_string(s.page_size) + " qlen={" + list(s.q_lens) +
         "} seqlen_k={" + list(s.kv_lens) + "} " + (s.csr ? "csr" : "block-table") +
         (s.splits ? " splits=" + std::to_string(s.splits) : " final") + (s.with_lse ? " lse" : "") +
         (s.softcap > 0 ? " softcap=" + std::to_string(s.softcap) : "") + (s.padded ? " padded" : "") +
         (s.first_page ? " first_page=" + std::to_string(s.first_page) : "") +
         (s.plan_tiles ? " plan=" + std::to_string(s.plan_tiles) + " tiles" : "") +
         (s.persistent ? " persistent" + std::string(s.fault ? " (a tile dropped)" : "") : "") +
         (s.fused ? " fused" + (s.dirty_counter ? " counters=" + std::to_string(s.dirty_counter) : "") : "");
}

class MlaDecode : public ::testing::TestWithParam<asmk::test::TestDevice> {
 protected:
  // via_op: through the op of the shape's form and output (asmk_run_op), which must select this variant.
  void run(Session& s, const Variant& v, const Shape& sh, uint32_t seed, bool via_op = false) {
    SCOPED_TRACE(v.name + " " + describe(sh) + (via_op ? " via the op" : ""));
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.f, 1.f);
    const uint32_t batch = uint32_t(sh.q_lens.size()), h = sh.heads, ps = sh.page_size;
    // fp8 cache: the arch's e4m3 codes of values over a wide range (2^-4 .. 2^4 times a normal), a per-tensor scale
    const bool fp8 = v.param_str("kv_dtype") == "fp8";
    const ref::Format kv_format = fp8 ? ref::fp8_format(v.arch == "gfx942" ? asmk::Arch::gfx942 : asmk::Arch::gfx950)
                                      : ref::Format::bf16;
    const size_t kv_bytes = fp8 ? 1 : 2;
    const float kv_scale = fp8 ? 0.11f : 1.f;
    const bool q_fp8 = v.param_str("q_dtype") == "fp8";
    const ref::Format q_format = q_fp8 ? ref::fp8_format(v.arch == "gfx942" ? asmk::Arch::gfx942 : asmk::Arch::gfx950)
                                       : ref::Format::bf16;
    const float q_scale = q_fp8 ? 0.37f : 1.f;
    std::uniform_real_distribution<float> exponent(-4.f, 4.f);

    // page tables: each sequence's pages drawn from a shuffled list of the cache's pages >= first_page
    std::vector<int32_t> qo_indptr{0}, kv_indptr{0}, kv_indices, last_page_len, seq_lens;
    uint32_t used = 0, max_pages = 1, max_qlen = 1;
    for (uint32_t b = 0; b < batch; ++b) {
      used += (sh.kv_lens[b] + ps - 1) / ps;
      max_pages = std::max(max_pages, (sh.kv_lens[b] + ps - 1) / ps);
      max_qlen = std::max(max_qlen, sh.q_lens[b]);
    }
    const uint64_t pages = sh.first_page + used + 2;  // spare pages nobody reads
    std::vector<int32_t> order(used + 2);
    std::iota(order.begin(), order.end(), int32_t(sh.first_page));
    std::shuffle(order.begin(), order.end(), rng);
    std::vector<int32_t> block_table(size_t(batch) * max_pages, -1);
    size_t next = 0;
    for (uint32_t b = 0; b < batch; ++b) {
      const uint32_t n = (sh.kv_lens[b] + ps - 1) / ps;
      for (uint32_t e = 0; e < n; ++e) {
        kv_indices.push_back(order[next]);
        block_table[size_t(b) * max_pages + e] = order[next++];
      }
      kv_indptr.push_back(int32_t(kv_indices.size()));
      last_page_len.push_back(n == 0 ? 0 : int32_t(sh.kv_lens[b] - (n - 1) * ps));
      seq_lens.push_back(int32_t(sh.kv_lens[b]));
      qo_indptr.push_back(qo_indptr.back() + int32_t(sh.q_lens[b]));
    }
    if (kv_indices.empty()) kv_indices.push_back(0);

    const uint32_t tokens = uint32_t(qo_indptr.back());
    const uint32_t pad = sh.padded ? 8 : 0, q_pad = q_fp8 ? 2 * pad : pad;  // fp8 q: strides of 16 bytes too
    const uint32_t q_head = D + q_pad, q_token = h * q_head + q_pad, o_head = DV + pad, o_token = h * o_head + 4;
    std::vector<uint8_t> q(size_t(tokens) * q_token * (q_fp8 ? 1 : 2));
    std::vector<uint8_t> kv(pages * ps * D * kv_bytes, 0);
    for (size_t i = 0; i < size_t(tokens) * q_token; ++i) {
      if (q_fp8) {
        q[i] = uint8_t(ref::encode(q_format, normal(rng) * 2.f * std::exp2(exponent(rng)), ref::Overflow::saturate));
      } else {
        const uint16_t code = ref::f32_to_bf16(normal(rng) * 0.5f);
        q[2 * i] = uint8_t(code), q[2 * i + 1] = uint8_t(code >> 8);
      }
    }
    for (uint64_t row = uint64_t(sh.first_page) * ps; row < pages * ps; ++row)
      for (uint32_t c = 0; c < D; ++c) {
        const size_t at = row * D + c;
        if (fp8) {
          kv[at] = uint8_t(ref::encode(kv_format, normal(rng) * std::exp2(exponent(rng)), ref::Overflow::saturate));
        } else {
          const uint16_t code = ref::f32_to_bf16(normal(rng) * (c % 13 == 5 ? 4.f : 1.f));
          kv[2 * at] = uint8_t(code), kv[2 * at + 1] = uint8_t(code >> 8);
        }
      }
    const float scale = 1.f / std::sqrt(192.f) * 1.3f;

    ref::MlaDecodeArgs ra;
    ra.q = q.data(), ra.kv = kv.data(), ra.kv_format = kv_format, ra.kv_scale = kv_scale;
    ra.q_format = q_format, ra.q_scale = q_scale;
    ra.q_stride_token = q_token, ra.q_stride_head = q_head;
    ra.batch = batch, ra.heads = h, ra.page_size = ps, ra.num_pages = pages;
    ra.qo_indptr = qo_indptr.data();
    if (sh.csr) ra.kv_indptr = kv_indptr.data(), ra.kv_indices = kv_indices.data(), ra.kv_last_page_len = last_page_len.data();
    else ra.block_table = block_table.data(), ra.block_table_stride = max_pages, ra.seq_lens = seq_lens.data();
    ra.scale = scale, ra.softcap = sh.softcap;
    ref::AttentionRef expected;
    const uint32_t splits = std::max(1u, sh.splits);
    ASSERT_TRUE((!sh.splits || sh.fused ? ref::mla_decode(ra, expected)
                 : sh.plan_tiles ? ref::mla_decode_split_planned(ra, splits, 32 * sh.plan_tiles, expected)
                                 : ref::mla_decode_split(ra, splits, 32, expected))
                    .ok());

    Buffer qb = s.upload(q), kvb = s.upload(kv), qob = s.upload(qo_indptr), kib = s.upload(kv_indptr),
           kxb = s.upload(kv_indices), klb = s.upload(last_page_len), btb = s.upload(block_table), slb = s.upload(seq_lens),
           planb = s.upload(std::vector<int32_t>{int32_t(sh.plan_tiles)});
    const size_t o_elems = size_t(tokens) * o_token, lse_count = size_t(tokens) * h * splits;
    Buffer ob = s.upload(std::vector<uint16_t>(std::max<size_t>(o_elems, 1), kSentinel));
    Buffer pob = s.upload(std::vector<float>(std::max<size_t>(size_t(tokens) * h * splits * DV, 1), kLseSentinel));
    Buffer lb = s.upload(std::vector<float>(std::max<size_t>(lse_count, 1), kLseSentinel));
    const bool partial = sh.splits > 0 && !sh.fused;
    // the fused combine's arrival counters, one per (sequence, 32-row block), and its partials
    const size_t counter_count = size_t(batch) * ((h * max_qlen + 31) / 32);
    Buffer cb = s.upload(std::vector<int32_t>(counter_count, sh.dirty_counter));
    Buffer fpb = s.alloc(sh.fused ? size_t(tokens) * h * splits * DV * 4 : 1);
    Buffer flb = s.alloc(sh.fused ? size_t(tokens) * h * splits * 4 : 1);
    if (sh.persistent) {
      // persistent mode: the work list from the host lengths (asmk_mla_decode_metadata), the kernel on its fixed
      // grid walking it (o of the rows it did not cut, the partials of those it did), attn_lse_combine_rows merging
      // the cut rows by their counts
      asmk_mla_metadata_args ma = ASMK_INIT(asmk_mla_metadata_args);
      ma.batch = batch, ma.heads = h, ma.max_qlen = max_qlen, ma.total_q = tokens, ma.page_size = ps;
      ma.wg_rows = uint32_t(v.param_int("wg_rows")), ma.max_splits = sh.max_splits, ma.work_groups = sh.work_groups;
      ma.qo_indptr = qo_indptr.data();
      if (sh.csr) ma.kv_indptr = kv_indptr.data(), ma.kv_last_page_len = last_page_len.data();
      else ma.seq_lens = seq_lens.data();
      asmk_mla_metadata_info info = ASMK_INIT(asmk_mla_metadata_info);
      ASSERT_EQ(asmk_mla_decode_metadata_size(s.get(), &ma, &info), ASMK_SUCCESS) << asmk_last_error();
      std::vector<int32_t> work(info.work_bytes / 4), row_splits(info.row_splits_bytes / 4);
      ASSERT_EQ(asmk_mla_decode_metadata(s.get(), &ma, work.data(), info.work_bytes, row_splits.data(),
                                         info.row_splits_bytes, &info),
                ASMK_SUCCESS) << asmk_last_error();
      if (sh.cut >= 0) EXPECT_EQ(info.num_splits > 1, sh.cut == 1) << info.num_splits << " splits";
      if (sh.fault)  // the first item with keys loses its last tile
        for (uint32_t i = 0; i < info.work_items; ++i)
          if (int32_t& tiles = work[info.work_groups + 1 + 4 * size_t(i) + 3]; tiles > 0) {
            --tiles;
            break;
          }
      if (sh.bad_items) {  // appended to the last workgroup's items: walked after every valid one
        const size_t at = info.work_groups + 1 + 4 * size_t(info.work_items);
        work.resize(std::max(work.size(), at + 8));
        const int32_t bad[8] = {int32_t(batch), 0, 0, 1, 0, int32_t(info.num_splits + 1) << 16, 0, 1};
        std::copy_n(bad, 8, work.begin() + std::ptrdiff_t(at));
        work[info.work_groups] += 2;
        info.work_bytes = work.size() * 4;
      }
      // the typed entry point with the metadata (device copies of work and row_splits): the op
      // mla_decode_persistent(_block_table) — the variant on its fixed grid, then attn_lse_combine_rows when cut
      Buffer wb = s.upload(work), rsb = s.upload(row_splits);
      asmk_mla_decode_args a = ASMK_INIT(asmk_mla_decode_args);
      a.batch = batch, a.heads = h, a.max_qlen = max_qlen, a.total_q = tokens, a.num_pages = uint32_t(pages), a.page_size = ps;
      a.q_dtype = q_fp8 ? ASMK_DTYPE_FP8 : ASMK_DTYPE_BF16, a.kv_dtype = fp8 ? ASMK_DTYPE_FP8 : ASMK_DTYPE_BF16;
      a.scale = scale, a.softcap = sh.softcap, a.q_scale = q_scale, a.kv_scale = kv_scale;
      a.q_stride_token = q_token, a.q_stride_head = q_head, a.o_stride_token = o_token, a.o_stride_head = o_head;
      a.q = qb.get(), a.kv = kvb.get(), a.o = ob.get(), a.lse = sh.with_lse ? static_cast<float*>(lb.get()) : nullptr;
      a.qo_indptr = static_cast<const int32_t*>(qob.get());
      if (sh.csr) {
        a.kv_indptr = static_cast<const int32_t*>(kib.get()), a.kv_indices = static_cast<const int32_t*>(kxb.get());
        a.kv_last_page_len = static_cast<const int32_t*>(klb.get()), a.num_indices = uint32_t(kv_indices.size());
      } else {
        a.block_table = static_cast<const int32_t*>(btb.get()), a.seq_lens = static_cast<const int32_t*>(slb.get());
        a.block_table_stride = max_pages;
      }
      a.work = wb.get(), a.row_splits = static_cast<const int32_t*>(rsb.get());
      a.work_bytes = info.work_bytes, a.row_splits_bytes = info.row_splits_bytes;
      a.wg_rows = uint32_t(v.param_int("wg_rows")), a.work_groups = info.work_groups, a.num_splits = info.num_splits;
      asmk_selection plan = ASMK_INIT(asmk_selection);
      a.workspace_bytes = SIZE_MAX;
      ASSERT_EQ(asmk_select_mla_decode(s.get(), &a, &plan), ASMK_SUCCESS) << asmk_last_error();
      ASSERT_EQ(plan.launch_count, info.num_splits > 1 ? 2u : 1u) << "the pass, and the combine when rows are cut";
      EXPECT_EQ(std::string(plan.launches[0].kernel_name), v.name) << "the variant of the choices and wg_rows";
      EXPECT_EQ(plan.launches[0].grid.x, info.work_groups) << "the fixed grid";
      if (info.num_splits > 1)
        EXPECT_EQ(std::string(plan.launches[1].kernel_name), "attn_lse_combine_rows_" + v.arch + "_bf16");
      Buffer wsb = s.alloc(std::max<size_t>(plan.workspace_bytes, 1));
      a.workspace = plan.workspace_bytes > 0 ? wsb.get() : nullptr, a.workspace_bytes = plan.workspace_bytes;
      asmk_selection sel = ASMK_INIT(asmk_selection);
      if (info.num_splits > 1) {  // the cut rows' partials need the workspace: a byte short is a named error
        asmk_mla_decode_args short_ws = a;
        short_ws.workspace_bytes = plan.workspace_bytes - 1;
        EXPECT_EQ(asmk_mla_decode(s.get(), &short_ws, nullptr, &sel), ASMK_ERROR_BUFFER_TOO_SMALL);
        EXPECT_NE(std::string(asmk_last_error()).find("workspace"), std::string::npos) << asmk_last_error();
        EXPECT_EQ(ob.download<uint16_t>(1)[0], kSentinel) << "nothing written";
      }
      ASSERT_EQ(asmk_mla_decode(s.get(), &a, nullptr, &sel), ASMK_SUCCESS) << asmk_last_error();
      ASSERT_EQ(asmk_synchronize(s.get(), nullptr), ASMK_SUCCESS) << asmk_last_error();
    } else if (via_op) {
      // the ops (templates/mla_decode/op*.yaml) by name: each form and output its own op
      OpArgs a;
      a.u32("batch", batch).u32("heads", h).u32("max_qlen", max_qlen).u32("total_q", tokens);
      a.u32("num_pages", uint32_t(pages)).u32("page_size", ps).u32("q_stride_token", q_token).u32("q_stride_head", q_head);
      a.f32("scale", scale).f32("softcap", sh.softcap).f32("kv_scale", kv_scale).f32("q_scale", q_scale);
      a.choice("kv_dtype", v.param_str("kv_dtype")).choice("q_dtype", v.param_str("q_dtype"));
      a.ptr("q", qb).ptr("kv", kvb).ptr("qo_indptr", qob);
      if (sh.csr) a.u32("num_indices", uint32_t(kv_indices.size())).ptr("kv_indptr", kib).ptr("kv_indices", kxb).ptr("kv_last_page_len", klb);
      else a.u32("block_table_stride", max_pages).ptr("block_table", btb).ptr("seq_lens", slb);
      if (partial) {
        a.u32("num_splits", splits).ptr("partial_o", pob).ptr("partial_lse", lb);
        if (sh.plan_tiles) a.ptr("split_plan", planb);
      } else {
        a.u32("o_stride_token", o_token).u32("o_stride_head", o_head).ptr("o", ob);
        if (sh.with_lse) a.ptr("lse", lb);
      }
      const bool pipeline = !partial && sh.launches > 0;
      const char* op = partial ? (sh.csr ? "mla_decode_split" : "mla_decode_split_block_table")
                       : !sh.csr ? (pipeline ? "mla_decode_block_table" : "mla_decode_block_table_single")
                       : pipeline ? "mla_decode" : "mla_decode_single";
      Buffer wsb = s.alloc(std::max<size_t>(sh.workspace, 1));
      if (pipeline && sh.workspace > 0) a.ptr("workspace", wsb);
      if (pipeline && sh.launches == 2) a.choice("combine", "fused");  // no second launch; default: launch
      if (pipeline) {
        asmk_selection plan = ASMK_INIT(asmk_selection);
        ASSERT_EQ(asmk_select_op(s.get(), op, a.data(), a.size(), &plan), ASMK_SUCCESS) << asmk_last_error();
        ASSERT_EQ(plan.launch_count, sh.launches) << plan.reason;
        if (sh.launches >= 2) {
          EXPECT_EQ(std::string(plan.launches[0].kernel_name), "mla_decode_plan_" + v.arch);
          if (sh.launches == 3)
            EXPECT_EQ(std::string(plan.launches[2].kernel_name).rfind("attn_lse_combine_" + v.arch + "_bf16_s", 0), 0u)
                << plan.launches[2].kernel_name;  // its `slots` axis: _s16 or _s12
          EXPECT_GT(plan.launches[1].grid.y, 1u) << "the split count";
          EXPECT_LE(plan.workspace_bytes, sh.workspace);
        }
      }
      asmk_selection sel = ASMK_INIT(asmk_selection);
      ASSERT_EQ(asmk_run_op(s.get(), op, a.data(), a.size(), nullptr, &sel), ASMK_SUCCESS) << op << ": " << asmk_last_error();
      // a split pipeline's first launch is the plan, its second the variant's split pass
      const bool planned = pipeline && sh.launches >= 2;
      EXPECT_EQ(without_rows(planned ? sel.launches[1].kernel_name : sel.kernel_name), without_rows(v.name))
          << "the op selects the variant of the choices";
      ASSERT_EQ(asmk_synchronize(s.get(), nullptr), ASMK_SUCCESS) << asmk_last_error();
    } else {
      ASSERT_TRUE(s.launch(v.name,
                           {Arg::ptr("q", qb), Arg::ptr("kv", kvb), Arg::ptr("o", partial ? nullptr : ob.get()),
                            Arg::ptr("lse", !partial && sh.with_lse ? lb.get() : nullptr),
                            Arg::ptr("partial_o", partial ? pob.get() : sh.fused ? fpb.get() : nullptr),
                            Arg::ptr("partial_lse", partial ? lb.get() : sh.fused ? flb.get() : nullptr),
                            Arg::ptr("qo_indptr", qob),
                            Arg::ptr("kv_indptr", sh.csr ? kib.get() : nullptr), Arg::ptr("kv_indices", kxb),
                            Arg::ptr("kv_last_page_len", klb), Arg::ptr("block_table", btb), Arg::ptr("seq_lens", slb),
                            Arg::ptr("split_plan", sh.plan_tiles ? planb.get() : nullptr),
                            Arg::ptr("work", nullptr), Arg::ptr("counters", sh.fused ? cb.get() : nullptr),
                            Arg::u32("work_groups", 0), Arg::u32("batch", batch), Arg::u32("heads", h), Arg::u32("max_qlen", max_qlen),
                            Arg::u32("page_size", ps), Arg::u32("block_table_stride", max_pages),
                            Arg::u32("num_splits", splits), Arg::u32("q_stride_token", q_token),
                            Arg::u32("q_stride_head", q_head), Arg::u32("o_stride_token", o_token),
                            Arg::u32("o_stride_head", o_head), Arg::f32("scale", scale), Arg::f32("softcap", sh.softcap),
                            Arg::f32("kv_scale", kv_scale), Arg::f32("q_scale", q_scale)}));
    }

    if (sh.fused) {
      const std::vector<int32_t> counters = cb.download<int32_t>(counter_count);
      if (sh.dirty_counter) {  // no workgroup sees itself last: nothing merged, o keeps its sentinel
        const std::vector<uint16_t> o = ob.download<uint16_t>(o_elems);
        EXPECT_EQ(size_t(std::count(o.begin(), o.end(), kSentinel)), o_elems) << "o written though no split arrived last";
        return;
      }
      EXPECT_EQ(size_t(std::count(counters.begin(), counters.end(), 0)), counters.size())
          << "the arrival counters are zero again after the launch";
    }
    std::vector<double> got(size_t(expected.rows) * DV), lse(expected.rows);
    const std::vector<float> lse_dev = lb.download<float>(std::max<size_t>(lse_count, 1));
    if (partial) {
      const std::vector<float> po = pob.download<float>(size_t(expected.rows) * DV);
      for (size_t i = 0; i < got.size(); ++i) got[i] = po[i];
      for (size_t r = 0; r < expected.rows; ++r) lse[r] = lse_dev[r];
      // a split without keys writes its lse (-inf) only: its o keeps the sentinel (the combine does not read it)
      size_t empty_written = 0;
      for (uint32_t b = 0; b < batch; ++b) {
        const uint32_t len = sh.kv_lens[b];
        const uint64_t per = sh.plan_tiles ? 32ull * sh.plan_tiles : ref::mla_split_keys(len, splits, 32);
        for (int32_t t = qo_indptr[b]; t < qo_indptr[b + 1]; ++t)
          for (uint32_t hh = 0; hh < h; ++hh)
            for (uint32_t sp = 0; sp < splits; ++sp) {
              if (uint64_t(sp) * per < len) continue;
              const size_t row = (size_t(t) * h + hh) * splits + sp;
              for (uint32_t c = 0; c < DV; ++c) {
                empty_written += po[row * DV + c] != kLseSentinel;
                got[row * DV + c] = 0.0;  // the reference's o_s of an empty split
              }
            }
      }
      EXPECT_EQ(empty_written, 0u) << "partial o written for a split without keys";
    } else {
      const std::vector<uint16_t> o = ob.download<uint16_t>(o_elems);
      std::vector<bool> is_output(o_elems, false);
      for (uint32_t t = 0; t < tokens; ++t)
        for (uint32_t hh = 0; hh < h; ++hh)
          for (uint32_t c = 0; c < DV; ++c) {
            const size_t at = size_t(t) * o_token + size_t(hh) * o_head + c;
            got[(size_t(t) * h + hh) * DV + c] = ref::bf16_to_f32(o[at]);
            is_output[at] = true;
          }
      for (size_t r = 0; r < expected.rows; ++r) lse[r] = lse_dev[r];
      size_t padding_written = 0;
      for (size_t i = 0; i < o_elems; ++i) padding_written += !is_output[i] && o[i] != kSentinel;
      EXPECT_EQ(padding_written, 0u) << "elements written outside the output rows";
      if (!sh.with_lse) {
        size_t touched = 0;
        for (float x : lse_dev) touched += x != kLseSentinel;
        EXPECT_EQ(touched, 0u) << "lse written though its pointer was null";
      }
    }
    const ref::ErrorSummary summary = ref::compare_attention(
        expected, partial ? ref::OutType::f32 : ref::OutType::bf16, ref::Format::bf16, got,
        partial || sh.with_lse ? &lse : nullptr);
    if (sh.fault) {
      EXPECT_FALSE(summary.ok()) << "a work item a tile short went unnoticed";
      return;
    }
    EXPECT_TRUE(summary.ok()) << summary.describe() << " (row " << summary.worst_row << ", col " << summary.worst_col
                              << ", " << expected.visible[summary.worst_row] << " visible keys)";
  }

  static std::vector<Shape> shapes() {
    return {
        {8, 1, {1}, {1}},                                           // the smallest problem
        {16, 16, {1, 6, 2}, {7, 70, 3}, false},                     // block table, h 16 with qlen 6, a 3-key sequence
        {8, 64, {8, 3}, {5, 300}, true, 0, true, 20.f},             // qlen 8 with 5 keys (tokens without keys), soft-cap
        {32, 16, {2}, {40}, true, 0, false, 0.f, true},             // padded strides, no lse
        {64, 1, {1, 1}, {33, 0}, true},                             // a sequence without keys
        {128, 16, {1}, {7}, false},                                 // 128 heads
        {128, 64, {4}, {100}, true},                                // 128 heads x 4 tokens: 16 row blocks
        {16, 16, {1, 2, 1}, {100, 7, 1}, true, 3},                  // splits: the short sequences leave some empty
        {8, 1, {4}, {300}, false, 5},                               // 5 splits over 10 tiles, causal qlen 4
        {8, 64, {1}, {64}, true, 1},                                // partials with one split
        planned({16, 16, {1, 2, 1}, {100, 7, 1}, true, 3}, 2),      // a split plan of 64 keys: 2, 1 and 1 splits used
        planned({8, 1, {4}, {300}, false, 5}, 3),                   // block table, 96 keys per split, the last split empty
    };
  }
  static Shape persistent(Shape s, int cut) {
    s.persistent = true, s.cut = cut;
    return s;
  }
  static Shape planned(Shape s, uint32_t tiles) {
    s.plan_tiles = tiles;
    return s;
  }
};

TEST_P(MlaDecode, EveryVariantMatchesTheReference) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const std::vector<Variant> variants = asmk::test::variants(GetParam().arch, "mla_decode");
  ASSERT_EQ(variants.size(), 8u) << "q and cache bf16 or fp8, 32 or 64 rows per workgroup";
  uint32_t seed = 1;
  for (const Variant& v : variants)
    for (const Shape& sh : shapes()) run(s, v, sh, seed++);
}

// Page indices beyond 65,536 (page size 1: a 75 MB cache whose first 65,536 pages are never named).
// The fused combine: the split pass with o and arrival counters merges its own partials (the workgroup that arrives
// last for its row block), against the unsplit reference: splits 1..5 with empty ones (short sequences), 20 (more
// than the merge's 16 o_s in flight), a split plan, causal q lengths; every variant forward, two of them with the workgroups run last first (the emulator's
// ASMK_EMU_WORKGROUP_ORDER=reverse on one thread: another split arrives last). Counters not zeroed (the caller's
// contract broken): no workgroup is last and o keeps its sentinel.
TEST_P(MlaDecode, FusedCombineMatchesTheReferenceInEitherOrder) {
  auto fused = [](Shape sh, int32_t dirty = 0) {
    sh.fused = true, sh.dirty_counter = dirty;
    return sh;
  };
  const std::vector<Shape> shapes = {fused({16, 16, {1, 2, 1}, {100, 7, 1}, true, 3}),   // splits 2 and 3 empty for the short ones
                                     fused({8, 1, {4}, {300}, true, 5}),                 // 5 splits, causal qlen 4
                                     fused({64, 16, {1}, {40}, true, 1}),                // one split: the pass is last
                                     planned(fused({16, 16, {1, 2, 1}, {100, 7, 1}, true, 4}), 2),
                                     fused({8, 16, {1}, {1280}, true, 20})};             // 20 splits with keys: every o_s slot filled
  uint32_t seed = 7;
  {
    Session s(GetParam().name);
    ASSERT_TRUE(s.ok());
    for (const Variant& v : asmk::test::variants(GetParam().arch, "mla_decode"))
      run(s, v, shapes[seed++ % shapes.size()], seed);
    const Variant v = asmk::test::variants(GetParam().arch, "mla_decode").at(0);
    run(s, v, fused({16, 16, {1, 2, 1}, {100, 7, 1}, true, 3}, 1000), 3);
  }
  ASSERT_EQ(setenv("ASMK_EMU_WORKGROUP_ORDER", "reverse", 1), 0);
  Session s(GetParam().name);
  unsetenv("ASMK_EMU_WORKGROUP_ORDER");
  ASSERT_TRUE(s.ok());
  const std::vector<Variant> variants = asmk::test::variants(GetParam().arch, "mla_decode");
  run(s, variants.at(0), shapes[0], 11);
  run(s, variants.at(variants.size() - 1), shapes[3], 12);
}

TEST_P(MlaDecode, PageIndicesBeyond65536) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  for (const Variant& v : asmk::test::variants(GetParam().arch, "mla_decode"))
    run(s, v, {8, 1, {2}, {20}, true, 0, true, 0.f, false, 65536}, 99);
}

// A cache beyond 4 GiB: pages of 64 tokens (73,728 bytes) at indices 58,300 (just past 4 GiB), 70,001 and
// 70,005 (5.2 GB) of a 70,010-page cache that the emulator reserves without committing; only the three pages
// are written. The reference reads the same rows from a compact host copy (pages 0, 1, 2). 32-bit offset
// arithmetic anywhere in the address would read another page (or fault) and fail the comparison.
TEST_P(MlaDecode, CacheBeyond4GiB) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const Variant v = asmk::test::variants(GetParam().arch, "mla_decode").at(0);
  ASSERT_EQ(v.param_str("kv_dtype") + v.param_str("q_dtype"), "bf16bf16");
  const uint32_t h = 16, ps = 64, seqlen = 150, pages = 70010;
  const std::vector<int32_t> device_pages{58300, 70001, 70005}, host_pages{0, 1, 2};
  const size_t page_elems = size_t(ps) * D;
  ASSERT_GT(uint64_t(device_pages[0]) * page_elems * 2, 1ull << 32);
  std::mt19937 rng(5);
  std::normal_distribution<float> normal(0.f, 1.f);
  std::vector<uint16_t> q(size_t(2) * h * D), host_kv(3 * page_elems);
  for (auto& x : q) x = ref::f32_to_bf16(normal(rng) * 0.5f);
  for (auto& x : host_kv) x = ref::f32_to_bf16(normal(rng));
  const std::vector<int32_t> qo{0, 2}, kv_indptr{0, 3}, last{int32_t(seqlen - 2 * ps)};
  const float scale = 0.08f;
  ref::MlaDecodeArgs ra;
  ra.q = q.data(), ra.kv = host_kv.data(), ra.q_stride_token = h * D, ra.batch = 1, ra.heads = h, ra.page_size = ps;
  ra.num_pages = 3, ra.qo_indptr = qo.data(), ra.kv_indptr = kv_indptr.data(), ra.kv_indices = host_pages.data();
  ra.kv_last_page_len = last.data(), ra.scale = scale;
  ref::AttentionRef want;
  ASSERT_TRUE(ref::mla_decode(ra, want).ok());

  Buffer kv = s.alloc(size_t(pages) * page_elems * 2);
  for (size_t i = 0; i < device_pages.size(); ++i)
    ASSERT_EQ(asmk_memcpy(s.get(), static_cast<char*>(kv.get()) + size_t(device_pages[i]) * page_elems * 2,
                          host_kv.data() + i * page_elems, page_elems * 2, ASMK_COPY_HOST_TO_DEVICE),
              ASMK_SUCCESS) << asmk_last_error();
  Buffer qb = s.upload(q), qob = s.upload(qo), kib = s.upload(kv_indptr), kxb = s.upload(device_pages),
         klb = s.upload(last), ob = s.alloc(size_t(2) * h * DV * 2), lb = s.alloc(size_t(2) * h * 4);
  ASSERT_TRUE(s.launch(v.name, {Arg::ptr("q", qb), Arg::ptr("kv", kv), Arg::ptr("o", ob), Arg::ptr("lse", lb),
                                Arg::ptr("partial_o", nullptr), Arg::ptr("partial_lse", nullptr), Arg::ptr("qo_indptr", qob),
                                Arg::ptr("kv_indptr", kib), Arg::ptr("kv_indices", kxb), Arg::ptr("kv_last_page_len", klb),
                                Arg::ptr("block_table", nullptr), Arg::ptr("seq_lens", nullptr),
                                Arg::ptr("split_plan", nullptr), Arg::ptr("work", nullptr), Arg::ptr("counters", nullptr), Arg::u32("work_groups", 0),
                                Arg::u32("batch", 1),
                                Arg::u32("heads", h), Arg::u32("max_qlen", 2), Arg::u32("page_size", ps),
                                Arg::u32("block_table_stride", 0), Arg::u32("num_splits", 1),
                                Arg::u32("q_stride_token", h * D), Arg::u32("q_stride_head", D),
                                Arg::u32("o_stride_token", h * DV), Arg::u32("o_stride_head", DV),
                                Arg::f32("scale", scale), Arg::f32("softcap", 0.f),
                                Arg::f32("kv_scale", 1.f), Arg::f32("q_scale", 1.f)}));
  const auto o = ob.download<uint16_t>(size_t(2) * h * DV);
  const auto lse_dev = lb.download<float>(size_t(2) * h);
  std::vector<double> got(o.size()), lse(lse_dev.begin(), lse_dev.end());
  for (size_t i = 0; i < o.size(); ++i) got[i] = ref::bf16_to_f32(o[i]);
  const ref::ErrorSummary summary = ref::compare_attention(want, ref::OutType::bf16, ref::Format::bf16, got, &lse);
  EXPECT_TRUE(summary.ok()) << summary.describe();
}

// Long sequences (opt-in: cmake -DASMK_EXPENSIVE_TESTS=ON, then ctest -L expensive): 4,097 keys in one split
// (129 tiles of the online softmax), and a batch mixing one 32,768-key sequence with short ones in 16 splits.
TEST_P(MlaDecode, DISABLED_LongSequences) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const auto variants = asmk::test::variants(GetParam().arch, "mla_decode");
  run(s, variants.at(0), {16, 16, {1}, {4097}, true}, 901);
  run(s, variants.back(), {16, 16, {2, 1, 1, 4}, {4097, 32768, 1, 7}, true, 16}, 902);
  for (const bool csr : {true, false}) {  // persistent on the device's grid: 32,768 keys in 16 pieces, the rest whole
    Shape sh = persistent({16, 16, {1, 1, 1, 2, 1}, {32768, 1, 7, 0, 300}, csr}, 1);
    sh.work_groups = 0;
    run(s, variants.at(0), sh, 903);
  }
}

// The pipeline op mla_decode (templates/mla_decode/op.yaml): with a workspace it plans mla_decode_split and
// attn_lse_combine (2 splits here: 1,107 keys over 3 sequences, at least 256 per split on average), with a
// workspace too small for two splits or none it plans mla_decode_single; every form gives the reference.
TEST_P(MlaDecode, ThePipelineOpSplitsWithAWorkspace) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  uint32_t seed = 700;
  for (const Variant& v : asmk::test::variants(GetParam().arch, "mla_decode")) {
    if (v.param_int("wg_rows") != 32) continue;  // the op picks the rows of the shape (its prefer rule)
    if (v.param_str("q_dtype") != v.param_str("kv_dtype")) continue;  // bf16 and fp8 q and cache
    Shape sh{16, 16, {1, 2, 1}, {600, 500, 7}, true};
    sh.workspace = 64 << 20, sh.launches = 3;  // plan, split pass, attn_lse_combine
    run(s, v, sh, seed++, true);
    sh.launches = 2;  // combine=fused: plan, split pass with the fused combine
    run(s, v, sh, seed++, true);
    if (v.param_str("q_dtype") != "bf16") continue;
    sh.workspace = 100, sh.launches = 1;
    run(s, v, sh, seed++, true);
    sh.workspace = 0;
    run(s, v, sh, seed++, true);
  }
}

// The mla_decode ops (templates/mla_decode/op*.yaml) select the variant, bind every argument by name, check
// the buffers and launch: mla_decode_single (CSR) and mla_decode_block_table_single with o, mla_decode_split and
// mla_decode_split_block_table (with a split plan).
TEST_P(MlaDecode, TheOpsRunTheirVariants) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  uint32_t seed = 300;
  for (const Variant& v : asmk::test::variants(GetParam().arch, "mla_decode")) {
    if (v.param_int("wg_rows") != 32) continue;  // the op picks the rows of the shape (its prefer rule)
    const auto all = shapes();
    run(s, v, all[2], seed++, true);  // CSR, qlen 8, soft-cap
    run(s, v, all[7], seed++, true);  // split partials
    if (v.param_str("q_dtype") != "bf16" || v.param_str("kv_dtype") != "bf16") continue;
    run(s, v, all[1], seed++, true);  // block table
    run(s, v, all[3], seed++, true);  // padded strides, no lse
    run(s, v, all[10], seed++, true);  // split partials with a split plan
    run(s, v, all[11], seed++, true);  // ... with a block table (mla_decode_split_block_table)
  }
}

// Bad input is a named error and launches nothing (o keeps its sentinel): heads, page size and q length
// outside the kernels' contract, max_qlen past total_q, a cache or an o buffer smaller than the shape.
TEST_P(MlaDecode, BadInputIsANamedErrorAndWritesNothing) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const uint32_t heads = 16, tokens = 2, pages = 4, ps = 16;
  Buffer q = s.alloc(size_t(tokens) * heads * D * 2), kv = s.alloc(size_t(pages) * ps * D * 2);
  Buffer o = s.upload(std::vector<uint16_t>(size_t(tokens) * heads * DV, kSentinel));
  Buffer qo = s.upload(std::vector<int32_t>{0, 1, 2}), kvi = s.upload(std::vector<int32_t>{0, 1, 2}),
         idx = s.upload(std::vector<int32_t>{0, 1}), last = s.upload(std::vector<int32_t>{3, 5});
  struct Case {
    const char* what;
    uint32_t heads, page_size, max_qlen, total_q, num_pages;
    size_t o_bytes;
    asmk_status status;
    const char* message;  // a part of the error
  };
  const size_t full = o.bytes();
  const Case cases[] = {
      {"heads 12", 12, ps, 1, tokens, pages, full, ASMK_ERROR_UNSUPPORTED_SHAPE, "heads_supported"},
      {"page size 32", heads, 32, 1, tokens, pages / 2, full, ASMK_ERROR_UNSUPPORTED_SHAPE, "page_size_supported"},
      {"q length 9", heads, ps, 9, 9, pages, full, ASMK_ERROR_UNSUPPORTED_SHAPE, "qlen_supported"},
      {"max_qlen past total_q", heads, ps, 2, 1, pages, full, ASMK_ERROR_UNSUPPORTED_SHAPE, "longest_fits"},
      {"cache larger than its buffer", heads, ps, 1, tokens, pages + 1, full, ASMK_ERROR_BUFFER_TOO_SMALL, "kv"},
      {"o smaller than its shape", heads, ps, 1, tokens, pages, full - 2, ASMK_ERROR_BUFFER_TOO_SMALL, "o"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    OpArgs a;
    a.u32("batch", 2).u32("heads", c.heads).u32("max_qlen", c.max_qlen).u32("total_q", c.total_q);
    a.u32("num_pages", c.num_pages).u32("page_size", c.page_size).u32("num_indices", 2).f32("scale", 0.1f);
    a.ptr("q", q).ptr("kv", kv).ptr("o", o.get(), c.o_bytes).ptr("qo_indptr", qo);
    a.ptr("kv_indptr", kvi).ptr("kv_indices", idx).ptr("kv_last_page_len", last);
    EXPECT_EQ(asmk_run_op(s.get(), "mla_decode", a.data(), a.size(), nullptr, nullptr), c.status);
    EXPECT_NE(std::string(asmk_last_error()).find(c.message), std::string::npos) << asmk_last_error();
    ASSERT_EQ(asmk_synchronize(s.get(), nullptr), ASMK_SUCCESS);
    const auto after = o.download<uint16_t>();
    EXPECT_EQ(size_t(std::count(after.begin(), after.end(), kSentinel)), after.size()) << "o written";
  }
}

// The split plan (templates/mla_decode_plan) through its ops: split_plan[0] is ref::mla_plan_split_tiles of the
// lengths (a CSR sequence counted as pages · page_size keys) — one long sequence among short ones, more than
// 64 sequences (a lane takes several), every sequence empty (the floor min_tiles), the longest bound by the slots,
// an even batch whose rounded-up splits would overrun the target (the search for a larger n).
TEST_P(MlaDecode, ThePlanFollowsTheLengths) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  struct Case {
    std::vector<uint32_t> lens;
    uint32_t page_size, num_splits, work_target, min_tiles;
  };
  std::vector<uint32_t> many(150);
  for (size_t i = 0; i < many.size(); ++i) many[i] = uint32_t(37 * i % 1000);
  const Case cases[] = {
      {{32768, 1000, 7, 1, 640}, 16, 16, 608, 8},   // one long sequence: the slots bound it (1024 tiles / 16 = 64)
      {{32768, 1000, 7, 1, 640}, 16, 64, 8, 8},     // few splits wanted: the total bounds it
      {many, 1, 16, 40, 2},                         // 150 sequences
      {{0, 0, 0}, 64, 4, 10, 8},                    // no keys at all: the floor
      {{5000}, 64, 4, 1000, 1},                     // one sequence over 4 slots
      {std::vector<uint32_t>(64, 8192), 64, 16, 608, 8},  // even: 27 tiles make 640 splits, 29 fit 608 (576)
  };
  for (const Case& c : cases) {
    const uint32_t batch = uint32_t(c.lens.size());
    std::vector<int32_t> indptr{0}, lens;
    std::vector<uint32_t> capacity;
    for (uint32_t len : c.lens) {
      const uint32_t pages = (len + c.page_size - 1) / c.page_size;
      indptr.push_back(indptr.back() + int32_t(pages));
      capacity.push_back(pages * c.page_size);
      lens.push_back(int32_t(len));
    }
    for (const bool csr : {true, false}) {
      SCOPED_TRACE(std::string(csr ? "csr" : "block table") + " batch " + std::to_string(batch) + " splits " +
                   std::to_string(c.num_splits) + " work_target " + std::to_string(c.work_target));
      Buffer ib = s.upload(indptr), lb = s.upload(lens), pb = s.upload(std::vector<int32_t>{-1});
      OpArgs a;
      a.u32("batch", batch).u32("num_splits", c.num_splits).u32("work_target", c.work_target);
      a.u32("min_tiles", c.min_tiles).ptr("split_plan", pb);
      if (csr) a.u32("page_size", c.page_size).ptr("kv_indptr", ib);
      else a.ptr("seq_lens", lb);
      const char* op = csr ? "mla_decode_plan" : "mla_decode_plan_block_table";
      ASSERT_EQ(asmk_run_op(s.get(), op, a.data(), a.size(), nullptr, nullptr), ASMK_SUCCESS) << op << ": " << asmk_last_error();
      ASSERT_EQ(asmk_synchronize(s.get(), nullptr), ASMK_SUCCESS) << asmk_last_error();
      const uint32_t want = ref::mla_plan_split_tiles(csr ? capacity : c.lens, c.num_splits, c.work_target, c.min_tiles, 32);
      EXPECT_EQ(pb.download<int32_t>(1).at(0), int32_t(want));
    }
  }
}

// The pipelines with one long sequence among short ones (CSR and block table): the plan cuts the 3,000-key
// sequence into splits of 8 tiles (256 keys, the floor) and the short ones into one each; o and lse are the
// unsplit reference's.
TEST_P(MlaDecode, ThePipelineBalancesALongSequenceAmongShortOnes) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  uint32_t seed = 800;
  for (const Variant& v : asmk::test::variants(GetParam().arch, "mla_decode")) {
    if (v.param_int("wg_rows") != 32) continue;  // the op picks the rows of the shape (its prefer rule)
    if (v.param_str("q_dtype") != v.param_str("kv_dtype")) continue;
    Shape sh{16, 16, {1, 1, 2, 1, 1}, {3000, 40, 100, 7, 60}, true};
    sh.workspace = 64 << 20, sh.launches = 2;
    run(s, v, sh, seed++, true);
    sh.csr = false;  // mla_decode_block_table with combine=fused: its plan and fused split stages
    run(s, v, sh, seed++, true);
  }
}

// The split ops' rows per workgroup (op.split*.yaml `prefer`) count the CUs the splits with keys keep busy, not
// the split slots: mla_decode_plan gives a split at least 256 keys, so a 1k context holds about 4 splits with keys
// of its 16 slots. Worked out by hand (page size 64, every sequence 1,024 keys, an ample workspace: 16 slots):
//   h 128 × q 1 × batch 16: 32-row 4 row blocks · 4 splits · 16 = 256 workgroups with keys, 64-row 128: on 304
//     (MI300X) or 256 (MI355X) CUs the 32-row kernel keeps more busy (counting slots, both filled the CUs: 64 rows)
//   h 16 × q 4 × batch 16: 128 against 64 workgroups with keys: 32 rows
//   h 128 × q 4 × batch 64 × 8k: 16 slots, 8k / 256 = 32 splits of keys: both fill the CUs, 64 rows (a cache read
//     shared by 64 rows); h 16 × q 1: 16 rows, 64-row workgroups would mask more: 32 rows
TEST_P(MlaDecode, SplitOpsCountTheSplitsThatHoldKeys) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  struct Case {
    uint32_t heads, qlen, batch, ctx, wg_rows;
  };
  const Case cases[] = {{128, 1, 16, 1024, 32}, {16, 4, 16, 1024, 32}, {128, 4, 64, 8192, 64}, {16, 1, 64, 8192, 32}};
  for (const Case& c : cases) {
    SCOPED_TRACE("h " + std::to_string(c.heads) + " q " + std::to_string(c.qlen) + " batch " + std::to_string(c.batch) +
                 " ctx " + std::to_string(c.ctx));
    const uint32_t ps = 64, pages = c.batch * (c.ctx / ps), tokens = c.batch * c.qlen;
    std::vector<asmk_op_arg> a;
    auto add = [&](const char* name, asmk_value_type type) -> asmk_op_arg& {
      asmk_op_arg& arg = a.emplace_back();
      arg.name = name;
      arg.type = type;
      return arg;
    };
    auto u32 = [&](const char* name, uint32_t x) { add(name, ASMK_VALUE_U32).value.u32 = x; };
    auto ptr = [&](const char* name, size_t bytes) {  // a selection reads no data: no memory behind the pointers
      asmk_op_arg& arg = add(name, ASMK_VALUE_POINTER);
      arg.value.pointer = nullptr;
      arg.bytes = bytes;
    };
    u32("batch", c.batch), u32("heads", c.heads), u32("max_qlen", c.qlen), u32("total_q", tokens);
    u32("num_pages", pages), u32("page_size", ps), u32("num_indices", pages);
    add("scale", ASMK_VALUE_F32).value.f32 = 0.0722f;
    ptr("q", size_t(tokens) * c.heads * D * 2), ptr("kv", size_t(pages) * ps * D * 2);
    ptr("o", size_t(tokens) * c.heads * DV * 2), ptr("qo_indptr", (c.batch + 1) * 4);
    ptr("kv_indptr", (c.batch + 1) * 4), ptr("kv_indices", size_t(pages) * 4), ptr("kv_last_page_len", c.batch * 4);
    ptr("workspace", size_t(1) << 32);
    asmk_selection sel = ASMK_INIT(asmk_selection);
    ASSERT_EQ(asmk_select_op(s.get(), "mla_decode", a.data(), a.size(), &sel), ASMK_SUCCESS) << asmk_last_error();
    ASSERT_EQ(sel.launch_count, 3u) << "plan, split pass, combine: " << sel.reason;
    EXPECT_EQ(sel.launches[1].grid.y, 16u) << "the split slots";
    const std::string split = sel.launches[1].kernel_name;
    EXPECT_EQ(split.substr(split.rfind("_r")), "_r" + std::to_string(c.wg_rows)) << split;
  }
}

// Persistent mode (asmk_mla_decode_metadata's work list walked by a fixed grid — 24 workgroups here, the emulator's
// time; the device's CUs × workgroups per CU in the expensive test —, attn_lse_combine_rows for the rows it cut),
// every variant: a 700-key sequence among short ones (one without
// keys, causal q lengths) cut, the short ones whole; a block table with page size 1 and q length 8 where nothing
// is cut (no partials, no combine); 128 heads × 4 tokens over pages of 64 with at most 3 pieces per unit and padded
// strides (the last two on the bf16 variants, for CI time). o and lse are the unsplit reference's, o's padding
// untouched.
TEST_P(MlaDecode, PersistentModeMatchesTheReference) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  uint32_t seed = 1000;
  for (const Variant& v : asmk::test::variants(GetParam().arch, "mla_decode")) {
    run(s, v, persistent({16, 16, {1, 2, 1, 3}, {700, 7, 0, 33}, true}, 1), seed++);
    if (v.param_str("q_dtype") != "bf16" || v.param_str("kv_dtype") != "bf16") continue;  // CI time: bf16 (32, 64 rows)
    Shape capped = persistent({128, 64, {4, 1}, {1000, 64}, true, 0, true, 0.f, true}, 1);
    capped.max_splits = 3, capped.work_groups = 48;  // 20 units on 48 workgroups: cut, at most 3 pieces each
    run(s, v, capped, seed++);
    run(s, v, persistent({8, 1, {8, 3}, {300, 5}, false}, 0), seed++);
  }
}

// The persistent op's point (issue 13): one very long sequence among many short ones — 4,096 keys among 31 of 1..90
// keys, h 16, q length 1 (DeepSeek at TP8) — on the device's grid (its CUs × 2 for 32 rows: 608 / 512 workgroups):
// the metadata cuts the long sequence into 16 pieces, the short ones stay whole, the pass and the row combine give
// the unsplit reference's o and lse. One variant (bf16, 32 rows), for CI time.
TEST_P(MlaDecode, PersistentOpTakesAVeryLongSequenceAmongManyShortOnes) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const Variant v = asmk::test::variants(GetParam().arch, "mla_decode").at(0);
  ASSERT_EQ(v.param_int("wg_rows"), 32) << v.name;
  std::vector<uint32_t> q_lens(32, 1), kv_lens{4096};
  for (uint32_t b = 1; b < 32; ++b) kv_lens.push_back(1 + (b * 37) % 90);
  Shape sh = persistent({16, 16, q_lens, kv_lens, true}, 1);
  sh.work_groups = 0;  // the device's grid
  run(s, v, sh, 1200);
}

// The kernels do not trust the work list: an item naming a sequence past the batch (its qo_indptr entries lie past
// the buffer) and a piece of the first row block at slot num_splits (its partials would land on the next rows'
// first pieces, which the combine then reads) are skipped — o and lse stay the reference's, and the strict emulator
// sees no access outside a buffer. A workspace a byte short of the plan's is refused by name, nothing written.
TEST_P(MlaDecode, APersistentWorkListsBadItemsAreSkipped) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const Variant v = asmk::test::variants(GetParam().arch, "mla_decode").at(0);
  Shape sh = persistent({16, 16, {1, 2}, {700, 300}, true}, 1);
  sh.bad_items = true;
  run(s, v, sh, 1150);
}

// A fault makes the persistent test fail: the same run with one work item a tile short gives an o the
// comparison refuses (run() expects the failure for a `fault` shape).
TEST_P(MlaDecode, APersistentWorkListATileShortIsCaught) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const Variant v = asmk::test::variants(GetParam().arch, "mla_decode").at(0);
  for (const int cut : {1, 0}) {
    Shape sh = persistent(cut ? Shape{16, 16, {1, 2}, {700, 300}, true} : Shape{8, 1, {8, 3}, {300, 5}, false}, cut);
    sh.fault = true;
    run(s, v, sh, 1100 + cut);
  }
}

// ---- attn_lse_combine ---------------------------------------------------------------------------------------

class AttnLseCombine : public ::testing::TestWithParam<asmk::test::TestDevice> {
 protected:
  // Random partials (lse in [-8, 8], every seventh split empty with NaN o_s, the last row wholly empty when
  // `empty_row`),
  // combined by the kernel (or the op) into o with padded strides; o's padding keeps its sentinel.
  void run(Session& s, const Variant& v, uint32_t tokens, uint32_t heads, uint32_t splits, uint32_t dv, bool with_lse,
           bool empty_row, uint32_t seed, bool via_op = false) {
    SCOPED_TRACE(v.name + " tokens=" + std::to_string(tokens) + " heads=" + std::to_string(heads) + " splits=" +
                 std::to_string(splits) + " dv=" + std::to_string(dv) + (via_op ? " via the op" : ""));
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.f, 1.f);
    std::uniform_real_distribution<float> value(-8.f, 8.f);
    const uint32_t rows = tokens * heads;
    std::vector<float> po(size_t(rows) * splits * dv), pl(size_t(rows) * splits);
    for (auto& x : po) x = normal(rng) * 3.f;
    for (size_t i = 0; i < pl.size(); ++i)
      pl[i] = i % 7 == 3 || (empty_row && i / splits == rows - 1) ? -std::numeric_limits<float>::infinity() : value(rng);
    // an empty split's o_s is not read (its producer need not write it): NaN there must not reach o
    for (size_t i = 0; i < pl.size(); ++i)
      if (std::isinf(pl[i])) std::fill_n(po.begin() + std::ptrdiff_t(i * dv), dv, std::numeric_limits<float>::quiet_NaN());
    ref::LseCombineRef want;
    ASSERT_TRUE(ref::lse_combine(po.data(), pl.data(), rows, splits, dv, want).ok());
    const bool bf16 = v.param_str("out_dtype") == "bf16";
    const uint32_t o_head = dv + 8, o_token = heads * o_head + 4;
    const size_t o_elems = size_t(tokens) * o_token;
    Buffer pob = s.upload(po), plb = s.upload(pl), ob = s.upload(std::vector<uint16_t>(o_elems, kSentinel));
    Buffer lb = s.upload(std::vector<float>(rows, kLseSentinel));
    if (via_op) {
      OpArgs a;
      a.choice("out_dtype", v.param_str("out_dtype"));
      a.u32("tokens", tokens).u32("heads", heads).u32("num_splits", splits).u32("dv", dv);
      a.u32("o_stride_token", o_token).u32("o_stride_head", o_head);
      a.ptr("partial_o", pob).ptr("partial_lse", plb).ptr("o", ob);
      if (with_lse) a.ptr("lse", lb);
      asmk_selection sel = ASMK_INIT(asmk_selection);
      ASSERT_EQ(asmk_run_op(s.get(), "attn_lse_combine", a.data(), a.size(), nullptr, &sel), ASMK_SUCCESS) << asmk_last_error();
      EXPECT_EQ(std::string(sel.kernel_name), v.name);
      ASSERT_EQ(asmk_synchronize(s.get(), nullptr), ASMK_SUCCESS) << asmk_last_error();
    } else {
      ASSERT_TRUE(s.launch(v.name, {Arg::ptr("partial_o", pob), Arg::ptr("partial_lse", plb), Arg::ptr("o", ob),
                                    Arg::ptr("lse", with_lse ? lb.get() : nullptr), Arg::u32("tokens", tokens),
                                    Arg::u32("heads", heads), Arg::u32("num_splits", splits), Arg::u32("dv", dv),
                                    Arg::u32("o_stride_token", o_token), Arg::u32("o_stride_head", o_head)}));
    }
    const auto o = ob.download<uint16_t>(o_elems);
    const auto lse = lb.download<float>(rows);
    const ref::OutType out = bf16 ? ref::OutType::bf16 : ref::OutType::fp16;
    size_t bad = 0, padding_written = 0;
    std::vector<bool> is_output(o_elems, false);
    for (uint32_t r = 0; r < rows; ++r) {
      for (uint32_t c = 0; c < dv; ++c) {
        const size_t at = size_t(r / heads) * o_token + size_t(r % heads) * o_head + c;
        is_output[at] = true;
        const double got = bf16 ? ref::bf16_to_f32(o[at]) : ref::fp16_to_f32(o[at]);
        const double tol = ref::lse_combine_tolerance(want, r, c, out);
        if (!(std::fabs(got - want.out[size_t(r) * dv + c]) <= tol) && bad++ < 3)
          ADD_FAILURE() << "o row " << r << " col " << c << ": kernel " << got << ", ref " << want.out[size_t(r) * dv + c]
                        << ", tolerance " << tol;
      }
      if (with_lse) {
        if (std::isinf(want.lse[r])) EXPECT_EQ(double(lse[r]), want.lse[r]) << "lse row " << r;
        else EXPECT_NEAR(lse[r], want.lse[r], ref::lse_combine_lse_tolerance(want, r)) << "lse row " << r;
      } else {
        EXPECT_EQ(lse[r], kLseSentinel) << "lse written though its pointer was null";
      }
    }
    for (size_t i = 0; i < o_elems; ++i) padding_written += !is_output[i] && o[i] != kSentinel;
    EXPECT_EQ(bad, 0u);
    EXPECT_EQ(padding_written, 0u) << "elements written outside the output rows";
  }
};

TEST_P(AttnLseCombine, EveryVariantMatchesTheReference) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const auto variants = asmk::test::variants(GetParam().arch, "attn_lse_combine");
  ASSERT_EQ(variants.size(), 4u) << "bf16 and fp16 o, 16 and 12 slots";
  uint32_t seed = 7;
  for (const Variant& v : variants) {
    run(s, v, 3, 16, 4, 512, true, true, seed++);    // MLA-shaped, a row without any key
    run(s, v, 5, 3, 1, 64, false, false, seed++);    // one split (a copy), no lse, odd heads
    run(s, v, 2, 7, 9, 128, true, true, seed++);     // 9 splits, FMHA-shaped dv
    run(s, v, 1, 2, 3, 1024, true, false, seed++);   // the widest dv
    run(s, v, 2, 3, 37, 512, true, false, seed++);   // more splits with keys than the 16 loads in flight: two rounds
    run(s, v, 1, 2, 20, 768, true, true, seed++);    // a wide dv (8 splits a round), a partial last 256
    run(s, v, 1, 3, 130, 192, true, true, seed++);   // past 64 and 128 splits (the lse of three lane blocks)
    // via the op: a few rows take 16 slots (one memory latency for 16 splits), more rows than 3 waves per SIMD of
    // the device's CUs hold (12 per CU) the 12-slot kernel's 4 waves per SIMD (op.yaml)
    if (v.param_int("slots") == 16) run(s, v, 2, 5, 3, 256, true, true, seed++, true);
    else run(s, v, 1024, 4, 2, 64, true, true, seed++, true);
  }
}

// Split-KV end to end: mla_decode_split's partials (the kernel) merged by attn_lse_combine (the kernel) give
// the unsplit reference's o and lse within its tolerance.
TEST_P(AttnLseCombine, MergesMlaDecodeSplits) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const Variant mla = asmk::test::variants(GetParam().arch, "mla_decode").at(0);
  ASSERT_EQ(mla.param_str("kv_dtype") + mla.param_str("q_dtype"), "bf16bf16");
  Variant combine;
  for (const Variant& v : asmk::test::variants(GetParam().arch, "attn_lse_combine"))
    if (v.param_str("out_dtype") == "bf16") combine = v;
  std::mt19937 rng(42);
  std::normal_distribution<float> normal(0.f, 1.f);
  const uint32_t h = 16, ps = 16, splits = 4;
  const std::vector<int32_t> qo{0, 2, 3}, kv_indptr{0, 9, 10}, last{4, 1}, indices{3, 0, 7, 1, 9, 2, 4, 8, 5, 6};
  const uint32_t tokens = 3, pages = 10, rows = tokens * h;
  std::vector<uint16_t> q(size_t(tokens) * h * D), kv(size_t(pages) * ps * D);
  for (auto& x : q) x = ref::f32_to_bf16(normal(rng) * 0.5f);
  for (auto& x : kv) x = ref::f32_to_bf16(normal(rng));
  const float scale = 0.09f;
  ref::MlaDecodeArgs ra;
  ra.q = q.data(), ra.kv = kv.data(), ra.q_stride_token = h * D, ra.batch = 2, ra.heads = h, ra.page_size = ps;
  ra.num_pages = pages, ra.qo_indptr = qo.data(), ra.kv_indptr = kv_indptr.data(), ra.kv_indices = indices.data();
  ra.kv_last_page_len = last.data(), ra.scale = scale;
  ref::AttentionRef want;
  ASSERT_TRUE(ref::mla_decode(ra, want).ok());
  Buffer qb = s.upload(q), kvb = s.upload(kv), qob = s.upload(qo), kib = s.upload(kv_indptr), kxb = s.upload(indices),
         klb = s.upload(last);
  Buffer pob = s.alloc(size_t(rows) * splits * DV * 4), plb = s.alloc(size_t(rows) * splits * 4);
  Buffer ob = s.alloc(size_t(rows) * DV * 2), lb = s.alloc(size_t(rows) * 4);
  ASSERT_TRUE(s.launch(mla.name, {Arg::ptr("q", qb), Arg::ptr("kv", kvb), Arg::ptr("o", nullptr), Arg::ptr("lse", nullptr),
                                  Arg::ptr("partial_o", pob), Arg::ptr("partial_lse", plb), Arg::ptr("qo_indptr", qob),
                                  Arg::ptr("kv_indptr", kib), Arg::ptr("kv_indices", kxb),
                                  Arg::ptr("kv_last_page_len", klb), Arg::ptr("block_table", nullptr),
                                  Arg::ptr("seq_lens", nullptr), Arg::ptr("split_plan", nullptr), Arg::ptr("work", nullptr), Arg::ptr("counters", nullptr),
                                  Arg::u32("work_groups", 0), Arg::u32("batch", 2),
                                  Arg::u32("heads", h),
                                  Arg::u32("max_qlen", 2), Arg::u32("page_size", ps), Arg::u32("block_table_stride", 0),
                                  Arg::u32("num_splits", splits), Arg::u32("q_stride_token", h * D),
                                  Arg::u32("q_stride_head", D), Arg::u32("o_stride_token", 0),
                                  Arg::u32("o_stride_head", 0), Arg::f32("scale", scale), Arg::f32("softcap", 0.f),
                                Arg::f32("kv_scale", 1.f), Arg::f32("q_scale", 1.f)}));
  ASSERT_TRUE(s.launch(combine.name, {Arg::ptr("partial_o", pob), Arg::ptr("partial_lse", plb), Arg::ptr("o", ob),
                                      Arg::ptr("lse", lb), Arg::u32("tokens", tokens), Arg::u32("heads", h),
                                      Arg::u32("num_splits", splits), Arg::u32("dv", DV),
                                      Arg::u32("o_stride_token", h * DV), Arg::u32("o_stride_head", DV)}));
  const auto o = ob.download<uint16_t>(size_t(rows) * DV);
  const auto lse_dev = lb.download<float>(rows);
  std::vector<double> got(o.size()), lse(lse_dev.begin(), lse_dev.end());
  for (size_t i = 0; i < o.size(); ++i) got[i] = ref::bf16_to_f32(o[i]);
  const ref::ErrorSummary summary = ref::compare_attention(want, ref::OutType::bf16, ref::Format::bf16, got, &lse);
  EXPECT_TRUE(summary.ok()) << summary.describe();
}

INSTANTIATE_TEST_SUITE_P(Devices, AttnLseCombine, ::testing::ValuesIn(asmk::test::kTestDevices),
                         [](const auto& info) { return std::string(info.param.arch); });

INSTANTIATE_TEST_SUITE_P(Devices, MlaDecode, ::testing::ValuesIn(asmk::test::kTestDevices),
                         [](const auto& info) { return std::string(info.param.arch); });

}  // namespace
