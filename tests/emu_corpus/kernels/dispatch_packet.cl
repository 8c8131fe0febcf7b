// Reads the AQL dispatch packet behind the dispatch pointer (workgroup and grid sizes, setup
// dimensions) and the workgroup-size builtins. The packet is read as aligned 32-bit words.
#include "corpus_common.h"

kernel void dispatch_packet(global uint* out, uint groups_x, uint groups_y) {
  const constant uint* packet = (const constant uint*)__builtin_amdgcn_dispatch_ptr();
  uint word0 = packet[0], word1 = packet[1], word2 = packet[2];  // header|setup, size x|y, size z|reserved
  uint at = (__builtin_amdgcn_workgroup_id_z() * groups_y + __builtin_amdgcn_workgroup_id_y()) * groups_x +
            __builtin_amdgcn_workgroup_id_x();
  if (LID_X() != 0 || LID_Y() != 0 || LID_Z() != 0) return;
  global uint* o = out + 10 * at;
  o[0] = word1 & 0xffffu;  // workgroup_size_x
  o[1] = word1 >> 16;      // workgroup_size_y
  o[2] = word2 & 0xffffu;  // workgroup_size_z
  o[3] = packet[3];        // grid_size_x (work-items)
  o[4] = packet[4];        // grid_size_y
  o[5] = packet[5];        // grid_size_z
  o[6] = __builtin_amdgcn_workgroup_size_x();
  o[7] = __builtin_amdgcn_workgroup_size_y();
  o[8] = __builtin_amdgcn_workgroup_size_z();
  o[9] = (word0 >> 16) & 3u;  // setup: dimensions
}
