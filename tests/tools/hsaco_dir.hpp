// The build's kernel set (hsaco/), which the tools tests run real code objects from.
#pragma once

#include <string>

namespace asmk::test {

inline const std::string kHsaco = ASMK_HSACO_DIR;

}  // namespace asmk::test
