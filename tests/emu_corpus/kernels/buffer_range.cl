// Buffer resources (MUBUF, offen): raw loads at or past num_records return 0 and raw stores past
// it are dropped, for dword and dwordx4 accesses (the x4 ones lie wholly inside or outside).
#include "corpus_common.h"

#define RSRC_WORD3 0x00020000  // gfx9 word 3: data format 32, as compiler-generated resources use

typedef uint uint4_t __attribute__((ext_vector_type(4)));

kernel void buffer_range(global const int* in, global int* out, global uint4_t* wide_out, uint in_bytes,
                         uint out_bytes, uint shift) {
  uint i = GID_X();
  __amdgpu_buffer_rsrc_t rin = __builtin_amdgcn_make_buffer_rsrc((global void*)in, (short)0, (int)in_bytes, RSRC_WORD3);
  __amdgpu_buffer_rsrc_t rout = __builtin_amdgcn_make_buffer_rsrc(out, (short)0, (int)out_bytes, RSRC_WORD3);
  int v = __builtin_amdgcn_raw_buffer_load_b32(rin, (int)(i * 4 + shift), 0, 0);
  __builtin_amdgcn_raw_buffer_store_b32(v * 2 + 1, rout, (int)(i * 4), 0, 0);
  wide_out[i] = __builtin_amdgcn_raw_buffer_load_b128(rin, (int)(i * 16), 0, 0);
}
