// Reads the code object v5 hidden kernel arguments through the implicit argument pointer
// (block counts, group sizes, remainders, global offsets, grid dims) as aligned 32-bit words.
#include "corpus_common.h"

kernel void implicit_args(global uint* out, uint tag) {
  const constant uint* w = (const constant uint*)__builtin_amdgcn_implicitarg_ptr();
  if (GID_X() != 0 || GID_Y() != 0 || GID_Z() != 0) return;
  out[0] = w[0];              // hidden_block_count_x
  out[1] = w[1];              // hidden_block_count_y
  out[2] = w[2];              // hidden_block_count_z
  out[3] = w[3] & 0xffffu;    // hidden_group_size_x (offset 12)
  out[4] = w[3] >> 16;        // hidden_group_size_y (offset 14)
  out[5] = w[4] & 0xffffu;    // hidden_group_size_z (offset 16)
  out[6] = w[4] >> 16;        // hidden_remainder_x (offset 18)
  out[7] = w[5] & 0xffffu;    // hidden_remainder_y (offset 20)
  out[8] = w[5] >> 16;        // hidden_remainder_z (offset 22)
  out[9] = w[10];             // hidden_global_offset_x (offset 40, low word)
  out[10] = w[12];            // hidden_global_offset_y (offset 48)
  out[11] = w[14];            // hidden_global_offset_z (offset 56)
  out[12] = w[16] & 0xffffu;  // hidden_grid_dims (offset 64)
  out[13] = tag;
}
