// Modeled launch of one fmha_fwd kernel over a whole attention problem (batch mode, causal or not), with
// the figures of its main loop. The model is perf/MODEL.md's (traced workgroups simulated on a CU, rounds
// over the CUs, L2 and HBM bounds); what this adds for attention is how workgroups are represented:
//
//   * Workgroups differ only in their query tile x (heads and sequences repeat the same work), and tile x
//     of a causal problem does the work of a one-tile launch with bottom-right causal mask and
//     s_k' = s_q' + R·x + (s_k − s_q) (its waves see the same keys: j ≤ i + R·x + s_k − s_q), R = 32 query
//     rows per wave of the kernel's workgroup (128 at 4 waves, 256 for the 8-wave ping-pong).
//     Non-causal: s_k' = s_k. So each workgroup is "a one-tile launch of s_k' keys".
//   * A workgroup's CU time, MFMA busy time and bytes are linear in s_k' in the steady state (every 32-key
//     tile runs the same instructions), so two traced lengths per tile height (R rows, the ragged last
//     tile) on the same 128-key lattice give them for every s_k', long sequences included; a third, traced
//     between them, checks the fit (`fit_error`).
//   * Packed rows (mask "packed": short queries with GQA): a workgroup's rows are R of the G·s_q (query head, token)
//     pairs of a kv head (G = h_q / h_k), so tile x of ceil(G·s_q / R) covers rows [R·x, R·x + R) of each kv head;
//     every tile sees the keys of tokens [0, s_q) (s_k' = s_k; causal: each row's limit from its token, the masked
//     last tile included), traced as a one-tile packed launch of s_q tokens and ⌊32·waves / s_q⌋ query heads on one
//     kv head, waves = ceil(rows / 32): the tile's waves, each with the keys of tokens [0, s_q) (a wave's work does
//     not depend on how many of its 32 rows are busy). Workgroups repeat per kv head.
//   * Split-KV (--splits N > 1, the pipeline op fmha_fwd for short queries): each workgroup takes one split's
//     share of its tile's keys (ceil(tiles / N) 32-key tiles, the kernel's partition), traced as a one-tile
//     launch of that many keys (causal: the diagonal at the share's end, exact for the last split, one masked
//     tile too many for the others); HBM also carries the fp32 partials (written, then read by the combine).
//     The attn_lse_combine launch after it (one wave per row, N splits) is traced and scheduled the same way;
//     its time adds to the split pass's.
//
// Usage (JSON on stdout, one object; labelled "modeled"):
//   asmk_fmha_model --repo hsaco --machine MI300X --kernel NAME --batch B --heads-q H --heads-k HK
//                   --seqlen-q S --seqlen-k SK [--causal] [--splits N] [--trace-limit 2048]
//                   [--dispatch grid | tiles | heads-heaviest-first | tiles-heaviest-first]
//                   [--inputs random | zeros] [--seed N]
//
// Traced inputs (--inputs): q, k and v hold seeded N(0, 1) values in the kernel's element type (bf16, fp16, or the
// arch's fp8: gfx942 e4m3fnuz, gfx950 e4m3fn; perf::random_values), the default; or zeros, on which a
// data-dependent kernel is modeled at its best case (the fp8 ping-pong's kept maximum never moves). The JSON says
// which ("inputs").
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "asmk/perf/cu_timeline.hpp"
#include "asmk/perf/launch_estimate.hpp"
#include "asmk/perf/machine.hpp"
#include "asmk/perf/occupancy.hpp"
#include "asmk/perf/sweep.hpp"
#include "asmk/perf/sweep_setup.hpp"
#include "asmk/ref/numeric.hpp"

namespace perf = asmk::perf;
using nlohmann::json;

