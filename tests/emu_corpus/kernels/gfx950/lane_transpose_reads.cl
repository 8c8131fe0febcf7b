// gfx950 only: the transposing LDS reads (ds_read_b64_tr_b4/_b8/_b16, ds_read_b96_tr_b6) and the
// row swaps (v_permlane16_swap, v_permlane32_swap) as clang emits them for the builtins. One
// wave: LDS = in[0..768); lane l reads at 8 * l (12 * l for tr6) and swaps in[l] with in[64 + l].
#include "../corpus_common.h"

typedef short short4_t __attribute__((ext_vector_type(4)));
typedef int int2_t __attribute__((ext_vector_type(2)));
typedef int int3_t __attribute__((ext_vector_type(3)));
typedef uint uint2_t __attribute__((ext_vector_type(2)));

kernel void lane_transpose_reads(global const uint* in, global uint* out) {
  local uint lds[768];
  uint l = LID_X();
  for (uint i = l; i < 768; i += 64) lds[i] = in[i];
  WORKGROUP_BARRIER();
  short4_t t16 = __builtin_amdgcn_ds_read_tr16_b64_v4i16((local short4_t*)lds + l);
  int2_t t8 = __builtin_amdgcn_ds_read_tr8_b64_v2i32((local int2_t*)lds + l);
  int2_t t4 = __builtin_amdgcn_ds_read_tr4_b64_v2i32((local int2_t*)lds + l);
  int3_t t6 = __builtin_amdgcn_ds_read_tr6_b96_v3i32((local int3_t*)(lds + 3 * l));
  uint2_t s16 = __builtin_amdgcn_permlane16_swap(in[l], in[64 + l], false, false);
  uint2_t s32 = __builtin_amdgcn_permlane32_swap(in[l], in[64 + l], false, false);
  global uint* o = out + l * 13;
  o[0] = (uint)(ushort)t16.x | (uint)(ushort)t16.y << 16;
  o[1] = (uint)(ushort)t16.z | (uint)(ushort)t16.w << 16;
  o[2] = t8.x;
  o[3] = t8.y;
  o[4] = t4.x;
  o[5] = t4.y;
  o[6] = t6.x;
  o[7] = t6.y;
  o[8] = t6.z;
  o[9] = s16.x;
  o[10] = s16.y;
  o[11] = s32.x;
  o[12] = s32.y;
}
