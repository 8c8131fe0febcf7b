// What every family's selector returns: the kernel, its launch geometry and why.
#pragma once

#include <string>

#include "../kernel.hpp"
#include "asmk.h"

namespace asmk {

struct Selection {
  const Kernel* kernel = nullptr;
  asmk_dim3 grid{};   // workgroups
  asmk_dim3 block{};  // work-items
  std::string reason; // one line
};

}  // namespace asmk
