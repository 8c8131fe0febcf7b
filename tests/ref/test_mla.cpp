// The MLA decode reference (ref/mla.hpp) against an independent formulation: the keys of each sequence
// gathered from the paged cache into a dense tensor by the test (its own page walk), then the dense
// attention reference (attention.hpp, varlen, causal bottom-right, one kv head whose V is K's first 512
// elements). Both page-table forms, page sizes 1 / 16 / 64 over shuffled pages, q lengths 1..8 (with
// tokens that see no key), soft-cap, fp8; the split partials merged by the LSE combine reference give the
// unsplit result (splits without keys included); the combine on hand-checked values; errors by name.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

#include "asmk/ref/attention.hpp"
#include "asmk/ref/mla.hpp"

namespace asmk::ref {
namespace {

constexpr std::uint32_t D = kMlaHeadDimQk, DV = kMlaHeadDimV;

// A random paged problem: sequences of the given q and kv lengths, pages shuffled over a cache with
// spare pages, both page-table forms filled.
struct Paged {
  std::uint32_t heads = 0, page_size = 1;
  Format q_format = Format::bf16, kv_format = Format::bf16;
  std::vector<std::uint32_t> q_lens, kv_lens;
  std::vector<std::uint8_t> q, kv;  // codes, 2 or 1 bytes each
  std::vector<std::int32_t> qo_indptr{0}, kv_indptr{0}, kv_indices, last_page_len, block_table, seq_lens;
  std::uint64_t pages = 0, max_pages = 0;

  std::size_t qb() const { return q_format == Format::bf16 ? 2 : 1; }
  std::size_t kvb() const { return kv_format == Format::bf16 ? 2 : 1; }
  std::uint32_t code(Format f, float x) const { return f == Format::bf16 ? f32_to_bf16(x) : encode(f, x, Overflow::saturate); }
  void put(std::vector<std::uint8_t>& bytes, std::size_t i, std::size_t size, std::uint32_t c) const {
    for (std::size_t b = 0; b < size; ++b) bytes[i * size + b] = std::uint8_t(c >> (8 * b));
  }
  std::uint32_t get(const std::vector<std::uint8_t>& bytes, std::size_t i, std::size_t size) const {
    std::uint32_t c = 0;
    for (std::size_t b = 0; b < size; ++b) c |= std::uint32_t(bytes[i * size + b]) << (8 * b);
    return c;
  }

