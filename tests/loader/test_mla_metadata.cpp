// asmk_mla_decode_metadata (MLA decode's persistent mode, loader/src/ops/mla_metadata.cpp) through the C ABI:
// the sizes from the sizes alone, every (sequence, row block)'s keys covered exactly once by its pieces, a long
// sequence among short ones cut and the short ones not, a full grid not cut at all, the workgroups' loads
// balanced, and bad input a named error that writes nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "asmk.h"
#include "support.hpp"

namespace {

constexpr int32_t kSentinel = 0x5a5a5a5a;

struct Batch {
  uint32_t heads, wg_rows, page_size;
  std::vector<int32_t> q_lens, kv_lens;
  bool csr = true;
};

struct Built {
  asmk_status status;
  std::string error;
  asmk_mla_metadata_info info;
  std::vector<int32_t> work, row_splits;
  std::vector<int32_t> qo, kv_indptr, last, seq_lens;
};

asmk_mla_metadata_args args_of(const Batch& b, Built& out) {
  out.qo = {0}, out.kv_indptr = {0};
  uint32_t max_qlen = 1;
  for (size_t i = 0; i < b.q_lens.size(); ++i) {
    out.qo.push_back(out.qo.back() + b.q_lens[i]);
    max_qlen = std::max<uint32_t>(max_qlen, uint32_t(b.q_lens[i]));
    const int32_t pages = (b.kv_lens[i] + int32_t(b.page_size) - 1) / int32_t(b.page_size);
    out.kv_indptr.push_back(out.kv_indptr.back() + pages);
    out.last.push_back(pages == 0 ? 0 : b.kv_lens[i] - (pages - 1) * int32_t(b.page_size));
    out.seq_lens.push_back(b.kv_lens[i]);
  }
  asmk_mla_metadata_args a = ASMK_INIT(asmk_mla_metadata_args);
  a.batch = uint32_t(b.q_lens.size()), a.heads = b.heads, a.max_qlen = max_qlen, a.total_q = uint32_t(out.qo.back());
  a.page_size = b.page_size, a.wg_rows = b.wg_rows, a.qo_indptr = out.qo.data();
  if (b.csr) a.kv_indptr = out.kv_indptr.data(), a.kv_last_page_len = out.last.data();
  else a.seq_lens = out.seq_lens.data();
  return a;
}

Built build(asmk_context* ctx, const Batch& b) {
  Built out;
  const asmk_mla_metadata_args a = args_of(b, out);
  asmk_mla_metadata_info size = ASMK_INIT(asmk_mla_metadata_info);
  EXPECT_EQ(asmk_mla_decode_metadata_size(ctx, &a, &size), ASMK_SUCCESS) << asmk_last_error();
  out.work.assign(size.work_bytes / 4, kSentinel);
  out.row_splits.assign(size.row_splits_bytes / 4, kSentinel);
  out.info = ASMK_INIT(asmk_mla_metadata_info);
  out.status = asmk_mla_decode_metadata(ctx, &a, out.work.data(), size.work_bytes, out.row_splits.data(),
                                        size.row_splits_bytes, &out.info);
  out.error = asmk_last_error();
  return out;
}

struct Item {
  uint32_t group, seq, row_block, first, tiles;
  int32_t slot;
};

std::vector<Item> items_of(const Built& m) {
  std::vector<Item> items;
  const uint32_t groups = m.info.work_groups;
  for (uint32_t g = 0; g < groups; ++g)
    for (int32_t i = m.work[g]; i < m.work[g + 1]; ++i) {
      const int32_t* it = &m.work[groups + 1 + 4 * size_t(i)];
      items.push_back({g, uint32_t(it[0]), uint32_t(it[1]) & 0xffff, uint32_t(it[2]), uint32_t(it[3]),
                       int32_t(uint32_t(it[1]) >> 16) - 1});
    }
  return items;
}

// Every (sequence, row block) of the batch — from the lengths, not from the metadata — has its tiles covered
// exactly once, by one direct piece (slot −1) or by n pieces with slots 0..n−1; its rows' counts say n (0 for
// one piece). Returns the most pieces of a unit.
uint32_t expect_covered(const Batch& b, const Built& m) {
  std::map<std::pair<uint32_t, uint32_t>, std::vector<Item>> of_unit;
  for (const Item& it : items_of(m)) of_unit[{it.seq, it.row_block}].push_back(it);
  uint32_t units = 0, most = 1, q0 = 0;
  for (uint32_t s = 0; s < b.q_lens.size(); ++s) {
    const uint32_t rows = uint32_t(b.q_lens[s]) * b.heads, tiles = (uint32_t(b.kv_lens[s]) + 31) / 32;
    for (uint32_t rb = 0; rb * b.wg_rows < rows; ++rb, ++units) {
      SCOPED_TRACE("sequence " + std::to_string(s) + " row block " + std::to_string(rb));
      auto pieces = of_unit[{s, rb}];
      if (pieces.empty()) {
        ADD_FAILURE() << "a unit without a work item";
        continue;
      }
      std::sort(pieces.begin(), pieces.end(), [](const Item& x, const Item& y) { return x.first < y.first; });
      uint32_t next = 0;
      for (size_t k = 0; k < pieces.size(); ++k) {
        EXPECT_EQ(pieces[k].first, next) << "a gap or an overlap";
        next = pieces[k].first + pieces[k].tiles;
        EXPECT_EQ(pieces[k].slot, pieces.size() == 1 ? -1 : int32_t(k));
      }
      EXPECT_EQ(next, tiles) << "the unit's keys";
      most = std::max<uint32_t>(most, uint32_t(pieces.size()));
      const uint32_t want = pieces.size() == 1 ? 0 : uint32_t(pieces.size());
      for (uint32_t r = q0 * b.heads + rb * b.wg_rows; r < std::min(q0 * b.heads + (rb + 1) * b.wg_rows, q0 * b.heads + rows); ++r)
        EXPECT_EQ(m.row_splits[r], int32_t(want)) << "row " << r;
    }
    q0 += uint32_t(b.q_lens[s]);
  }
  EXPECT_EQ(of_unit.size(), units) << "items of units that do not exist";
  return most;
}

TEST(MlaMetadata, TheSizesFollowFromTheSizesAlone) {
  auto ctx = asmk::test::open_fixture("MI300X");  // 304 compute units
  Built holder;
  const Batch b{16, 32, 16, {2, 1, 1}, {100, 7, 1}};
  const asmk_mla_metadata_args a = args_of(b, holder);
  asmk_mla_metadata_info info = ASMK_INIT(asmk_mla_metadata_info);
  ASSERT_EQ(asmk_mla_decode_metadata_size(ctx.get(), &a, &info), ASMK_SUCCESS) << asmk_last_error();
  EXPECT_EQ(info.work_groups, 608u) << "two 32-row workgroups per CU";
  // units: one 32-row block per sequence (16 heads × 2 tokens at most); bound: 3 + 608 items of 16 bytes
  EXPECT_EQ(info.work_bytes, size_t(609 * 4 + 611 * 16));
  EXPECT_EQ(info.row_splits_bytes, size_t(4 * 16 * 4));
}

// One 32,768-key sequence among short ones (16 heads, q length 1): the long one is cut into 16 pieces (the
// most), of 64 tiles each; the short ones stay whole (o written directly, row count 0); no workgroup carries
// more than the longest piece plus a short sequence.
TEST(MlaMetadata, ALongSequenceAmongShortOnesIsCutTheShortOnesAreNot) {
  auto ctx = asmk::test::open_fixture("MI300X");
  for (const bool csr : {true, false}) {
    SCOPED_TRACE(csr ? "csr" : "seq_lens");
    Batch b{16, 32, 1, {1, 1, 1, 1, 1, 1}, {32768, 1, 7, 0, 300, 4097}, csr};
    const Built m = build(ctx.get(), b);
    ASSERT_EQ(m.status, ASMK_SUCCESS) << m.error;
    EXPECT_EQ(expect_covered(b, m), 16u);
    EXPECT_EQ(m.info.num_splits, 16u) << "the partials' stride";
    uint32_t long_pieces = 0;
    std::vector<uint64_t> load(m.info.work_groups, 0);
    for (const Item& it : items_of(m)) {
      long_pieces += it.seq == 0;
      if (it.seq == 0) EXPECT_EQ(it.tiles, 64u);
      load[it.group] += it.tiles;
    }
    EXPECT_EQ(long_pieces, 16u);
    EXPECT_LE(*std::max_element(load.begin(), load.end()), 64u + 2u) << "a workgroup holds two long pieces";
    EXPECT_EQ(m.row_splits[0], 16);
    EXPECT_EQ(m.row_splits[16], 0) << "the 1-key sequence: one piece";
    EXPECT_EQ(m.work[m.info.work_groups], int32_t(m.info.work_items));
  }
}

// An even batch (64 sequences of 8,192 keys, 16 heads, q length 1: 64 units of 256 tiles on MI300X's 608 workgroups):
// the average share (28 tiles) would cut each unit into 10 pieces, 640 in all, and leave 32 workgroups with two;
// the metadata takes the share whose most loaded workgroup finishes first — 9 pieces each, 576, one per workgroup.
TEST(MlaMetadata, AnEvenBatchIsCutIntoNoMorePiecesThanTheGridHolds) {
  auto ctx = asmk::test::open_fixture("MI300X");
  Batch b{16, 32, 64, std::vector<int32_t>(64, 1), std::vector<int32_t>(64, 8192)};
  const Built m = build(ctx.get(), b);
  ASSERT_EQ(m.status, ASMK_SUCCESS) << m.error;
  EXPECT_EQ(expect_covered(b, m), 9u);
  EXPECT_EQ(m.info.work_items, 576u);
  std::vector<uint64_t> load(m.info.work_groups, 0);
  for (const Item& it : items_of(m)) load[it.group] += it.tiles;
  EXPECT_EQ(*std::max_element(load.begin(), load.end()), 29u) << "one piece of ceil(256 / 9) tiles per workgroup";
}

// A grid already full (128 heads × 4 tokens × 64 sequences of 8k in 64-row blocks: 512 units on 304 CUs):
// nothing is cut, so no partials and no combine; the units are dealt one or two per workgroup.
TEST(MlaMetadata, AFullGridRunsOneSplit) {
  auto ctx = asmk::test::open_fixture("MI300X");
  Batch b{128, 64, 64, std::vector<int32_t>(64, 4), std::vector<int32_t>(64, 8192)};
  const Built m = build(ctx.get(), b);
  ASSERT_EQ(m.status, ASMK_SUCCESS) << m.error;
  EXPECT_EQ(m.info.work_groups, 304u) << "one 64-row workgroup per CU";
  EXPECT_EQ(expect_covered(b, m), 1u);
  EXPECT_EQ(m.info.num_splits, 1u);
  EXPECT_EQ(m.info.work_items, 512u);
  std::vector<uint32_t> per(m.info.work_groups, 0);
  for (const Item& it : items_of(m)) ++per[it.group];
  EXPECT_EQ(*std::max_element(per.begin(), per.end()), 2u);
  EXPECT_EQ(*std::min_element(per.begin(), per.end()), 1u);
}

// The caller's grid (work_groups given, e.g. MLA beside other work): 8 units of 1,000 keys on 8 workgroups are
// not cut (one each), on 40 they are (the share is 7 tiles: four pieces of 8, the 256-key floor)
TEST(MlaMetadata, TheCallersGridIsUsed) {
  auto ctx = asmk::test::open_fixture("MI300X");
  for (const uint32_t groups : {8u, 40u}) {
    SCOPED_TRACE(std::to_string(groups) + " workgroups");
    Batch b{16, 32, 16, std::vector<int32_t>(8, 1), std::vector<int32_t>(8, 1000)};
    Built holder;
    asmk_mla_metadata_args a = args_of(b, holder);
    a.work_groups = groups;
    asmk_mla_metadata_info info = ASMK_INIT(asmk_mla_metadata_info);
    ASSERT_EQ(asmk_mla_decode_metadata_size(ctx.get(), &a, &info), ASMK_SUCCESS) << asmk_last_error();
    EXPECT_EQ(info.work_groups, groups);
    holder.work.assign(info.work_bytes / 4, kSentinel), holder.row_splits.assign(info.row_splits_bytes / 4, kSentinel);
    holder.info = ASMK_INIT(asmk_mla_metadata_info);
    ASSERT_EQ(asmk_mla_decode_metadata(ctx.get(), &a, holder.work.data(), info.work_bytes, holder.row_splits.data(),
                                       info.row_splits_bytes, &holder.info),
              ASMK_SUCCESS) << asmk_last_error();
    EXPECT_EQ(expect_covered(b, holder), groups == 8 ? 1u : 4u);
  }
}

// Mixed q lengths with 64-row blocks and a few short sequences on few units: every unit covered.
TEST(MlaMetadata, MixedQueryLengthsAreCoveredRowBlockByRowBlock) {
  auto ctx = asmk::test::open_fixture("MI355X");
  Batch b{32, 64, 64, {1, 8, 3, 2}, {5000, 64, 900, 33}};
  const Built m = build(ctx.get(), b);
  ASSERT_EQ(m.status, ASMK_SUCCESS) << m.error;
  EXPECT_GT(expect_covered(b, m), 1u) << "the 5,000-key sequence is cut";
}

// Bad input: a named error, and neither buffer is written.
TEST(MlaMetadata, BadInputIsANamedErrorAndWritesNothing) {
  auto ctx = asmk::test::open_fixture("MI300X");
  const Batch good{16, 32, 16, {1, 2}, {100, 40}};
  struct Case {
    const char* what;
    size_t work_short, rows_short;  // bytes taken off the buffers' sizes
    int32_t qo_last, last_page, wg_rows;
    asmk_status status;
    const char* message;
  };
  const Case cases[] = {
      {"work too small", 4, 0, 3, 0, 32, ASMK_ERROR_BUFFER_TOO_SMALL, "work has"},
      {"row_splits too small", 0, 4, 3, 0, 32, ASMK_ERROR_BUFFER_TOO_SMALL, "row_splits has"},
      {"qo_indptr past total_q", 0, 0, 4, 0, 32, ASMK_ERROR_INVALID_ARGUMENT, "qo_indptr"},
      {"last page length past the page", 0, 0, 3, 17, 32, ASMK_ERROR_INVALID_ARGUMENT, "kv_last_page_len[1]"},
      {"48 rows per workgroup", 0, 0, 3, 0, 48, ASMK_ERROR_INVALID_ARGUMENT, "wg_rows 48"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    Built holder;
    asmk_mla_metadata_args a = args_of(good, holder);
    asmk_mla_metadata_info size = ASMK_INIT(asmk_mla_metadata_info);
    ASSERT_EQ(asmk_mla_decode_metadata_size(ctx.get(), &a, &size), ASMK_SUCCESS);
    holder.qo.back() = c.qo_last;
    if (c.last_page) holder.last[1] = c.last_page;
    a.wg_rows = uint32_t(c.wg_rows);
    std::vector<int32_t> work(size.work_bytes / 4, kSentinel), rows(size.row_splits_bytes / 4, kSentinel);
    asmk_mla_metadata_info info = ASMK_INIT(asmk_mla_metadata_info);
    EXPECT_EQ(asmk_mla_decode_metadata(ctx.get(), &a, work.data(), size.work_bytes - c.work_short, rows.data(),
                                       size.row_splits_bytes - c.rows_short, &info),
              c.status);
    EXPECT_NE(std::string(asmk_last_error()).find(c.message), std::string::npos) << asmk_last_error();
    EXPECT_NE(std::string(asmk_last_error()).find("nothing was written"), std::string::npos) << asmk_last_error();
    EXPECT_EQ(size_t(std::count(work.begin(), work.end(), kSentinel)), work.size()) << "work written";
    EXPECT_EQ(size_t(std::count(rows.begin(), rows.end(), kSentinel)), rows.size()) << "row_splits written";
  }
}

}  // namespace

// The sized structs follow asmk.h's rule (abi.hpp): a struct_size of 0 or of a newer header is refused naming
// the struct, before anything is written; an info struct as far as its size goes.
TEST(MlaMetadata, SizedStructsAreReadAsFarAsTheirSizeGoes) {
  auto ctx = asmk::test::open_fixture("MI300X");
  const Batch good{16, 32, 16, {1, 2}, {100, 40}};
  Built holder;
  asmk_mla_metadata_args a = args_of(good, holder);
  asmk_mla_metadata_info size = ASMK_INIT(asmk_mla_metadata_info);
  ASSERT_EQ(asmk_mla_decode_metadata_size(ctx.get(), &a, &size), ASMK_SUCCESS) << asmk_last_error();
  std::vector<int32_t> work(size.work_bytes / 4, kSentinel), rows(size.row_splits_bytes / 4, kSentinel);

  a.struct_size = 0;
  asmk_mla_metadata_info info = ASMK_INIT(asmk_mla_metadata_info);
  EXPECT_EQ(asmk_mla_decode_metadata(ctx.get(), &a, work.data(), size.work_bytes, rows.data(), size.row_splits_bytes, &info),
            ASMK_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(asmk_last_error()).find("asmk_mla_metadata_args.struct_size is 0"), std::string::npos)
      << asmk_last_error();
  a.struct_size = sizeof(asmk_mla_metadata_args) + 8;  // a caller of a newer header
  EXPECT_EQ(asmk_mla_decode_metadata_size(ctx.get(), &a, &info), ASMK_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(asmk_last_error()).find("newer asmk.h"), std::string::npos) << asmk_last_error();

  a.struct_size = sizeof(asmk_mla_metadata_args);
  info.struct_size = 0;
  EXPECT_EQ(asmk_mla_decode_metadata(ctx.get(), &a, work.data(), size.work_bytes, rows.data(), size.row_splits_bytes, &info),
            ASMK_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(asmk_last_error()).find("asmk_mla_metadata_info.struct_size is 0"), std::string::npos)
      << asmk_last_error();
  EXPECT_EQ(std::count(work.begin(), work.end(), kSentinel), std::ptrdiff_t(work.size())) << "work written";
  EXPECT_EQ(std::count(rows.begin(), rows.end(), kSentinel), std::ptrdiff_t(rows.size())) << "row_splits written";
}