namespace {

constexpr uint32_t kRowsPerWave = 32;  // the kernel's launch rule: 32 query rows per wave of the workgroup
constexpr uint32_t kLattice = 128;     // s_k' steps between causal tiles (a divisor of every R)

struct Problem {
  std::string repo = "hsaco", machine = "MI300X", kernel;
  uint32_t batch = 1, heads_q = 1, heads_k = 1, seqlen_q = 0, seqlen_k = 0, trace_limit = 2048, splits = 1;
  bool causal = false;
  std::string inputs = "random";  // traced q, k, v: "random" (N(0, 1), seeded) or "zeros"
  uint64_t seed = 1;
  // Dispatch order of the workgroups: "grid" (the kernel's, space.yaml's launch: "tiles-heaviest-first" at 8 waves,
  // "heads-heaviest-first" at 4), "heads-heaviest-first" (heads fastest, then query tiles from the last, the
  // heaviest of a causal launch first, then sequences), "tiles-heaviest-first" (heads fastest, then sequences, then
  // query tiles from the last: the whole launch's heaviest first; 8-wave kernels since 2026-12-08) or "tiles" (the
  // grid of the kernels before 2026-12-07: query tiles fastest from the first, then heads; for a repository of that
  // time)
  std::string dispatch = "grid";
};

[[noreturn]] void usage(const std::string& why) {
  std::cerr << "asmk_fmha_model: " << why
            << "\nusage: asmk_fmha_model --repo DIR --machine NAME --kernel NAME --batch B --heads-q H --heads-k HK"
               " --seqlen-q S --seqlen-k SK [--causal] [--splits N] [--trace-limit KEYS] [--dispatch ORDER]"
               " [--inputs random|zeros] [--seed N]\n";
  std::exit(2);
}

Problem parse(int argc, char** argv) {
  Problem p;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--causal") { p.causal = true; continue; }
    if (i + 1 >= argc) usage("missing value after " + a);
    const std::string v = argv[++i];
    auto u32 = [&] { return uint32_t(std::stoul(v)); };
    if (a == "--repo") p.repo = v;
    else if (a == "--machine") p.machine = v;
    else if (a == "--kernel") p.kernel = v;
    else if (a == "--batch") p.batch = u32();
    else if (a == "--heads-q") p.heads_q = u32();
    else if (a == "--heads-k") p.heads_k = u32();
    else if (a == "--seqlen-q") p.seqlen_q = u32();
    else if (a == "--seqlen-k") p.seqlen_k = u32();
    else if (a == "--trace-limit") p.trace_limit = u32();
    else if (a == "--splits") p.splits = std::max(1u, u32());
    else if (a == "--dispatch") p.dispatch = v;
    else if (a == "--inputs") p.inputs = v;
    else if (a == "--seed") p.seed = std::stoull(v);
    else usage("unknown option " + a);
  }
  if (p.kernel.empty() || p.seqlen_q == 0 || p.seqlen_k == 0) usage("--kernel, --seqlen-q and --seqlen-k are required");
  if (p.dispatch != "grid" && p.dispatch != "tiles" && p.dispatch != "heads-heaviest-first" &&
      p.dispatch != "tiles-heaviest-first")
    usage("--dispatch: grid, tiles, heads-heaviest-first or tiles-heaviest-first");
  if (p.inputs != "random" && p.inputs != "zeros") usage("--inputs: random or zeros");
  if (p.causal && p.seqlen_k < p.seqlen_q) usage("causal (bottom-right) needs seqlen_k >= seqlen_q");
  return p;
}

struct Dims {
  uint32_t d = 0, dv = 0, elem_bytes = 2;
  bool window = false, packed = false;
  std::string format;  // q, k and v's element format (a ref::Format name)
};

Dims kernel_dims(const perf::KernelEntry& k) {
  Dims d;
  const std::string dtype = k.params.at("dtype");
  d.format = dtype == "fp8" ? std::string(asmk::ref::format_name(asmk::ref::fp8_format(*asmk::parse_arch(k.arch)))) : dtype;
  const std::string dims = k.params.at("head_dims");
  const auto x = dims.find('x');
  d.d = uint32_t(std::stoul(dims.substr(0, x)));
  d.dv = x == std::string::npos ? d.d : uint32_t(std::stoul(dims.substr(x + 1)));
  d.elem_bytes = k.params.at("dtype") == "fp8" ? 1 : 2;
  d.packed = k.params.at("mask") == "packed";
  d.window = k.params.at("mask") == "window" || d.packed;  // packed rows: the window mask per row
  return d;
}

