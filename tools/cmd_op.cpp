// asmk op quant_fp8 --m M --n N --dtype bf16 [--granularity row|group] [--device D] --explain:
// what libasmk would launch for the problem, and why.
// asmk op gemm_bf16|gemm_a8w8|gemm_a8w8_blockscale|gemm_a4w4 --m M --n N --k K [--device D]
// [--dtype ...] [--out-dtype ...] [--b-layout row|shuffled] [--bias] [--k-splits S] [--explain]
// [--check [--seed S] [--in a=FILE ...] [--out c=FILE]]: the GEMM selection (every candidate with
// --explain), and with --check a run on the emulator compared with ref/ (max / mean abs error and
// the tolerance verdict of ref/TOLERANCE.md).
// asmk op shuffle_b --n N --k K [--stride-src S] [--device D] [--explain] [--check [--seed S]]
// asmk op quant_mxfp4 --m M --n N [--dtype bf16|fp16] [--stride-x ...] [--device D] [--explain]
// [--check [--seed S]]: the selection, and with --check a run on the emulator compared byte for byte
// with ref/ (both ops are exact: a permutation, and a quantization whose rounding the OCP MX spec fixes).
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <random>

#include <fmt/format.h>

#include "asmk/ref/numeric.hpp"
#include "asmk/ref/quant.hpp"
#include "asmk/ref/shuffle.hpp"

#include "cli_support.hpp"
#include "commands.hpp"
#include "gemm_cases.hpp"

namespace asmk::cli {
namespace {

struct OpOptions {
  std::string family, repo, device = "MI300X", dtype, out_dtype, granularity = "row", b_layout = "row";
  std::uint32_t m = 0, n = 0, k = 0, stride_x = 0, stride_y = 0, stride_scale = 0, stride_src = 0, k_splits = 0,
                seed = 1;
  bool m_given = false, explain = false, check = false, bias = false;
  std::vector<std::string> inputs, outputs;  // NAME=FILE
};

asmk_dtype dtype_of(const std::string& name) {
  for (asmk_dtype d : {ASMK_DTYPE_BF16, ASMK_DTYPE_FP16, ASMK_DTYPE_FP32, ASMK_DTYPE_FP8, ASMK_DTYPE_INT8, ASMK_DTYPE_FP4})
    if (name == asmk_dtype_name(d)) return d;
  throw Failure(fmt::format("unknown dtype '{}'; dtypes: bf16, fp16, fp32, fp8, int8, fp4", name));
}

asmk_quant_granularity granularity_of(const std::string& name) {
  if (name == "row") return ASMK_QUANT_ROW;
  if (name == "group") return ASMK_QUANT_GROUP;
  throw Failure(fmt::format("unknown granularity '{}'; granularities: row, group", name));
}

// The selected kernel's argument table with the value (or a description) of each argument.
void print_kernel_arguments(const asmk_selection& sel, const std::map<std::string, std::string>& values) {
  fmt::print("kernel arguments\n{}", kernarg_table(describe(sel.kernel), [&](const std::string& name) {
               auto it = values.find(name);
               return it == values.end() ? std::string() : it->second;
             }));
}

void require_m(const OpOptions& o) {
  if (!o.m_given) throw Failure(fmt::format("{} needs --m", o.family));
}

void run_quant_fp8(const OpOptions& o) {
  require_m(o);
  if (o.check) throw Failure("quant_fp8: --check is not available (tests/kernels/quant_fp8 runs it)");
  auto ctx = open_context(repository_or_default(o.repo), o.device);
  asmk_quant_fp8_args args{};
  args.m = o.m;
  args.n = o.n;
  args.in_dtype = dtype_of(o.dtype.empty() ? "bf16" : o.dtype);
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
             o.dtype.empty() ? "bf16" : o.dtype, o.granularity, sx, sy);
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
  print_kernel_arguments(sel, values);
}

// ---- GEMMs -----------------------------------------------------------------------------------

gemm_cases::Case gemm_case(const OpOptions& o) {
  gemm_cases::Case c;
  c.family = o.family;
  c.m = o.m;
  c.n = o.n;
  c.k = o.k;
  c.in_dtype = dtype_of(o.dtype.empty() ? (o.family == "gemm_bf16" ? "bf16" : o.family == "gemm_a4w4" ? "fp4" : "fp8") : o.dtype);
  c.out_dtype = dtype_of(o.out_dtype.empty() ? "bf16" : o.out_dtype);
  if (o.b_layout == "shuffled") c.b_layout = ASMK_B_SHUFFLED;
  else if (o.b_layout != "row") throw Failure(fmt::format("unknown B layout '{}'; layouts: row, shuffled", o.b_layout));
  c.bias = o.bias;
  c.k_splits = o.k_splits;
  // The family's fixed input dtype: asking for another one is an error that names it.
  const asmk_dtype fixed = o.family == "gemm_bf16" ? ASMK_DTYPE_BF16 : o.family == "gemm_a4w4" ? ASMK_DTYPE_FP4
                           : o.family == "gemm_a8w8_blockscale" ? ASMK_DTYPE_FP8 : c.in_dtype;
  if (c.in_dtype != fixed)
    throw Failure(fmt::format("{} takes {} inputs, not {}", o.family, asmk_dtype_name(fixed), asmk_dtype_name(c.in_dtype)));
  return c;
}

// NAME=FILE pairs.
std::map<std::string, std::string> named_files(const std::vector<std::string>& pairs, const char* option) {
  std::map<std::string, std::string> files;
  for (const auto& pair : pairs) {
    const auto eq = pair.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == pair.size())
      throw Failure(fmt::format("{} {}: expected NAME=FILE", option, pair));
    files[pair.substr(0, eq)] = pair.substr(eq + 1);
  }
  return files;
}

