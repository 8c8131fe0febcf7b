// An inclusive prefix sum within each row of 16 lanes by __builtin_amdgcn_mov_dpp row_shr
// steps with bound_ctrl (out-of-row lanes read 0), as wave-level scans are written.
#include "corpus_common.h"

kernel void mov_dpp_scan(global const int* in, global int* out) {
  uint i = GID_X();
  int v = in[i];
  v += __builtin_amdgcn_mov_dpp(v, 0x111, 0xF, 0xF, true);  // row_shr:1
  v += __builtin_amdgcn_mov_dpp(v, 0x112, 0xF, 0xF, true);  // row_shr:2
  v += __builtin_amdgcn_mov_dpp(v, 0x114, 0xF, 0xF, true);  // row_shr:4
  v += __builtin_amdgcn_mov_dpp(v, 0x118, 0xF, 0xF, true);  // row_shr:8
  out[i] = v;
}
