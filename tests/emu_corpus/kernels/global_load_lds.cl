// LDS DMA: __builtin_amdgcn_global_load_lds (global_load_lds_dword) writes each lane's dword to
// LDS at the wave's base address + 4 * lane, bypassing VGPRs; the kernel then reads LDS back
// in reverse lane order.
#include "corpus_common.h"

kernel void global_load_lds(global const uint* in, global uint* out) {
  local uint tile[256];
  uint t = LID_X(), i = GID_X();
  uint wave = t / 64;
  __builtin_amdgcn_global_load_lds(in + i, tile + wave * 64, 4, 0, 0);
  WORKGROUP_BARRIER();
  out[i] = tile[wave * 64 + (63 - t % 64)] + 1u;
}
