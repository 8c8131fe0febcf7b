// A non-inlined function (its own symbol in the code object) called from the kernel:
// s_getpc/s_swappc_b64 into it with arguments in VGPRs, s_setpc_b64 back, a return value.
#include "corpus_common.h"

__attribute__((noinline)) static uint mix(uint a, uint b, uint c) { return (a * 2654435761u) ^ (b + c * 7u); }

kernel void function_call(global const uint* in, global uint* out, uint n) {
  uint i = GID_X();
  if (i >= n) return;
  uint v = in[i];
  out[i] = mix(v, v >> 7, i);
}
