// 3D work-item and workgroup ids and sizes; each work-item writes its coordinates.
#include "corpus_common.h"

kernel void grid_3d_ids(global uint* out, uint nx, uint ny, uint nz) {
  uint x = GID_X(), y = GID_Y(), z = GID_Z();
  if (x >= nx || y >= ny || z >= nz) return;
  uint at = (z * ny + y) * nx + x;
  out[2 * at + 0] = x | (y << 10) | (z << 20);
  out[2 * at + 1] = LID_X() | (LID_Y() << 8) | (LID_Z() << 16) | (__builtin_amdgcn_workgroup_size_z() << 24);
}