  Paged(std::uint32_t h, std::uint32_t ps, std::vector<std::uint32_t> ql, std::vector<std::uint32_t> kl, std::uint32_t seed,
        Format qf = Format::bf16, Format kvf = Format::bf16)
      : heads(h), page_size(ps), q_format(qf), kv_format(kvf), q_lens(std::move(ql)), kv_lens(std::move(kl)) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.f, 1.f);
    for (std::uint32_t len : kv_lens) max_pages = std::max<std::uint64_t>(max_pages, (len + ps - 1) / ps);
    std::uint64_t used = 0;
    for (std::uint32_t len : kv_lens) used += (len + ps - 1) / ps;
    pages = used + 3;  // spare pages nobody reads
    std::vector<std::int32_t> order(pages);
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);
    std::size_t next = 0;
    block_table.assign(kv_lens.size() * max_pages, -1);
    for (std::size_t b = 0; b < kv_lens.size(); ++b) {
      const std::uint32_t n = (kv_lens[b] + ps - 1) / ps;
      for (std::uint32_t e = 0; e < n; ++e) {
        kv_indices.push_back(order[next]);
        block_table[b * max_pages + e] = order[next++];
      }
      kv_indptr.push_back(std::int32_t(kv_indices.size()));
      last_page_len.push_back(n == 0 ? 0 : std::int32_t(kv_lens[b] - (n - 1) * ps));
      seq_lens.push_back(std::int32_t(kv_lens[b]));
      qo_indptr.push_back(qo_indptr.back() + std::int32_t(q_lens[b]));
    }
    const std::size_t q_elems = std::size_t(qo_indptr.back()) * heads * D, kv_elems = pages * ps * D;
    q.resize(q_elems * qb());
    kv.resize(kv_elems * kvb());
    const bool fp8 = kvf != Format::bf16;
    for (std::size_t i = 0; i < q_elems; ++i) put(q, i, qb(), code(qf, normal(rng) * 0.5f));
    for (std::size_t i = 0; i < kv_elems; ++i) put(kv, i, kvb(), code(kvf, normal(rng) * (fp8 ? 8.f : 1.f)));
  }

  MlaDecodeArgs args(bool csr) const {
    MlaDecodeArgs a;
    a.q_format = q_format, a.kv_format = kv_format;
    a.q = q.data(), a.kv = kv.data();
    a.q_stride_token = std::uint64_t{heads} * D;
    a.batch = std::uint32_t(q_lens.size()), a.heads = heads, a.page_size = page_size, a.num_pages = pages;
    a.qo_indptr = qo_indptr.data();
    if (csr) {
      a.kv_indptr = kv_indptr.data(), a.kv_indices = kv_indices.data(), a.kv_last_page_len = last_page_len.data();
    } else {
      a.block_table = block_table.data(), a.block_table_stride = max_pages, a.seq_lens = seq_lens.data();
    }
    a.scale = 1.0 / std::sqrt(192.0);
    return a;
  }

  // The dense formulation: every sequence's keys copied out of the cache in order (walking the block
  // table here, independently of the reference), then varlen attention with causal bottom-right.
  AttentionRef dense(double scale, double softcap, double q_scale, double kv_scale) const {
    std::vector<std::uint8_t> keys;
    std::vector<std::int32_t> cu_k{0};
    for (std::size_t b = 0; b < kv_lens.size(); ++b) {
      for (std::uint32_t j = 0; j < kv_lens[b]; ++j) {
        const std::uint64_t row = std::uint64_t(block_table[b * max_pages + j / page_size]) * page_size + j % page_size;
        keys.insert(keys.end(), kv.begin() + std::ptrdiff_t(row * D * kvb()), kv.begin() + std::ptrdiff_t((row + 1) * D * kvb()));
      }
      cu_k.push_back(cu_k.back() + std::int32_t(kv_lens[b]));
    }
    keys.resize(std::max<std::size_t>(keys.size(), 1));
    AttentionArgs a;
    a.in_format = kv_format;  // q is converted to the same format where they differ (not used below)
    a.q = q.data(), a.k = keys.data(), a.v = keys.data();
    a.batch = std::uint32_t(q_lens.size()), a.heads_q = heads, a.heads_k = 1;
    a.head_dim_qk = D, a.head_dim_v = DV;
    a.q_stride_token = std::uint64_t{heads} * D, a.q_stride_head = D;
    a.k_stride_token = a.v_stride_token = D;
    a.cu_seqlens_q = qo_indptr.data(), a.cu_seqlens_k = cu_k.data();
    a.window_left = -1, a.window_right = 0, a.bottom_right = true;  // token t of n sees j <= t + s_k − n
    a.scale = scale, a.softcap = softcap;
    a.q_descale = q_scale, a.k_descale = a.v_descale = kv_scale;
    AttentionRef r;
    EXPECT_TRUE(attention(a, r).ok());
    return r;
  }
};

void expect_same(const AttentionRef& got, const AttentionRef& want, double rel) {
  ASSERT_EQ(got.rows, want.rows);
  ASSERT_EQ(got.head_dim_v, want.head_dim_v);
  for (std::size_t r = 0; r < got.rows; ++r) {
    EXPECT_EQ(got.visible[r], want.visible[r]) << "row " << r;
    if (std::isinf(want.lse[r])) EXPECT_EQ(got.lse[r], want.lse[r]) << "row " << r;
    else EXPECT_NEAR(got.lse[r], want.lse[r], rel * (1 + std::fabs(want.lse[r]))) << "row " << r;
    for (std::uint32_t c = 0; c < got.head_dim_v; ++c)
      ASSERT_NEAR(got.at(r, c), want.at(r, c), rel * (1 + want.weighted[r * want.head_dim_v + c])) << "row " << r << " col " << c;
  }
}

TEST(MlaDecode, PagedMatchesDenseAttentionForEveryPageSize) {
  // q lengths 1..8: the 8-token sequence has 3 keys, so its first 5 tokens see nothing (o = 0, lse = −inf)
  for (std::uint32_t ps : {1u, 16u, 64u}) {
    SCOPED_TRACE("page_size " + std::to_string(ps));
    const Paged p(4, ps, {1, 4, 8, 2}, {7, 70, 3, 1}, 10 + ps);
    const MlaDecodeArgs a = p.args(true);
    AttentionRef got;
    ASSERT_TRUE(mla_decode(a, got).ok());
    expect_same(got, p.dense(a.scale, 0.0, 1.0, 1.0), 1e-12);
    EXPECT_EQ(got.visible[(1 + 4) * 4], 0u) << "token 0 of the 8-token sequence sees no key";
    EXPECT_EQ(got.visible[(1 + 4 + 7) * 4], 3u) << "its last token sees all 3";
    EXPECT_EQ(got.head_dim_qk, D);
  }
}