uint64_t f32_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

// A one-workgroup launch of s_q' rows and s_k' keys (one head, one sequence); causal: bottom-right. Packed rows
// (tokens > 0): ⌊32·ceil(rows / 32) / tokens⌋ query heads × `tokens` tokens of one kv head (as many waves as `rows`),
// q and o [tokens, heads, d].
perf::LaunchSpec one_tile(const perf::KernelEntry& k, const Dims& d, uint32_t rows, uint32_t keys, bool causal,
                          uint32_t tokens, const Problem& p) {
  const uint32_t heads = tokens ? std::max(1u, kRowsPerWave * ((rows + kRowsPerWave - 1) / kRowsPerWave) / tokens) : 1;
  const uint32_t seq = tokens ? tokens : rows;
  perf::LaunchSpec l;
  l.grid = {1, 1, 1};
  l.block = {k.workgroup_size[0], k.workgroup_size[1], k.workgroup_size[2]};
  l.buffers = {{"q", uint64_t(seq) * heads * d.d * d.elem_bytes},
               {"k", uint64_t(keys) * d.d * d.elem_bytes},
               {"v", uint64_t(keys) * d.dv * d.elem_bytes},
               {"o", uint64_t(seq) * heads * d.dv * 2}};
  l.null_buffers = {"lse", "cu_seqlens_q", "cu_seqlens_k"};
  l.values = {{"batch", 1}, {"seqlen_q", seq}, {"seqlen_k", keys}, {"num_heads_q", heads}, {"num_heads_k", 1},
              {"q_stride_batch", uint64_t(seq) * heads * d.d}, {"q_stride_token", uint64_t(heads) * d.d}, {"q_stride_head", d.d},
              {"k_stride_batch", uint64_t(keys) * d.d}, {"k_stride_token", d.d}, {"k_stride_head", d.d},
              {"v_stride_batch", uint64_t(keys) * d.dv}, {"v_stride_token", d.dv}, {"v_stride_head", d.dv},
              {"o_stride_batch", uint64_t(seq) * heads * d.dv}, {"o_stride_token", uint64_t(heads) * d.dv}, {"o_stride_head", d.dv},
              {"scale", f32_bits(1.f / std::sqrt(float(d.d)))}, {"q_descale", f32_bits(1.f)},
              {"k_descale", f32_bits(1.f)}, {"v_descale", f32_bits(1.f)}, {"softcap", 0},
              {"window_left", 0xffffffffu}, {"window_right", causal ? 0u : 0xffffffffu}, {"bottom_right", 1},
              {"num_splits", 1}};
  if (p.inputs == "random") {
    l.random = {{"q", d.format}, {"k", d.format}, {"v", d.format}};
    l.seed = p.seed;
  }
  return l;
}

// What the model needs of one traced workgroup, simulated with `copies` resident copies.
struct Sample {
  uint32_t keys = 0;
  double cycles = 0, mfma_busy = 0, valu_busy = 0, lds_busy = 0, global_bytes = 0, lds_conflict_cycles = 0;
  uint64_t lds_ops = 0, vmem_ops = 0, instructions = 0;
  std::string limiter;
};

Sample lerp(const Sample& a, const Sample& b, uint32_t keys) {
  const double t = b.keys == a.keys ? 0.0 : (double(keys) - a.keys) / (double(b.keys) - a.keys);
  auto mix = [t](double x, double y) { return x + (y - x) * t; };
  Sample s;
  s.keys = keys;
  s.cycles = mix(a.cycles, b.cycles);
  s.mfma_busy = mix(a.mfma_busy, b.mfma_busy);
  s.valu_busy = mix(a.valu_busy, b.valu_busy);
  s.lds_busy = mix(a.lds_busy, b.lds_busy);
  s.global_bytes = mix(a.global_bytes, b.global_bytes);
  s.lds_conflict_cycles = mix(a.lds_conflict_cycles, b.lds_conflict_cycles);
  s.limiter = b.limiter;
  return s;
}

