// Tuned tables (docs/contracts.md): <repository>/tuned/<arch>-<cus>.csv with the header
// `family,m,n,k,kernel,k_splits`, written by `asmk tune`. A row names the kernel and split-K factor
// measured best for one problem on devices of that arch and CU count.
//
// Rows of one (family, m, n, k) may differ in dtypes and layouts: the kernel's parameters say which
// problem a row is for, so the selector takes the first row whose kernel matches and is eligible.
// M is bucketed: a problem whose M has no row uses the rows of the smallest tuned M above it when
// that M is below 2·M (M = 17 uses the M = 32 rows; decode batches grow one token at a time).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace asmk::gemm {

struct TunedChoice {
  std::string kernel;
  std::uint32_t k_splits = 1;
  std::size_t line = 0;   // 1-based line of the row in the file
  std::uint32_t m = 0;    // the row's M (the problem's, or its bucket's)
};

struct TunedLookup {
  std::string file;                  // the table consulted (may not exist)
  std::vector<TunedChoice> rows;     // the rows for the problem, later rows of the file first
  std::optional<TunedChoice> choice; // rows.front(), if any
  std::string note;                  // why the table was not usable ("" when fine or absent)
};

// The rows for (family, m or its bucket, n, k) in <repository>/tuned/<arch>-<compute_units>.csv. A missing file is
// no row; a malformed file is no row with a note (the selector says so in its reason). Files are
// read once per modification time and cached (thread-safe).
TunedLookup lookup_tuned(const std::filesystem::path& repository, std::string_view arch, std::uint32_t compute_units,
                         std::string_view family, std::uint32_t m, std::uint32_t n, std::uint32_t k);

}  // namespace asmk::gemm
