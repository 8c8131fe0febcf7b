// Host references for the LDS, atomic and memory-addressing kernels.
#include <algorithm>
#include <numeric>

#include "corpus.hpp"

namespace asmk::corpus {

CORPUS_CASE(lds_tile_transpose) {
  for (auto [width, height] : {std::pair<uint32_t, uint32_t>{50, 37}, {16, 16}, {100, 3}}) {
    std::vector<int32_t> in(width * height), want(width * height);
    for (uint32_t y = 0; y < height; y++)
      for (uint32_t x = 0; x < width; x++) {
        in[y * width + x] = int32_t(y * 4096 + x);
        want[x * height + y] = in[y * width + x];
      }
    uint64_t out = ctx.filled<int32_t>(width * height, -1);
    ctx.launch({cover(width, 16), cover(height, 16), 1}, {16, 16, 1}, ctx.upload(in), out, width, height);
    ctx.expect_same(ctx.download<int32_t>(out, width * height), want, "tile transpose");
  }
}

CORPUS_CASE(lds_tree_reduce) {
  for (auto [n, block] : {std::pair<uint32_t, uint32_t>{1000, 256}, {300, 128}, {129, 64}}) {
    Rng rng(n + 30);
    std::vector<uint32_t> in(n);
    for (auto& v : in) v = rng.u32();
    const uint32_t groups = cover(n, block);
    std::vector<uint32_t> want(groups, 0);
    for (uint32_t i = 0; i < n; i++) want[i / block] += in[i];
    uint64_t sums = ctx.zeros<uint32_t>(groups);
    ctx.launch({groups, 1, 1}, {block, 1, 1}, ctx.upload(in), sums, n);
    ctx.expect_same(ctx.download<uint32_t>(sums, groups), want, "workgroup sums");
  }
}

CORPUS_CASE(lds_scan) {
  for (auto [n, block] : {std::pair<uint32_t, uint32_t>{700, 256}, {200, 128}, {64, 64}}) {
    Rng rng(n + 31);
    std::vector<int32_t> in(n), want(n);
    for (auto& v : in) v = int32_t(rng.range(-1000, 1000));
    for (uint32_t i = 0; i < n; i++) want[i] = (i % block == 0 ? 0 : want[i - 1]) + in[i];
    uint64_t out = ctx.zeros<int32_t>(n);
    ctx.launch({cover(n, block), 1, 1}, {block, 1, 1}, ctx.upload(in), out, n);
    ctx.expect_same(ctx.download<int32_t>(out, n), want, "inclusive scan per workgroup");
  }
}

CORPUS_CASE(lds_atomics) {
  for (auto [n, block] : {std::pair<uint32_t, uint32_t>{2000, 256}, {100, 64}}) {
    Rng rng(n + 32);
    std::vector<uint32_t> in(n), table(5 * 16), want(5 * 16);
    for (auto& v : in) v = rng.u32() >> (rng.u32() % 20);
    for (uint32_t b = 0; b < 16; b++) {
      table[5 * b + 2] = want[5 * b + 2] = 0xffffffffu;  // the neutral value of min
    }
    for (uint32_t v : in) {
      const uint32_t b = v % 16;
      want[5 * b + 0] += 1;
      want[5 * b + 1] = std::max(want[5 * b + 1], v);
      want[5 * b + 2] = std::min(want[5 * b + 2], v);
      want[5 * b + 3] |= v;
      want[5 * b + 4] ^= v;
    }
    uint64_t t = ctx.upload(table);
    ctx.launch({cover(n, block), 1, 1}, {block, 1, 1}, ctx.upload(in), t, n);
    ctx.expect_same(ctx.download<uint32_t>(t, 5 * 16), want, "per-bin count/max/min/or/xor",
                    [](size_t k) { return std::string("bin ") + std::to_string(k / 5) + " op " + std::to_string(k % 5); });
  }
}

CORPUS_CASE(global_atomics) {
  for (auto [n, block] : {std::pair<uint32_t, uint32_t>{1500, 256}, {65, 64}}) {
    Rng rng(n + 33);
    std::vector<int32_t> in(n);
    for (auto& v : in) {
      v = int32_t(rng.u32());
      if (v == 12345) v = 1;
    }
    const uint32_t special = n / 3;
    in[special] = 12345;
    std::vector<int32_t> acc = {100, 0, INT32_MAX, INT32_MIN, -1, 0, 0, 0, -1, 0};
    std::vector<int32_t> want = acc;
    for (int32_t v : in) {
      want[0] = int32_t(uint32_t(want[0]) + uint32_t(v));
      want[1] = int32_t(uint32_t(want[1]) - uint32_t(v));
      want[2] = std::min(want[2], v);
      want[3] = std::max(want[3], v);
      want[4] = int32_t(uint32_t(want[4]) & (uint32_t(v) | 0x10000u));
      want[5] = int32_t(uint32_t(want[5]) | (uint32_t(v) & 0xff00ffu));
      want[6] ^= v;
      want[7] = int32_t(std::max(uint32_t(want[7]), uint32_t(v)));
    }
    want[8] = int32_t(special);
    want[9] = int32_t(n);
    uint64_t a = ctx.upload(acc), tickets = ctx.zeros<uint32_t>(n);
    ctx.launch({cover(n, block), 1, 1}, {block, 1, 1}, ctx.upload(in), a, tickets, n);
    ctx.expect_same(ctx.download<int32_t>(a, acc.size()), want, "add/sub/min/max/and/or/xor/umax/xchg/counter");
    // Every work-item got a distinct ticket: the tickets hold a permutation of 1..n.
    std::vector<uint32_t> got = ctx.download<uint32_t>(tickets, n), all(n);
    std::sort(got.begin(), got.end());
    std::iota(all.begin(), all.end(), 1u);
    ctx.expect_same(got, all, "fetch_add tickets (sorted)");
  }
}

CORPUS_CASE(atomic_cas) {
  for (auto [n, block] : {std::pair<uint32_t, uint32_t>{1000, 256}, {70, 64}}) {
    Rng rng(n + 34);
    std::vector<float> in(n);
    for (auto& v : in) v = float(rng.range(-100, 100));  // small integers: every sum order is exact
    const float max = *std::max_element(in.begin(), in.end());
    uint64_t sat_sum = 0, sum64 = 0;
    float fsum = 0;
    for (uint32_t i = 0; i < n; i++) {
      sat_sum = std::min<uint64_t>(sat_sum + i * 1000ull, 0xffffffffull);
      sum64 += uint64_t(i) << 33;
      fsum += in[i];
    }
    uint64_t fmax_bits = ctx.filled<uint32_t>(1, 0xff800000u), sat = ctx.filled<uint32_t>(1, n > 500 ? 0xffff0000u : 0u);
    if (n > 500) sat_sum = 0xffffffffull;  // starts near the top: saturates
    uint64_t s64 = ctx.zeros<uint64_t>(1), fs = ctx.zeros<float>(1);
    ctx.launch({cover(n, block), 1, 1}, {block, 1, 1}, ctx.upload(in), fmax_bits, sat, s64, fs, n);
    ctx.expect_same(ctx.download<float>(fmax_bits, 1), {max}, "CAS float max");
    ctx.expect_same(ctx.download<uint32_t>(sat, 1), {uint32_t(sat_sum)}, "CAS saturating add");
    ctx.expect_same(ctx.download<uint64_t>(s64, 1), {sum64}, "64-bit atomic add");
    ctx.expect_same(ctx.download<float>(fs, 1), {fsum}, "float atomic add");
  }
}

CORPUS_CASE(bytes_shorts) {
  for (auto [n, block] : {std::pair<uint32_t, uint32_t>{999, 128}, {3, 64}}) {
    Rng rng(n + 35);
    std::vector<int8_t> c(n);
    std::vector<uint8_t> uc(n), bwant(n + 5, 0xEE);
    std::vector<int16_t> s(n), swant(2 * n);
    std::vector<uint32_t> wwant(n);
    for (uint32_t i = 0; i < n; i++) {
      c[i] = int8_t(rng.u32());
      uc[i] = uint8_t(rng.u32());
      s[i] = int16_t(rng.u32());
      const int32_t sc = c[i], ss = s[i];
      const uint32_t zc = uc[i];
      bwant[i] = uint8_t(sc + int32_t(zc));
      swant[2 * i + 0] = int16_t(ss * 3 - sc);
      swant[2 * i + 1] = int16_t(ss >> 3);
      wwant[i] = uint32_t(uint8_t(sc)) | (zc << 8) | (uint32_t(uint16_t(ss)) << 16);
    }
    uint64_t bout = ctx.filled<uint8_t>(n + 5, 0xEE), sout = ctx.zeros<int16_t>(2 * n), wout = ctx.zeros<uint32_t>(n);
    ctx.launch({cover(n, block), 1, 1}, {block, 1, 1}, ctx.upload(c), ctx.upload(uc), ctx.upload(s), bout, sout, wout, n);
    ctx.expect_same(ctx.download<uint8_t>(bout, n + 5), bwant, "byte stores (the tail stays untouched)");
    ctx.expect_same(ctx.download<int16_t>(sout, 2 * n), swant, "short stores");
    ctx.expect_same(ctx.download<uint32_t>(wout, n), wwant, "packed words");
  }
}

CORPUS_CASE(ptr64_strided) {
  // Rows 2 GiB + 12 bytes apart: row 2 starts past 4 GiB, so 32-bit address arithmetic would miss it.
  struct Shape {
    uint64_t stride;  // in floats
    uint32_t rows, cols;
  };
  for (Shape s : {Shape{(1ull << 29) + 3, 3, 100}, Shape{131, 5, 130}}) {
    const uint64_t elements = s.stride * (s.rows - 1) + s.cols;
    uint64_t base = ctx.zeros<float>(elements);
    std::vector<std::vector<float>> rows(s.rows, std::vector<float>(s.cols));
    for (uint32_t r = 0; r < s.rows; r++) {
      for (uint32_t c = 0; c < s.cols; c++) rows[r][c] = float(r) - float(c) * 0.5f;
      ASSERT_TRUE(ctx.device().write(base + 4 * r * s.stride, rows[r].data(), 4 * s.cols).ok());
    }
    uint64_t diffs = ctx.zeros<int64_t>(s.rows);
    ctx.launch({cover(s.cols, 64), s.rows, 1}, {64, 1, 1}, base, s.stride, s.rows, s.cols, diffs);
    for (uint32_t r = 0; r < s.rows; r++) {
      std::vector<float> want(s.cols), got(s.cols);
      for (uint32_t c = 0; c < s.cols; c++) want[c] = rows[r][c] * 2.0f + float(r * 1000 + c);
      ASSERT_TRUE(ctx.device().read(base + 4 * r * s.stride, got.data(), 4 * s.cols).ok());
      ctx.expect_same(got, want, "row " + std::to_string(r));
    }
    std::vector<int64_t> want_diffs(s.rows);
    for (uint32_t r = 0; r < s.rows; r++) want_diffs[r] = int64_t(r * s.stride) + (r > 0 ? 1 : 0);
    ctx.expect_same(ctx.download<int64_t>(diffs, s.rows), want_diffs, "pointer differences");
  }
}

CORPUS_CASE(lds_mixed_widths) {
  for (uint32_t block : {256u, 64u, 96u}) {
    const uint32_t groups = 2, n = groups * block;
    Rng rng(block + 36);
    std::vector<int32_t> in(4 * n), want(8 * n);
    for (auto& v : in) v = int32_t(rng.u32());
    for (uint32_t g = 0; g < groups; g++)
      for (uint32_t t = 0; t < block; t++) {
        const int32_t* mine = &in[4 * (g * block + (t + 1) % block)];  // the neighbour's values
        const int32_t* q = &in[4 * (g * block + block - 1 - t)];
        int32_t* w = &want[8 * (g * block + t)];
        w[0] = int8_t(mine[0]);
        w[1] = uint8_t(mine[0]);
        w[2] = int16_t(mine[1]);
        w[3] = uint16_t(mine[1]);
        w[4] = int32_t(uint32_t(mine[2]) + uint32_t(mine[3]));
        const int64_t l = int64_t(uint64_t(uint32_t(mine[0])) << 32 | uint32_t(mine[1]));
        w[5] = int32_t(l >> 16);
        w[6] = q[0] ^ q[3];
        w[7] = int32_t(uint32_t(q[1]) - uint32_t(q[2]));
      }
    uint64_t out = ctx.zeros<int32_t>(8 * n);
    ctx.launch({groups, 1, 1}, {block, 1, 1}, ctx.upload(in), out);
    ctx.expect_same(ctx.download<int32_t>(out, 8 * n), want, "LDS bytes/shorts/read2/b64/b128");
  }
}

CORPUS_CASE(buffer_range) {
  const uint32_t n = 256;  // whole workgroups: the kernel has no guard
  Rng rng(37);
  std::vector<int32_t> in(4 * n);  // backs every wide load; only num_records decides what is in range
  for (auto& v : in) v = int32_t(rng.u32() | 1);
  const uint32_t in_bytes = 16 * (n / 3), out_bytes = 4 * (n - 10);
  for (uint32_t shift : {0u, 64u}) {
    std::vector<int32_t> want(n, -7);
    std::vector<uint32_t> want_wide(4 * n);
    for (uint32_t i = 0; i < n; i++) {
      const uint32_t offset = i * 4 + shift;
      const int32_t v = offset < in_bytes ? in[offset / 4] : 0;
      if (i * 4 < out_bytes) want[i] = int32_t(uint32_t(v) * 2u + 1u);
      for (int k = 0; k < 4; k++) want_wide[4 * i + k] = i * 16 < in_bytes ? uint32_t(in[4 * i + k]) : 0u;
    }
    uint64_t out = ctx.filled<int32_t>(n, -7), wide = ctx.zeros<uint32_t>(4 * n);
    ctx.launch({cover(n, 64), 1, 1}, {64, 1, 1}, ctx.upload(in), out, wide, in_bytes, out_bytes, shift);
    ctx.expect_same(ctx.download<int32_t>(out, n), want, "raw buffer dword load/store, shift " + std::to_string(shift));
    ctx.expect_same(ctx.download<uint32_t>(wide, 4 * n), want_wide, "raw buffer dwordx4 loads");
  }
}

CORPUS_CASE(atomics_wide) {
  for (auto [n, block] : {std::pair<uint32_t, uint32_t>{900, 256}, {70, 64}}) {
    Rng rng(n + 38);
    std::vector<int64_t> in(n);
    for (auto& v : in) v = int64_t(rng.next()) >> int(rng.range(0, 40));
    std::vector<int64_t> g64 = {INT64_MAX, INT64_MIN, 5, 0}, want64 = g64;
    uint32_t want_max = 0;
    float want_f = 0;
    for (uint32_t i = 0; i < n; i++) {
      const int64_t v = in[i];
      want64[0] = std::min(want64[0], v);
      want64[1] = std::max(want64[1], v);
      want64[2] = int64_t(uint64_t(want64[2]) + uint64_t(v) * 3u);
      want64[3] = int64_t(uint64_t(want64[3]) + uint64_t(v));
      want_max = std::max(want_max, uint32_t(v) ^ uint32_t(uint64_t(v) >> 32));
      want_f += float(v % 100);  // small integers: exact in any order
    }
    uint64_t d64 = ctx.upload(g64), d32 = ctx.zeros<uint32_t>(1), df = ctx.zeros<float>(1);
    ctx.launch({cover(n, block), 1, 1}, {block, 1, 1}, ctx.upload(in), d64, d32, df, n);
    ctx.expect_same(ctx.download<int64_t>(d64, 4), want64, "64-bit smin/smax/CAS sum/LDS add");
    ctx.expect_same(ctx.download<uint32_t>(d32, 1), {want_max}, "LDS CAS max");
    ctx.expect_same(ctx.download<float>(df, 1), {want_f}, "LDS float add");
  }
}

CORPUS_CASE(global_load_lds) {
  for (uint32_t block : {256u, 64u}) {
    const uint32_t n = 3 * block;
    Rng rng(block + 39);
    std::vector<uint32_t> in(n), want(n);
    for (auto& v : in) v = rng.u32();
    for (uint32_t i = 0; i < n; i++) want[i] = in[i - i % 64 + (63 - i % 64)] + 1u;  // the wave's lanes reversed
    uint64_t out = ctx.zeros<uint32_t>(n);
    ctx.launch({3, 1, 1}, {block, 1, 1}, ctx.upload(in), out);
    ctx.expect_same(ctx.download<uint32_t>(out, n), want, "global_load_lds_dword then LDS reads");
  }
}

}  // namespace asmk::corpus
