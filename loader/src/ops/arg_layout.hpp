// What a selection-cache entry keeps of the arguments that made it: their names and strings
// exactly (the cache key holds hashes: call_key.hpp), to confirm a hit; and what a warm launch
// still needs from the raw arguments: each tensor's argument index and the bytes its extent needs
// (a function of the key's sizes, strides and choices, so fixed per entry).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "asmk.h"

namespace asmk::ops {

class OpCall;

struct ArgLayout {
  struct Tensor {
    int arg = -1;            // index into the call's arguments; -1: not given
    std::uint64_t bytes = 0; // the extent the kernels may touch (workspace: the selection's)
    bool optional = false;
    bool workspace = false;
  };
  std::vector<std::string> names;    // by argument index
  std::vector<std::string> strings;  // string values by argument index ("" for other types)
  std::vector<Tensor> tensors;       // in the op's tensor order (the pointer slots' order)

  // Recorded from the validated call of the arguments that made the entry.
  static ArgLayout of(const OpCall& call, std::span<const asmk_op_arg> args);

  // Whether `args` (whose key equals the entry's) are the same names and strings.
  bool matches(std::span<const asmk_op_arg> args) const;
};

}  // namespace asmk::ops
