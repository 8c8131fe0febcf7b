// asmk op quant_fp8 --m M --n N --dtype bf16 [--granularity row|group] [--device D] --explain:
// what libasmk would launch for the problem, and why.
#include <functional>
#include <map>

#include <fmt/format.h>

#include "cli_support.hpp"
#include "commands.hpp"

namespace asmk::cli {
namespace {

struct OpOptions {
  std::string family, repo, device = "MI300X", dtype = "bf16", granularity = "row";
  std::uint32_t m = 0, n = 0, stride_x = 0, stride_y = 0;
  bool explain = false;
};

asmk_dtype dtype_of(const std::string& name) {
  for (asmk_dtype d : {ASMK_DTYPE_BF16, ASMK_DTYPE_FP16, ASMK_DTYPE_FP32, ASMK_DTYPE_FP8})
    if (name == asmk_dtype_name(d)) return d;
  throw Failure(fmt::format("unknown dtype '{}'; dtypes: bf16, fp16, fp32, fp8", name));
}

asmk_quant_granularity granularity_of(const std::string& name) {
  if (name == "row") return ASMK_QUANT_ROW;
  if (name == "group") return ASMK_QUANT_GROUP;
  throw Failure(fmt::format("unknown granularity '{}'; granularities: row, group", name));
}

void run_quant_fp8(const OpOptions& o) {
  auto ctx = open_context(repository_or_default(o.repo), o.device);
  asmk_quant_fp8_args args{};
  args.m = o.m;
  args.n = o.n;
  args.in_dtype = dtype_of(o.dtype);
  args.granularity = granularity_of(o.granularity);
  args.stride_x = o.stride_x;
  args.stride_y = o.stride_y;
  asmk_selection sel{};
  check(asmk_select_quant_fp8(ctx.get(), &args, &sel));
  if (!o.explain) {
    fmt::print("{} grid ({}, {}, {}) block ({}, {}, {})\n", sel.kernel_name, sel.grid.x, sel.grid.y, sel.grid.z,
               sel.block.x, sel.block.y, sel.block.z);
    return;
  }
  asmk_device_info dev{};
  check(asmk_device_get(ctx.get(), &dev));
  const std::uint32_t sx = o.stride_x ? o.stride_x : o.n, sy = o.stride_y ? o.stride_y : o.n;
  const std::uint32_t groups = args.granularity == ASMK_QUANT_ROW ? 1 : o.n / 128;
  fmt::print("op          quant_fp8  m={} n={} in_dtype={} granularity={} stride_x={} stride_y={}\n", o.m, o.n,
             o.dtype, o.granularity, sx, sy);
  fmt::print("device      {} ({}, {} CUs, fp8 {})\n", dev.name, dev.arch, dev.compute_units, dev.fp8_format);
  fmt::print("kernel      {}\n", sel.kernel_name);
  fmt::print("grid        {} x {} x {} workgroups\n", sel.grid.x, sel.grid.y, sel.grid.z);
  fmt::print("block       {} x {} x {} work-items\n", sel.block.x, sel.block.y, sel.block.z);
  fmt::print("reason      {}\n", sel.reason);
  const std::map<std::string, std::string> values{
      {"x", fmt::format("<x: {}x{} {}, row stride {}>", o.m, o.n, o.dtype, sx)},
      {"y", fmt::format("<y: {}x{} fp8 {}, row stride {}>", o.m, o.n, dev.fp8_format, sy)},
      {"scale", fmt::format("<scale: {}x{} f32>", o.m, groups)},
      {"m", std::to_string(o.m)}, {"n", std::to_string(o.n)},
      {"stride_x", std::to_string(sx)}, {"stride_y", std::to_string(sy)}};
  fmt::print("kernel arguments\n{}", kernarg_table(describe(sel.kernel), [&](const std::string& name) {
               auto it = values.find(name);
               return it == values.end() ? std::string() : it->second;
             }));
}

// One line per op family; a new family adds its runner here.
const std::map<std::string, std::function<void(const OpOptions&)>>& ops() {
  static const std::map<std::string, std::function<void(const OpOptions&)>> table{{"quant_fp8", run_quant_fp8}};
  return table;
}

void run_op(const OpOptions& o) {
  auto it = ops().find(o.family);
  if (it == ops().end()) {
    std::string names;
    for (const auto& [name, run] : ops()) names += (names.empty() ? "" : ", ") + name;
    throw Failure(fmt::format("unknown op '{}'; ops: {}", o.family, names));
  }
  it->second(o);
}

}  // namespace

void add_op_command(CLI::App& app) {
  auto o = std::make_shared<OpOptions>();
  auto* cmd = app.add_subcommand("op", "Select the kernel for an op's problem (quant_fp8)");
  cmd->add_option("family", o->family, "Op family: quant_fp8")->required();
  cmd->add_option("--m", o->m, "Rows")->required();
  cmd->add_option("--n", o->n, "Columns (a multiple of 128)")->required();
  cmd->add_option("--dtype", o->dtype, "Input dtype: bf16 or fp16")->capture_default_str();
  cmd->add_option("--granularity", o->granularity, "Scales per row or per 1x128 group: row|group")->capture_default_str();
  cmd->add_option("--stride-x", o->stride_x, "Row stride of x in elements (0 = n)");
  cmd->add_option("--stride-y", o->stride_y, "Row stride of y in elements (0 = n)");
  cmd->add_option("--device", o->device, "MI300X, MI325X, MI308X, MI350X or MI355X")->capture_default_str();
  cmd->add_option("--repo", o->repo, "Repository folder");
  cmd->add_flag("--explain", o->explain, "Show the choice, its reason and the kernel-argument layout");
  cmd->callback([o] { run_op(*o); });
}

}  // namespace asmk::cli
