// The launch plans of the families the sweep knows: the launch rule of each family's template
// header (templates/<family>/*.s.j2), split into classes of identical workgroups.
#include <fmt/format.h>

#include "asmk/perf/sweep.hpp"

namespace asmk::perf {
namespace {

uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

int64_t int_param(const KernelEntry& k, const std::string& name) {
  const auto it = k.params.find(name);
  return it == k.params.end() ? 0 : std::stoll(it->second);
}

std::string param(const KernelEntry& k, const std::string& name) {
  const auto it = k.params.find(name);
  return it == k.params.end() ? "" : it->second;
}

int64_t requirement(const KernelEntry& k, const std::string& name, int64_t fallback) {
  const auto it = k.requires_.find(name);
  return it == k.requires_.end() ? fallback : it->second;
}

emu::Dim3 block_of(const KernelEntry& k) { return {k.workgroup_size[0], k.workgroup_size[1], k.workgroup_size[2]}; }

// ---- GEMM families: C [M, N] = A [M, K] · B [N, K]ᵀ, tiles m_tile x n_tile,
// grid = (ceil(N / n_tile), ceil(M / m_tile), k_splits); ragged tiles run their own (shorter) stores.
// Split-K (gemm_bf16, gemm_a8w8): split z sums its K chunk into an fp32 workspace and
// gemm_splitk_reduce writes C (templates/gemm_*/ headers).
struct GemmTypes {
  double a = 2, b = 2;  // bytes per element of A and B (0.5 for fp4)
  uint32_t c = 2;       // bytes per element of C
  int64_t k_step = 32;  // K multiple (and split-K chunk granule)
  bool split_k = false;
  LaunchInput::Peak peak = LaunchInput::Peak::bf16;
};

uint32_t dtype_bytes(const std::string& dtype, uint32_t fallback) {
  if (dtype == "f32") return 4;
  if (dtype == "bf16" || dtype == "fp16") return 2;
  if (dtype == "fp8" || dtype == "int8") return 1;
  return fallback;
}

GemmTypes gemm_types(const KernelEntry& k) {
  GemmTypes t;
  if (k.family == "gemm_bf16") {
    t = {2, 2, dtype_bytes(param(k, "out_dtype"), 2), 32, true, LaunchInput::Peak::bf16};
  } else if (k.family == "gemm_a8w8") {
    t = {1, 1, dtype_bytes(param(k, "out_dtype"), 2), 64, true, LaunchInput::Peak::fp8};
  } else if (k.family == "gemm_a8w8_blockscale") {
    t = {1, 1, 2, 128, false, LaunchInput::Peak::fp8};
  } else if (k.family == "gemm_a4w4") {
    t = {0.5, 0.5, 2, 128, false, LaunchInput::Peak::fp4};
  }
  t.k_step = requirement(k, "k_multiple", t.k_step);
  return t;
}

uint64_t bytes(double per_element, uint64_t rows, uint64_t cols) {
  return static_cast<uint64_t>(per_element * double(rows) * double(cols));
}

LaunchSpec gemm_launch(const KernelEntry& k, const GemmTypes& t, uint64_t m, uint64_t n, uint64_t kk, uint32_t splits) {
  LaunchSpec s;
  const uint64_t mt = int_param(k, "m_tile"), nt = int_param(k, "n_tile");
  s.grid = {static_cast<uint32_t>(ceil_div(n, nt)), static_cast<uint32_t>(ceil_div(m, mt)), splits};
  s.block = block_of(k);
  const uint64_t row_a = bytes(t.a, 1, kk), row_b = bytes(t.b, 1, kk);
  s.buffers = {{"a", m * row_a}, {"b", n * row_b}, {"c", m * n * t.c}};
  s.values = {{"m", m}, {"n", n}, {"k", kk}, {"stride_a", k.family == "gemm_bf16" ? kk : row_a},
              {"stride_b", k.family == "gemm_bf16" ? kk : row_b}, {"stride_c", n}};
  if (k.family == "gemm_bf16" || k.family == "gemm_a8w8") {
    if (splits > 1) s.buffers.push_back({"workspace", uint64_t(splits) * m * n * 4});
    else s.null_buffers.push_back("workspace");  // unused without split-K
    s.values.push_back({"k_splits", splits});
  }
  if (k.family == "gemm_a8w8") {
    s.buffers.insert(s.buffers.end(), {{"scale_a", m * 4}, {"scale_b", n * 4}});
    s.null_buffers.push_back("bias");  // no bias
  } else if (k.family == "gemm_a8w8_blockscale") {
    const uint64_t kb = ceil_div(kk, 128);
    s.buffers.insert(s.buffers.end(), {{"scale_a", m * kb * 4}, {"scale_b", ceil_div(n, 128) * kb * 4}});
    s.values.push_back({"stride_scale_a", kb});
  } else if (k.family == "gemm_a4w4") {
    s.buffers.insert(s.buffers.end(), {{"scale_a", m * (kk / 32)}, {"scale_b", n * (kk / 32)}});
    s.values.insert(s.values.end(), {{"stride_scale_a", kk / 32}, {"stride_scale_b", kk / 32}});
  }
  return s;
}

std::string gemm_unsupported(const KernelEntry& k, const Shape& s) {
  const GemmTypes t = gemm_types(k);
  if (int_param(k, "m_tile") <= 0 || int_param(k, "n_tile") <= 0) return "no m_tile/n_tile parameters";
  if (s.k == 0 || s.k % uint64_t(t.k_step) != 0) return fmt::format("K={} is not a multiple of {}", s.k, t.k_step);
  if (const int64_t nm = requirement(k, "n_multiple", 1); nm > 1 && s.n % uint64_t(nm) != 0)
    return fmt::format("N={} is not a multiple of {}", s.n, nm);
  if (s.m * s.k >= (1ull << 40)) return "too large";
  return "";
}

// Split-K factors worth modeling: 1, and more only while the tiles leave CUs idle and every split
// keeps an equal K chunk of at least 256.
std::vector<uint32_t> gemm_splits(const KernelEntry& k, const Shape& s, uint32_t compute_units) {
  const GemmTypes t = gemm_types(k);
  std::vector<uint32_t> splits{1};
  if (!t.split_k) return splits;
  const uint64_t tiles = ceil_div(s.m, int_param(k, "m_tile")) * ceil_div(s.n, int_param(k, "n_tile"));
  for (uint32_t ks = 2; ks <= 8; ks *= 2) {  // the factors the selectors accept: 1, 2, 4, 8
    if (tiles * (ks / 2) >= compute_units) break;
    if (s.k % (uint64_t(ks) * t.k_step) != 0 || s.k / ks < 256) break;
    splits.push_back(ks);
  }
  return splits;
}

Plan gemm_plan(const KernelEntry& k, const Shape& s, uint32_t splits) {
  const GemmTypes t = gemm_types(k);
  const uint64_t mt = int_param(k, "m_tile"), nt = int_param(k, "n_tile");
  Plan p;
  p.launch = gemm_launch(k, t, s.m, s.n, s.k, splits);
  const uint64_t full_rows = s.m / mt, full_cols = s.n / nt, rem_m = s.m % mt, rem_n = s.n % nt;
  // Each class's representative is the first workgroup of a launch of exactly its tile shape (and,
  // with split-K, the same K and split count: split 0 sums the same chunk length as every split).
  auto add = [&](std::string what, uint64_t count, uint64_t rows, uint64_t cols) {
    if (count > 0) p.classes.push_back({std::move(what), count * splits, gemm_launch(k, t, rows, cols, s.k, splits)});
  };
  add("interior tiles", full_rows * full_cols, mt, nt);
  add(fmt::format("last row of tiles ({} rows)", rem_m), rem_m ? full_cols : 0, rem_m, nt);
  add(fmt::format("last column of tiles ({} columns)", rem_n), rem_n ? full_rows : 0, mt, rem_n);
  add("corner tile", rem_m && rem_n ? 1 : 0, rem_m, rem_n);
  p.flops = 2.0 * double(s.m) * double(s.n) * double(s.k);
  p.compulsory_bytes = double(bytes(t.a, s.m, s.k) + bytes(t.b, s.n, s.k) + s.m * s.n * t.c);
  for (const auto& [name, size] : p.launch.buffers)
    if (name.starts_with("scale")) p.compulsory_bytes += double(size);
  p.peak = t.peak;
  if (splits > 1) {
    // The second pass: gemm_splitk_reduce, grid (ceil(N / 256), M); it reads the workspace once.
    SecondPass r;
    r.family = "gemm_splitk_reduce";
    r.params = {{"out_dtype", param(k, "out_dtype")}};
    auto reduce_launch = [&](uint64_t m, uint64_t n) {
      LaunchSpec l;
      l.grid = {static_cast<uint32_t>(ceil_div(n, 256)), static_cast<uint32_t>(m), 1};
      l.block = {256, 1, 1};
      l.buffers = {{"workspace", uint64_t(splits) * m * n * 4}, {"c", m * n * t.c}};
      if (k.family == "gemm_a8w8") l.buffers.insert(l.buffers.end(), {{"scale_a", m * 4}, {"scale_b", n * 4}});
      else l.null_buffers = {"scale_a", "scale_b"};
      l.null_buffers.push_back("bias");
      l.values = {{"m", m}, {"n", n}, {"k_splits", splits}, {"stride_c", n}};
      return l;
    };
    r.launch = reduce_launch(s.m, s.n);
    if (s.n / 256) r.classes.push_back({"full column blocks", s.m * (s.n / 256), reduce_launch(1, 256)});
    if (s.n % 256) r.classes.push_back({"last column block", s.m, reduce_launch(1, s.n % 256)});
    r.compulsory_bytes = double(splits) * double(s.m * s.n * 4) + double(s.m * s.n * t.c);
    p.second = std::move(r);
  }
  return p;
}

// ---- quant_fp8 (docs/contracts.md): row: grid (1, M); group: grid (ceil(N / n_per_wg), M).
LaunchSpec quant_launch(const KernelEntry& k, uint64_t m, uint64_t n) {
  const bool row = param(k, "granularity") == "row";
  const uint64_t npw = int_param(k, "n_per_wg");
  const uint32_t in_bytes = 2;  // bf16 or fp16
  LaunchSpec s;
  s.grid = {static_cast<uint32_t>(row ? 1 : ceil_div(n, npw)), static_cast<uint32_t>(m), 1};
  s.block = block_of(k);
  s.buffers = {{"x", m * n * in_bytes}, {"y", m * n}, {"scale", m * (row ? 1 : n / 128) * 4}};
  s.values = {{"m", m}, {"n", n}, {"stride_x", n}, {"stride_y", n}};
  return s;
}

std::string quant_unsupported(const KernelEntry& k, const Shape& s) {
  if (int_param(k, "n_per_wg") <= 0) return "no n_per_wg parameter";
  if (s.n % 128 != 0) return fmt::format("N={} is not a multiple of 128", s.n);
  if (s.m > UINT32_MAX) return "M does not fit the grid";
  return "";
}

Plan quant_plan(const KernelEntry& k, const Shape& s, uint32_t) {
  const bool row = param(k, "granularity") == "row";
  const uint64_t npw = int_param(k, "n_per_wg");
  Plan p;
  p.launch = quant_launch(k, s.m, s.n);
  if (row) {
    p.classes.push_back({"rows", s.m, quant_launch(k, 1, s.n)});
  } else {
    if (s.n / npw > 0) p.classes.push_back({"full chunks", s.m * (s.n / npw), quant_launch(k, 1, npw)});
    if (s.n % npw) p.classes.push_back({"last chunk of each row", s.m, quant_launch(k, 1, s.n % npw)});
  }
  p.compulsory_bytes = double(s.m * s.n * 3 + s.m * (row ? 1 : s.n / 128) * 4);
  return p;
}

std::vector<uint32_t> no_splits(const KernelEntry&, const Shape&, uint32_t) { return {1}; }

const std::vector<Family>& families() {
  static const std::vector<Family> all = {
      {"gemm_bf16", {{"out_dtype", "bf16"}}, gemm_unsupported, gemm_splits, gemm_plan},
      {"gemm_a8w8", {{"in_dtype", "fp8"}, {"out_dtype", "bf16"}, {"b_layout", "row"}}, gemm_unsupported, gemm_splits,
       gemm_plan},
      {"gemm_a8w8_blockscale", {}, gemm_unsupported, gemm_splits, gemm_plan},
      {"gemm_a4w4", {}, gemm_unsupported, gemm_splits, gemm_plan},
      {"quant_fp8", {{"in_dtype", "bf16"}, {"granularity", "group"}}, quant_unsupported, no_splits, quant_plan},
  };
  return all;
}

}  // namespace

const Family* find_family(const std::string& name) {
  for (const auto& f : families())
    if (f.name == name) return &f;
  return nullptr;
}

std::vector<std::string> family_names() {
  std::vector<std::string> names;
  for (const auto& f : families()) names.push_back(f.name);
  return names;
}

}  // namespace asmk::perf
