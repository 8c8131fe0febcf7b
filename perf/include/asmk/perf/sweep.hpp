// Sweeps: every kernel of a family (optionally filtered by parameters) over a list of shapes,
// modeled from emulator traces of representative workgroups, or measured on a GPU.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "asmk/emu/launch.hpp"
#include "asmk/perf/launch_estimate.hpp"
#include "asmk/perf/machine.hpp"
#include "asmk/perf/result_row.hpp"

namespace asmk {
struct Kernel;  // loader/src/kernel.hpp
}

namespace asmk::perf {

struct Shape {
  uint64_t m = 0, n = 0, k = 0;
};

/// A shapes file: CSV with the header "m,n,k" (k may be omitted for families without K; lines
/// starting with '#' are comments), or "family,m,n,k" (ASMK_LOG_UNTUNED's log): then only the
/// rows of `family` are read.
Expected<std::vector<Shape>> load_shapes(const std::filesystem::path& file, const std::string& family = "");

/// A kernel as the manifest describes it (the fields the sweep needs).
struct KernelEntry {
  std::string name, family, arch, code_object;  // code_object: full path
  std::map<std::string, std::string> params;    // values as text
  std::map<std::string, int64_t> requires_;     // the manifest's "requires" (k_multiple, ...)
  uint32_t workgroup_size[3] = {1, 1, 1};
  Footprint footprint;
  std::shared_ptr<const Kernel> kernel;         // the loader's entry (launch rule, requires, kernargs)
  std::string params_text() const;  // "m_tile=128 n_tile=128"
};

/// The kernels of `arch` in <repo>/<arch>/manifest.json.
Expected<std::vector<KernelEntry>> read_kernels(const std::filesystem::path& repo, const std::string& arch);

/// One launch: geometry, buffers to allocate (by kernel-argument name) and by-value arguments.
struct LaunchSpec {
  emu::Dim3 grid, block;
  std::vector<std::pair<std::string, uint64_t>> buffers;  // name, bytes
  std::vector<std::pair<std::string, uint64_t>> values;   // name, value (u32/u64 by the kernarg size)
  std::vector<std::string> null_buffers;                  // pointer arguments passed as null
  /// Buffers traced with seeded random contents instead of zeros (a data-dependent kernel traced on zeros is
  /// modeled at its best case): name, element format (random_values'). The rest of the buffers stay zeros.
  std::vector<std::pair<std::string, std::string>> random;
  uint64_t seed = 0;                                      // of the random contents
  std::string key() const;                                // identifies the launch (for trace caching)
};

/// `bytes` of N(0, 1) values rounded to nearest even in `format` (a ref::Format name: "bf16", "fp16", "e4m3fnuz",
/// "e4m3fn", ...; saturated at its largest finite value; or "f32"), little-endian codes, a trailing part of a code
/// zero. A function of (format, bytes, seed) alone, the same on every platform (splitmix64 and Box-Muller, no
/// std::normal_distribution). An unknown format is an error.
Expected<std::vector<uint8_t>> random_values(const std::string& format, uint64_t bytes, uint64_t seed);

/// A class of identical workgroups and a small launch whose first workgroup reproduces it.
struct ClassSpec {
  std::string what;
  uint64_t count = 0;
  LaunchSpec representative;
};

/// A launch that completes the op after the main kernel (e.g. the split-K reduction), run with the
/// same buffers (by name) with the kernel `kernel`.
struct SecondPass {
  std::string kernel;
  LaunchSpec launch;
  std::vector<ClassSpec> classes;
  double compulsory_bytes = 0;
};

struct Plan {
  uint32_t k_splits = 1;
  LaunchSpec launch;                 // the real launch (for measuring)
  std::vector<ClassSpec> classes;    // for the model
  double flops = 0, compulsory_bytes = 0;
  LaunchInput::Peak peak = LaunchInput::Peak::none;
  std::optional<SecondPass> second;
};

/// libasmk's repository and device for a sweep: the GEMM families' launches come from libasmk's
/// op plans (loader/src/ops, `asmk::<family>::plan`), so the sweep and the ops launch alike.
struct PlanSource;
Expected<std::shared_ptr<PlanSource>> open_plan_source(const std::filesystem::path& repo, const Machine& machine);

/// What the sweep knows about a family: which parameters are properties of the problem (fixed by
/// default filters) and the launch plans of a kernel for a shape.
struct Family {
  std::string name;
  /// The MFMA rate class of the op's math (op spec select.rate: "bf16", "fp8", "fp4"; "" for ops
  /// without one, memory-bound): the compute roof of its reports.
  std::string rate;
  std::map<std::string, std::string> default_where;  // every choice's default (the problem's dtypes, layout)
  std::map<std::string, std::string> implied;        // a choice's value for kernels without its parameter
  /// One plan per split-K factor worth modeling (k_splits = 1 first), or why the kernel cannot
  /// run the shape.
  std::function<Expected<std::vector<Plan>>(PlanSource&, const KernelEntry&, const Shape&)> plans;
};

/// The sweep family of an op the repository declares (its op spec), or why there is none (naming
/// the ops that exist).
Expected<Family> find_family(const std::filesystem::path& repo, const std::string& name);

/// Traces the first workgroup of `launch` on the emulator and returns its program.
Expected<WorkgroupProgram> trace_workgroup(const KernelEntry& kernel, const LaunchSpec& launch);

struct SweepOptions {
  std::string family;
  Machine machine;
  std::filesystem::path repo;                 // the folder holding <arch>/manifest.json
  std::vector<Shape> shapes;
  std::map<std::string, std::string> where;   // parameter filters (added to the family's defaults)
  std::function<void(size_t done, size_t total, const std::string& what)> progress;  // may be empty
};

struct SweepResult {
  std::vector<ResultRow> rows;
  std::vector<std::string> notes;  // skipped kernels/shapes and why, model notes
};

/// Models every (shape, kernel) of the family on the machine. Deterministic.
Expected<SweepResult> model_sweep(const SweepOptions& options);

/// Measures with the C ABI on a GPU backend ("hsa" or "hip"): warm-up launches, then the median of
/// `repeats` wall-clock timings of launch + synchronize. Fails with a clear error without a GPU.
struct MeasureOptions {
  unsigned warmup = 3, repeats = 20;
  std::string device;           // asmk_open device name (empty: the runtime's device)
  std::string backend = "hsa";  // "hsa" (asmk's own AQL queues) or "hip" (the HIP runtime's stream)
};
Expected<SweepResult> measured_sweep(const SweepOptions& options, const MeasureOptions& measure);

/// Marks the fastest kernel of each shape (`best`).
void mark_best(std::vector<ResultRow>& rows);

}  // namespace asmk::perf
