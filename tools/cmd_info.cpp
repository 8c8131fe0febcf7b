// asmk info --device [--backend NAME]: the backend asmk_open picks (ASMK_BACKEND; "auto" tries the
// HIP, then the HSA runtime, and the note says why it fell back) and what it found: GPUs, ISAs, CU
// counts, memory pools, the device in use.
// asmk info NAME|FILE.co [--disasm]: a kernel's parameters, resources and kernel-argument layout
// as its manifest entry holds them (a .co path is looked up in the repository containing it),
// then what the code object itself says — descriptor, metadata, disassembly — when this build
// has the emulator's code-object reader. A .co outside any repository gets the latter only.
#include <filesystem>
#include <vector>

#include <fmt/format.h>

#include "cli_json.hpp"
#include "cli_support.hpp"
#include "code_object_view.hpp"
#include "commands.hpp"

namespace asmk::cli {
namespace {

namespace fs = std::filesystem;

struct InfoOptions {
  std::string repo, what, backend;
  bool disassemble = false, emu_coverage = false, device = false, json = false;
};

void print_device(const InfoOptions& o) {
  asmk_open_options options;
  asmk_open_options_init(&options);
  options.backend = o.backend.empty() ? nullptr : o.backend.c_str();  // NULL: ASMK_BACKEND, else emu
  asmk_context* raw = nullptr;
  check(asmk_open(repository_or_default(o.repo).c_str(), &options, &raw));
  Context ctx(raw);
  const char* backend = nullptr;
  const char* text = nullptr;
  check(asmk_backend_name(ctx.get(), &backend));
  check(asmk_backend_describe(ctx.get(), &text));
  fmt::print("backend     {}\n", backend);
  const char* note = nullptr;
  if (asmk_backend_note(ctx.get(), &note) == ASMK_SUCCESS && *note != '\0') fmt::print("note        {}\n", note);
  fmt::print("{}", text);
  asmk_device_info dev{};
  if (asmk_device_get(ctx.get(), &dev) == ASMK_SUCCESS)
    fmt::print("device      {} ({}, {} CUs, fp8 {})\n", dev.name, dev.arch, dev.compute_units, dev.fp8_format);
  else
    fmt::print("device      none: this backend has a device only when one is named at asmk_open\n");
}

// A code object lives at <repo>/<arch>/<family>/<file>.co.
std::string repository_of_code_object(const fs::path& file) {
  return fs::absolute(file).lexically_normal().parent_path().parent_path().parent_path().string();
}

// The repository's kernels whose code object is `file` (several kernels may share one).
std::vector<const asmk_kernel*> kernels_of_code_object(asmk_context* ctx, const fs::path& file, const std::string& repo) {
  std::error_code ec;
  if (!fs::exists(file, ec)) throw Failure(fmt::format("no such file: {}", file.string()));
  size_t count = 0;
  check(asmk_kernel_count(ctx, &count));
  std::vector<const asmk_kernel*> found;
  for (size_t i = 0; i < count; ++i) {
    const asmk_kernel* k = nullptr;
    check(asmk_kernel_at(ctx, i, &k));
    asmk_kernel_info info{};
    check(asmk_kernel_get_info(k, &info));
    if (fs::equivalent(file, info.code_object, ec)) found.push_back(k);
  }
  if (found.empty())
    throw Failure(fmt::format("{} is not a code object of repository {}; describing a code object outside a "
                              "repository needs the emulator's code-object reader (not in this build)",
                              file.string(), repo));
  return found;
}

// A code object several kernels share: their names, then the file's own view.
void print_shared_code_object(const std::string& file, const std::vector<const asmk_kernel*>& kernels, bool disassemble) {
  fmt::print("code object {}\nkernels     {} of the repository share it (`asmk info NAME` describes one):\n", file,
             kernels.size());
  for (const asmk_kernel* k : kernels) {
    asmk_kernel_info info{};
    check(asmk_kernel_get_info(k, &info));
    fmt::print("  {}\n", info.name);
  }
  if (!code_object_reader_available()) return;
  fmt::print("\n");
  print_code_object(file, "", disassemble);
}

void print_kernel(const KernelView& k) {
  const auto& i = k.info;
  const auto& r = i.resources;
  fmt::print("kernel      {}\n", i.name);
  fmt::print("family      {}\narch        {}\nsymbol      {}\n", i.family, i.arch, i.symbol);
  fmt::print("code object {}\nsha256      {}\n", i.code_object, *i.sha256 ? i.sha256 : "(not recorded)");
  fmt::print("workgroup   {} x {} x {}\n", i.workgroup_size[0], i.workgroup_size[1], i.workgroup_size[2]);
  fmt::print("parameters\n");
  for (const auto& p : k.params) fmt::print("  {:<24} {}\n", p.name, param_value_text(p));
  fmt::print("resources\n");
  fmt::print("  vgpr {}  agpr {}  accum_offset {}  sgpr {}\n", r.vgpr, r.agpr, r.accum_offset, r.sgpr);
  fmt::print("  lds {} B  scratch {} B  kernarg {} B  wavefront {}\n", r.lds_bytes, r.scratch_bytes, r.kernarg_bytes,
             r.wavefront_size);
  fmt::print("kernel arguments\n{}", kernarg_table(k));
}

// The code object's own view after the manifest's. Only an explicit --disasm makes an unreadable
// file an error; otherwise (e.g. a placeholder or missing .co) it is a note.
void print_code_object_after_manifest(const KernelView& k, bool disassemble) {
  if (!code_object_reader_available()) {
    if (disassemble) throw Failure("--disasm needs the emulator's code-object reader, which this build lacks");
    return;
  }
  fmt::print("\n");
  try {
    print_code_object(k.info.code_object, k.info.symbol, disassemble);
  } catch (const Failure& e) {
    if (disassemble) throw;
    fmt::print("code object  not readable: {}\n", e.what());
  }
}

void run_info(const InfoOptions& o) {
  if (o.device) {
    if (o.json) throw Failure("--json describes a kernel; asmk info --device prints text only");
    print_device(o);
    return;
  }
  if (o.what.empty()) throw Failure("asmk info: give a kernel name or .co path, or --device");
  const bool is_file = o.what.ends_with(".co");
  if (o.emu_coverage) {
    if (!is_file) throw Failure("--emu-coverage reads a code object: give the path of a .co file");
    print_emu_coverage(o.what);
    return;
  }
  const std::string repo = !o.repo.empty() || !is_file ? repository_or_default(o.repo) : repository_of_code_object(o.what);
  const asmk_kernel* kernel = nullptr;
  Context ctx;
  try {
    ctx = open_context(repo);
    if (is_file) {
      const auto sharing = kernels_of_code_object(ctx.get(), o.what, repo);
      if (sharing.size() > 1) return print_shared_code_object(o.what, sharing, o.disassemble);
      kernel = sharing.front();
    } else {
      check(asmk_find_kernel(ctx.get(), o.what.c_str(), &kernel));
    }
  } catch (const Failure&) {
    // A .co outside a repository can still be read by itself.
    if (!is_file || !code_object_reader_available() || o.json) throw;
    print_code_object(o.what, "", o.disassemble);
    return;
  }
  const KernelView view = describe(kernel);
  if (o.json) {
    fmt::print("{}\n", kernel_json(view).dump(2));
    return;
  }
  print_kernel(view);
  print_code_object_after_manifest(view, o.disassemble);
}

}  // namespace

void add_info_command(CLI::App& app) {
  auto options = std::make_shared<InfoOptions>();
  auto* cmd = app.add_subcommand("info", "Describe one kernel: parameters, resources, kernel arguments");
  cmd->add_option("kernel", options->what, "Kernel name, or path of its .co file");
  cmd->add_flag("--device", options->device,
                "Show the backend asmk_open picks (ASMK_BACKEND, or --backend) and the devices it found");
  cmd->add_option("--backend", options->backend, "With --device: emu, hip, hsa or auto (default: $ASMK_BACKEND, else emu)");
  cmd->add_option("--repo", options->repo, "Repository folder (default for a .co: the one containing it)");
  cmd->add_flag("--disasm", options->disassemble, "Also disassemble the code object");
  cmd->add_flag("--emu-coverage", options->emu_coverage,
                "List the instructions of FILE.co that the emulator cannot run (any code object)");
  cmd->add_flag("--json", options->json, "Print the kernel's manifest entry as JSON (a kernel of a repository)");
  cmd->callback([options] { run_info(*options); });
}

}  // namespace asmk::cli