TEST(MlaDecode, BlockTableFormEqualsCsrForm) {
  const Paged p(8, 16, {2, 1, 3}, {33, 16, 100}, 5);
  AttentionRef csr, table;
  ASSERT_TRUE(mla_decode(p.args(true), csr).ok());
  ASSERT_TRUE(mla_decode(p.args(false), table).ok());
  EXPECT_EQ(csr.out, table.out);
  EXPECT_EQ(csr.lse, table.lse);
}

TEST(MlaDecode, SoftcapAndFp8WithScales) {
  const Format fp8 = Format::e4m3fnuz;
  const Paged p(2, 16, {3, 1}, {40, 17}, 7, fp8, fp8);
  MlaDecodeArgs a = p.args(true);
  a.softcap = 5.0, a.q_scale = 0.37, a.kv_scale = 0.11;
  AttentionRef got;
  ASSERT_TRUE(mla_decode(a, got).ok());
  expect_same(got, p.dense(a.scale, 5.0, 0.37, 0.11), 1e-12);
}

TEST(MlaDecode, SplitsMergedByTheCombineGiveTheWhole) {
  // 40 keys over 1..5 splits of 16-key granules: with 4 and 5 splits the last ones have no key; the
  // one-key sequence leaves every split but the first empty.
  const Paged p(2, 1, {1, 2, 1}, {40, 9, 1}, 3);
  const MlaDecodeArgs a = p.args(true);
  AttentionRef whole;
  ASSERT_TRUE(mla_decode(a, whole).ok());
  for (std::uint32_t splits = 1; splits <= 5; ++splits) {
    SCOPED_TRACE("splits " + std::to_string(splits));
    AttentionRef part;
    ASSERT_TRUE(mla_decode_split(a, splits, 16, part).ok());
    ASSERT_EQ(part.rows, whole.rows * splits);
    if (splits >= 4) {
      EXPECT_TRUE(std::isinf(part.lse[splits - 1]) && part.visible[splits - 1] == 0) << "an empty split";
    }
    std::vector<float> po(part.out.begin(), part.out.end()), pl(part.lse.begin(), part.lse.end());
    LseCombineRef merged;
    ASSERT_TRUE(lse_combine(po.data(), pl.data(), whole.rows, splits, DV, merged).ok());
    for (std::size_t r = 0; r < whole.rows; ++r) {
      EXPECT_NEAR(merged.lse[r], whole.lse[r], 1e-6 * (1 + std::fabs(whole.lse[r])));
      for (std::uint32_t c = 0; c < DV; ++c)
        ASSERT_NEAR(merged.out[r * DV + c], whole.at(r, c), 1e-6 * (1 + whole.weighted[r * DV + c])) << r << " " << c;
    }
  }
  EXPECT_EQ(mla_split_keys(40, 3, 16), 16u);
  EXPECT_EQ(mla_split_keys(40, 1, 16), 48u);
  EXPECT_EQ(mla_split_keys(0, 4, 16), 0u);
}

// A split plan: every sequence's splits hold the same keys_per_split (the 40-key sequence 2 splits of 32, the
// others one); merged by the combine they give the whole; a plan that does not cover a sequence is an error.
TEST(MlaDecode, PlannedSplitsMergedGiveTheWhole) {
  const Paged p(2, 1, {1, 2, 1}, {40, 9, 1}, 3);
  const MlaDecodeArgs a = p.args(true);
  AttentionRef whole, part;
  ASSERT_TRUE(mla_decode(a, whole).ok());
  const std::uint32_t splits = 3;
  ASSERT_TRUE(mla_decode_split_planned(a, splits, 32, part).ok());
  EXPECT_EQ(part.visible[0], 32u);
  EXPECT_EQ(part.visible[1], 8u);
  EXPECT_TRUE(std::isinf(part.lse[2]) && part.visible[2] == 0) << "the 40-key sequence's third split is empty";
  std::vector<float> po(part.out.begin(), part.out.end()), pl(part.lse.begin(), part.lse.end());
  LseCombineRef merged;
  ASSERT_TRUE(lse_combine(po.data(), pl.data(), whole.rows, splits, DV, merged).ok());
  for (std::size_t r = 0; r < whole.rows; ++r)
    for (std::uint32_t c = 0; c < DV; ++c)
      ASSERT_NEAR(merged.out[r * DV + c], whole.at(r, c), 1e-6 * (1 + whole.weighted[r * DV + c])) << r << " " << c;
  const Status short_plan = mla_decode_split_planned(a, 1, 32, part);
  EXPECT_NE(short_plan.error.find("do not cover"), std::string::npos) << short_plan.error;
}

