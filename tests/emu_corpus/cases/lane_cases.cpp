// Host references for the cross-lane kernels (readlane, ballot, DPP, swizzle, permute). The host
// models each wave of 64 lanes from the ISA's definitions of the operations.
#include <algorithm>

#include "corpus.hpp"

namespace asmk::corpus {
namespace {

constexpr int kWave = 64;

/// The lane a DPP control reads from for `lane`, or -1 when the source is outside the row/wave.
int dpp_source(unsigned ctrl, int lane) {
  const int in_row = lane % 16, row_base = lane & ~15;
  if (ctrl <= 0xFF) return (lane & ~3) | ((ctrl >> (2 * (lane & 3))) & 3);  // quad_perm
  if (ctrl >= 0x101 && ctrl <= 0x10F) {                                      // row_shl: read lane + n
    const int n = int(ctrl & 15);
    return in_row + n < 16 ? lane + n : -1;
  }
  if (ctrl >= 0x111 && ctrl <= 0x11F) {  // row_shr: read lane - n
    const int n = int(ctrl & 15);
    return in_row - n >= 0 ? lane - n : -1;
  }
  if (ctrl >= 0x121 && ctrl <= 0x12F) return row_base | ((in_row - int(ctrl & 15)) & 15);  // row_ror
  switch (ctrl) {
    case 0x130: return lane + 1 < kWave ? lane + 1 : -1;  // wave_shl:1
    case 0x134: return (lane + 1) % kWave;                // wave_rol:1
    case 0x138: return lane - 1 >= 0 ? lane - 1 : -1;     // wave_shr:1
    case 0x13C: return (lane + kWave - 1) % kWave;        // wave_ror:1
    case 0x140: return row_base | (15 - in_row);          // row_mirror
    case 0x141: return (lane & ~7) | (7 - (lane & 7));    // row_half_mirror
    case 0x142: return lane >= 16 ? row_base - 1 : -1;    // row_bcast:15: last lane of the previous row
    case 0x143: return lane >= 32 ? 31 : -1;              // row_bcast:31
  }
  return -2;  // not modelled
}

/// One DPP move over a wave: disabled rows/banks keep `old`; an invalid source gives 0 with
/// bound_ctrl, else keeps `old`.
std::vector<int32_t> dpp(const std::vector<int32_t>& src, const std::vector<int32_t>& old, unsigned ctrl,
                         unsigned row_mask, unsigned bank_mask, bool bound_ctrl) {
  std::vector<int32_t> out(kWave);
  for (int l = 0; l < kWave; l++) {
    const int row = l / 16, bank = (l % 16) / 4;
    const int from = dpp_source(ctrl, l);
    if (!((row_mask >> row) & 1) || !((bank_mask >> bank) & 1)) out[l] = old[l];
    else if (from < 0) out[l] = bound_ctrl ? 0 : old[l];
    else out[l] = src[from];
  }
  return out;
}

/// The popcount of `mask` below `lane` (what v_mbcnt_lo + v_mbcnt_hi count).
uint32_t count_below(uint64_t mask, int lane) {
  return uint32_t(std::popcount(lane == 0 ? 0 : mask & (~0ull >> (64 - lane))));
}

std::vector<int32_t> random_ints(uint32_t n, uint64_t seed, int32_t lo, int32_t hi) {
  Rng rng(seed);
  std::vector<int32_t> v(n);
  for (auto& x : v) x = int32_t(rng.range(lo, hi));
  return v;
}

}  // namespace

CORPUS_CASE(lane_broadcast) {
  for (uint32_t block : {64u, 256u}) {
    const uint32_t n = 2 * block;
    std::vector<int32_t> in = random_ints(n, block + 40, -1000000, 1000000), want(6 * n);
    for (uint32_t w = 0; w < n / kWave; w++) {
      const int32_t* v = &in[w * kWave];
      int first_odd = -1;
      for (int l = 0; l < kWave && first_odd < 0; l++)
        if ((v[l] & 3) == 1) first_odd = l;
      for (int l = 0; l < kWave; l++) {
        int32_t* r = &want[6 * (w * kWave + l)];
        r[0] = v[0];
        r[1] = v[37];
        r[2] = v[v[0] & 63];
        r[3] = int32_t(100 + count_below(0x0F0F0F0Full, std::min(l, 32)) +
                       (l > 32 ? uint32_t(std::popcount(0xAAAAAAAAull & ((1ull << (l - 32)) - 1))) : 0u));
        r[4] = (v[l] & 3) == 1 ? v[first_odd] * 2 : -1;
        r[5] = l;
      }
    }
    uint64_t out = ctx.zeros<int32_t>(6 * n);
    ctx.launch({n / block, 1, 1}, {block, 1, 1}, ctx.upload(in), out);
    const char* what[] = {"readfirstlane", "readlane 37", "readlane(uniform)", "mbcnt masks", "readfirstlane in branch", "lane id"};
    ctx.expect_same(ctx.download<int32_t>(out, 6 * n), want, "lane broadcasts",
                    [&](size_t k) { return std::string(what[k % 6]) + " lane " + std::to_string((k / 6) % 64); });
  }
}

CORPUS_CASE(ballot_vote) {
  for (uint32_t block : {64u, 128u}) {
    const uint32_t n = 3 * block;
    std::vector<int32_t> in = random_ints(n, block + 41, -300, 300);
    std::vector<uint32_t> want(5 * n);
    for (uint32_t w = 0; w < n / kWave; w++) {
      const int32_t* v = &in[w * kWave];
      uint64_t all = 0, inner = 0;
      for (int l = 0; l < kWave; l++) {
        all |= uint64_t(v[l] > 0) << l;
        inner |= uint64_t((v[l] & 1) && v[l] > 100) << l;
      }
      for (int l = 0; l < kWave; l++) {
        uint32_t* r = &want[5 * (w * kWave + l)];
        const uint64_t mine = (v[l] & 1) ? inner : 0;
        r[0] = uint32_t(all);
        r[1] = uint32_t(all >> 32);
        r[2] = uint32_t(mine) ^ uint32_t(mine >> 32);
        r[3] = uint32_t(std::popcount(all));
        r[4] = count_below(all, l);
      }
    }
    uint64_t out = ctx.zeros<uint32_t>(5 * n);
    ctx.launch({n / block, 1, 1}, {block, 1, 1}, ctx.upload(in), out);
    ctx.expect_same(ctx.download<uint32_t>(out, 5 * n), want, "ballots");
  }
}

CORPUS_CASE(stream_compact) {
  for (auto [n, block] : {std::pair<uint32_t, uint32_t>{1000, 256}, {100, 64}}) {
    std::vector<int32_t> in(n);
    for (uint32_t i = 0; i < n; i++) in[i] = int32_t(i * 5 + 1);  // distinct values
    std::vector<std::vector<int32_t>> kept_by_wave(cover(n, kWave));
    uint32_t kept = 0;
    for (uint32_t i = 0; i < n; i++)
      if (in[i] % 3 == 0) {
        kept_by_wave[i / kWave].push_back(in[i]);
        kept++;
      }
    uint64_t out = ctx.filled<int32_t>(n, -1), count = ctx.zeros<uint32_t>(1);
    ctx.launch({cover(n, block), 1, 1}, {block, 1, 1}, ctx.upload(in), out, count, n);
    ctx.expect_same(ctx.download<uint32_t>(count, 1), {kept}, "kept count");
    std::vector<int32_t> got = ctx.download<int32_t>(out, n);
    // Waves reserve their slots in any order; each wave's values are contiguous and in lane order.
    for (const auto& wave : kept_by_wave) {
      if (wave.empty()) continue;
      auto at = std::find(got.begin(), got.begin() + kept, wave.front());
      ASSERT_TRUE(at != got.begin() + kept) << "value " << wave.front() << " missing";
      ASSERT_LE(size_t(at - got.begin()) + wave.size(), kept);
      ctx.expect_same(std::vector<int32_t>(at, at + wave.size()), wave, "one wave's compacted values");
    }
  }
}

CORPUS_CASE(dpp_row_ops) {
  struct Op {
    unsigned ctrl, row_mask, bank_mask;
    bool bound_ctrl;
    const char* name;
  };
  const Op ops[14] = {{0xB1, 0xF, 0xF, false, "quad_perm [1,0,3,2]"}, {0x103, 0xF, 0xF, false, "row_shl:3"},
                      {0x103, 0xF, 0xF, true, "row_shl:3 bound_ctrl"}, {0x117, 0xF, 0xF, false, "row_shr:7"},
                      {0x124, 0xF, 0xF, false, "row_ror:4"},           {0x140, 0xF, 0xF, false, "row_mirror"},
                      {0x141, 0xF, 0xF, false, "row_half_mirror"},     {0x142, 0xA, 0xF, false, "row_bcast:15"},
                      {0x143, 0xC, 0xF, false, "row_bcast:31"},        {0x130, 0xF, 0xF, false, "wave_shl:1"},
                      {0x134, 0xF, 0xF, false, "wave_rol:1"},          {0x138, 0xF, 0xF, false, "wave_shr:1"},
                      {0x13C, 0xF, 0xF, false, "wave_ror:1"},          {0x111, 0x5, 0x6, false, "row_shr:1 masks"}};
  const uint32_t n = 128;
  std::vector<int32_t> in = random_ints(n, 42, 1, 1000000), want(14 * n);
  std::vector<int32_t> old(kWave);
  for (int l = 0; l < kWave; l++) old[l] = -l - 1;
  for (uint32_t w = 0; w < n / kWave; w++) {
    std::vector<int32_t> v(in.begin() + w * kWave, in.begin() + (w + 1) * kWave);
    for (int k = 0; k < 14; k++) {
      std::vector<int32_t> r = dpp(v, old, ops[k].ctrl, ops[k].row_mask, ops[k].bank_mask, ops[k].bound_ctrl);
      for (int l = 0; l < kWave; l++) want[14 * (w * kWave + l) + k] = r[l];
    }
  }
  uint64_t out = ctx.zeros<int32_t>(14 * n);
  ctx.launch({1, 1, 1}, {n, 1, 1}, ctx.upload(in), out);
  ctx.expect_same(ctx.download<int32_t>(out, 14 * n), want, "update_dpp", [&](size_t k) {
    return std::string(ops[k % 14].name) + " lane " + std::to_string((k / 14) % 64);
  });
}

CORPUS_CASE(mov_dpp_scan) {
  const uint32_t n = 192;
  std::vector<int32_t> in = random_ints(n, 43, -1000, 1000), want(n);
  for (uint32_t i = 0; i < n; i++) want[i] = (i % 16 == 0 ? 0 : want[i - 1]) + in[i];
  uint64_t out = ctx.zeros<int32_t>(n);
  ctx.launch({3, 1, 1}, {64, 1, 1}, ctx.upload(in), out);
  ctx.expect_same(ctx.download<int32_t>(out, n), want, "row prefix sums by mov_dpp row_shr");
}

CORPUS_CASE(ds_swizzle_modes) {
  const unsigned offsets[5] = {0x041F, 0x1C1F, 0x00A0, 0x0218, 0x801B};
  const uint32_t n = 128;
  std::vector<int32_t> in = random_ints(n, 44, -1000000, 1000000), want(5 * n);
  for (uint32_t i = 0; i < n; i++) {
    const int l = int(i % kWave), wave_base = int(i) - l;
    for (int k = 0; k < 5; k++) {
      const unsigned off = offsets[k];
      int from;
      if (off & 0x8000) {
        from = (l & ~3) | ((off >> (2 * (l & 3))) & 3);
      } else {
        const int and_mask = off & 0x1F, or_mask = (off >> 5) & 0x1F, xor_mask = (off >> 10) & 0x1F;
        from = (l & ~31) | ((((l & 31) & and_mask) | or_mask) ^ xor_mask);
      }
      want[5 * i + k] = in[wave_base + from];
    }
  }
  uint64_t out = ctx.zeros<int32_t>(5 * n);
  ctx.launch({1, 1, 1}, {n, 1, 1}, ctx.upload(in), out);
  ctx.expect_same(ctx.download<int32_t>(out, 5 * n), want, "ds_swizzle", [&](size_t k) {
    return "offset " + std::to_string(offsets[k % 5]) + " lane " + std::to_string((k / 5) % 64);
  });
}

CORPUS_CASE(permute_lanes) {
  const uint32_t n = 256;
  std::vector<int32_t> in = random_ints(n, 45, -1000000, 1000000), want(2 * n);
  for (uint32_t i = 0; i < n; i++) {
    const uint32_t l = i % kWave, wave_base = i - l;
    want[2 * i + 0] = in[wave_base + ((l * 7 + 3) & 63)];
    want[2 * (wave_base + ((l * 5 + 1) & 63)) + 1] = in[i];  // pushed to lane 5l+1
  }
  uint64_t out = ctx.zeros<int32_t>(2 * n);
  ctx.launch({2, 1, 1}, {128, 1, 1}, ctx.upload(in), out);
  ctx.expect_same(ctx.download<int32_t>(out, 2 * n), want, "ds_bpermute (even) / ds_permute (odd)");
}

CORPUS_CASE(wave_reduce_dpp) {
  struct Step {
    unsigned ctrl, row_mask, bank_mask;
  };
  const Step steps[] = {{0x111, 0xF, 0xF}, {0x112, 0xF, 0xF}, {0x114, 0xF, 0xF},
                        {0x118, 0xF, 0xF}, {0x142, 0xA, 0xF}, {0x143, 0xC, 0xF}};
  for (auto [n, block] : {std::pair<uint32_t, uint32_t>{1000, 256}, {64, 64}}) {
    std::vector<int32_t> in = random_ints(n, n + 46, 0, 1 << 20);
    const uint32_t waves = cover(n, kWave), padded = cover(n, block) * block;
    std::vector<uint32_t> want_sums(padded / kWave), want_lanes(n);
    for (uint32_t w = 0; w < padded / kWave; w++) {
      std::vector<int32_t> v(kWave, 0), zero(kWave, 0);
      for (int l = 0; l < kWave; l++)
        if (w * kWave + l < n) v[l] = in[w * kWave + l];
      for (const Step& s : steps) {
        std::vector<int32_t> moved = dpp(v, zero, s.ctrl, s.row_mask, s.bank_mask, false);
        for (int l = 0; l < kWave; l++) v[l] = int32_t(uint32_t(v[l]) + uint32_t(moved[l]));
      }
      want_sums[w] = uint32_t(v[63]);
      for (int l = 0; l < kWave; l++)
        if (w * kWave + l < n) want_lanes[w * kWave + l] = uint32_t(v[l]);
    }
    // The DPP steps above compute the wave's inclusive scan: check the host model against a plain one.
    for (uint32_t w = 0; w < waves; w++) {
      uint32_t plain = 0;
      for (uint32_t i = w * kWave; i < std::min(n, (w + 1) * kWave); i++) {
        plain += uint32_t(in[i]);
        EXPECT_EQ(want_lanes[i], plain) << "host DPP model, item " << i;
      }
      EXPECT_EQ(want_sums[w], plain) << "host DPP model, wave " << w;
    }
    uint64_t sums = ctx.zeros<uint32_t>(padded / kWave), lanes = ctx.zeros<uint32_t>(n);
    ctx.launch({cover(n, block), 1, 1}, {block, 1, 1}, ctx.upload(in), sums, lanes, n);
    ctx.expect_same(ctx.download<uint32_t>(sums, padded / kWave), want_sums, "wave sums (readlane 63)");
    ctx.expect_same(ctx.download<uint32_t>(lanes, n), want_lanes, "per-lane inclusive scan");
  }
}

}  // namespace asmk::corpus