gemm_cases::Tensors gemm_inputs(const OpOptions& o, const gemm_cases::Case& c, const asmk_device_info& dev) {
  gemm_cases::Tensors tensors = gemm_cases::random_inputs(c, dev, o.seed);
  const auto sizes = gemm_cases::input_sizes(c);
  for (const auto& [name, path] : named_files(o.inputs, "--in")) {
    const auto size = sizes.find(name);
    if (size == sizes.end()) {
      std::string names;
      for (const auto& [n, bytes] : sizes) names += (names.empty() ? "" : ", ") + n;
      throw Failure(fmt::format("--in {}: {} has no input '{}'; its inputs: {}", name, o.family, name, names));
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Failure(fmt::format("--in {}: cannot read {}", name, path));
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.size() != size->second)
      throw Failure(fmt::format("--in {}: {} holds {} bytes, {} {} needs {} (packed rows)", name, path, bytes.size(),
                                c.text(), name, size->second));
    tensors[name] = std::move(bytes);
  }
  return tensors;
}

void print_gemm_selection(const OpOptions& o, const asmk_device_info& dev, const asmk_selection& sel, bool explain) {
  if (!explain) {
    fmt::print("{} grid ({}, {}, {}) block ({}, {}, {}) k_splits {}\n", sel.kernel_name, sel.grid.x, sel.grid.y,
               sel.grid.z, sel.block.x, sel.block.y, sel.block.z, sel.k_splits);
    return;
  }
  fmt::print("op          {}  m={} n={} k={}\n", o.family, o.m, o.n, o.k);
  fmt::print("device      {} ({}, {} CUs, fp8 {})\n", dev.name, dev.arch, dev.compute_units, dev.fp8_format);
  fmt::print("kernel      {}\n", sel.kernel_name);
  fmt::print("grid        {} x {} x {} workgroups\n", sel.grid.x, sel.grid.y, sel.grid.z);
  fmt::print("block       {} x {} x {} work-items\n", sel.block.x, sel.block.y, sel.block.z);
  fmt::print("k_splits    {}\n", sel.k_splits);
  if (sel.k_splits > 1)
    fmt::print("split-K     {} then {}, workspace {} bytes\n", sel.kernel_name, sel.reduce_kernel_name, sel.workspace_bytes);
  fmt::print("reason      {}\n", sel.reason);
  fmt::print("candidates\n{}", sel.explain);
}

