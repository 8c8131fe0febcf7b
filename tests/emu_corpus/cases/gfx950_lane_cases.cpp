// gfx950 lane-data instructions as clang emits them for the builtins: the transposing LDS reads
// and the permlane row swaps. References from the descriptions in the CDNA4 ISA guide / LLVM's
// intrinsic documentation, written as a tile and as row gathers.
#include "corpus.hpp"

namespace asmk::corpus {
namespace {

/// Bits [first, first + count) of a little-endian byte string.
uint32_t bits_at(const std::vector<uint8_t>& bytes, size_t first, int count) {
  uint32_t v = 0;
  for (int b = 0; b < count; b++) v |= uint32_t((bytes[(first + b) / 8] >> ((first + b) % 8)) & 1) << b;
  return v;
}

/// A transposing read of `lane_bytes` per lane with `bits`-wide elements, lane l reading at
/// `stride * l`: the 16 lanes of a group read a tile whose rows are 16 elements wide (their data
/// concatenated in lane order); lane c of the group gets column c, row r in element r.
std::vector<uint32_t> transposed(const std::vector<uint8_t>& lds, int lane, int bits, int lane_bytes, int stride) {
  std::vector<uint8_t> tile;
  for (int l = lane & ~15; l < (lane & ~15) + 16; l++)
    tile.insert(tile.end(), lds.begin() + stride * l, lds.begin() + stride * l + lane_bytes);
  std::vector<uint8_t> result(lane_bytes, 0);
  const int rows = lane_bytes * 8 / bits;
  for (int r = 0; r < rows; r++) {
    const uint32_t v = bits_at(tile, size_t(r) * 16 * bits + size_t(lane % 16) * bits, bits);
    for (int b = 0; b < bits; b++) result[(r * bits + b) / 8] |= uint8_t(((v >> b) & 1) << ((r * bits + b) % 8));
  }
  std::vector<uint32_t> words(lane_bytes / 4);
  std::memcpy(words.data(), result.data(), lane_bytes);
  return words;
}

}  // namespace

CORPUS_CASE_ON_ARCHS(lane_transpose_reads, Arch::gfx950) {
  Rng rng(950);
  std::vector<uint32_t> in(768);
  for (auto& v : in) v = rng.u32();
  std::vector<uint8_t> lds(in.size() * 4);
  std::memcpy(lds.data(), in.data(), lds.size());
  // Row r (16 lanes) of a register: {from B?, source row}. After the 16-lane swap of (A, B), A
  // holds rows (A0, B0, A2, B2) and B holds (A1, B1, A3, B3); after the 32-lane swap A holds
  // (A0, A1, B0, B1) and B holds (A2, A3, B2, B3).
  auto gather = [&](const int (&rows)[4][2], int lane) {
    const int src = rows[lane / 16][1] * 16 + lane % 16;
    return rows[lane / 16][0] ? in[64 + src] : in[src];
  };
  const int swap16_a[4][2] = {{0, 0}, {1, 0}, {0, 2}, {1, 2}}, swap16_b[4][2] = {{0, 1}, {1, 1}, {0, 3}, {1, 3}};
  const int swap32_a[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}}, swap32_b[4][2] = {{0, 2}, {0, 3}, {1, 2}, {1, 3}};
  std::vector<uint32_t> want(64 * 13);
  for (int l = 0; l < 64; l++) {
    uint32_t* w = &want[l * 13];
    auto put = [&](int at, const std::vector<uint32_t>& words) { std::copy(words.begin(), words.end(), w + at); };
    put(0, transposed(lds, l, 16, 8, 8));
    put(2, transposed(lds, l, 8, 8, 8));
    put(4, transposed(lds, l, 4, 8, 8));
    put(6, transposed(lds, l, 6, 12, 12));
    w[9] = gather(swap16_a, l);
    w[10] = gather(swap16_b, l);
    w[11] = gather(swap32_a, l);
    w[12] = gather(swap32_b, l);
  }
  uint64_t out = ctx.zeros<uint32_t>(want.size());
  ctx.launch({1, 1, 1}, {64, 1, 1}, ctx.upload(in), out);
  ctx.expect_same(ctx.download<uint32_t>(out, want.size()), want, "tr reads (words 0-8) and permlane swaps (9-12)");
}

}  // namespace asmk::corpus
