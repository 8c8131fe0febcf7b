// asmk perf FAMILY [--machine M] [--shapes PRESET|FILE] [--backend model|hsa|hip] [-o DIR]: a sweep of
// every kernel of the family over the shapes; writes <DIR>/<family>-<machine>.csv and .html.
// Every number printed or written is labelled "modeled" (machine model) or "measured" (GPU).
#include <cstdio>
#include <fstream>
#include <optional>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "asmk/perf/csv_report.hpp"
#include "asmk/perf/html_report.hpp"
#include "asmk/perf/sweep.hpp"
#include "asmk/perf/sweep_setup.hpp"
#include "cli_support.hpp"
#include "sweep_backend.hpp"
#include "commands.hpp"
#include "op_runner.hpp"

namespace asmk::cli {
namespace {

struct PerfOptions {
  std::string family, machine = "MI300X", shapes, backend = "model", out = "perf-out", repo;
  std::vector<std::string> where, references;
  std::string previous, tuned_out;
  unsigned warmup = 3, repeats = 20;
  bool quiet = false, json = false;
};

template <class T>
T value_or_fail(perf::Expected<T> e) {
  if (!e) throw Failure(e.error());
  return std::move(*e);
}

std::map<std::string, std::string> parse_where(const std::vector<std::string>& items) {
  std::map<std::string, std::string> where;
  for (const auto& item : items) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) throw Failure("--where expects NAME=VALUE, got \"" + item + "\"");
    where[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return where;
}

// --json: every row of the CSV (the same columns, and whether the selector picks it), the notes and
// the files written.
void print_json(const perf::SweepResult& result, const std::string& label, const std::string& machine,
                const std::string& family, const std::filesystem::path& csv, const std::filesystem::path& html) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& r : result.rows)
    rows.push_back({{"family", r.family}, {"machine", r.machine}, {"label", r.label}, {"m", r.m}, {"n", r.n},
                    {"k", r.k}, {"kernel", r.kernel}, {"variant", r.variant}, {"best", r.best}, {"selected", r.selected},
                    {"k_splits", r.k_splits}, {"time_us", r.time_us}, {"tflops", r.tflops}, {"tbps", r.tbps},
                    {"roofline_fraction", r.roofline_fraction}, {"limiter", r.limiter}, {"workgroups", r.workgroups},
                    {"waves_per_simd", r.waves_per_simd}, {"workgroups_per_cu", r.workgroups_per_cu},
                    {"flops", r.flops}, {"bytes", r.bytes}});
  const nlohmann::json out = {{"label", label}, {"family", family}, {"machine", machine}, {"rows", rows},
                              {"notes", result.notes}, {"csv", csv.string()}, {"html", html.string()}};
  fmt::print("{}\n", out.dump(2));
}

// Marks the row of each shape that libasmk's selector picks (kernel and k_splits) for the op of the
// family with the sweep's problem parameters (the family's fixed ones and --where); returns a note
// when the selector cannot be asked (an op without m, n, k) or refuses a shape.
std::vector<std::string> mark_selected(const PerfOptions& o, const std::string& repo, const std::string& machine,
                                       const std::map<std::string, std::string>& where, std::vector<perf::ResultRow>& rows) {
  auto ctx = open_context(repo, machine);
  op_runner::OpView op;
  std::string error;
  if (op_runner::describe_op(ctx.get(), o.family, op, error) != ASMK_SUCCESS || op.arg("k") == nullptr) return {};
  std::vector<std::string> notes;
  std::map<std::tuple<uint64_t, uint64_t, uint64_t>, std::pair<std::string, uint32_t>> picks;
  for (const auto& r : rows) {
    const auto shape = std::make_tuple(r.m, r.n, r.k);
    if (picks.contains(shape)) continue;
    op_runner::Problem problem;
    problem.set("m", std::to_string(r.m)), problem.set("n", std::to_string(r.n)), problem.set("k", std::to_string(r.k));
    for (const auto& [name, value] : where)
      if (const asmk_op_arg_info* a = op.arg(name); a != nullptr && a->kind == ASMK_OP_ARG_CHOICE) problem.set(name, value);
    op_runner::Call call;
    asmk_selection sel{};
    sel.struct_size = sizeof(sel);
    if (op_runner::select(ctx.get(), op, problem, {}, call, sel, error) != ASMK_SUCCESS) {
      notes.push_back(fmt::format("the selector refuses M={} N={} K={}: {}", r.m, r.n, r.k, error));
      picks[shape] = {};
      continue;
    }
    picks[shape] = {sel.kernel_name, sel.k_splits};
  }
  for (auto& r : rows) {
    const auto& pick = picks[std::make_tuple(r.m, r.n, r.k)];
    r.selected = pick.first == r.kernel && pick.second == r.k_splits;
  }
  return notes;
}

std::vector<perf::CsvRecord> read_records(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Failure("cannot read " + path);
  return value_or_fail(perf::read_csv(in, path));
}

