// Running one GEMM problem of any family through the C ABI and checking it against ref/: used by
// `asmk op <gemm> --check`, `asmk demo` and the C-ABI op tests (tests/kernels/gemm_ops). Header-only
// so each of them can include it.
//
// Inputs are host byte tensors by argument name (a, b, scale_a, scale_b, bias): random ones come
// from a fixed seed (random_inputs) or from files (`--in a=FILE`). The library selects (split-K
// included: the workspace is allocated at the size the selector asks for), launches and C is
// downloaded; the reference GEMM (ref/gemm.hpp) runs on the same inputs and the tolerance rule of
// ref/TOLERANCE.md decides.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

#include <fmt/format.h>

#include "asmk.h"
#include "asmk/ref/gemm.hpp"
#include "asmk/ref/numeric.hpp"
#include "asmk/ref/shuffle.hpp"
#include "asmk/ref/tolerance.hpp"

namespace asmk::gemm_cases {

struct Case {
  std::string family;  // gemm_bf16, gemm_a8w8, gemm_a8w8_blockscale, gemm_a4w4
  std::uint32_t m = 0, n = 0, k = 0;
  asmk_dtype in_dtype = ASMK_DTYPE_FP8;    // gemm_a8w8: FP8 or INT8 (others: fixed by the family)
  asmk_dtype out_dtype = ASMK_DTYPE_BF16;  // gemm_bf16: BF16 or FP32; gemm_a8w8: BF16 or FP16
  asmk_b_layout b_layout = ASMK_B_ROW;     // gemm_a8w8
  bool bias = false;                       // gemm_a8w8
  std::uint32_t k_splits = 0;              // 0 = the selector chooses
  bool allow_split_k = true;               // offer the selector a workspace

