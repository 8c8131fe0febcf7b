// MLA decode's persistent-mode metadata (mla_metadata.hpp): units (sequence, row block) with their keys in
// tiles of 32, cut into pieces when there are fewer units than workgroups, the pieces dealt to the workgroups
// longest first, each to the least loaded one.
#include "ops/mla_metadata.hpp"

#include <algorithm>
#include <cstring>
#include <functional>
#include <numeric>
#include <queue>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "error.hpp"

namespace asmk::ops {
namespace {

constexpr std::uint32_t kTile = 32;          // keys per tile: the kernel's unit of a key range
constexpr std::uint32_t kMinPieceTiles = 8;  // 256 keys at least per piece (as mla_decode_plan's floor): a
                                             // piece's fixed cost and its partial's traffic against its keys
constexpr std::uint64_t kFixedTiles = 2;     // a piece's prologue and output, in tiles' worth of time
constexpr std::uint32_t kDefaultMaxSplits = 16;

std::uint64_t ceil_div(std::uint64_t a, std::uint64_t b) { return (a + b - 1) / b; }

// Workgroups per CU the kernel holds: 32-row kernels use at most 242 VGPRs and no AccVGPRs (two waves per
// SIMD), 64-row kernels add 128 AccVGPRs (one); templates/mla_decode/README.md, "Launch".
std::uint32_t workgroups_per_cu(std::uint32_t wg_rows) { return wg_rows == 32 ? 2 : 1; }

void check_sizes(const MlaMetadataProblem& p) {
  const auto bad = [](const std::string& what) {
    fail(ASMK_ERROR_INVALID_ARGUMENT, "mla_decode metadata: " + what + "; nothing was written");
  };
  if (p.batch == 0 || p.heads == 0 || p.total_q == 0 || p.page_size == 0)
    bad(fmt::format("batch {}, heads {}, total_q {} and page_size {} must be at least 1", p.batch, p.heads,
                    p.total_q, p.page_size));
  if (p.max_qlen == 0 || p.max_qlen > p.total_q)
    bad(fmt::format("max_qlen {} must be 1..total_q ({})", p.max_qlen, p.total_q));
  if (p.wg_rows != 32 && p.wg_rows != 64) bad(fmt::format("wg_rows {}: the kernels take 32 or 64", p.wg_rows));
  if (p.max_splits > 256) bad(fmt::format("max_splits {}: the combine takes at most 256", p.max_splits));
  if (p.compute_units == 0) bad("the device reports no compute units");
}

// Keys of sequence b (CSR: (pages − 1)·page_size + last_page_len, 0 without pages), after checking its entries.
std::uint64_t keys_of(const MlaMetadataProblem& p, std::uint32_t b) {
  const auto bad = [](const std::string& what) {
    fail(ASMK_ERROR_INVALID_ARGUMENT, "mla_decode metadata: " + what + "; nothing was written");
  };
  if (p.kv_indptr == nullptr) {
    if (p.seq_lens[b] < 0) bad(fmt::format("seq_lens[{}] is {}, below 0", b, p.seq_lens[b]));
    return std::uint64_t(p.seq_lens[b]);
  }
  if (p.kv_indptr[b] < 0 || p.kv_indptr[b + 1] < p.kv_indptr[b])
    bad(fmt::format("kv_indptr[{}..{}] = {}, {}: offsets from 0, never decreasing", b, b + 1, p.kv_indptr[b],
                    p.kv_indptr[b + 1]));
  const std::uint64_t pages = std::uint64_t(p.kv_indptr[b + 1] - p.kv_indptr[b]);
  const std::int32_t last = p.kv_last_page_len[b];
  if (pages == 0) return 0;
  if (last < 1 || std::uint32_t(last) > p.page_size)
    bad(fmt::format("kv_last_page_len[{}] is {}, outside 1..page_size ({})", b, last, p.page_size));
  return (pages - 1) * p.page_size + std::uint64_t(last);
}

struct Unit {
  std::uint32_t seq, row_block, tiles, pieces = 1;
  std::uint64_t row_begin, row_end;  // its rows over the batch: token · heads + head
};

struct Piece {
  std::uint32_t unit, first, tiles;
  std::int32_t slot;  // −1: the unit's only piece
};

}  // namespace

MlaMetadataSizes mla_metadata_sizes(const MlaMetadataProblem& p) {
  check_sizes(p);
  MlaMetadataSizes s;
  s.work_groups = p.work_groups != 0 ? p.work_groups : p.compute_units * workgroups_per_cu(p.wg_rows);
  // at most one unit per row block of every sequence; cutting adds at most one piece per workgroup (a unit of
  // cost c becomes ceil(c / target) ≤ c / target + 1 pieces, Σ c / target ≤ work_groups)
  s.max_items = std::uint64_t(p.batch) * ceil_div(std::uint64_t(p.heads) * p.max_qlen, p.wg_rows) + s.work_groups;
  s.work_bytes = (std::size_t(s.work_groups) + 1) * 4 + std::size_t(s.max_items) * 16;
  s.row_splits_bytes = std::size_t(p.total_q) * p.heads * 4;
  return s;
}

MlaMetadataResult build_mla_metadata(const MlaMetadataProblem& p, void* work, std::size_t work_bytes,
                                     std::int32_t* row_splits, std::size_t row_splits_bytes) {
  const MlaMetadataSizes s = mla_metadata_sizes(p);
  const auto bad = [](asmk_status status, const std::string& what) {
    fail(status, "mla_decode metadata: " + what + "; nothing was written");
  };
  if (p.qo_indptr == nullptr) bad(ASMK_ERROR_INVALID_ARGUMENT, "qo_indptr is null");
  if (p.kv_indptr == nullptr ? p.seq_lens == nullptr : p.kv_last_page_len == nullptr)
    bad(ASMK_ERROR_INVALID_ARGUMENT, "the lengths are null (kv_indptr with kv_last_page_len, or seq_lens)");
  if (work == nullptr || row_splits == nullptr) bad(ASMK_ERROR_NULL_BUFFER, "work or row_splits is null");
  if (work_bytes < s.work_bytes)
    bad(ASMK_ERROR_BUFFER_TOO_SMALL, fmt::format("work has {} bytes, the problem needs {} ({} workgroups, up to {} "
                                                 "items)", work_bytes, s.work_bytes, s.work_groups, s.max_items));
  if (row_splits_bytes < s.row_splits_bytes)
    bad(ASMK_ERROR_BUFFER_TOO_SMALL, fmt::format("row_splits has {} bytes, total_q · heads · 4 = {}", row_splits_bytes,
                                                 s.row_splits_bytes));
  if (p.qo_indptr[0] != 0 || std::uint32_t(p.qo_indptr[p.batch]) != p.total_q)
    bad(ASMK_ERROR_INVALID_ARGUMENT, fmt::format("qo_indptr runs from {} to {}, not from 0 to total_q ({})",
                                                 p.qo_indptr[0], p.qo_indptr[p.batch], p.total_q));

  // ---- units: (sequence, row block) with the sequence's tiles (everything checked before anything is written)
  std::vector<Unit> units;
  const std::uint64_t max_split = p.max_splits == 0 ? kDefaultMaxSplits : p.max_splits;
  for (std::uint32_t b = 0; b < p.batch; ++b) {
    const std::int32_t q0 = p.qo_indptr[b], q1 = p.qo_indptr[b + 1];
    if (q1 < q0 || std::uint32_t(q1 - q0) > p.max_qlen)
      bad(ASMK_ERROR_INVALID_ARGUMENT, fmt::format("qo_indptr[{}..{}] = {}, {}: sequence {} has {} query tokens, "
                                                   "not 0..max_qlen ({})", b, b + 1, q0, q1, b, q1 - q0, p.max_qlen));
    const std::uint64_t keys = keys_of(p, b), tiles = ceil_div(keys, kTile);
    if (tiles >= (1u << 22)) bad(ASMK_ERROR_INVALID_ARGUMENT, fmt::format("sequence {} has {} keys (2^27 at most)", b, keys));
    const std::uint64_t rows = std::uint64_t(q1 - q0) * p.heads, first_row = std::uint64_t(q0) * p.heads;
    for (std::uint64_t rb = 0; rb * p.wg_rows < rows; ++rb)
      units.push_back({b, std::uint32_t(rb), std::uint32_t(tiles), 1, first_row + rb * p.wg_rows,
                       std::min(first_row + (rb + 1) * p.wg_rows, first_row + rows)});
  }

  // ---- pieces: with fewer units than workgroups, a unit longer than the average share is cut (at least 256
  // keys a piece, at most max_splits pieces); with as many units as workgroups or more, none is (no partials)
  const auto cost = [](std::uint64_t tiles) { return tiles + kFixedTiles; };
  if (units.size() < s.work_groups) {
    std::uint64_t total = 0;
    for (const Unit& u : units) total += cost(u.tiles);
    // pieces of each unit for a share `target`, and the most loaded workgroup the dealing below then gives: the
    // average share rounds each unit's pieces up, so an even batch can overrun the grid by a few pieces (64 units
    // of 256 tiles on 608 workgroups: 10 pieces each, 640 — 32 workgroups with two); a somewhat larger share
    // (9 pieces, 576) finishes sooner. The share with the least load wins (ties: the fewest pieces).
    const auto cut = [&](std::uint64_t target, std::vector<std::uint32_t>& pieces) {
      pieces.resize(units.size());
      for (std::size_t i = 0; i < units.size(); ++i) {
        const Unit& u = units[i];
        const std::uint64_t want = std::min({ceil_div(cost(u.tiles), target), max_split,
                                             std::max<std::uint64_t>(1, u.tiles / kMinPieceTiles)});
        const std::uint64_t per = std::max<std::uint64_t>(1, ceil_div(u.tiles, want));
        pieces[i] = u.tiles == 0 ? 1 : std::uint32_t(ceil_div(u.tiles, per));
      }
    };
    const auto most_loaded = [&](const std::vector<std::uint32_t>& pieces) {
      std::vector<std::uint64_t> costs;
      for (std::size_t i = 0; i < units.size(); ++i) {
        const std::uint64_t per = pieces[i] == 1 ? units[i].tiles : ceil_div(units[i].tiles, pieces[i]);
        for (std::uint32_t k = 0; k < pieces[i]; ++k) costs.push_back(cost(std::min(per, units[i].tiles - k * per)));
      }
      std::sort(costs.begin(), costs.end(), std::greater<>());
      std::priority_queue<std::uint64_t, std::vector<std::uint64_t>, std::greater<>> loads;
      for (std::uint32_t g = 0; g < s.work_groups; ++g) loads.push(0);
      std::uint64_t most = 0;
      for (std::uint64_t c : costs) {
        const std::uint64_t load = loads.top() + c;
        loads.pop();
        loads.push(load);
        most = std::max(most, load);
      }
      return most;
    };
    const std::uint64_t first = std::max<std::uint64_t>(1, ceil_div(total, s.work_groups));
    const std::uint64_t span = first / 2 + 1, step = std::max<std::uint64_t>(1, span / 64);
    std::vector<std::uint32_t> best, trial;
    std::uint64_t best_load = 0, best_count = 0;
    for (std::uint64_t target = first; target <= first + span; target += step) {
      cut(target, trial);
      const std::uint64_t load = most_loaded(trial);
      const std::uint64_t count = std::accumulate(trial.begin(), trial.end(), std::uint64_t(0));
      if (best.empty() || load < best_load || (load == best_load && count < best_count))
        best = trial, best_load = load, best_count = count;
    }
    // a unit no longer than that load is left whole when the load stays (no partials, no combine for its rows:
    // 63 sequences of 1k beside 16 pieces of a 32k one)
    trial = best;
    for (std::size_t i = 0; i < units.size(); ++i)
      if (cost(units[i].tiles) <= best_load) trial[i] = 1;
    if (trial != best && most_loaded(trial) <= best_load) best = trial;
    for (std::size_t i = 0; i < units.size(); ++i) units[i].pieces = best[i];
  }
  std::vector<Piece> pieces;
  std::uint32_t num_splits = 1;
  for (std::uint32_t i = 0; i < units.size(); ++i) {
    const Unit& u = units[i];
    const std::uint32_t per = u.pieces == 1 ? u.tiles : std::uint32_t(ceil_div(u.tiles, u.pieces));
    for (std::uint32_t k = 0; k < u.pieces; ++k)
      pieces.push_back({i, k * per, std::min(per, u.tiles - k * per), u.pieces == 1 ? -1 : std::int32_t(k)});
    num_splits = std::max(num_splits, u.pieces);
  }
  if (pieces.size() > s.max_items)  // cannot happen (the bound above); never write past the caller's buffer
    fail(ASMK_ERROR_INTERNAL, fmt::format("mla_decode metadata: {} items past the bound {}", pieces.size(), s.max_items));

  // ---- longest first, each to the least loaded workgroup (ties: the lowest index)
  std::vector<std::uint32_t> order(pieces.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return pieces[a].tiles > pieces[b].tiles; });
  using Load = std::pair<std::uint64_t, std::uint32_t>;
  std::priority_queue<Load, std::vector<Load>, std::greater<>> least;
  for (std::uint32_t g = 0; g < s.work_groups; ++g) least.push({0, g});
  std::vector<std::vector<std::uint32_t>> of_group(s.work_groups);
  for (std::uint32_t i : order) {
    auto [load, g] = least.top();
    least.pop();
    of_group[g].push_back(i);
    least.push({load + cost(pieces[i].tiles), g});
  }

  // ---- write: work_indptr, the items, the row counts
  std::vector<std::int32_t> out(s.work_groups + 1 + 4 * pieces.size());
  std::size_t item = 0;
  for (std::uint32_t g = 0; g < s.work_groups; ++g) {
    out[g] = std::int32_t(item);
    for (std::uint32_t i : of_group[g]) {
      const Piece& pc = pieces[i];
      const Unit& u = units[pc.unit];
      std::int32_t* it = &out[s.work_groups + 1 + 4 * item++];
      it[0] = std::int32_t(u.seq);
      it[1] = std::int32_t(u.row_block | std::uint32_t(pc.slot + 1) << 16);
      it[2] = std::int32_t(pc.first);
      it[3] = std::int32_t(pc.tiles);
    }
  }
  out[s.work_groups] = std::int32_t(item);
  std::memcpy(work, out.data(), out.size() * 4);
  std::fill_n(row_splits, std::size_t(p.total_q) * p.heads, 0);
  for (const Unit& u : units)
    if (u.pieces > 1) std::fill(row_splits + u.row_begin, row_splits + u.row_end, std::int32_t(u.pieces));
  return {std::uint32_t(pieces.size()), num_splits};
}

}  // namespace asmk::ops
