// What `asmk perf` and `asmk tune` share: where machine models, presets and tuned tables live,
// resolving --shapes, the tuned-table writer, and the progress line.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "asmk/perf/result_row.hpp"
#include "asmk/perf/sweep.hpp"

namespace asmk::perf {

// The data folder holding machines/, presets/ and tuned/: share/asmk next to the running program's
// folder or one of its parents (<prefix>/share/asmk installed; build/share/asmk, whose folders link
// to perf/, in a build tree).
std::filesystem::path source_dir();
std::filesystem::path machines_dir();  // source_dir()/machines (or $ASMK_PERF_MACHINES)

/// --shapes: an existing file, or the name of a preset (perf/presets/<name>.csv). Empty: the
/// family's preset. Errors list the presets.
Expected<std::vector<Shape>> resolve_shapes(const std::string& spec, const std::string& family,
                                            std::filesystem::path* resolved = nullptr);

/// The tuned table for a machine: perf/tuned/<arch>-<cus>.csv.
std::string tuned_table_name(const Machine& machine);

/// The header of a tuned table (docs/contracts.md).
inline constexpr std::string_view kTunedHeader = "family,m,n,k,kernel,k_splits";

/// Merges into `file` the fastest row of each shape of `rows` (rows of one family): a row already in
/// the file is replaced only by a row of the same family and shape when it names a kernel `rows`
/// compared (same dtypes and layout); every other row is kept. Returns the rows written for the family.
Expected<size_t> write_tuned_table(const std::filesystem::path& file, const std::string& family,
                                   const std::vector<ResultRow>& rows);

/// "[#####.....]  42/100  gemm_bf16_... M=..." for a terminal progress line.
std::string progress_line(size_t done, size_t total, const std::string& what, size_t width = 30);

}  // namespace asmk::perf