  std::string text() const {
    std::string t = fmt::format("m={} n={} k={}", m, n, k);
    if (family == "gemm_a8w8") t += fmt::format(" {}", asmk_dtype_name(in_dtype));
    if (family == "gemm_bf16" || family == "gemm_a8w8") t += fmt::format("->{}", asmk_dtype_name(out_dtype));
    if (b_layout == ASMK_B_SHUFFLED) t += " B shuffled";
    if (bias) t += " bias";
    if (k_splits != 0) t += fmt::format(" k_splits={}", k_splits);
    return t;
  }
};

using Tensors = std::map<std::string, std::vector<std::uint8_t>>;

inline bool is_family(const std::string& f) {
  return f == "gemm_bf16" || f == "gemm_a8w8" || f == "gemm_a8w8_blockscale" || f == "gemm_a4w4";
}

inline std::uint32_t ceil_div(std::uint32_t a, std::uint32_t b) { return (a + b - 1) / b; }

// Bytes of each input tensor (packed rows), by argument name.
inline std::map<std::string, std::size_t> input_sizes(const Case& c) {
  const std::size_t m = c.m, n = c.n, k = c.k;
  if (c.family == "gemm_bf16") return {{"a", m * k * 2}, {"b", n * k * 2}};
  if (c.family == "gemm_a8w8") {
    std::map<std::string, std::size_t> s{{"a", m * k}, {"b", n * k}, {"scale_a", m * 4}, {"scale_b", n * 4}};
    if (c.bias) s["bias"] = n * 4;
    return s;
  }
  if (c.family == "gemm_a8w8_blockscale") {
    const std::size_t kb = ceil_div(c.k, 128);
    return {{"a", m * k}, {"b", n * k}, {"scale_a", m * kb * 4}, {"scale_b", ceil_div(c.n, 128) * kb * 4}};
  }
  return {{"a", m * k / 2}, {"b", n * k / 2}, {"scale_a", m * k / 32}, {"scale_b", n * k / 32}};  // gemm_a4w4
}

inline std::size_t output_element_bytes(const Case& c) { return c.out_dtype == ASMK_DTYPE_FP32 ? 4 : 2; }

inline ref::OutType out_type(const Case& c) {
  return c.out_dtype == ASMK_DTYPE_FP32 ? ref::OutType::f32 : c.out_dtype == ASMK_DTYPE_FP16 ? ref::OutType::fp16 : ref::OutType::bf16;
}

inline ref::Format fp8_format_of(const asmk_device_info& dev) {
  return std::strcmp(dev.fp8_format, "e4m3fn") == 0 ? ref::Format::e4m3fn : ref::Format::e4m3fnuz;
}

template <class T>
void put(std::vector<std::uint8_t>& bytes, std::size_t index, T value) {
  std::memcpy(bytes.data() + index * sizeof(T), &value, sizeof(T));
}

// Host bytes a check of the case holds at once, about: the inputs twice (host and device), C
// twice, and the fp32 reference. Saturating, so an absurd shape compares as too large.
inline std::uint64_t check_host_bytes(const Case& c) {
  long double total = 0;
  for (const auto& [name, bytes] : input_sizes(c)) total += 2.0L * bytes;
  total += (2.0L * output_element_bytes(c) + 4.0L) * c.m * c.n;
  return total >= 1.8e19L ? UINT64_MAX : static_cast<std::uint64_t>(total);
}

// Throws std::length_error (the CLI prints it as an error) when the check of the case would take
// more than half of the machine's memory: refused before a byte is allocated, never an OOM kill.
inline void require_host_memory_for_check(const Case& c) {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page_bytes = ::sysconf(_SC_PAGESIZE);
  const std::uint64_t budget = pages > 0 && page_bytes > 0 ? std::uint64_t(pages) * std::uint64_t(page_bytes) / 2 : 1ull << 30;
  const std::uint64_t needed = check_host_bytes(c);
  if (needed > budget)
    throw std::length_error(fmt::format("{} {}: checking it against ref/ needs about {} bytes of host memory, more "
                                        "than half of this machine's ({} bytes)", c.family, c.text(), needed, budget));
}

// Random inputs from `seed`: normal activations and weights in the operand format, positive scales.
// Refuses a case too large for host memory first (require_host_memory_for_check).
inline Tensors random_inputs(const Case& c, const asmk_device_info& dev, std::uint32_t seed) {
  require_host_memory_for_check(c);
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.f, 1.f);
  std::uniform_real_distribution<float> scale(0.5f, 2.f);
  Tensors t;
  for (const auto& [name, bytes] : input_sizes(c)) t[name].resize(bytes);
  auto fill_codes = [&](std::vector<std::uint8_t>& v, ref::Format f, float sigma) {
    for (auto& b : v) b = static_cast<std::uint8_t>(ref::encode(f, normal(rng) * sigma, ref::Overflow::saturate));
  };
  if (c.family == "gemm_bf16") {
    for (const char* name : {"a", "b"})
      for (std::size_t i = 0; i < t[name].size() / 2; ++i)
        put(t[name], i, static_cast<std::uint16_t>(ref::encode(ref::Format::bf16, normal(rng), ref::Overflow::saturate)));
    return t;
  }
  if (c.family == "gemm_a4w4") {
    std::uniform_int_distribution<int> nibble(0, 255), exponent(122, 130);
    for (const char* name : {"a", "b"})
      for (auto& b : t[name]) b = static_cast<std::uint8_t>(nibble(rng));
    for (const char* name : {"scale_a", "scale_b"})
      for (auto& b : t[name]) b = static_cast<std::uint8_t>(exponent(rng));
    return t;
  }
  if (c.family == "gemm_a8w8" && c.in_dtype == ASMK_DTYPE_INT8) {
    std::uniform_int_distribution<int> small(-32, 32);
    for (const char* name : {"a", "b"})
      for (auto& b : t[name]) b = static_cast<std::uint8_t>(static_cast<std::int8_t>(small(rng)));
  } else {
    for (const char* name : {"a", "b"}) fill_codes(t[name], fp8_format_of(dev), 2.f);
  }
  for (const char* name : {"scale_a", "scale_b"})
    for (std::size_t i = 0; i < t[name].size() / 4; ++i) put(t[name], i, scale(rng) / 64.f);
  if (t.contains("bias"))
    for (std::size_t i = 0; i < t["bias"].size() / 4; ++i) put(t["bias"], i, normal(rng));
  return t;
}

