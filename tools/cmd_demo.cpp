// asmk demo: the README's main job. On the emulator backend, for each op the repository declares
// and each demo device (MI300X = gfx942, MI355X = gfx950), run the op's demo problems (its op
// spec's `demo` list) with random inputs through the C ABI and compare every output with the op's
// reference in ref/. An op whose family has no kernels for a device's arch is skipped there, and so
// are an op without a reference and a demo whose dtype the arch's kernels lack (the line says so).
// One line per launch; exit status 1 if any check fails.
#include <cstdlib>
#include <string_view>

#include <fmt/format.h>

#include "cli_support.hpp"
#include "commands.hpp"
#include "op_runner.hpp"

namespace asmk::cli {
namespace {

// The backend: $ASMK_BACKEND (hsa, auto, ...) when set, else the emulator.
std::string demo_backend() {
  const char* backend = std::getenv("ASMK_BACKEND");
  return backend != nullptr && *backend != '\0' ? backend : "emu";
}

// One device per arch the demo knows.
constexpr std::pair<const char*, const char*> kDevices[] = {{"gfx942", "MI300X"}, {"gfx950", "MI355X"}};

// Runs the op's demo problems on the device; false if any failed (its line says why).
bool run_op_demos(asmk_context* ctx, const asmk_device_info& dev, const std::string& op, std::uint32_t& seed) {
  asmk_op_info info{};
  check(asmk_op_get_info(ctx, op.c_str(), &info));
  if (ref::find_op_reference(op) == nullptr) {  // nothing to compare with: said, not failed
    fmt::print("{:<7} {:<20} skipped: ref/ has no reference for it (ref/src/op_references/table.cpp or "
               "$ASMK_REF_PLUGINS adds one)\n", dev.name, op);
    return true;
  }
  bool ok = true;
  for (size_t i = 0; i < info.demo_count; ++i) {
    const char* text = nullptr;
    check(asmk_op_demo_at(ctx, op.c_str(), i, &text));
    op_runner::Options options;
    options.seed = seed++;
    const auto r = op_runner::run(ctx, op, op_runner::Problem::parse(text), options);
    if (r.status == ASMK_ERROR_UNSUPPORTED_DTYPE) {  // the family exists here, the op's dtype not (MXFP4 on gfx942)
      fmt::print("{:<7} {:<20} {:<28} skipped: {}\n", dev.name, op, text, r.error.substr(0, r.error.find(';')));
      continue;
    }
    if (r.status != ASMK_SUCCESS || !r.error.empty()) {
      fmt::print("{:<7} {:<20} {:<28} FAILED {}: {}\n", dev.name, op, text,
                 r.status == ASMK_SUCCESS ? "" : asmk_status_string(r.status), r.error);
      ok = false;
      continue;
    }
    std::string failures;
    for (const auto& c : r.comparisons)
      if (!c.ok()) failures += " " + c.detail;
    fmt::print("{:<7} {:<44} {:<28} [{}]  {}{}\n", dev.name, r.selection.kernel_name, text,
               op_runner::reason_headline(r.selection.reason), r.summary(), r.ok() ? "" : "  MISMATCH" + failures);
    ok = ok && r.ok();
  }
  return ok;
}

void run_demo(const std::string& given_repo) {
  const std::string repo = repository_or_default(given_repo);
  // The emulator's strict mode (missing s_waitcnt, wait states, LDS overruns) unless told otherwise.
  ::setenv("ASMK_EMU_STRICT", "1", /*overwrite=*/0);
  const bool strict = std::string_view(std::getenv("ASMK_EMU_STRICT")) == "1";
  if (const std::string errors = op_runner::load_reference_plugins(); !errors.empty()) throw Failure(errors);
  auto listing = open_context(repo);
  std::vector<std::string> ops;
  std::string error;
  if (asmk_status s = op_runner::list_ops(listing.get(), ops, error); s != ASMK_SUCCESS)
    throw Failure(fmt::format("{}: {}", asmk_status_string(s), error));
  bool ok = true;
  std::size_t ops_run = 0;
  for (const auto& [arch, device] : kDevices) {
    std::vector<std::string> present;
    for (const auto& op : ops) {
      asmk_op_info info{};
      check(asmk_op_get_info(listing.get(), op.c_str(), &info));
      if (op_runner::has_kernels(listing.get(), info.family, arch)) present.push_back(op);
      else fmt::print("{:<7} {:<20} skipped: no {} kernels of family {} in {}\n", device, op, arch, info.family, repo);
    }
    if (present.empty()) {
      fmt::print("== {}: repository {} holds no {} kernels of its ops, skipped\n", device, repo, arch);
      continue;
    }
    auto ctx = open_context(repo, device, demo_backend());
    asmk_device_info dev{};
    check(asmk_device_get(ctx.get(), &dev));
    const char* backend = nullptr;
    check(asmk_backend_name(ctx.get(), &backend));
    fmt::print("== {} ({}, {} CUs, fp8 {}), backend {}{}: outputs compared with ref/\n", dev.name, dev.arch,
               dev.compute_units, dev.fp8_format, backend, strict ? " (strict)" : "");
    std::uint32_t seed = 1;
    for (const auto& op : present) {
      ok = run_op_demos(ctx.get(), dev, op, seed) && ok;
      ++ops_run;
    }
  }
  if (ops_run == 0) throw Failure(fmt::format("repository {} holds no kernels of its ops for gfx942 or gfx950", repo));
  if (!ok) throw Failure("some demo launches failed or differ from the reference (see above)");
  fmt::print("all demo launches match the reference\n");
}

}  // namespace

void add_demo_command(CLI::App& app) {
  auto repo = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand(
      "demo", "Run every op's demo problems on the emulator for MI300X and MI355X and check them against the reference");
  cmd->add_option("--repo", *repo, "Repository folder");
  cmd->callback([repo] { run_demo(*repo); });
}

}  // namespace asmk::cli
