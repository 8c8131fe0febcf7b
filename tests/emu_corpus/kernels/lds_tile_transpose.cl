// A 16x16 tile transposed through LDS (padded rows), with a barrier between write and read;
// edge tiles are partial and guarded.
#include "corpus_common.h"

#define TILE 16

kernel void lds_tile_transpose(global const int* in, global int* out, uint width, uint height) {
  local int tile[TILE][TILE + 1];
  uint tx = LID_X(), ty = LID_Y();
  uint bx = __builtin_amdgcn_workgroup_id_x() * TILE, by = __builtin_amdgcn_workgroup_id_y() * TILE;
  uint x = bx + tx, y = by + ty;
  tile[ty][tx] = (x < width && y < height) ? in[y * width + x] : 0;
  WORKGROUP_BARRIER();
  uint ox = by + tx, oy = bx + ty;  // transposed: out is height wide and width tall
  if (ox < height && oy < width) out[oy * height + ox] = tile[tx][ty];
}
