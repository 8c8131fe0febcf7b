// asmk list [--repo DIR] [--arch A] [--family F]: one line per kernel.
#include <fmt/format.h>

#include "cli_json.hpp"
#include "cli_support.hpp"
#include "commands.hpp"

namespace asmk::cli {
namespace {

struct ListOptions {
  std::string repo, arch, family;
  bool json = false;
};

void run_list(const ListOptions& o) {
  auto ctx = open_context(repository_or_default(o.repo));
  size_t count = 0;
  check(asmk_kernel_count(ctx.get(), &count));
  size_t shown = 0;
  nlohmann::ordered_json kernels = nlohmann::ordered_json::array();
  for (size_t i = 0; i < count; ++i) {
    const asmk_kernel* kernel = nullptr;
    check(asmk_kernel_at(ctx.get(), i, &kernel));
    const KernelView k = describe(kernel);
    if (!o.arch.empty() && o.arch != k.info.arch) continue;
    if (!o.family.empty() && o.family != k.info.family) continue;
    if (o.json) {
      kernels.push_back(kernel_json(k));
      ++shown;
      continue;
    }
    if (shown++ == 0)
      fmt::print("{:<44} {:<7} {:<12} {:>4} {:>4} {:>6}  {}\n", "kernel", "arch", "family", "vgpr", "sgpr", "lds",
                 "parameters");
    fmt::print("{:<44} {:<7} {:<12} {:>4} {:>4} {:>6}  {}\n", k.info.name, k.info.arch, k.info.family,
               k.info.resources.vgpr, k.info.resources.sgpr, k.info.resources.lds_bytes, params_text(k));
  }
  if (shown == 0 && (!o.arch.empty() || !o.family.empty()))
    throw Failure(fmt::format("no kernel with{}{} in {} ({} kernels)",
                              o.arch.empty() ? "" : " arch " + o.arch, o.family.empty() ? "" : " family " + o.family,
                              repository_or_default(o.repo), count));
  if (o.json)
    fmt::print("{}\n", kernels.dump(2));
  else
    fmt::print("{} kernel{}\n", shown, shown == 1 ? "" : "s");
}

}  // namespace

void add_list_command(CLI::App& app) {
  auto options = std::make_shared<ListOptions>();
  auto* cmd = app.add_subcommand("list", "List the repository's kernels");
  cmd->add_option("--repo", options->repo, "Repository folder (holding <arch>/manifest.json)");
  cmd->add_option("--arch", options->arch, "Only this arch (gfx942, gfx950)");
  cmd->add_option("--family", options->family, "Only this kernel family (e.g. quant_fp8)");
  cmd->add_flag("--json", options->json, "Print the kernels as a JSON array (manifest facts, typed parameters)");
  cmd->callback([options] { run_list(*options); });
}

}  // namespace asmk::cli
