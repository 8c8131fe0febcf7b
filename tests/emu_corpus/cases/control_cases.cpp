// Host references for the control-flow and multi-dimensional-grid kernels.
#include "corpus.hpp"

namespace asmk::corpus {
namespace {

// 96 = one full wave and one half wave per workgroup.
const Size kControlSizes[] = {{1000, 64}, {500, 96}, {300, 256}};

}  // namespace

CORPUS_CASE(switch_ops) {
  for (Size s : kControlSizes) {
    Rng rng(s.n + 20);
    std::vector<int32_t> in(s.n), want(s.n);
    for (uint32_t i = 0; i < s.n; i++) {
      const int32_t v = in[i] = int32_t(rng.u32());
      int32_t r;
      switch (v & 7) {
        case 0: r = int32_t(uint32_t(v) * 3u); break;
        case 1: r = v ^ 0x5a5a; break;
        case 2: r = v >> 2; break;
        case 3:
        case 4: r = int32_t(i - uint32_t(v)); break;
        case 5: r = v / 7; break;
        case 6: r = ~v; break;
        default: r = int32_t(i * 13u + 1u); break;
      }
      want[i] = r;
    }
    uint64_t out = ctx.zeros<int32_t>(s.n);
    ctx.launch({cover(s.n, s.block), 1, 1}, {s.block, 1, 1}, ctx.upload(in), out, s.n);
    ctx.expect_same(ctx.download<int32_t>(out, s.n), want, "switch");
  }
}

CORPUS_CASE(divergent_loops) {
  for (Size s : kControlSizes) {
    Rng rng(s.n + 21);
    std::vector<uint32_t> in(s.n), want(s.n);
    for (uint32_t i = 0; i < s.n; i++) {
      const uint32_t v = in[i] = rng.u32();
      uint32_t acc = 0;
      for (uint32_t k = 0; k < v % 37u; k++) {
        if (k % 3u == 0) continue;
        acc = acc * 31u + k;
        if (acc > 0x40000000u) break;
        for (uint32_t j = 0; j < (v >> (k & 7)) % 5u; j++) acc += j ^ k;
      }
      want[i] = acc;
    }
    uint64_t out = ctx.zeros<uint32_t>(s.n);
    ctx.launch({cover(s.n, s.block), 1, 1}, {s.block, 1, 1}, ctx.upload(in), out, s.n);
    ctx.expect_same(ctx.download<uint32_t>(out, s.n), want, "loops with lane-dependent trip counts");
  }
}

CORPUS_CASE(early_return) {
  for (Size s : kControlSizes) {
    Rng rng(s.n + 22);
    std::vector<int32_t> in(s.n), want(s.n);
    for (uint32_t i = 0; i < s.n; i++) {
      const int32_t v = in[i] = int32_t(rng.range(-2000, 2000));
      const uint32_t lane = (i % s.block) % 64;
      if (v < -1000) {
        want[i] = -1;
        continue;
      }
      int32_t r;
      if (lane & 32u) {
        r = (lane & 1u) ? v * 2 : v - 7;
      } else if (v % 5 == 0) {
        want[i] = 5000 + int32_t(lane);
        continue;
      } else {
        r = v + int32_t(lane);
      }
      want[i] = r * 3;
    }
    uint64_t out = ctx.zeros<int32_t>(s.n);
    ctx.launch({cover(s.n, s.block), 1, 1}, {s.block, 1, 1}, ctx.upload(in), out, s.n);
    ctx.expect_same(ctx.download<int32_t>(out, s.n), want, "early returns and lane branches");
  }
}

CORPUS_CASE(grid_2d_transpose) {
  struct Shape {
    uint32_t width, height;
    Dim3 block;
  };
  for (Shape s : {Shape{100, 37, {16, 4, 1}}, Shape{33, 70, {8, 8, 1}}, Shape{64, 5, {32, 2, 1}}}) {
    std::vector<float> in(s.width * s.height), want(s.width * s.height);
    for (uint32_t y = 0; y < s.height; y++)
      for (uint32_t x = 0; x < s.width; x++) {
        in[y * s.width + x] = float(y * 1000 + x);
        want[x * s.height + y] = in[y * s.width + x];
      }
    uint64_t out = ctx.filled<float>(s.width * s.height, -1.0f);
    ctx.launch({cover(s.width, s.block.x), cover(s.height, s.block.y), 1}, s.block, ctx.upload(in), out, s.width, s.height);
    ctx.expect_same(ctx.download<float>(out, s.width * s.height), want, "transpose");
  }
}

CORPUS_CASE(grid_3d_ids) {
  struct Shape {
    uint32_t nx, ny, nz;
    Dim3 block;
  };
  for (Shape s : {Shape{20, 9, 5, {8, 4, 2}}, Shape{7, 7, 7, {4, 4, 4}}, Shape{33, 3, 4, {16, 2, 3}}}) {
    const uint32_t count = s.nx * s.ny * s.nz;
    std::vector<uint32_t> want(2 * count);
    for (uint32_t z = 0; z < s.nz; z++)
      for (uint32_t y = 0; y < s.ny; y++)
        for (uint32_t x = 0; x < s.nx; x++) {
          const uint32_t at = (z * s.ny + y) * s.nx + x;
          want[2 * at + 0] = x | (y << 10) | (z << 20);
          want[2 * at + 1] = (x % s.block.x) | ((y % s.block.y) << 8) | ((z % s.block.z) << 16) | (s.block.z << 24);
        }
    uint64_t out = ctx.zeros<uint32_t>(2 * count);
    ctx.launch({cover(s.nx, s.block.x), cover(s.ny, s.block.y), cover(s.nz, s.block.z)}, s.block, out, s.nx, s.ny, s.nz);
    ctx.expect_same(ctx.download<uint32_t>(out, 2 * count), want, "3D ids");
  }
}

CORPUS_CASE(private_array) {
  for (Size s : kControlSizes) {
    Rng rng(s.n + 23);
    std::vector<uint32_t> in(s.n), want(s.n);
    for (uint32_t i = 0; i < s.n; i++) {
      const uint32_t v = in[i] = rng.u32();
      uint32_t buf[24];
      for (uint32_t k = 0; k < 24; k++) buf[k] = (v * (k + 1)) ^ (k << 8);
      uint32_t acc = 0;
      for (uint32_t k = 0; k < 8; k++) acc += buf[(v + k * 5) % 24];
      buf[v % 24] = acc;
      want[i] = acc ^ buf[(v >> 3) % 24];
    }
    uint64_t out = ctx.zeros<uint32_t>(s.n);
    ctx.launch({cover(s.n, s.block), 1, 1}, {s.block, 1, 1}, ctx.upload(in), out, s.n);
    ctx.expect_same(ctx.download<uint32_t>(out, s.n), want, "private array");
  }
}

CORPUS_CASE(scratch_array) {
  for (Size s : kControlSizes) {
    Rng rng(s.n + 24);
    std::vector<uint32_t> in(s.n), want(s.n);
    for (uint32_t i = 0; i < s.n; i++) {
      const uint32_t v = in[i] = rng.u32();
      uint32_t acc = 0;
      for (uint32_t k = 0; k < 6; k++) {
        const uint32_t at = (v >> (3 * k)) % 40u;
        acc += v + at * at;  // buf[at] = v + at * at
      }
      want[i] = acc;
    }
    uint64_t out = ctx.zeros<uint32_t>(s.n);
    ctx.launch({cover(s.n, s.block), 1, 1}, {s.block, 1, 1}, ctx.upload(in), out, s.n);
    ctx.expect_same(ctx.download<uint32_t>(out, s.n), want, "scratch array");
  }
}

CORPUS_CASE(function_call) {
  for (Size s : kControlSizes) {
    Rng rng(s.n + 25);
    std::vector<uint32_t> in(s.n), want(s.n);
    for (uint32_t i = 0; i < s.n; i++) {
      const uint32_t v = in[i] = rng.u32();
      want[i] = (v * 2654435761u) ^ ((v >> 7) + i * 7u);
    }
    uint64_t out = ctx.zeros<uint32_t>(s.n);
    ctx.launch({cover(s.n, s.block), 1, 1}, {s.block, 1, 1}, ctx.upload(in), out, s.n);
    ctx.expect_same(ctx.download<uint32_t>(out, s.n), want, "value returned by the called function");
  }
}

}  // namespace asmk::corpus
