// asmk demo: the README's main job. For each arch the repository holds, run quant_fp8 for a few
// shapes and print the choices. Today the backend is "record" (launches are recorded, not run);
// when the emulator backend lands, set kBackend to "emu" and fill in check_result() with the
// reference comparison — the rest stays as it is.
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "cli_support.hpp"
#include "commands.hpp"

namespace asmk::cli {
namespace {

constexpr const char* kBackend = "record";

struct DemoCase {
  std::uint32_t m, n;
  asmk_dtype dtype;
  asmk_quant_granularity granularity;
};

constexpr DemoCase kCases[] = {
    {1, 128, ASMK_DTYPE_BF16, ASMK_QUANT_ROW},
    {17, 7168, ASMK_DTYPE_BF16, ASMK_QUANT_GROUP},
    {5, 4096, ASMK_DTYPE_FP16, ASMK_QUANT_GROUP},
    {300, 2048, ASMK_DTYPE_BF16, ASMK_QUANT_ROW},
};

// One device per arch the demo knows.
constexpr std::pair<const char*, const char*> kDevices[] = {{"gfx942", "MI300X"}, {"gfx950", "MI355X"}};

// Device buffers of one case, freed with the context.
struct Buffers {
  void* x = nullptr;
  void* y = nullptr;
  void* scale = nullptr;
  std::size_t x_bytes = 0, y_bytes = 0, scale_bytes = 0;
};

// Inputs: a deterministic ramp with a sign pattern, so each row has a different amax.
Buffers prepare(asmk_context* ctx, const DemoCase& c) {
  Buffers b;
  b.x_bytes = std::size_t(c.m) * c.n * 2;
  b.y_bytes = std::size_t(c.m) * c.n;
  b.scale_bytes = std::size_t(c.m) * (c.granularity == ASMK_QUANT_ROW ? 1 : c.n / 128) * sizeof(float);
  check(asmk_malloc(ctx, b.x_bytes, &b.x));
  check(asmk_malloc(ctx, b.y_bytes, &b.y));
  check(asmk_malloc(ctx, b.scale_bytes, &b.scale));
  std::vector<std::uint16_t> host(std::size_t(c.m) * c.n);
  for (std::size_t i = 0; i < host.size(); ++i) {
    // bf16 / fp16 bit patterns of small values: sign from i, magnitude from (i % 61)
    const std::uint16_t magnitude = c.dtype == ASMK_DTYPE_BF16 ? std::uint16_t(0x3c00 + (i % 61) * 4)
                                                               : std::uint16_t(0x2000 + (i % 61) * 32);
    host[i] = static_cast<std::uint16_t>(magnitude | ((i % 3 == 0) ? 0x8000 : 0));
  }
  check(asmk_memcpy(ctx, b.x, host.data(), b.x_bytes, ASMK_COPY_HOST_TO_DEVICE));
  return b;
}

// What the run proved. On the record backend a launch is only recorded; with the emulator
// this compares y and scale against the reference quant_fp8 (ref/).
std::string check_result(asmk_context*, const DemoCase&, const Buffers&) {
  return "recorded (the record backend does not execute kernels)";
}

// Returns false when a case failed (the message is printed).
bool run_device(const std::string& repo, const char* device) {
  auto ctx = open_context(repo, device, kBackend);
  asmk_device_info dev{};
  check(asmk_device_get(ctx.get(), &dev));
  fmt::print("== {} ({}, {} CUs), backend {}\n", dev.name, dev.arch, dev.compute_units, kBackend);
  bool ok = true;
  for (const auto& c : kCases) {
    const auto label = fmt::format("m={} n={} {} {}", c.m, c.n, asmk_dtype_name(c.dtype),
                                   c.granularity == ASMK_QUANT_ROW ? "row" : "group");
    const Buffers b = prepare(ctx.get(), c);
    asmk_quant_fp8_args args{};
    args.m = c.m;
    args.n = c.n;
    args.in_dtype = c.dtype;
    args.granularity = c.granularity;
    args.x = b.x;
    args.y = b.y;
    args.scale = static_cast<float*>(b.scale);
    args.x_bytes = b.x_bytes;
    args.y_bytes = b.y_bytes;
    args.scale_bytes = b.scale_bytes;
    asmk_selection sel{};
    const asmk_status status = asmk_quant_fp8(ctx.get(), &args, nullptr, &sel);
    if (status != ASMK_SUCCESS) {
      fmt::print("  quant_fp8 {:<26} FAILED {}: {}\n", label, asmk_status_string(status), asmk_last_error());
      ok = false;
      continue;
    }
    fmt::print("  quant_fp8 {:<26} -> {} grid ({}, {}, {}): {}\n", label, sel.kernel_name, sel.grid.x, sel.grid.y,
               sel.grid.z, check_result(ctx.get(), c, b));
    fmt::print("    why: {}\n", sel.reason);
  }
  return ok;
}

void run_demo(const std::string& given_repo) {
  const std::string repo = repository_or_default(given_repo);
  auto listing = open_context(repo);
  size_t arch_count = 0;
  check(asmk_arch_count(listing.get(), &arch_count));
  bool ok = true;
  size_t devices_run = 0;
  for (const auto& [arch, device] : kDevices) {
    bool held = false;
    for (size_t i = 0; i < arch_count; ++i) {
      const char* a = nullptr;
      check(asmk_arch_at(listing.get(), i, &a));
      held = held || std::strcmp(a, arch) == 0;
    }
    if (!held) {
      fmt::print("== {}: repository {} holds no {} kernels, skipped\n", device, repo, arch);
      continue;
    }
    ok = run_device(repo, device) && ok;
    ++devices_run;
  }
  if (devices_run == 0) throw Failure(fmt::format("repository {} holds neither gfx942 nor gfx950 kernels", repo));
  if (!ok) throw Failure("some demo cases failed (see above)");
}

}  // namespace

void add_demo_command(CLI::App& app) {
  auto repo = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("demo", "Run quant_fp8 for a few shapes on each arch and show the choices");
  cmd->add_option("--repo", *repo, "Repository folder");
  cmd->callback([repo] { run_demo(*repo); });
}

}  // namespace asmk::cli