void run_gemm(const OpOptions& o) {
  require_m(o);
  if (o.k == 0) throw Failure(fmt::format("{} needs --k", o.family));
  const gemm_cases::Case c = gemm_case(o);
  if (!o.check) {
    if (!o.inputs.empty() || !o.outputs.empty()) throw Failure("--in and --out need --check (a run on the emulator)");
    auto ctx = open_context(repository_or_default(o.repo), o.device);
    asmk_device_info dev{};
    check(asmk_device_get(ctx.get(), &dev));
    asmk_selection sel{};
    check(gemm_cases::select_only(ctx.get(), c, &sel));
    print_gemm_selection(o, dev, sel, o.explain);
    return;
  }
  auto ctx = open_context(repository_or_default(o.repo), o.device, "emu");
  asmk_device_info dev{};
  check(asmk_device_get(ctx.get(), &dev));
  const auto outputs = named_files(o.outputs, "--out");
  for (const auto& [name, path] : outputs)
    if (name != "c") throw Failure(fmt::format("--out {}: the only output is c", name));
  const gemm_cases::Result r = gemm_cases::run(ctx.get(), dev, c, gemm_inputs(o, c, dev));
  if (r.status != ASMK_SUCCESS) throw Failure(fmt::format("{}: {}", asmk_status_string(r.status), r.error));
  if (!r.error.empty()) throw Failure(r.error);
  print_gemm_selection(o, dev, r.selection, o.explain);
  if (auto it = outputs.find("c"); it != outputs.end()) {
    std::ofstream out(it->second, std::ios::binary);
    out.write(reinterpret_cast<const char*>(r.c.data()), static_cast<std::streamsize>(r.c.size()));
    if (!out) throw Failure(fmt::format("--out c: cannot write {}", it->second));
  }
  fmt::print("check       {} on the emulator vs ref/: max abs error {:.6g}, mean abs error {:.6g}; {}\n", c.text(),
             r.summary.max_abs_error, r.mean_abs_error,
             r.summary.ok() ? fmt::format("within tolerance ({} elements)", r.summary.count) : "OUTSIDE TOLERANCE");
  if (!r.summary.ok()) throw Failure("the kernel's output differs from the reference: " + r.summary.describe());
}

// ---- shuffle_b and quant_mxfp4 ------------------------------------------------------------------

void print_selection_header(const std::string& problem, const asmk_device_info& dev, const asmk_selection& sel) {
  fmt::print("op          {}\n", problem);
  fmt::print("device      {} ({}, {} CUs, fp8 {})\n", dev.name, dev.arch, dev.compute_units, dev.fp8_format);
  fmt::print("kernel      {}\n", sel.kernel_name);
  fmt::print("grid        {} x {} x {} workgroups\n", sel.grid.x, sel.grid.y, sel.grid.z);
  fmt::print("block       {} x {} x {} work-items\n", sel.block.x, sel.block.y, sel.block.z);
  fmt::print("reason      {}\n", sel.reason);
}

void print_selection_line(const asmk_selection& sel) {
  fmt::print("{} grid ({}, {}, {}) block ({}, {}, {})\n", sel.kernel_name, sel.grid.x, sel.grid.y, sel.grid.z,
             sel.block.x, sel.block.y, sel.block.z);
}

// A device buffer of the context, freed with it.
struct DeviceBuffer {
  asmk_context* ctx;
  void* pointer = nullptr;
  std::size_t bytes;

