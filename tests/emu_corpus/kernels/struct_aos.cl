// Arrays of structs in global memory and a struct passed by value as a kernel argument.
#include "corpus_common.h"

typedef struct {
  float x, y;
  int id;
  uint flags;
} Particle;

typedef struct {
  float dist2;
  int tag;
} Result;

typedef struct {
  float cx, cy;
  int offset;
  uint n;
} Params;

kernel void struct_aos(global const Particle* in, global Result* out, Params p) {
  uint i = GID_X();
  if (i >= p.n) return;
  Particle q = in[i];
  float dx = q.x - p.cx, dy = q.y - p.cy;
  Result r;
  r.dist2 = __builtin_fmaf(dx, dx, dy * dy);
  r.tag = (q.flags & 1u) ? q.id + p.offset : -(q.id);
  out[i] = r;
}
