// ASMK_LOG_UNTUNED=FILE: the GEMM problems the selector saw without a tuned-table row, appended to
// FILE as a shapes file `asmk tune --shapes FILE` reads ("family,m,n,k", the header written when
// the file is new), so a deployment can tune exactly the shapes it runs. Each problem is logged
// once per process (warm calls hit the selection cache and never get here). A log that cannot be
// written is skipped: the library never fails a launch or prints for a diagnostic.
#pragma once

#include <cstdint>
#include <string_view>

namespace asmk::gemm {

void log_untuned(std::string_view family, std::uint64_t m, std::uint64_t n, std::uint64_t k);

}  // namespace asmk::gemm
