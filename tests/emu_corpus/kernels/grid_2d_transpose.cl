// 2D ids (x and y work-item ids packed in v0, workgroup ids x and y) and a guarded transpose.
#include "corpus_common.h"

kernel void grid_2d_transpose(global const float* in, global float* out, uint width, uint height) {
  uint x = GID_X(), y = GID_Y();
  if (x < width && y < height) out[x * height + y] = in[y * width + x];
}
