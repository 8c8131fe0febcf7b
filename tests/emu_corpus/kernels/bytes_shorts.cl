// Sub-dword memory: signed/unsigned byte and short loads (sign and zero extension), byte and
// short stores, and packing bytes into words.
#include "corpus_common.h"

kernel void bytes_shorts(global const char* c, global const uchar* uc, global const short* s,
                         global uchar* bout, global short* sout, global uint* wout, uint n) {
  uint i = GID_X();
  if (i >= n) return;
  int sc = c[i];
  uint zc = uc[i];
  int ss = s[i];
  bout[i] = (uchar)(sc + (int)zc);
  sout[2 * i + 0] = (short)(ss * 3 - sc);
  sout[2 * i + 1] = (short)(ss >> 3);
  wout[i] = (uint)(uchar)sc | ((uint)zc << 8) | ((uint)(ushort)ss << 16);
}