// The reference result for the inputs (B row-major, as given).
inline ref::Status reference(const Case& c, const asmk_device_info& dev, const Tensors& t, ref::GemmRef& out) {
  auto bytes = [&](const char* name) { return t.at(name).data(); };
  auto floats = [&](const char* name) -> const float* {
    return t.contains(name) ? reinterpret_cast<const float*>(t.at(name).data()) : nullptr;
  };
  if (c.family == "gemm_bf16") {
    ref::GemmBf16Args r;
    r.a = reinterpret_cast<const std::uint16_t*>(bytes("a"));
    r.b = reinterpret_cast<const std::uint16_t*>(bytes("b"));
    r.m = c.m, r.n = c.n, r.k = c.k, r.stride_a = c.k, r.stride_b = c.k;
    return ref::gemm_bf16(r, out);
  }
  if (c.family == "gemm_a8w8") {
    ref::GemmA8W8Args r;
    r.type = c.in_dtype == ASMK_DTYPE_INT8 ? ref::Elem8::int8() : ref::Elem8::fp8(fp8_format_of(dev));
    r.a = bytes("a"), r.b = bytes("b"), r.scale_a = floats("scale_a"), r.scale_b = floats("scale_b");
    r.bias = floats("bias");
    r.m = c.m, r.n = c.n, r.k = c.k, r.stride_a = c.k, r.stride_b = c.k;
    return ref::gemm_a8w8(r, out);
  }
  if (c.family == "gemm_a8w8_blockscale") {
    ref::GemmA8W8BlockscaleArgs r;
    r.type = ref::Elem8::fp8(fp8_format_of(dev));
    r.a = bytes("a"), r.b = bytes("b"), r.scale_a = floats("scale_a"), r.scale_b = floats("scale_b");
    r.m = c.m, r.n = c.n, r.k = c.k, r.stride_a = c.k, r.stride_b = c.k;
    return ref::gemm_a8w8_blockscale(r, out);
  }
  ref::GemmA4W4Args r;
  r.a = bytes("a"), r.b = bytes("b"), r.scale_a = bytes("scale_a"), r.scale_b = bytes("scale_b");
  r.m = c.m, r.n = c.n, r.k = c.k, r.stride_a = c.k / 2, r.stride_b = c.k / 2;
  r.stride_scale_a = c.k / 32, r.stride_scale_b = c.k / 32;
  return ref::gemm_a4w4(r, out);
}

// Device memory of a context for one run, freed at the end of it.
class DeviceMemory {
 public:
  explicit DeviceMemory(asmk_context* ctx) : ctx_(ctx) {}
  ~DeviceMemory() {
    for (void* p : owned_) asmk_free(ctx_, p);
  }
  DeviceMemory(const DeviceMemory&) = delete;
  DeviceMemory& operator=(const DeviceMemory&) = delete;

  asmk_status allocate(std::size_t bytes, void** out) {
    const asmk_status s = asmk_malloc(ctx_, bytes == 0 ? 1 : bytes, out);
    if (s == ASMK_SUCCESS) owned_.push_back(*out);
    return s;
  }
  asmk_status upload(const std::vector<std::uint8_t>& host, void** out) {
    asmk_status s = allocate(host.size(), out);
    if (s == ASMK_SUCCESS) s = asmk_memcpy(ctx_, *out, host.data(), host.size(), ASMK_COPY_HOST_TO_DEVICE);
    return s;
  }

 private:
  asmk_context* ctx_;
  std::vector<void*> owned_;
};

// Fills the family's args struct from device pointers (all packed strides: 0).
struct Args {
  asmk_gemm_bf16_args bf16{};
  asmk_gemm_a8w8_args a8w8{};
  asmk_gemm_a8w8_blockscale_args blockscale{};
  asmk_gemm_a4w4_args a4w4{};
};

