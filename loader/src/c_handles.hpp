// What the C ABI's opaque handles are inside libasmk (tests look through them too).
#pragma once

#include <memory>

#include "asmk.h"
#include "context.hpp"

struct asmk_context {
  std::unique_ptr<asmk::Context> impl;
};

namespace asmk {

// asmk_kernel handles point at the repository's Kernel records.
inline const Kernel& kernel_of(const asmk_kernel* k) { return *reinterpret_cast<const Kernel*>(k); }
inline const asmk_kernel* handle_of(const Kernel& k) { return reinterpret_cast<const asmk_kernel*>(&k); }

}  // namespace asmk