class Tracer {
 public:
  Tracer(const perf::Machine& m, const perf::KernelEntry& k, const Dims& d, bool causal, uint32_t copies,
         uint32_t tokens, const Problem& p)
      : m_(m), k_(k), d_(d), causal_(causal), copies_(copies), tokens_(tokens), p_(p) {}

  Sample at(uint32_t rows, uint32_t keys) {
    const auto key = std::make_pair(rows, keys);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    auto program = perf::trace_workgroup(k_, one_tile(k_, d_, rows, keys, causal_, tokens_, p_));
    if (!program) {
      std::cerr << "asmk_fmha_model: " << program.error() << "\n";
      std::exit(1);
    }
    const perf::CuTimeline t = perf::simulate_cu(m_, *program, copies_);
    Sample s;
    s.keys = keys;
    s.cycles = t.cycles;
    s.mfma_busy = t.mfma_busy;
    s.valu_busy = t.valu_busy;
    s.lds_busy = t.lds_busy;
    s.global_bytes = double(program->global_bytes());
    s.instructions = t.instructions;
    s.limiter = t.limiter();
    for (const auto& w : program->waves)
      for (const auto& op : w.ops) {
        s.lds_conflict_cycles += op.lds_conflict_cycles;
        s.lds_ops += op.cls == perf::OpClass::lds_read || op.cls == perf::OpClass::lds_write;
        s.vmem_ops += op.cls == perf::OpClass::vmem_load || op.cls == perf::OpClass::vmem_store;
      }
    ++traces_;
    return cache_[key] = s;
  }
  uint32_t traces() const { return traces_; }

 private:
  const perf::Machine& m_;
  const perf::KernelEntry& k_;
  Dims d_;
  bool causal_;
  uint32_t copies_;
  uint32_t tokens_;  // packed rows: the query tokens of a sequence (0: one head's rows)
  const Problem& p_;  // the traced inputs
  uint32_t traces_ = 0;
  std::map<std::pair<uint32_t, uint32_t>, Sample> cache_;
};

// Two traced lengths on the lattice of `hi` (same residue mod 128, so the same ragged last key tile and
// diagonal), at most `limit` keys and at least one full key block beyond the diagonal, up to 8 blocks
// apart: the slope between them is steady-state tiles only.
std::pair<uint32_t, uint32_t> fit_points(uint32_t hi, uint32_t rows, uint32_t limit) {
  uint32_t b = hi;
  if (b > limit) b -= kLattice * ((b - limit + kLattice - 1) / kLattice);
  uint32_t a = b;
  while (a >= rows + 2 * kLattice && b - a < 8 * kLattice) a -= kLattice;
  return {a, b};
}

// The attn_lse_combine launch after a split pass: `rows` rows of `splits` fp32 partials of dv each, one wave per
// row, 4 rows per workgroup; its modeled time (µs, launch overhead included) and bytes.
json combine_time(const perf::Machine& m, const std::vector<perf::KernelEntry>& kernels, uint64_t rows, uint32_t splits,
                  uint32_t dv) {
  // the slots the op attn_lse_combine picks (templates/attn_lse_combine/op.yaml: 12 when the rows fill more than 12
  // waves per CU, else 16)
  const std::string name = "attn_lse_combine_" + m.arch + "_bf16_s" + (rows > 12ull * m.compute_units ? "12" : "16");
  const auto k = std::find_if(kernels.begin(), kernels.end(), [&](const auto& e) { return e.name == name; });
  if (k == kernels.end()) usage("no kernel " + name + " in the repository");
  perf::LaunchSpec l;
  l.grid = {1, 1, 1};
  l.block = {k->workgroup_size[0], k->workgroup_size[1], k->workgroup_size[2]};
  l.buffers = {{"partial_o", 4ull * splits * dv * 4}, {"partial_lse", 4ull * splits * 4}, {"o", 4ull * dv * 2}};
  l.null_buffers = {"lse"};
  l.values = {{"tokens", 1}, {"heads", 4}, {"num_splits", splits}, {"dv", dv}, {"o_stride_token", 4 * dv},
              {"o_stride_head", dv}};
  auto program = perf::trace_workgroup(*k, l);
  if (!program) {
    std::cerr << "asmk_fmha_model: " << program.error() << "\n";
    std::exit(1);
  }
  const uint64_t workgroups = (rows + 3) / 4;
  const perf::Occupancy occ = perf::occupancy(m, k->footprint);
  const uint32_t copies = uint32_t(std::min<uint64_t>(occ.workgroups_per_cu, (workgroups + m.compute_units - 1) / m.compute_units));
  const perf::CuTimeline t = perf::simulate_cu(m, *program, std::max(1u, copies));
  const double makespan = perf::list_schedule({{workgroups, t.cycles}}, uint64_t(m.compute_units) * std::max(1u, copies));
  const double bytes = double(rows) * (double(splits) * (dv + 1) * 4 + dv * 2);
  const double compute_us = m.cycles_to_us(makespan), hbm_us = bytes / (m.hbm_tbps * 1e6);
  const double l2_us = double(workgroups) * double(program->global_bytes()) / (m.l2_tbps * 1e6);
  return {{"kernel", name}, {"workgroups", workgroups}, {"compute_us", compute_us}, {"hbm_us", hbm_us},
          {"l2_us", l2_us}, {"time_us", std::max({compute_us, hbm_us, l2_us}) + m.launch_overhead_us}};
}

}  // namespace