// --reference files (family,machine,m,n,k,name,label,time_us,source): the rows of this family and machine.
std::vector<perf::ReportInfo::Reference> references_of(const PerfOptions& o, const std::string& machine) {
  std::vector<perf::ReportInfo::Reference> out;
  for (const auto& path : o.references)
    for (const auto& r : read_records(path)) {
      try {
        if (r.at("family") != o.family || r.at("machine") != machine) continue;
        out.push_back({std::stoull(r.at("m")), std::stoull(r.at("n")), std::stoull(r.at("k")), r.at("name"),
                       r.at("label"), r.at("source"), std::stod(r.at("time_us"))});
      } catch (const std::exception&) {
        throw Failure(fmt::format("--reference {}: expected the columns family, machine, m, n, k, name, label, "
                                  "time_us, source with numbers where numbers belong", path));
      }
    }
  return out;
}

// The model's calibrated error on the family and machine (perf/machines/model_error.csv, written by
// perf/calibration/calibrate.py --band), if any.
std::optional<perf::ReportInfo::ErrorBand> error_band_of(const std::string& family, const std::string& machine) {
  const auto path = perf::machines_dir() / "model_error.csv";
  std::ifstream in(path);
  if (!in) return std::nullopt;
  auto records = perf::read_csv(in, path.string());
  if (!records) return std::nullopt;
  for (const auto& r : *records)
    if (r.count("family") && r.at("family") == family && r.count("machine") && r.at("machine") == machine) try {
        return perf::ReportInfo::ErrorBand{std::stod(r.at("p10")), std::stod(r.at("median")), std::stod(r.at("p90")),
                                           std::stoul(r.at("rows")), "perf/machines/model_error.csv, " + r.at("source")};
      } catch (const std::exception&) {
        return std::nullopt;
      }
  return std::nullopt;
}

// The command that reproduces the outputs, as the report prints it: the preset by its name (the
// default one too: the family's, or the one its kind shares), a shapes file by the path given.
std::string reproducing_command(const PerfOptions& o, const std::string& machine, const std::filesystem::path& shapes_file) {
  const bool preset = o.shapes.empty() || shapes_file.filename() == o.shapes + ".csv";
  std::string command = fmt::format("asmk perf {} --machine {} --shapes {} --backend {}", o.family, machine,
                                    preset ? shapes_file.stem().string() : o.shapes, o.backend);
  for (const auto& w : o.where) command += " --where " + w;
  for (const auto& r : o.references) command += " --reference " + r;
  if (!o.previous.empty()) command += " --previous " + o.previous;
  if (!o.repo.empty()) command += " --repo " + o.repo;
  return command;
}

