// Tuned tables (docs/contracts.md): <repository>/tuned/<arch>-<cus>.csv with the header
// `family,m,n,k,kernel,k_splits`, written by `asmk tune`. A row names the kernel and split-K factor
// measured best for one exact problem on devices of that arch and CU count.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace asmk::gemm {

struct TunedChoice {
  std::string kernel;
  std::uint32_t k_splits = 1;
  std::size_t line = 0;  // 1-based line of the row in the file
};

struct TunedLookup {
  std::string file;                  // the table consulted (may not exist)
  std::optional<TunedChoice> choice; // the row for the problem, if any
  std::string note;                  // why the table was not usable ("" when fine or absent)
};

// The row for (family, m, n, k) in <repository>/tuned/<arch>-<compute_units>.csv. A missing file is
// no row; a malformed file is no row with a note (the selector says so in its reason). Files are
// read once per modification time and cached (thread-safe).
TunedLookup lookup_tuned(const std::filesystem::path& repository, std::string_view arch, std::uint32_t compute_units,
                         std::string_view family, std::uint32_t m, std::uint32_t n, std::uint32_t k);

}  // namespace asmk::gemm
