// LDS accesses of every width: bytes and shorts (ds_write_b8/b16, ds_read_u8/i8/u16/i16), pairs
// of dwords at two offsets (ds_read2/write2), 64- and 128-bit elements (ds_read_b64/b128).
#include "corpus_common.h"

kernel void lds_mixed_widths(global const int4* in, global int4* out) {
  local char bytes[256];
  local short shorts[256];
  local int words[512];
  local long longs[256];
  local int4 quads[256];
  uint t = LID_X();
  uint i = GID_X();
  int4 v = in[i];
  bytes[t] = (char)v.x;
  shorts[t] = (short)v.y;
  words[t] = v.z;
  words[t + 256] = v.w;
  longs[t] = ((long)v.x << 32) | (uint)v.y;
  quads[t] = v;
  WORKGROUP_BARRIER();
  uint size = __builtin_amdgcn_workgroup_size_x();
  uint u = (t + 1) % size;  // a neighbour's values
  int4 q = quads[size - 1 - t];
  long l = longs[u];
  out[2 * i + 0] = (int4)(bytes[u], (uchar)bytes[u], shorts[u], (ushort)shorts[u]);
  out[2 * i + 1] = (int4)(words[u] + words[u + 256], (int)(l >> 16), q.x ^ q.w, q.y - q.z);
}
