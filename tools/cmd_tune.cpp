// asmk tune FAMILY --machine M [--shapes PRESET|FILE] [--backend model|hsa|hip] [-o FILE]: models
// (or, on a GPU backend, measures) every kernel of the family on every shape and merges the fastest
// per shape into perf/tuned/<arch>-<cus>.csv (header family,m,n,k,kernel,k_splits; docs/contracts.md),
// which the selectors read first.
#include <cstdio>
#include <unistd.h>

#include <fmt/format.h>

#include "asmk/perf/sweep.hpp"
#include "asmk/perf/sweep_setup.hpp"
#include "cli_support.hpp"
#include "sweep_backend.hpp"
#include "commands.hpp"

namespace asmk::cli {
namespace {

struct TuneOptions {
  std::string family, machine, shapes, out, repo, backend = "model";
  std::vector<std::string> where;
  unsigned warmup = 3, repeats = 20;
  bool quiet = false;
};

void run_tune(const TuneOptions& o) {
  check_sweep_backend(o.backend);  // before the sweep's inputs are read
  perf::SweepOptions s;
  s.family = o.family;
  if (const auto family = perf::find_family(repository_or_default(o.repo), o.family); !family)
    throw Failure("asmk tune: " + family.error());
  auto machine = perf::find_machine(perf::machines_dir(), o.machine);
  if (!machine) throw Failure(machine.error());
  s.machine = *machine;
  s.repo = repository_or_default(o.repo);
  std::filesystem::path shapes_file;
  auto shapes = perf::resolve_shapes(o.shapes, o.family, &shapes_file);
  if (!shapes) throw Failure(shapes.error());
  s.shapes = *shapes;
  for (const auto& item : o.where) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) throw Failure("--where expects NAME=VALUE, got \"" + item + "\"");
    s.where[item.substr(0, eq)] = item.substr(eq + 1);
  }
  const bool tty = isatty(fileno(stderr));
  if (!o.quiet)
    s.progress = [tty](size_t done, size_t total, const std::string& what) {
      if (tty) fmt::print(stderr, "\r{:<120.120}{}", perf::progress_line(done, total, what), done == total ? "\n" : "");
    };
  // The same sweep `asmk perf` runs: modeled, or measured through libasmk on the GPU backend.
  const bool measured = o.backend != "model";
  const perf::SweepResult result = sweep_on_backend(s, o.backend, {o.warmup, o.repeats, o.machine});
  const std::string label = measured ? "measured on " + o.backend : "modeled";

  const std::filesystem::path file =
      o.out.empty() ? perf::source_dir() / "tuned" / perf::tuned_table_name(s.machine) : std::filesystem::path(o.out);
  auto written = perf::write_tuned_table(file, o.family, result.rows);
  if (!written) throw Failure(written.error());
  for (const auto& r : result.rows)
    if (r.best)
      fmt::print("{} M={} N={} K={}: {}{} ({:.2f} us {}{}{})\n", o.family, r.m, r.n, r.k, r.kernel,
                 r.k_splits > 1 ? fmt::format(" k_splits={}", r.k_splits) : "", r.time_us, label,
                 r.limiter.empty() ? "" : ", ", r.limiter);
  // A measured row names the device the backend ran on.
  const std::string device = result.rows.empty() ? s.machine.name : result.rows.front().machine;
  fmt::print("merged {} rows for {} into {} (choices by {} time on {})\n", *written, o.family, file.string(),
             measured ? "measured" : "modeled", device);
  // The selectors read <repository>/tuned/; the kernels build copies perf/tuned/ there.
  const auto read_from = s.repo / "tuned" / perf::tuned_table_name(s.machine);
  if (std::filesystem::weakly_canonical(file) != std::filesystem::weakly_canonical(read_from))
    fmt::print("the selector reads {}: rebuild the kernels (cmake --build build --target kernels) or copy the table "
               "there\n", read_from.string());
}

}  // namespace

void add_tune_command(CLI::App& app) {
  auto o = std::make_shared<TuneOptions>();
  auto* cmd = app.add_subcommand("tune", "Write the tuned table (fastest modeled or measured kernel per shape) for a "
                                         "machine");
  cmd->add_option("family", o->family, "Kernel family")->required();
  cmd->add_option("--machine", o->machine, "Machine model (perf/machines/*.json)")->required();
  cmd->add_option("--shapes", o->shapes, "Preset name or CSV file (default: the family's preset)");
  cmd->add_option("-o,--out", o->out, "Tuned table to write (default: perf/tuned/<arch>-<cus>.csv in the source tree)");
  cmd->add_option("--repo", o->repo, "Repository folder (holding <arch>/manifest.json)");
  cmd->add_option("--where", o->where, "NAME=VALUE kernel-parameter filter (repeatable)");
  cmd->add_option("--backend", o->backend, "model (choose by modeled time), hsa or hip (choose by time measured on "
                                           "a GPU through that backend)")->capture_default_str();
  cmd->add_option("--warmup", o->warmup, "hsa/hip: warm-up launches per kernel and shape")->capture_default_str();
  cmd->add_option("--repeats", o->repeats, "hsa/hip: timed launches (the median decides)")->capture_default_str();
  cmd->add_flag("-q,--quiet", o->quiet, "No progress bar");
  cmd->callback([o] { run_tune(*o); });
}

}  // namespace asmk::cli