int main(int argc, char** argv) {
  const Problem p = parse(argc, argv);
  auto machine = perf::find_machine(perf::machines_dir(), p.machine);
  if (!machine) usage(machine.error());
  auto kernels = perf::read_kernels(p.repo, machine->arch);
  if (!kernels) usage(kernels.error());
  const auto entry = std::find_if(kernels->begin(), kernels->end(), [&](const auto& k) { return k.name == p.kernel; });
  if (entry == kernels->end()) usage("no kernel " + p.kernel + " for " + machine->arch + " in " + p.repo);
  const Dims d = kernel_dims(*entry);
  if (p.causal && !d.window) usage(p.kernel + " has no mask: causal needs a window kernel");

  const perf::Occupancy occ = perf::occupancy(*machine, entry->footprint);
  const uint32_t waves_per_workgroup = entry->workgroup_size[0] / machine->wave_size;
  const uint32_t rows_per_workgroup = kRowsPerWave * waves_per_workgroup;
  // rows per (sequence, head of the grid): s_q of a query head, or the G·s_q packed rows of a kv head
  if (d.packed && (p.heads_k == 0 || p.heads_q % p.heads_k)) usage("packed rows need heads-q a multiple of heads-k");
  const uint32_t grid_heads = d.packed ? p.heads_k : p.heads_q;
  const uint32_t head_rows = d.packed ? p.heads_q / p.heads_k * p.seqlen_q : p.seqlen_q;
  const uint32_t tiles = (head_rows + rows_per_workgroup - 1) / rows_per_workgroup;
  const uint64_t workgroups = uint64_t(tiles) * p.splits * grid_heads * p.batch;
  const uint64_t per_cu_needed = (workgroups + machine->compute_units - 1) / machine->compute_units;
  const uint32_t copies = uint32_t(std::min<uint64_t>(occ.workgroups_per_cu, per_cu_needed));
  if (copies == 0) usage("the kernel does not fit on a CU of " + machine->name);

  // Each query tile as a one-tile launch: (rows, keys).
  std::vector<std::pair<uint32_t, uint32_t>> tile_work(tiles);
  for (uint32_t x = 0; x < tiles; ++x) {
    const uint32_t rows = std::min(rows_per_workgroup, head_rows - x * rows_per_workgroup);
    tile_work[x] = {rows, p.causal && !d.packed ? rows + x * rows_per_workgroup + (p.seqlen_k - p.seqlen_q) : p.seqlen_k};
  }
  // Split-KV: each tile's keys in p.splits shares of whole 32-key tiles (empty shares do no work)
  if (p.splits > 1) {
    std::vector<std::pair<uint32_t, uint32_t>> shares;
    for (const auto& [rows, keys] : tile_work) {
      const uint32_t per = 32 * (((keys + 31) / 32 + p.splits - 1) / p.splits);
      for (uint32_t s = 0; s < p.splits && s * per < keys; ++s) shares.emplace_back(rows, std::min(per, keys - s * per));
    }
    tile_work = shares;
  }
  // Per tile height: the range of keys, two traced lengths and the fit; a third length checks it.
  Tracer tracer(*machine, *entry, d, p.causal, copies, d.packed ? p.seqlen_q : 0, p);
  std::map<uint32_t, std::pair<Sample, Sample>> fits;
  double fit_error = 0;
  json fits_json = json::array();
  for (const auto& [rows, keys] : tile_work) {
    if (fits.count(rows)) continue;
    uint32_t lo = UINT32_MAX, hi = 0;
    for (const auto& [r, k] : tile_work)
      if (r == rows) lo = std::min(lo, k), hi = std::max(hi, k);
    const auto [a, b] = fit_points(hi, rows, p.trace_limit);
    fits[rows] = {tracer.at(rows, a), tracer.at(rows, b)};
    json f = {{"rows", rows}, {"keys_traced", {a, b}}, {"keys_range", {lo, hi}}};
    if (b - a >= 2 * kLattice) {
      const uint32_t mid = a + kLattice * ((b - a) / kLattice / 2);
      const Sample direct = tracer.at(rows, mid), fitted = lerp(fits[rows].first, fits[rows].second, mid);
      const double err = std::abs(fitted.cycles - direct.cycles) / direct.cycles;
      fit_error = std::max(fit_error, err);
      f["check_keys"] = mid;
      f["check_error"] = err;
    }
    fits_json.push_back(f);
  }

  // Workgroups in dispatch order (--dispatch), each with its fitted time.
  std::vector<std::pair<uint64_t, double>> schedule;
  double l2_bytes = 0;
  auto add = [&](const std::pair<uint32_t, uint32_t>& work) {
    const Sample s = lerp(fits[work.first].first, fits[work.first].second, work.second);
    schedule.emplace_back(1, s.cycles);
    l2_bytes += s.global_bytes;  // of one copy (the traced workgroup)
  };
  // the kernel's grid (space.yaml's launch): 8 waves (heads, sequences, query tiles), 4 waves (heads, query tiles,
  // sequences · splits); query tiles from the last either way
  const std::string dispatch =
      p.dispatch != "grid" ? p.dispatch : waves_per_workgroup == 8 ? "tiles-heaviest-first" : "heads-heaviest-first";
  if (dispatch == "tiles") {
    for (uint64_t rep = 0; rep < uint64_t(grid_heads) * p.batch; ++rep)
      for (const auto& work : tile_work) add(work);
  } else if (dispatch == "tiles-heaviest-first") {
    for (size_t i = tile_work.size(); i-- > 0;)
      for (uint64_t rep = 0; rep < uint64_t(grid_heads) * p.batch; ++rep) add(tile_work[i]);
  } else {
    for (uint32_t b = 0; b < p.batch; ++b)
      for (size_t i = tile_work.size(); i-- > 0;)
        for (uint32_t h = 0; h < grid_heads; ++h) add(tile_work[i]);
  }
  // Copies of the same workgroup simulate together: one slot stands for one copy at that pace.
  const double makespan = perf::list_schedule(schedule, uint64_t(machine->compute_units) * copies);

  // Useful math: 2·(d + dv) FLOP per visible (query, key) pair; compulsory bytes: q, k, v read once,
  // o written once.
  double pairs_per_head = 0;
  for (uint32_t i = 0; i < p.seqlen_q; ++i)
    pairs_per_head += p.causal ? std::min<double>(p.seqlen_k, double(i) + (p.seqlen_k - p.seqlen_q) + 1) : p.seqlen_k;
  const double flops = 2.0 * (d.d + d.dv) * pairs_per_head * p.heads_q * p.batch;
  // (split-KV: the fp32 partials o and lse instead of o)
  const double out_bytes = p.splits > 1 ? double(p.splits) * (d.dv + 1) * 4 : d.dv * 2;
  const double bytes = double(p.batch) * (double(p.seqlen_q) * p.heads_q * d.d * d.elem_bytes +
                                          double(p.seqlen_k) * p.heads_k * (d.d + d.dv) * d.elem_bytes +
                                          double(p.seqlen_q) * p.heads_q * out_bytes);
  const double compute_us = machine->cycles_to_us(makespan);
  const double hbm_us = bytes / (machine->hbm_tbps * 1e6);
  const double l2_us = l2_bytes / (machine->l2_tbps * 1e6);
  const double body = std::max({compute_us, hbm_us, l2_us});
  const json combine = p.splits > 1 ? combine_time(*machine, *kernels, uint64_t(p.batch) * p.heads_q * p.seqlen_q,
                                                   p.splits, d.dv)
                                    : json();
  const double time_us = body + machine->launch_overhead_us + (p.splits > 1 ? combine["time_us"].get<double>() : 0.0);
  const double peak = d.elem_bytes == 1 ? machine->peak_tflops_fp8 : machine->peak_tflops_bf16;

  // The main loop in the steady state: the slope between the full-height tile's two traces.
  const auto& [a, b] = fits.at(tile_work.front().first);
  const double dcycles = b.cycles - a.cycles;
  const double dtiles = (double(b.keys) - a.keys) / 32.0;  // 32-key tiles per wave
  // Per wave and tile: the traced workgroup's counts over its waves.
  const double waves = double(waves_per_workgroup);
  const double waves_per_simd = std::max(1.0, waves / machine->simds_per_cu);  // of one copy
  json loop;
  if (dcycles > 0 && dtiles > 0) {
    loop = {{"mfma_busy", (b.mfma_busy - a.mfma_busy) / dcycles},
            {"valu_busy", (b.valu_busy - a.valu_busy) / dcycles},
            {"simd_cycles_per_tile", dcycles / dtiles / copies / waves_per_simd},  // per wave on a SIMD
            {"lds_conflict_cycles_per_tile", (b.lds_conflict_cycles - a.lds_conflict_cycles) / dtiles / waves},
            {"lds_ops_per_tile", (double(b.lds_ops) - double(a.lds_ops)) / dtiles / waves},
            {"vmem_ops_per_tile", (double(b.vmem_ops) - double(a.vmem_ops)) / dtiles / waves},
            {"instructions_per_tile", (double(b.instructions) - double(a.instructions)) / dtiles / waves / copies}};
  }
  json out = {
      {"label", "modeled"},
      {"machine", machine->name},
      {"kernel", p.kernel},
      {"problem", {{"batch", p.batch}, {"heads_q", p.heads_q}, {"heads_k", p.heads_k}, {"seqlen_q", p.seqlen_q},
                   {"seqlen_k", p.seqlen_k}, {"causal", p.causal}, {"splits", p.splits}, {"dispatch", dispatch}}},
      {"occupancy", {{"waves_per_simd", occ.waves_per_simd}, {"workgroups_per_cu", occ.workgroups_per_cu},
                     {"limiter", occ.limiter}, {"unified_vgprs", occ.unified_vgprs}, {"lds_bytes", occ.lds_allocated},
                     {"resident_per_cu", copies}}},
      {"inputs", p.inputs == "random" ? "random N(0, 1) " + d.format + ", seed " + std::to_string(p.seed) : "zeros"},
      {"workgroups", workgroups},
      {"time_us", time_us},
      {"compute_us", compute_us},
      {"l2_us", l2_us},
      {"hbm_us", hbm_us},
      {"overhead_us", machine->launch_overhead_us},
      {"combine", combine},
      {"limiter", body == hbm_us ? "hbm bandwidth" : body == l2_us ? "l2 bandwidth" : b.limiter},
      {"tflops", flops / (time_us * 1e-6) / 1e12},
      {"peak_tflops", peak},
      {"flops", flops},
      {"main_loop", loop},
      {"fits", fits_json},
      {"fit_error", fit_error},
      {"traces", tracer.traces()},
  };
  std::cout << out.dump() << "\n";
  return 0;
}