// The plan's rule by hand: tiles 1024 + 32 + 1 = 1057 (T), 1024 (L).
TEST(MlaDecode, PlanSplitTilesByHand) {
  const std::vector<std::uint32_t> keys{32768, 1000, 7};
  EXPECT_EQ(mla_plan_split_tiles(keys, 16, 608, 8, 32), 64u);     // L / 16
  // ceil(T / 10) = 106 tiles gives 10 + 1 + 1 splits, past the 10 wanted: 128 (8 + 1 + 1) fits, within 106 + 26
  EXPECT_EQ(mla_plan_split_tiles(keys, 64, 10, 8, 32), 128u);
  // ceil(T / 3) = 353 gives 3 + 1 + 1; only 1024 tiles (one split each) would fit 3, far past 353 + 88: n0 kept
  EXPECT_EQ(mla_plan_split_tiles(keys, 64, 3, 8, 32), 353u);
  // 64 even sequences of 8,192 keys (256 tiles) over 608 splits: ceil(T / 608) = 27 tiles gives 64 · 10 = 640
  // splits (a second round for 32); 29 tiles gives 64 · 9 = 576, within 27 + 6
  EXPECT_EQ(mla_plan_split_tiles(std::vector<std::uint32_t>(64, 8192), 16, 608, 8, 32), 29u);
  EXPECT_EQ(mla_plan_split_tiles(std::vector<std::uint32_t>(64, 8192), 16, 512, 8, 32), 32u);  // 64 · 8 = 512 fit
  EXPECT_EQ(mla_plan_split_tiles(keys, 256, 1000, 8, 32), 8u);    // the floor
  EXPECT_EQ(mla_plan_split_tiles({0, 0}, 4, 10, 0, 32), 1u);      // at least one tile
}

TEST(LseCombine, HandComputedAndEmptySplits) {
  // row 0: lse ln 1, ln 3 with o 1, 2 -> (1·1 + 3·2) / 4, lse ln 4; row 1: every split empty -> 0, −inf;
  // row 2: one empty split among two -> the other unchanged.
  const float ninf = -std::numeric_limits<float>::infinity();
  // The o_s of empty splits are NaN: they are not read.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> o{1, 2, nan, nan, nan, 7}, lse{0.f, float(std::log(3.0)), ninf, ninf, ninf, 2.5f};
  LseCombineRef r;
  ASSERT_TRUE(lse_combine(o.data(), lse.data(), 3, 2, 1, r).ok());
  EXPECT_NEAR(r.out[0], 7.0 / 4.0, 1e-7);
  EXPECT_NEAR(r.lse[0], std::log(4.0), 1e-7);
  EXPECT_EQ(r.out[1], 0.0);
  EXPECT_EQ(r.lse[1], -std::numeric_limits<double>::infinity());
  EXPECT_EQ(r.out[2], 7.0);
  EXPECT_EQ(r.lse[2], 2.5);
  EXPECT_GT(lse_combine_tolerance(r, 0, 0, OutType::bf16), 0.0);
  const std::vector<float> bad{0.f, std::numeric_limits<float>::quiet_NaN()};
  EXPECT_FALSE(lse_combine(o.data(), bad.data(), 1, 2, 1, r).ok());
}

TEST(MlaDecode, BadTablesAreNamedErrors) {
  Paged p(2, 16, {1, 1}, {20, 5}, 9);
  AttentionRef r;
  p.kv_indices[1] = std::int32_t(p.pages);  // one past the cache
  Status s = mla_decode(p.args(true), r);
  EXPECT_NE(s.error.find("names page " + std::to_string(p.pages)), std::string::npos) << s.error;
  p.kv_indices[1] = 0;
  p.last_page_len[0] = 0;
  s = mla_decode(p.args(true), r);
  EXPECT_NE(s.error.find("kv_last_page_len of sequence 0"), std::string::npos) << s.error;
  p.last_page_len[0] = 4;
  p.qo_indptr[1] = 5;  // past qo_indptr[2] = 2
  s = mla_decode(p.args(true), r);
  EXPECT_NE(s.error.find("qo_indptr decreases at sequence 1"), std::string::npos) << s.error;
  p.qo_indptr[1] = 1;
  p.seq_lens[1] = 40;  // more keys than its block-table row holds (2 pages of 16)
  s = mla_decode(p.args(false), r);
  EXPECT_NE(s.error.find("sequence 1 has 40 keys"), std::string::npos) << s.error;
}

}  // namespace
}  // namespace asmk::ref