inline Args make_args(const Case& c, const std::map<std::string, void*>& p, const std::map<std::string, std::size_t>& bytes,
                      void* workspace, std::size_t workspace_bytes) {
  auto ptr = [&](const char* name) -> void* { return p.contains(name) ? p.at(name) : nullptr; };
  auto size = [&](const char* name) -> std::size_t { return bytes.contains(name) ? bytes.at(name) : 0; };
  Args a;
  if (c.family == "gemm_bf16") {
    auto& g = a.bf16;
    g.m = c.m, g.n = c.n, g.k = c.k, g.out_dtype = c.out_dtype, g.k_splits = c.k_splits;
    g.a = ptr("a"), g.b = ptr("b"), g.c = ptr("c");
    g.a_bytes = size("a"), g.b_bytes = size("b"), g.c_bytes = size("c");
    g.workspace = workspace, g.workspace_bytes = workspace_bytes;
  } else if (c.family == "gemm_a8w8") {
    auto& g = a.a8w8;
    g.m = c.m, g.n = c.n, g.k = c.k, g.in_dtype = c.in_dtype, g.out_dtype = c.out_dtype, g.b_layout = c.b_layout;
    g.k_splits = c.k_splits;
    g.a = ptr("a"), g.b = ptr("b"), g.c = ptr("c");
    g.scale_a = static_cast<const float*>(ptr("scale_a")), g.scale_b = static_cast<const float*>(ptr("scale_b"));
    g.bias = static_cast<const float*>(ptr("bias"));
    g.a_bytes = size("a"), g.b_bytes = size("b"), g.c_bytes = size("c"), g.scale_a_bytes = size("scale_a");
    g.scale_b_bytes = size("scale_b"), g.bias_bytes = size("bias");
    g.workspace = workspace, g.workspace_bytes = workspace_bytes;
  } else if (c.family == "gemm_a8w8_blockscale") {
    auto& g = a.blockscale;
    g.m = c.m, g.n = c.n, g.k = c.k, g.in_dtype = ASMK_DTYPE_FP8, g.out_dtype = ASMK_DTYPE_BF16;
    g.a = ptr("a"), g.b = ptr("b"), g.c = ptr("c");
    g.scale_a = static_cast<const float*>(ptr("scale_a")), g.scale_b = static_cast<const float*>(ptr("scale_b"));
    g.a_bytes = size("a"), g.b_bytes = size("b"), g.c_bytes = size("c"), g.scale_a_bytes = size("scale_a");
    g.scale_b_bytes = size("scale_b");
    g.k_splits = c.k_splits, g.workspace = workspace, g.workspace_bytes = workspace_bytes;
  } else {
    auto& g = a.a4w4;
    g.m = c.m, g.n = c.n, g.k = c.k, g.out_dtype = ASMK_DTYPE_BF16;
    g.a = ptr("a"), g.b = ptr("b"), g.c = ptr("c");
    g.scale_a = static_cast<const std::uint8_t*>(ptr("scale_a")), g.scale_b = static_cast<const std::uint8_t*>(ptr("scale_b"));
    g.a_bytes = size("a"), g.b_bytes = size("b"), g.c_bytes = size("c"), g.scale_a_bytes = size("scale_a");
    g.scale_b_bytes = size("scale_b");
    g.k_splits = c.k_splits, g.workspace = workspace, g.workspace_bytes = workspace_bytes;
  }
  return a;
}

inline asmk_status select(asmk_context* ctx, const Case& c, const Args& a, asmk_selection* out) {
  if (c.family == "gemm_bf16") return asmk_select_gemm_bf16(ctx, &a.bf16, out);
  if (c.family == "gemm_a8w8") return asmk_select_gemm_a8w8(ctx, &a.a8w8, out);
  if (c.family == "gemm_a8w8_blockscale") return asmk_select_gemm_a8w8_blockscale(ctx, &a.blockscale, out);
  return asmk_select_gemm_a4w4(ctx, &a.a4w4, out);
}

inline asmk_status launch(asmk_context* ctx, const Case& c, const Args& a, asmk_selection* out) {
  if (c.family == "gemm_bf16") return asmk_gemm_bf16(ctx, &a.bf16, nullptr, out);
  if (c.family == "gemm_a8w8") return asmk_gemm_a8w8(ctx, &a.a8w8, nullptr, out);
  if (c.family == "gemm_a8w8_blockscale") return asmk_gemm_a8w8_blockscale(ctx, &a.blockscale, nullptr, out);
  return asmk_gemm_a4w4(ctx, &a.a4w4, nullptr, out);
}

