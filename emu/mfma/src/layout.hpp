// Where each matrix element of an MFMA operand lives: (block, row/column, k) <-> (lane, item).
//
// The rules, shared by every shape (CDNA3 ISA "Matrix Arithmetic Instructions" operand layouts,
// AMD's matrix instruction calculator; CDNA4 additions from AMD's CDNA3/CDNA4 matrix-core article):
//
// Inputs A (rows = M, indexed by i) and B (rows = N, indexed by j). Each lane holds
// per_lane = rows * K * blocks / 64 elements, packed from bit 0 of its register tuple upwards
// (element t at bits [t * bits, (t + 1) * bits) of the tuple read as one little-endian integer,
// register 0 lowest). Lanes are grouped: lane = row + rows * (block + blocks * g), where the
// lane group g < groups = 64 / (rows * blocks) selects a run of K. Within a lane the K values
// come in contiguous chunks of `chunk` elements:
//     k = (t / chunk) * (chunk * groups) + g * chunk + (t % chunk).
// For every instruction except f8f6f4 with fp8/bf8 operands chunk == per_lane, i.e. lane group
// g holds k in [g * per_lane, (g + 1) * per_lane). The gfx950 f8f6f4 instructions with an
// fp8/bf8 operand hold two chunks of 16: for 32x32x64, lanes 0-31 hold k 0-15 and 32-47,
// lanes 32-63 hold k 16-31 and 48-63 (the article's Figure 9). fp4 (and fp6) operands hold
// one contiguous run of 32 (Figure 10); for fp6 this is our reading of the packing (one
// contiguous 192-bit stream of 32 values), which no public source states explicitly.
//
// Outputs C/D (M x N per block, 32-bit values, or 64-bit for f64). Rows come in groups of
// group_rows = 4 consecutive rows (1 for f64) held in consecutive register slots. The row
// groups of all blocks are numbered t and dealt out first across the 64 / N lane groups, then
// across register slots:
//     lane = j + N * (t % (64 / N)),  slot = (t / (64 / N)) * group_rows + i % group_rows,
// and slot s occupies registers [s * words, (s + 1) * words) with words = output bits / 32.
// 32-bit outputs number row groups within a block first, t = block * (M / 4) + i / 4 (so block
// b of 32x32x1_2b owns registers 16b..16b+15); f64 numbers blocks first, t = block + blocks * i
// (v_mfma_f64_4x4x4_4b: lane = j + 4 * block + 16 * i, as measured on hardware in a public
// probe; for 16x16x4 both orders agree).
#pragma once

#include <cstdint>

namespace asmk::mfma::detail {

struct InputLayout {
  int rows;      // M for A, N for B
  int k;         // K of one block
  int blocks;
  int per_lane;  // elements per lane
  int chunk;     // contiguous K run per lane slot
  int bits;      // element width
};

struct OutputLayout {
  int m, n, blocks;
  int group_rows;     // 4 for 32-bit outputs, 1 for f64
  int words;          // 32-bit registers per element (1 or 2)
  bool blocks_first;  // row-group numbering: blocks fastest (f64) or rows fastest
};

struct InputSlot {
  int lane;
  int item;  // element index within the lane's tuple
};

struct OutputSlot {
  int lane;
  int reg;  // first register of the element within the tuple
};

InputSlot input_slot(const InputLayout& layout, int block, int row, int k);
OutputSlot output_slot(const OutputLayout& layout, int block, int i, int j);

}  // namespace asmk::mfma::detail