void run_perf(const PerfOptions& o) {
  check_sweep_backend(o.backend);  // before the sweep's inputs are read
  perf::SweepOptions s;
  s.family = o.family;
  s.repo = repository_or_default(o.repo);
  if (const auto family = perf::find_family(s.repo, o.family); !family) throw Failure("asmk perf: " + family.error());
  s.machine = value_or_fail(perf::find_machine(perf::machines_dir(), o.machine));
  std::filesystem::path shapes_file;
  s.shapes = value_or_fail(perf::resolve_shapes(o.shapes, o.family, &shapes_file));
  s.where = parse_where(o.where);
  // The files the report compares with, read before the sweep so that a bad one fails at once.
  auto references = references_of(o, s.machine.name);
  std::vector<perf::ResultRow> previous;
  if (!o.previous.empty()) previous = value_or_fail(perf::rows_of_csv(read_records(o.previous), o.previous));
  const bool tty = isatty(fileno(stderr));
  if (!o.quiet)
    s.progress = [tty](size_t done, size_t total, const std::string& what) {
      const std::string line = perf::progress_line(done, total, what);
      if (tty)
        fmt::print(stderr, "\r{:<120.120}", line);
      else if (done == total || done % 10 == 0)
        fmt::print(stderr, "{}\n", line);
      if (tty && done == total) fmt::print(stderr, "\n");
    };

  const std::string label = o.backend == "model" ? "modeled" : "measured";
  perf::SweepResult result = sweep_on_backend(s, o.backend, {o.warmup, o.repeats, o.machine});

  // --tuned-out: what `asmk tune` writes, from this sweep (before the selector is asked for its picks,
  // so that a table the selector reads gives the picks the report shows).
  if (!o.tuned_out.empty()) {
    if (label != "modeled") throw Failure("--tuned-out takes modeled times (--backend model)");
    auto written = perf::write_tuned_table(o.tuned_out, o.family, result.rows);
    if (!written) throw Failure(written.error());
    if (!o.json) fmt::print("merged {} rows for {} into {}\n", *written, o.family, o.tuned_out);
  }
  auto where = value_or_fail(perf::find_family(s.repo, o.family)).default_where;
  for (const auto& [name, value] : s.where) where[name] = value;
  for (auto& note : mark_selected(o, s.repo.string(), s.machine.name, where, result.rows)) result.notes.push_back(std::move(note));

  std::filesystem::create_directories(o.out);
  const std::string stem = fmt::format("{}-{}", o.family, s.machine.name);
  const auto csv_path = std::filesystem::path(o.out) / (stem + ".csv");
  const auto html_path = std::filesystem::path(o.out) / (stem + ".html");
  {
    std::ofstream csv(csv_path);
    perf::write_csv(csv, result.rows);
    if (!csv) throw Failure("cannot write " + csv_path.string());
  }
  perf::ReportInfo info;
  info.family = o.family;
  info.machine = s.machine.name;
  info.label = label;
  info.machine_summary = fmt::format(
      "{} ({}): {} CUs at {} GHz, dense BF16 {} TFLOP/s, FP8 {} TFLOP/s, HBM {} TB/s (machine model perf/machines/{}.json)",
      s.machine.name, s.machine.arch, s.machine.compute_units, s.machine.clock_ghz, s.machine.peak_tflops_bf16,
      s.machine.peak_tflops_fp8, s.machine.hbm_tbps, s.machine.name);
  info.command = reproducing_command(o, s.machine.name, shapes_file);
  // The compute roof of the family's math (memory-bound ops have none).
  const std::string rate = value_or_fail(perf::find_family(s.repo, o.family)).rate;
  info.peak_tflops = rate == "bf16" ? s.machine.peak_tflops_bf16
                     : rate == "fp8" ? s.machine.peak_tflops_fp8
                     : rate == "fp4" ? s.machine.peak_tflops_fp4
                                     : 0;
  info.hbm_tbps = s.machine.hbm_tbps;
  info.notes = result.notes;
  info.references = std::move(references);
  if (label == "modeled") info.error_band = error_band_of(o.family, s.machine.name);
  info.previous = std::move(previous);
  info.previous_source = o.previous;
  {
    std::ofstream html(html_path);
    html << perf::html_report(info, result.rows);
    if (!html) throw Failure("cannot write " + html_path.string());
  }

  if (o.json) {
    print_json(result, label, s.machine.name, o.family, csv_path, html_path);
    return;
  }
  fmt::print("{} {} on {} ({}), shapes from {}\n", label, o.family, s.machine.name, s.machine.arch,
             shapes_file.string());
  fmt::print("{:>7} {:>7} {:>7}  {:<44} {:>12} {:>10} {:>9}  {}\n", "M", "N", "K", "fastest kernel",
             "time us", "TFLOP/s", "TB/s", "limiter");
  for (const auto& r : result.rows)
    if (r.best)
      fmt::print("{:>7} {:>7} {:>7}  {:<44} {:>12.2f} {:>10.1f} {:>9.3f}  {}\n", r.m, r.n, r.k, r.kernel, r.time_us,
                 r.tflops, r.tbps, r.limiter.empty() ? "-" : r.limiter);
  fmt::print("(all times {}{})\n", label, label == "modeled" ? " by the machine model, see perf/MODEL.md" : "");
  for (const auto& note : result.notes) fmt::print("note: {}\n", note);
  fmt::print("wrote {} and {}\n", csv_path.string(), html_path.string());
}

}  // namespace

void add_perf_command(CLI::App& app) {
  auto o = std::make_shared<PerfOptions>();
  auto* cmd = app.add_subcommand("perf", "Sweep a kernel family over shapes: modeled (machine model) or measured (GPU)");
  cmd->add_option("family", o->family, "Kernel family (gemm_bf16, gemm_a8w8, quant_fp8)")->required();
  cmd->add_option("--machine", o->machine, "Machine model (perf/machines/*.json): MI300X, MI325X, MI308X, MI350X, MI355X")
      ->capture_default_str();
  cmd->add_option("--shapes", o->shapes, "Preset name (perf/presets/<name>.csv) or a CSV file with header m,n,k "
                                         "(default: the family's preset)");
  cmd->add_option("--backend", o->backend, "model (modeled times), hsa or hip (measured on a GPU)")->capture_default_str();
  cmd->add_option("-o,--out", o->out, "Output folder for <family>-<machine>.csv and .html")->capture_default_str();
  cmd->add_option("--repo", o->repo, "Repository folder (holding <arch>/manifest.json)");
  cmd->add_option("--where", o->where, "NAME=VALUE kernel-parameter filter (repeatable; overrides the family's "
                                       "defaults, e.g. out_dtype=f32)");
  cmd->add_option("--reference", o->references, "CSV of other kernels' times to show beside ours (columns family, "
                                               "machine, m, n, k, name, label, time_us, source; repeatable)");
  cmd->add_option("--previous", o->previous, "A previous run's CSV: the report compares the fastest kernel per shape");
  cmd->add_option("--tuned-out", o->tuned_out, "Also merge the fastest kernel per shape into this tuned table "
                                             "(what asmk tune writes, from the same sweep)");
  cmd->add_option("--warmup", o->warmup, "hsa: warm-up launches per kernel and shape")->capture_default_str();
  cmd->add_option("--repeats", o->repeats, "hsa: timed launches (the median is reported)")->capture_default_str();
  cmd->add_flag("-q,--quiet", o->quiet, "No progress bar");
  cmd->add_flag("--json", o->json, "Print every row (the CSV's columns), the notes and the files written as JSON");
  cmd->callback([o] { run_perf(*o); });
}

}  // namespace asmk::cli
