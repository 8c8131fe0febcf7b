// asmk demo: the README's main job. On the emulator backend, for each kernel family the
// repository holds and each demo device (MI300X = gfx942, MI355X = gfx950), launch a few
// realistic shapes with random inputs through the C ABI and compare the outputs with the
// reference implementation in ref/. One line per launch; exit status 1 if any check fails.
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <vector>

#include <fmt/format.h>

#include "asmk/ref/quant.hpp"
#include "cli_support.hpp"
#include "commands.hpp"
#include "gemm_cases.hpp"

namespace asmk::cli {
namespace {

// The backend: $ASMK_BACKEND (hsa, auto, ...) when set, else the emulator.
std::string demo_backend() {
  const char* backend = std::getenv("ASMK_BACKEND");
  return backend != nullptr && *backend != '\0' ? backend : "emu";
}

// One device per arch the demo knows.
constexpr std::pair<const char*, const char*> kDevices[] = {{"gfx942", "MI300X"}, {"gfx950", "MI355X"}};

// Device memory of a context, freed when this goes out of scope.
class DeviceBuffer {
 public:
  DeviceBuffer(asmk_context* ctx, std::size_t bytes) : ctx_(ctx), bytes_(bytes) { check(asmk_malloc(ctx, bytes, &ptr_)); }
  ~DeviceBuffer() { asmk_free(ctx_, ptr_); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  void* get() const { return ptr_; }
  std::size_t bytes() const { return bytes_; }
  template <class T>
  void upload(const std::vector<T>& host) {
    check(asmk_memcpy(ctx_, ptr_, host.data(), host.size() * sizeof(T), ASMK_COPY_HOST_TO_DEVICE));
  }
  template <class T>
  std::vector<T> download() const {
    std::vector<T> host(bytes_ / sizeof(T));
    check(asmk_memcpy(ctx_, host.data(), ptr_, host.size() * sizeof(T), ASMK_COPY_DEVICE_TO_HOST));
    return host;
  }

 private:
  asmk_context* ctx_;
  std::size_t bytes_;
  void* ptr_ = nullptr;
};

// The reason's headline: "n_per_wg=512 of {512, 1024, 2048}" from "n_per_wg=512 of {...}: 0 masked ...".
std::string short_reason(const char* reason) {
  const std::string text = reason;
  return text.substr(0, text.find(':'));
}

// "121856/121856 identical" — counts equal elements; `equal` compares bit patterns.
template <class T>
std::pair<std::size_t, std::string> compare(const std::vector<T>& got, const std::vector<T>& want) {
  std::size_t same = 0;
  for (std::size_t i = 0; i < got.size(); ++i) same += std::memcmp(&got[i], &want[i], sizeof(T)) == 0;
  return {got.size() - same, fmt::format("{}/{} identical", same, got.size())};
}

// ---- quant_fp8 ----------------------------------------------------------------------------

struct QuantCase {
  std::uint32_t m, n;
  asmk_dtype dtype;
  asmk_quant_granularity granularity;
};

constexpr QuantCase kQuantCases[] = {
    {17, 7168, ASMK_DTYPE_BF16, ASMK_QUANT_GROUP},  // DeepSeek-V3 hidden size, a decode batch
    {17, 7168, ASMK_DTYPE_BF16, ASMK_QUANT_ROW},
    {5, 4096, ASMK_DTYPE_FP16, ASMK_QUANT_GROUP},
    {64, 2048, ASMK_DTYPE_BF16, ASMK_QUANT_ROW},
};

// Random activations: normal values with a few outliers, encoded as bf16/fp16.
std::vector<std::uint16_t> random_activations(ref::Format format, std::size_t count, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.f, 2.f);
  std::uniform_int_distribution<int> outlier(0, 999);
  std::vector<std::uint16_t> x(count);
  for (auto& v : x) {
    const float value = outlier(rng) == 0 ? normal(rng) * 300.f : normal(rng);
    v = static_cast<std::uint16_t>(ref::encode(format, value, ref::Overflow::saturate));
  }
  return x;
}

// Runs one case; returns false if it failed (the line says why).
bool run_quant_case(asmk_context* ctx, const asmk_device_info& dev, const QuantCase& c, std::uint32_t seed) {
  const bool group = c.granularity == ASMK_QUANT_GROUP;
  const auto shape = fmt::format("m={} n={} {} {}", c.m, c.n, asmk_dtype_name(c.dtype), group ? "group" : "row");
  const ref::Format in_format = c.dtype == ASMK_DTYPE_FP16 ? ref::Format::fp16 : ref::Format::bf16;
  const std::size_t elements = std::size_t(c.m) * c.n, scales = std::size_t(c.m) * (group ? c.n / 128 : 1);
  const std::vector<std::uint16_t> x = random_activations(in_format, elements, seed);

  DeviceBuffer dx(ctx, elements * 2), dy(ctx, elements), dscale(ctx, scales * sizeof(float));
  dx.upload(x);
  asmk_quant_fp8_args args{};
  args.m = c.m;
  args.n = c.n;
  args.in_dtype = c.dtype;
  args.granularity = c.granularity;
  args.x = dx.get();
  args.y = dy.get();
  args.scale = static_cast<float*>(dscale.get());
  args.x_bytes = dx.bytes();
  args.y_bytes = dy.bytes();
  args.scale_bytes = dscale.bytes();
  asmk_selection sel{};
  asmk_status status = asmk_quant_fp8(ctx, &args, nullptr, &sel);
  if (status == ASMK_SUCCESS) status = asmk_synchronize(ctx, nullptr);
  if (status != ASMK_SUCCESS) {
    fmt::print("{:<7} quant_fp8 {:<24} FAILED {}: {}\n", dev.name, shape, asmk_status_string(status),
               asmk_last_error());
    return false;
  }

  std::vector<std::uint8_t> y_ref(elements);
  std::vector<float> scale_ref(scales);
  ref::QuantFp8Args r;
  r.arch = std::strcmp(dev.arch, "gfx950") == 0 ? Arch::gfx950 : Arch::gfx942;
  r.in_format = in_format;
  r.granularity = group ? ref::QuantGranularity::group : ref::QuantGranularity::row;
  r.x = x.data();
  r.y = y_ref.data();
  r.scale = scale_ref.data();
  r.m = c.m;
  r.n = c.n;
  r.stride_x = c.n;
  r.stride_y = c.n;
  if (const ref::Status s = ref::quant_fp8(r); !s.ok()) throw Failure("reference quant_fp8 refused the case: " + s.error);

  const auto [bad_codes, codes] = compare(dy.download<std::uint8_t>(), y_ref);
  const auto [bad_scales, scale_text] = compare(dscale.download<float>(), scale_ref);
  const bool ok = bad_codes == 0 && bad_scales == 0;
  fmt::print("{:<7} {:<36} {:<24} [{}]  codes {}, scales {}{}\n", dev.name, sel.kernel_name, shape,
             short_reason(sel.reason), codes, scale_text, ok ? "" : "  MISMATCH");
  return ok;
}

bool run_quant_fp8(asmk_context* ctx, const asmk_device_info& dev) {
  bool ok = true;
  std::uint32_t seed = 1;
  for (const auto& c : kQuantCases) ok = run_quant_case(ctx, dev, c, seed++) && ok;
  return ok;
}

// ---- GEMMs ---------------------------------------------------------------------------------

// Realistic small shapes (ragged M; the emulator runs them in well under a second each). The
// selector chooses tile and split-K (a workspace is offered); 16x64x8192 has a single tile and a
// long K, so it is the split-K one.
std::vector<gemm_cases::Case> gemm_demo_cases(const std::string& family) {
  using gemm_cases::Case;
  auto make = [&](std::uint32_t m, std::uint32_t n, std::uint32_t k) {
    Case c;
    c.family = family;
    c.m = m, c.n = n, c.k = k;
    if (family == "gemm_bf16") c.in_dtype = ASMK_DTYPE_BF16;
    if (family == "gemm_a4w4") c.in_dtype = ASMK_DTYPE_FP4;
    return c;
  };
  if (family == "gemm_bf16") {
    Case f32 = make(33, 192, 256);
    f32.out_dtype = ASMK_DTYPE_FP32;
    return {make(17, 256, 512), f32};
  }
  if (family == "gemm_a8w8") {
    Case bias = make(17, 512, 1024);
    bias.bias = true;
    return {bias};
  }
  if (family == "gemm_a8w8 split-K") {
    Case split = make(16, 64, 8192);
    split.family = "gemm_a8w8";
    split.bias = true;
    return {split};
  }
  return {make(17, 256, 512)};  // gemm_a8w8_blockscale, gemm_a4w4
}

bool run_gemm_demo(const std::string& family, asmk_context* ctx, const asmk_device_info& dev) {
  bool ok = true;
  std::uint32_t seed = 11;
  for (const auto& c : gemm_demo_cases(family)) {
    const auto r = gemm_cases::run(ctx, dev, c, gemm_cases::random_inputs(c, dev, seed++));
    if (r.status != ASMK_SUCCESS || !r.error.empty()) {
      fmt::print("{:<7} {:<20} {:<28} FAILED {}: {}\n", dev.name, c.family, c.text(),
                 r.status == ASMK_SUCCESS ? "" : asmk_status_string(r.status), r.error);
      ok = false;
      continue;
    }
    fmt::print("{:<7} {:<44} {:<28} [k_splits={}]  max abs error {:.3g}, mean {:.3g}: {}\n", dev.name,
               r.selection.kernel_name, c.text(), r.selection.k_splits, r.summary.max_abs_error, r.mean_abs_error,
               r.summary.ok() ? "within tolerance" : "OUTSIDE TOLERANCE  MISMATCH " + r.summary.describe());
    ok = ok && r.summary.ok();
  }
  return ok;
}

// ---- quant_mxfp4 ---------------------------------------------------------------------------

bool run_quant_mxfp4(asmk_context* ctx, const asmk_device_info& dev) {
  const std::uint32_t m = 17, n = 4096;
  const auto shape = fmt::format("m={} n={} bf16", m, n);
  const std::vector<std::uint16_t> x = random_activations(ref::Format::bf16, std::size_t(m) * n, 21);
  DeviceBuffer dx(ctx, x.size() * 2), dy(ctx, std::size_t(m) * n / 2), dscale(ctx, std::size_t(m) * n / 32);
  dx.upload(x);
  asmk_quant_mxfp4_args args{};
  args.m = m;
  args.n = n;
  args.in_dtype = ASMK_DTYPE_BF16;
  args.x = dx.get();
  args.y = dy.get();
  args.scale = static_cast<std::uint8_t*>(dscale.get());
  args.x_bytes = dx.bytes();
  args.y_bytes = dy.bytes();
  args.scale_bytes = dscale.bytes();
  asmk_selection sel{};
  asmk_status status = asmk_quant_mxfp4(ctx, &args, nullptr, &sel);
  if (status == ASMK_SUCCESS) status = asmk_synchronize(ctx, nullptr);
  if (status != ASMK_SUCCESS) {
    fmt::print("{:<7} quant_mxfp4 {:<22} FAILED {}: {}\n", dev.name, shape, asmk_status_string(status), asmk_last_error());
    return false;
  }
  std::vector<std::uint8_t> y_ref(dy.bytes()), scale_ref(dscale.bytes());
  ref::QuantMxfp4Args r;
  r.in_format = ref::Format::bf16;
  r.x = x.data();
  r.y = y_ref.data();
  r.scale = scale_ref.data();
  r.m = m;
  r.n = n;
  r.stride_x = n;
  r.stride_y = n / 2;
  r.stride_scale = n / 32;
  if (const ref::Status s = ref::quant_mxfp4(r); !s.ok()) throw Failure("reference quant_mxfp4 refused the case: " + s.error);
  const auto [bad_codes, codes] = compare(dy.download<std::uint8_t>(), y_ref);
  const auto [bad_scales, scales] = compare(dscale.download<std::uint8_t>(), scale_ref);
  const bool ok = bad_codes == 0 && bad_scales == 0;
  fmt::print("{:<7} {:<36} {:<24} [{}]  code bytes {}, scales {}{}\n", dev.name, sel.kernel_name, shape,
             short_reason(sel.reason), codes, scales, ok ? "" : "  MISMATCH");
  return ok;
}

// ---- families -----------------------------------------------------------------------------

// One entry per family the demo checks; a new family adds its runner here. `arch` limits a family
// to the arch that has it ("" = every arch); a family the repository has no kernels of on an arch
// it should have is reported as skipped.
struct FamilyDemo {
  const char* family;  // the manifest family
  const char* label;
  const char* arch;
  std::function<bool(asmk_context*, const asmk_device_info&)> run;
};
const std::vector<FamilyDemo>& family_demos() {
  auto gemm = [](const char* label) {
    return [label](asmk_context* ctx, const asmk_device_info& dev) { return run_gemm_demo(label, ctx, dev); };
  };
  static const std::vector<FamilyDemo> demos{
      {"quant_fp8", "quant_fp8", "", run_quant_fp8},
      {"gemm_bf16", "gemm_bf16", "", gemm("gemm_bf16")},
      {"gemm_a8w8", "gemm_a8w8", "", gemm("gemm_a8w8")},
      {"gemm_a8w8", "gemm_a8w8 split-K", "", gemm("gemm_a8w8 split-K")},
      {"gemm_a8w8_blockscale", "gemm_a8w8_blockscale", "", gemm("gemm_a8w8_blockscale")},
      {"gemm_a4w4", "gemm_a4w4", "gfx950", gemm("gemm_a4w4")},
      {"quant_mxfp4", "quant_mxfp4", "gfx950", run_quant_mxfp4},
  };
  return demos;
}

bool repository_has(asmk_context* ctx, const char* family, const char* arch) {
  size_t count = 0;
  check(asmk_kernel_count(ctx, &count));
  for (size_t i = 0; i < count; ++i) {
    const asmk_kernel* k = nullptr;
    check(asmk_kernel_at(ctx, i, &k));
    asmk_kernel_info info{};
    check(asmk_kernel_get_info(k, &info));
    if (std::strcmp(info.family, family) == 0 && std::strcmp(info.arch, arch) == 0) return true;
  }
  return false;
}

void run_demo(const std::string& given_repo) {
  const std::string repo = repository_or_default(given_repo);
  // The emulator's strict mode (missing s_waitcnt, wait states, LDS overruns) unless told otherwise.
  ::setenv("ASMK_EMU_STRICT", "1", /*overwrite=*/0);
  const bool strict = std::string_view(std::getenv("ASMK_EMU_STRICT")) == "1";
  auto listing = open_context(repo);
  bool ok = true;
  std::size_t families_run = 0;
  for (const auto& [arch, device] : kDevices) {
    std::vector<const FamilyDemo*> present;
    std::vector<std::string> skipped;
    for (const auto& demo : family_demos()) {
      if (*demo.arch != '\0' && std::strcmp(demo.arch, arch) != 0) continue;
      if (repository_has(listing.get(), demo.family, arch)) present.push_back(&demo);
      else skipped.push_back(demo.label);
    }
    for (const auto& label : skipped) fmt::print("{:<7} {:<20} skipped: no kernels in {}\n", device, label, repo);
    if (present.empty()) {
      fmt::print("== {}: repository {} holds no {} kernels the demo knows, skipped\n", device, repo, arch);
      continue;
    }
    auto ctx = open_context(repo, device, demo_backend());
    asmk_device_info dev{};
    check(asmk_device_get(ctx.get(), &dev));
    const char* backend = nullptr;
    check(asmk_backend_name(ctx.get(), &backend));
    fmt::print("== {} ({}, {} CUs, fp8 {}), backend {}{}: outputs compared with ref/\n", dev.name, dev.arch,
               dev.compute_units, dev.fp8_format, backend, strict ? " (strict)" : "");
    for (const FamilyDemo* demo : present) {
      ok = demo->run(ctx.get(), dev) && ok;
      ++families_run;
    }
  }
  if (families_run == 0)
    throw Failure(fmt::format("repository {} holds no kernels the demo knows for gfx942 or gfx950", repo));
  if (!ok) throw Failure("some demo launches failed or differ from the reference (see above)");
  fmt::print("all demo launches match the reference\n");
}

}  // namespace

void add_demo_command(CLI::App& app) {
  auto repo = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand(
      "demo", "Run each kernel family on the emulator for MI300X and MI355X and check it against the reference");
  cmd->add_option("--repo", *repo, "Repository folder");
  cmd->callback([repo] { run_demo(*repo); });
}

}  // namespace asmk::cli
