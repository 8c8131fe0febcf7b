// Private memory that must live in scratch: a volatile array indexed by lane-dependent values
// (scratch_store_dword / scratch_load_dword through the private segment).
#include "corpus_common.h"

kernel void scratch_array(global const uint* in, global uint* out, uint n) {
  uint i = GID_X();
  if (i >= n) return;
  volatile uint buf[40];
  uint v = in[i];
  for (uint k = 0; k < 40; k++) buf[k] = v + k * k;
  uint acc = 0;
  for (uint k = 0; k < 6; k++) acc += buf[(v >> (3 * k)) % 40u];
  out[i] = acc;
}