// Selection only (no pointers), offering any workspace when split-K is allowed.
inline asmk_status select_only(asmk_context* ctx, const Case& c, asmk_selection* out) {
  const Args a = make_args(c, {}, {}, nullptr, c.allow_split_k ? SIZE_MAX : 0);
  return select(ctx, c, a, out);
}

struct Result {
  asmk_status status = ASMK_SUCCESS;
  std::string error;  // libasmk's message or the reference's refusal
  asmk_selection selection{};
  std::string explain;
  std::vector<std::uint8_t> c;  // C as the kernel wrote it, packed rows
  ref::ErrorSummary summary;
  double mean_abs_error = 0;

  bool ok() const { return status == ASMK_SUCCESS && error.empty() && summary.ok(); }
};

// Runs the case on the context with the inputs and compares C with the reference.
inline Result run(asmk_context* ctx, const asmk_device_info& dev, const Case& c, const Tensors& inputs) {
  Result r;
  auto failed = [&](asmk_status s) {
    r.status = s;
    r.error = asmk_last_error();
    return r;
  };
  DeviceMemory memory(ctx);
  std::map<std::string, void*> pointers;
  std::map<std::string, std::size_t> sizes;
  for (const auto& [name, host] : inputs) {
    std::vector<std::uint8_t> bytes = host;
    if (name == "b" && c.b_layout == ASMK_B_SHUFFLED) {
      if (const ref::Status s = ref::shuffle_b(host.data(), c.n, c.k, c.k, bytes.data()); !s.ok()) {
        r.error = "reference shuffle_b refused the case: " + s.error;
        return r;
      }
    }
    if (asmk_status s = memory.upload(bytes, &pointers[name]); s != ASMK_SUCCESS) return failed(s);
    sizes[name] = bytes.size();
  }
  sizes["c"] = std::size_t(c.m) * c.n * output_element_bytes(c);
  if (asmk_status s = memory.allocate(sizes["c"], &pointers["c"]); s != ASMK_SUCCESS) return failed(s);

  // Ask for the plan with any workspace, then give it exactly what it needs.
  asmk_selection planned{};
  Args args = make_args(c, pointers, sizes, nullptr, c.allow_split_k ? SIZE_MAX : 0);
  if (asmk_status s = select(ctx, c, args, &planned); s != ASMK_SUCCESS) return failed(s);
  void* workspace = nullptr;
  if (planned.workspace_bytes > 0)
    if (asmk_status s = memory.allocate(planned.workspace_bytes, &workspace); s != ASMK_SUCCESS) return failed(s);
  args = make_args(c, pointers, sizes, workspace, planned.workspace_bytes);
  asmk_status s = launch(ctx, c, args, &r.selection);
  if (s == ASMK_SUCCESS) s = asmk_synchronize(ctx, nullptr);
  if (s != ASMK_SUCCESS) return failed(s);
  r.explain = r.selection.explain;
  r.c.resize(sizes["c"]);
  if (s = asmk_memcpy(ctx, r.c.data(), pointers["c"], r.c.size(), ASMK_COPY_DEVICE_TO_HOST); s != ASMK_SUCCESS)
    return failed(s);

  ref::GemmRef expected;
  if (const ref::Status rs = reference(c, dev, inputs, expected); !rs.ok()) {
    r.error = "the reference refused the case: " + rs.error;
    return r;
  }
  r.summary = ref::compare_output(expected, out_type(c), r.c.data(), c.n);
  double sum = 0;
  for (std::uint32_t row = 0; row < c.m; ++row)
    for (std::uint32_t col = 0; col < c.n; ++col)
      sum += std::fabs(ref::load_output(out_type(c), r.c.data(), c.n, row, col) - expected.at(row, col));
  r.mean_abs_error = sum / (double(c.m) * c.n);
  return r;
}

}  // namespace asmk::gemm_cases