  DeviceBuffer(asmk_context* c, std::size_t size) : ctx(c), bytes(size) { check(asmk_malloc(ctx, bytes, &pointer)); }
  ~DeviceBuffer() { asmk_free(ctx, pointer); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  void upload(const void* host) { check(asmk_memcpy(ctx, pointer, host, bytes, ASMK_COPY_HOST_TO_DEVICE)); }
  template <typename T>
  std::vector<T> download() {
    std::vector<T> host(bytes / sizeof(T));
    check(asmk_memcpy(ctx, host.data(), pointer, bytes, ASMK_COPY_DEVICE_TO_HOST));
    return host;
  }
};

// "identical (N bytes)" or the first differing byte and how many differ.
template <typename T>
std::string compare_bytes(const std::string& what, const std::vector<T>& got, const std::vector<T>& want) {
  std::size_t differing = 0, first = got.size();
  for (std::size_t i = 0; i < got.size(); ++i)
    if (got[i] != want[i] && differing++ == 0) first = i;
  if (differing == 0) return "";
  return fmt::format("{}: {} of {} bytes differ from ref/, the first at byte {} (kernel 0x{:02x}, ref 0x{:02x})", what,
                     differing, got.size(), first, got[first], want[first]);
}

void run_shuffle_b(const OpOptions& o) {
  if (o.k == 0) throw Failure("shuffle_b needs --k");
  asmk_shuffle_b_args args{};
  args.n = o.n;
  args.k = o.k;
  args.stride_src = o.stride_src;
  const std::uint32_t stride = o.stride_src ? o.stride_src : o.k;
  const std::string problem = fmt::format("shuffle_b  n={} k={} stride_src={}", o.n, o.k, stride);
  auto ctx = open_context(repository_or_default(o.repo), o.device, o.check ? "emu" : "record");
  asmk_device_info dev{};
  check(asmk_device_get(ctx.get(), &dev));
  asmk_selection sel{};
  check(asmk_select_shuffle_b(ctx.get(), &args, &sel));
  if (o.explain) {
    print_selection_header(problem, dev, sel);
    const std::map<std::string, std::string> values{
        {"src", fmt::format("<src: {}x{} bytes, row stride {}>", o.n, o.k, stride)},
        {"dst", fmt::format("<dst: {} bytes, shuffled>", std::uint64_t(o.n) * o.k)},
        {"n", std::to_string(o.n)}, {"k", std::to_string(o.k)}, {"stride_src", std::to_string(stride)}};
    print_kernel_arguments(sel, values);
  } else {
    print_selection_line(sel);
  }
  if (!o.check) return;

  std::vector<std::uint8_t> src(std::uint64_t(o.n) * stride);
  std::mt19937 rng(o.seed);
  for (auto& byte : src) byte = static_cast<std::uint8_t>(rng());
  std::vector<std::uint8_t> want(std::uint64_t(o.n) * o.k);
  if (auto status = ref::shuffle_b(src.data(), o.n, o.k, stride, want.data()); !status.ok())
    throw Failure("ref/ shuffle_b: " + status.error);
  DeviceBuffer d_src(ctx.get(), src.size()), d_dst(ctx.get(), want.size());
  d_src.upload(src.data());
  args.src = d_src.pointer;
  args.dst = d_dst.pointer;
  args.src_bytes = d_src.bytes;
  args.dst_bytes = d_dst.bytes;
  check(asmk_shuffle_b(ctx.get(), &args, nullptr, nullptr));
  check(asmk_synchronize(ctx.get(), nullptr));
  if (auto differs = compare_bytes("dst", d_dst.download<std::uint8_t>(), want); !differs.empty()) throw Failure(differs);
  fmt::print("check       {} on the emulator vs ref/: identical ({} bytes)\n", problem, want.size());
}

void run_quant_mxfp4(const OpOptions& o) {
  require_m(o);
  const std::string dtype = o.dtype.empty() ? "bf16" : o.dtype;
  asmk_quant_mxfp4_args args{};
  args.m = o.m;
  args.n = o.n;
  args.in_dtype = dtype_of(dtype);
  args.stride_x = o.stride_x;
  args.stride_y = o.stride_y;
  args.stride_scale = o.stride_scale;
  const std::uint32_t sx = o.stride_x ? o.stride_x : o.n, sy = o.stride_y ? o.stride_y : o.n / 2;
  const std::uint32_t ss = o.stride_scale ? o.stride_scale : o.n / 32;
  const std::string problem = fmt::format("quant_mxfp4  m={} n={} in_dtype={} stride_x={} stride_y={} stride_scale={}",
                                          o.m, o.n, dtype, sx, sy, ss);
  auto ctx = open_context(repository_or_default(o.repo), o.device, o.check ? "emu" : "record");
  asmk_device_info dev{};
  check(asmk_device_get(ctx.get(), &dev));
  asmk_selection sel{};
  check(asmk_select_quant_mxfp4(ctx.get(), &args, &sel));
  if (o.explain) {
    print_selection_header(problem, dev, sel);
    const std::map<std::string, std::string> values{
        {"x", fmt::format("<x: {}x{} {}, row stride {}>", o.m, o.n, dtype, sx)},
        {"y", fmt::format("<y: {}x{} packed e2m1, row stride {} bytes>", o.m, o.n / 2, sy)},
        {"scale", fmt::format("<scale: {}x{} e8m0, row stride {} bytes>", o.m, o.n / 32, ss)},
        {"m", std::to_string(o.m)}, {"n", std::to_string(o.n)}, {"stride_x", std::to_string(sx)},
        {"stride_y", std::to_string(sy)}, {"stride_scale", std::to_string(ss)}};
    print_kernel_arguments(sel, values);
  } else {
    print_selection_line(sel);
  }
  if (!o.check) return;

  // Inputs spanning many binades (so that scales differ block to block), with exact zeros.
  const ref::Format format = args.in_dtype == ASMK_DTYPE_FP16 ? ref::Format::fp16 : ref::Format::bf16;
  std::vector<std::uint16_t> x(std::uint64_t(o.m) * sx);
  std::mt19937 rng(o.seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::uniform_int_distribution<int> binade(-6, 6);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const float value = i % 97 == 0 ? 0.0f : std::ldexp(normal(rng), binade(rng));
    x[i] = format == ref::Format::fp16 ? ref::f32_to_fp16(value) : ref::f32_to_bf16(value);
  }
  std::vector<std::uint8_t> want_y(std::uint64_t(o.m) * sy), want_scale(std::uint64_t(o.m) * ss);
  ref::QuantMxfp4Args r{format, x.data(), want_y.data(), want_scale.data(), o.m, o.n, sx, sy, ss};
  if (auto status = ref::quant_mxfp4(r); !status.ok()) throw Failure("ref/ quant_mxfp4: " + status.error);
  DeviceBuffer d_x(ctx.get(), x.size() * 2), d_y(ctx.get(), want_y.size()), d_scale(ctx.get(), want_scale.size());
  d_x.upload(x.data());
  // The padding of y's and scale's rows is not written by either side: start both from the same bytes.
  std::vector<std::uint8_t> zeros(std::max(want_y.size(), want_scale.size()));
  check(asmk_memcpy(ctx.get(), d_y.pointer, zeros.data(), d_y.bytes, ASMK_COPY_HOST_TO_DEVICE));
  check(asmk_memcpy(ctx.get(), d_scale.pointer, zeros.data(), d_scale.bytes, ASMK_COPY_HOST_TO_DEVICE));
  args.x = d_x.pointer;
  args.y = d_y.pointer;
  args.scale = static_cast<std::uint8_t*>(d_scale.pointer);
  args.x_bytes = d_x.bytes;
  args.y_bytes = d_y.bytes;
  args.scale_bytes = d_scale.bytes;
  check(asmk_quant_mxfp4(ctx.get(), &args, nullptr, nullptr));
  check(asmk_synchronize(ctx.get(), nullptr));
  for (const auto& differs : {compare_bytes("y", d_y.download<std::uint8_t>(), want_y),
                              compare_bytes("scale", d_scale.download<std::uint8_t>(), want_scale)})
    if (!differs.empty()) throw Failure(differs);
  fmt::print("check       {} on the emulator vs ref/: y and scale identical ({} + {} bytes)\n", problem,
             want_y.size(), want_scale.size());
}

// One line per op family; a new family adds its runner here.
const std::map<std::string, std::function<void(const OpOptions&)>>& ops() {
  static const std::map<std::string, std::function<void(const OpOptions&)>> table{
      {"quant_fp8", run_quant_fp8},  {"gemm_bf16", run_gemm}, {"gemm_a8w8", run_gemm},
      {"gemm_a8w8_blockscale", run_gemm}, {"gemm_a4w4", run_gemm}, {"shuffle_b", run_shuffle_b},
      {"quant_mxfp4", run_quant_mxfp4}};
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
  auto* cmd = app.add_subcommand("op", "Select the kernel for an op's problem (quant_fp8, GEMMs, shuffle_b, quant_mxfp4); "
                                       "--check runs it");
  cmd->add_option("family", o->family, "Op: quant_fp8, gemm_bf16, gemm_a8w8, gemm_a8w8_blockscale, gemm_a4w4, shuffle_b, "
                                       "quant_mxfp4")->required();
  auto* m_option = cmd->add_option("--m", o->m, "Rows (every op but shuffle_b)");
  cmd->add_option("--n", o->n, "Columns (quant_fp8: a multiple of 128; shuffle_b: rows of B)")->required();
  cmd->add_option("--k", o->k, "GEMMs: the reduction dimension; shuffle_b: bytes per row of B");
  cmd->add_option("--dtype", o->dtype, "Input dtype: quant_fp8, quant_mxfp4 bf16|fp16 (bf16); gemm_a8w8 fp8|int8 (fp8)");
  cmd->add_option("--out-dtype", o->out_dtype, "GEMM output dtype: bf16 (default), fp32 (gemm_bf16), fp16 (gemm_a8w8)");
  cmd->add_option("--b-layout", o->b_layout, "gemm_a8w8: B row-major or pre-shuffled: row|shuffled")->capture_default_str();
  cmd->add_flag("--bias", o->bias, "gemm_a8w8: add a bias vector");
  cmd->add_option("--k-splits", o->k_splits, "GEMMs: force the split-K factor (1, 2, 4, 8; default: the selector's)");
  cmd->add_flag("--check", o->check, "GEMMs, shuffle_b, quant_mxfp4: run on the emulator and compare with ref/");
  cmd->add_option("--seed", o->seed, "--check: seed of the random inputs")->capture_default_str();
  cmd->add_option("--in", o->inputs, "--check: an input from a raw file, NAME=FILE (a, b, scale_a, scale_b, bias)");
  cmd->add_option("--out", o->outputs, "--check: write C's raw bytes, c=FILE");
  cmd->add_option("--granularity", o->granularity, "Scales per row or per 1x128 group: row|group")->capture_default_str();
  cmd->add_option("--stride-x", o->stride_x, "Row stride of x in elements (0 = n)");
  cmd->add_option("--stride-y", o->stride_y, "Row stride of y in elements (quant_mxfp4: bytes; 0 = packed)");
  cmd->add_option("--stride-scale", o->stride_scale, "quant_mxfp4: row stride of the scales in bytes (0 = n / 32)");
  cmd->add_option("--stride-src", o->stride_src, "shuffle_b: row stride of B in bytes (0 = k)");
  cmd->add_option("--device", o->device, "MI300X, MI325X, MI308X, MI350X or MI355X")->capture_default_str();
  cmd->add_option("--repo", o->repo, "Repository folder");
  cmd->add_flag("--explain", o->explain, "Show the choice, its reason and the kernel-argument layout (GEMMs: every candidate)");
  cmd->callback([o, m_option] {
    o->m_given = m_option->count() > 0;
    run_op(*o);
  });
}

}  // namespace asmk::cli
