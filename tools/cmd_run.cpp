// asmk run FILE.co: launch any code object on the emulator — including ones asmk did not build —
// with buffers made from files, zeros or seeded random bytes, and arguments given by their
// metadata names or, for metadata without names, by index (position among the explicit
// arguments: --arg 3=1000, --buffer 0=random:4096:1); or replay a raw kernarg segment captured
// from a framework (--kernarg, with --patch OFFSET=BUFFER for its pointers). Writes chosen
// buffers back to files, and prints faults, strict-mode findings, statistics and (on request) a
// per-wave trace.
#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <set>

#include <fmt/format.h>

#include "asmk/emu/emu.hpp"
#include "asmk/perf/machine.hpp"
#include "asmk/perf/sweep_setup.hpp"
#include "asmk/perf/traced_launch.hpp"
#include "cli_support.hpp"
#include "commands.hpp"

namespace asmk::cli {
namespace {

struct RunOptions {
  std::string file, kernel, grid, block, kernarg_file, trace_file;
  std::vector<std::string> args, buffers, outs, patches;
  bool strict = false, stats = false;
  unsigned threads = 0;
  std::uint32_t dynamic_lds = 0;
  std::uint64_t max_instructions = 0, max_wave_instructions = 0, timeout_ms = 0;
  // --model: the machine; the useful math and the compulsory bytes of the launch (optional).
  std::string model;
  double flops = 0;
  std::uint64_t model_bytes = 0;
  bool json = false;
};

// "name=value" -> {name, value}; `what` names the option in errors.
std::pair<std::string, std::string> split_assignment(const std::string& text, const char* what) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw Failure(fmt::format("{} '{}': expected NAME=VALUE", what, text));
  return {text.substr(0, eq), text.substr(eq + 1)};
}

std::uint64_t parse_unsigned(const std::string& text, const char* what) {
  if (text.empty() || text[0] == '-') throw Failure(fmt::format("{} '{}' is not a non-negative integer", what, text));
  std::size_t used = 0;
  std::uint64_t value = 0;
  try {
    value = std::stoull(text, &used, 0);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0) throw Failure(fmt::format("{} '{}' is not a non-negative integer", what, text));
  // An optional K/M/G suffix counts KiB, MiB, GiB.
  const std::string suffix = text.substr(used);
  if (suffix.empty()) return value;
  const int shift = suffix == "K" || suffix == "k" ? 10 : suffix == "M" ? 20 : suffix == "G" ? 30 : -1;
  if (shift < 0) throw Failure(fmt::format("{} '{}' is not a non-negative integer (suffixes: K, M, G)", what, text));
  if (value > (~std::uint64_t(0) >> shift)) throw Failure(fmt::format("{} '{}' does not fit in 64 bits", what, text));
  return value << shift;
}

emu::Dim3 parse_dim3(const std::string& text, const char* what) {
  std::vector<std::uint32_t> parts;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::uint64_t v = parse_unsigned(text.substr(start, comma - start), what);
    if (v == 0 || v > 0xffffffffull) throw Failure(fmt::format("{} '{}': each dimension must be 1..2^32-1", what, text));
    parts.push_back(std::uint32_t(v));
    start = comma + 1;
  }
  if (parts.empty() || parts.size() > 3) throw Failure(fmt::format("{} '{}': expected X[,Y[,Z]]", what, text));
  parts.resize(3, 1);
  return {parts[0], parts[1], parts[2]};
}

// The largest kernarg blob --kernarg reads (segments are at most a few KiB; LLVM's limit is far below).
constexpr std::uint64_t kMaxKernargBlobBytes = 1 << 20;

// Named device buffers: --buffer name=@file | zeros:BYTES | random:BYTES:SEED.
class Buffers {
 public:
  explicit Buffers(emu::Device& device) : device_(device) {}

  void add(const std::string& spec) {
    const auto [name, source] = split_assignment(spec, "--buffer");
    if (addresses_.contains(name)) throw Failure(fmt::format("--buffer {} given twice", name));
    // Every buffer is held twice (here and in the emulated device): their total is checked against
    // the host's memory before anything is allocated.
    const auto budget_for = [&](std::uint64_t size) {
      require_host_memory(fmt::format("--buffer {} (with the buffers before it)", spec), total_bytes_ + size);
      return size;
    };
    std::vector<std::uint8_t> bytes;
    if (source.starts_with("zeros:")) {
      // A new allocation reads as zeros: nothing to copy, and untouched pages take no host memory
      // (a modeled launch of a large GEMM touches only its traced workgroups' tiles).
      place(name, budget_for(parse_unsigned(source.substr(6), "--buffer zeros:BYTES")), {}, spec);
      return;
    }
    if (source.starts_with("@")) {
      const std::uint64_t budget = host_memory_budget();
      bytes = read_input_file(source.substr(1), budget > total_bytes_ ? budget - total_bytes_ : 0,
                              fmt::format("--buffer {}", name));
    } else if (source.starts_with("random:")) {
      const std::string rest = source.substr(7);
      const auto colon = rest.find(':');
      if (colon == std::string::npos) throw Failure(fmt::format("--buffer {}: expected random:BYTES:SEED", spec));
      bytes.resize(budget_for(parse_unsigned(rest.substr(0, colon), "--buffer random:BYTES")));
      std::mt19937_64 rng(parse_unsigned(rest.substr(colon + 1), "--buffer random:SEED"));
      for (std::size_t i = 0; i < bytes.size(); i += 8) {
        const std::uint64_t r = rng();
        std::memcpy(bytes.data() + i, &r, std::min<std::size_t>(8, bytes.size() - i));
      }
    } else {
      throw Failure(fmt::format("--buffer {}: the source must be @FILE, zeros:BYTES or random:BYTES:SEED", spec));
    }
    place(name, bytes.size(), bytes, spec);
  }

  const std::uint64_t* find(const std::string& name) const {
    auto it = addresses_.find(name);
    return it == addresses_.end() ? nullptr : &it->second;
  }
  std::uint64_t address(const std::string& name, const char* what) const {
    if (const auto* a = find(name)) return *a;
    throw Failure(fmt::format("{}: no buffer named '{}'; buffers: {}", what, name, names()));
  }
  std::uint64_t size(const std::string& name) const { return sizes_.at(name); }
  std::uint64_t total_bytes() const { return total_bytes_; }
  std::string names() const {
    std::string text;
    for (const auto& [name, address] : addresses_) text += (text.empty() ? "" : ", ") + name;
    return text.empty() ? "(none; add --buffer NAME=...)" : text;
  }

 private:
  // Allocates `size` bytes for `name`, holding `bytes` (empty: zeros, as allocated).
  void place(const std::string& name, std::uint64_t size, const std::vector<std::uint8_t>& bytes,
             const std::string& spec) {
    if (size == 0) throw Failure(fmt::format("--buffer {}: a buffer needs at least one byte", spec));
    auto address = device_.alloc(size);
    if (!address) throw Failure(fmt::format("--buffer {}: {}", spec, address.error()));
    if (!bytes.empty())
      if (auto s = device_.write(*address, bytes.data(), bytes.size()); !s) throw Failure(s.message());
    addresses_[name] = *address;
    sizes_[name] = size;
    total_bytes_ += size;
  }

  emu::Device& device_;
  std::map<std::string, std::uint64_t> addresses_;
  std::map<std::string, std::uint64_t> sizes_;
  std::uint64_t total_bytes_ = 0;
};

bool is_float_type(const std::string& type) {
  return type == "f32" || type == "float" || type == "f64" || type == "double";
}
bool is_signed_type(const std::string& type) {
  return type.starts_with("i") || type == "int" || type == "long" || type == "short" || type == "char";
}

// The explicit (not hidden) arguments in metadata order; a position here is the index --arg and
// --buffer accept for arguments the metadata leaves unnamed (OpenCL without -cl-kernel-arg-info).
std::vector<const emu::KernelArg*> explicit_args(const emu::Kernel& k) {
  std::vector<const emu::KernelArg*> args;
  for (const auto& a : k.args)
    if (!a.value_kind.starts_with("hidden_")) args.push_back(&a);
  return args;
}

bool is_index(const std::string& text) {
  return !text.empty() && text.size() < 10 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The bytes of one by-value argument from its text: an integer, a float for float types, or
// bits:0x... for the raw bits of any type. Without a type name (no argument info) any integer.
std::uint64_t by_value_bits(const emu::KernelArg& arg, const std::string& label, const std::string& text) {
  const std::string type = arg.type_name.empty() ? "type unknown" : arg.type_name;
  const auto where = fmt::format("--arg {}={} ({}, {} bytes)", label, text, type, arg.size);
  if (text.starts_with("bits:")) return parse_unsigned(text.substr(5), where.c_str());
  if (is_float_type(arg.type_name)) {
    std::size_t used = 0;
    double v = 0;
    try {
      v = std::stod(text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != text.size()) throw Failure(fmt::format("{}: not a number", where));
    if (arg.size == 4) {
      const float f = float(v);
      std::uint32_t bits;
      std::memcpy(&bits, &f, 4);
      return bits;
    }
    std::uint64_t bits;
    std::memcpy(&bits, &v, 8);
    return bits;
  }
  const bool may_be_negative = is_signed_type(arg.type_name) || arg.type_name.empty();
  std::size_t used = 0;
  std::uint64_t bits = 0;
  try {
    bits = may_be_negative && text.starts_with("-") ? std::uint64_t(std::stoll(text, &used, 0))
                                                    : std::stoull(text, &used, 0);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || (!may_be_negative && text.starts_with("-")))
    throw Failure(fmt::format("{}: not an integer of that type{}", where,
                              arg.type_name.empty() ? " (a float's bits: bits:0x...)" : ""));
  return bits;
}

// "x (global_buffer)" per named argument, or by index when the metadata has no names.
std::string argument_list(const emu::Kernel& k) {
  std::string text;
  const auto args = explicit_args(k);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = *args[i];
    text += text.empty() ? "" : ", ";
    text += a.name.empty() ? fmt::format("{} ({}, {} bytes at offset {})", i, a.value_kind, a.size, a.offset)
                           : fmt::format("{} ({})", a.name, a.value_kind);
  }
  return text.empty() ? "(none)" : text;
}

// "--arg 7: kernel k has 4 arguments (indices 0..3): ..."
std::string no_such_index(const char* option, const std::string& key, const emu::Kernel& k, std::size_t count) {
  if (count == 0) return fmt::format("{} {}: kernel {} has no explicit arguments", option, key, k.name);
  return fmt::format("{} {}: kernel {} has {} argument{} (indices 0..{}): {}", option, key, k.name, count,
                     count == 1 ? "" : "s", count - 1, argument_list(k));
}

// Kernel arguments by metadata name or by index (position among the explicit arguments):
// pointers name a buffer (a buffer called like the argument, by name or index, is used when
// --arg does not say), by-value arguments give their value. Repeats of a name (padding) are
// reached by index only; hidden arguments are the emulator's to fill.
std::vector<std::uint8_t> kernargs_by_name(const emu::Kernel& k, const RunOptions& o, const Buffers& buffers) {
  const auto args = explicit_args(k);
  if (k.args.empty() && (k.kernarg_segment_size > 0 || !o.args.empty()))
    throw Failure(fmt::format("kernel {} has no argument metadata (.args) for its {}-byte kernarg segment: give the "
                              "segment as a blob with --kernarg @FILE (and --patch OFFSET=BUFFER for its pointers)",
                              k.name, k.kernarg_segment_size));
  std::map<std::string, std::string> given;
  for (const auto& text : o.args) {
    auto [key, value] = split_assignment(text, "--arg");
    if (!given.emplace(key, value).second) throw Failure(fmt::format("--arg {} given twice", key));
    if (is_index(key) && std::stoul(key) >= args.size()) throw Failure(no_such_index("--arg", key, k, args.size()));
  }
  for (const auto& spec : o.buffers) {
    const std::string key = spec.substr(0, spec.find('='));
    if (is_index(key) && std::stoul(key) >= args.size()) throw Failure(no_such_index("--buffer", key, k, args.size()));
  }
  std::vector<std::uint8_t> bytes(std::max<std::size_t>(k.kernarg_segment_size, 8), 0);
  std::set<std::string> used;
  std::vector<std::string> missing;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const emu::KernelArg& a = *args[i];
    const std::string index = std::to_string(i);
    // The name reaches the first argument of that name; the index reaches every argument.
    const bool named = !a.name.empty() && !used.contains(a.name) && !is_index(a.name);
    const std::string label = named ? a.name : index;
    if (std::size_t(a.offset) + a.size > bytes.size())
      throw Failure(fmt::format("argument {} at offset {} does not fit the {}-byte kernarg segment", label, a.offset,
                                bytes.size()));
    auto by_name = named ? given.find(a.name) : given.end();
    auto by_index = given.find(index);
    if (by_name != given.end() && by_index != given.end())
      throw Failure(fmt::format("--arg {} and --arg {} give the same argument", a.name, index));
    const auto it = by_name != given.end() ? by_name : by_index;
    if (named) used.insert(a.name);
    used.insert(index);
    const bool repeat = !a.name.empty() && !named;  // padding: zero unless given by index
    std::uint64_t bits = 0;
    if (a.value_kind == "global_buffer" || a.value_kind == "dynamic_shared_pointer") {
      const std::uint64_t* own = named ? buffers.find(a.name) : nullptr;
      if (!own) own = buffers.find(index);
      if (it != given.end() && it->second != "0") bits = buffers.address(it->second, ("--arg " + label).c_str());
      else if (it == given.end() && own) bits = *own;
      else if (it == given.end() && !repeat)
        missing.push_back(fmt::format("{} (a buffer: --buffer {}=... or --arg {}=BUFFER)", label, label, label));
    } else if (it != given.end()) {
      bits = by_value_bits(a, label, it->second);
    } else if (!repeat) {
      const std::string what = !a.type_name.empty() ? a.type_name : fmt::format("{}, {} bytes", a.value_kind, a.size);
      missing.push_back(fmt::format("{} ({})", label, what));
    }
    std::memcpy(bytes.data() + a.offset, &bits, std::min<std::uint32_t>(a.size, 8));
  }
  const bool any_named =
      std::any_of(args.begin(), args.end(), [](const emu::KernelArg* a) { return !a->name.empty(); });
  for (const auto& [key, value] : given)
    if (!used.contains(key))
      throw Failure(fmt::format("kernel {} has no argument named '{}'; its arguments{}: {}", k.name, key,
                                any_named ? "" : " (unnamed in its metadata: give them by index)", argument_list(k)));
  if (!missing.empty()) {
    std::string text;
    for (const auto& m : missing) text += (text.empty() ? "" : ", ") + m;
    throw Failure(fmt::format("kernel {}: missing arguments: {}", k.name, text));
  }
  return bytes;
}

// --kernarg @blob.bin with --patch OFFSET=BUFFER: the segment as captured, pointers replaced.
std::vector<std::uint8_t> kernargs_from_blob(const RunOptions& o, const Buffers& buffers) {
  if (!o.kernarg_file.starts_with("@")) throw Failure("--kernarg: expected @FILE");
  std::vector<std::uint8_t> bytes = read_input_file(o.kernarg_file.substr(1), kMaxKernargBlobBytes, "--kernarg");
  for (const auto& text : o.patches) {
    const auto [offset_text, name] = split_assignment(text, "--patch");
    const std::uint64_t offset = parse_unsigned(offset_text, "--patch OFFSET");
    if (bytes.size() < 8 || offset > bytes.size() - 8)  // never offset + 8: it wraps for offsets near 2^64
      throw Failure(fmt::format("--patch {}: a pointer at offset {} does not fit the {}-byte kernarg blob", text, offset,
                                bytes.size()));
    const std::uint64_t address = buffers.address(name, "--patch");
    std::memcpy(bytes.data() + offset, &address, 8);
  }
  return bytes;
}

void print_stats(const emu::Stats& s) {
  fmt::print("statistics\n");
  fmt::print("  workgroups {}  waves {}  wave-instructions {}\n", s.workgroups, s.waves, s.wave_instructions);
  std::string classes;
  for (const auto& [cls, n] : s.by_class) classes += fmt::format("  {} {}", cls, n);
  fmt::print("  by class  {}\n", classes);
  std::vector<std::pair<std::string, std::uint64_t>> mnemonics(s.by_mnemonic.begin(), s.by_mnemonic.end());
  std::stable_sort(mnemonics.begin(), mnemonics.end(), [](auto& a, auto& b) { return a.second > b.second; });
  std::string top;
  for (std::size_t i = 0; i < mnemonics.size() && i < 8; ++i) top += fmt::format("  {} {}", mnemonics[i].first, mnemonics[i].second);
  fmt::print("  top       {}\n", top);
  fmt::print("  bytes     global read {}  global written {}  scalar read {}  lds read {}  lds written {}\n",
             s.global_bytes_read, s.global_bytes_written, s.scalar_bytes_read, s.lds_bytes_read, s.lds_bytes_written);
  fmt::print("  lds bank conflicts {} extra cycles\n", s.lds_bank_conflict_cycles);
  fmt::print("  footprint vgpr {}  agpr {}  sgpr {}  lds {} B per workgroup\n", s.vgprs, s.agprs, s.sgprs, s.lds_bytes);
}

void write_trace(const std::string& path, const emu::LaunchReport& r) {
  std::ofstream out(path);
  if (!out) throw Failure(fmt::format("--trace: cannot write '{}'", path));
  for (const auto& wave : r.traces) {
    out << fmt::format("workgroup ({},{},{}) wave {}: {} instructions\n", wave.workgroup.x, wave.workgroup.y,
                       wave.workgroup.z, wave.wave, wave.entries.size());
    for (const auto& e : wave.entries)
      out << fmt::format("  {:06x}  {:<28} lanes {}\n", e.pc, r.trace_mnemonics.at(e.mnemonic_id), e.active_lanes);
  }
}

// The CU timeline of --model as a JSON object: where a class's cycles go (busy units, waits summed over its waves).
std::string cu_json(const perf::CuTimeline& cu) {
  return fmt::format("{{\"cycles\": {:.0f}, \"mfma_busy\": {:.0f}, \"valu_busy\": {:.0f}, \"salu_busy\": {:.0f}, "
                     "\"lds_busy\": {:.0f}, \"vmem_busy\": {:.0f}, \"wait_vm\": {:.0f}, \"wait_lgkm\": {:.0f}, "
                     "\"wait_barrier\": {:.0f}, \"wait_dependency\": {:.0f}, \"instructions\": {}, \"waves\": {}}}",
                     cu.cycles, cu.mfma_busy, cu.valu_busy, cu.salu_busy, cu.lds_busy, cu.vmem_busy, cu.wait_vm,
                     cu.wait_lgkm, cu.wait_barrier, cu.wait_dependency, cu.instructions, cu.waves);
}

// --model: the launch's modeled time from the traces of its first and last workgroups.
void print_model(const RunOptions& o, const emu::CodeObject& co, const emu::Kernel& k, const emu::Dispatch& dispatch,
                 const emu::LaunchReport& report, const perf::Machine& machine, std::uint64_t buffer_bytes) {
  perf::TracedLaunch launch;
  launch.grid = dispatch.grid;
  launch.footprint = perf::kernel_footprint(k, dispatch.block, dispatch.dynamic_lds);
  launch.flops = o.flops;
  launch.compulsory_bytes = double(o.model_bytes != 0 ? o.model_bytes : buffer_bytes);
  auto e = perf::estimate_traced_launch(machine, co, k, report, launch);
  if (!e) throw Failure(fmt::format("--model {}: {}", machine.name, e.error()));
  const auto traced = perf::representative_workgroups(dispatch.grid);
  std::string traced_text;
  for (const auto& w : traced) traced_text += fmt::format("{}({},{},{})", traced_text.empty() ? "" : " and ", w.x, w.y, w.z);
  if (o.json) {
    fmt::print("{{\"label\": \"modeled\", \"machine\": \"{}\", \"kernel\": \"{}\", \"time_us\": {:.4f}, "
               "\"limiter\": \"{}\", \"compute_us\": {:.4f}, \"l2_us\": {:.4f}, \"hbm_us\": {:.4f}, "
               "\"overhead_us\": {:.4f}, \"workgroups\": {}, \"workgroups_per_cu\": {}, \"resident_per_cu\": {}, "
               "\"waves_per_simd\": {}, \"tflops\": {:.4f}, \"tbps\": {:.4f}, \"cu\": {}}}\n",
               machine.name, k.name, e->time_us, e->limiter, e->compute_us, e->l2_us, e->hbm_us, e->overhead_us,
               e->workgroups, e->occupancy.workgroups_per_cu, e->resident_per_cu, e->occupancy.waves_per_simd,
               e->tflops, e->tbps, cu_json(e->cu));
    return;
  }
  fmt::print("modeled on {} ({}; machine model perf/machines/{}.json, not a measurement): {:.2f} us, limiter {}\n",
             machine.name, machine.arch, machine.name, e->time_us, e->limiter);
  fmt::print("  compute {:.2f} us  L2 {:.2f} us  HBM {:.2f} us ({} compulsory bytes{})  launch overhead {:.2f} us\n",
             e->compute_us, e->l2_us, e->hbm_us, std::uint64_t(launch.compulsory_bytes),
             o.model_bytes != 0 ? ", --bytes" : ": every buffer once", e->overhead_us);
  fmt::print("  {} workgroups, {} per CU at most ({} waves per SIMD, limited by {}), {} resident; traced workgroups {}\n",
             e->workgroups, e->occupancy.workgroups_per_cu, e->occupancy.waves_per_simd, e->occupancy.limiter,
             e->resident_per_cu, traced_text);
  if (o.flops > 0) fmt::print("  {:.1f} TFLOP/s, {:.3f} TB/s (modeled)\n", e->tflops, e->tbps);
  const perf::CuTimeline& cu = e->cu;
  fmt::print("  CU (the class with the most CU time, {} resident): {:.0f} cycles; busy MFMA {:.0f}, VALU {:.0f}, SALU {:.0f} "
             "(busiest SIMD), LDS {:.0f}, vector memory {:.0f}; waits over its {} waves: vmcnt {:.0f}, lgkmcnt {:.0f}, "
             "barrier {:.0f}, MFMA dependency {:.0f}; {} instructions\n",
             e->resident_per_cu, cu.cycles, cu.mfma_busy, cu.valu_busy, cu.salu_busy, cu.lds_busy, cu.vmem_busy, cu.waves,
             cu.wait_vm, cu.wait_lgkm, cu.wait_barrier, cu.wait_dependency, cu.instructions);
  for (const auto& note : e->notes) fmt::print("  note: {}\n", note);
}

void run(const RunOptions& o) {
  auto loaded = emu::CodeObject::load_file(o.file);
  if (!loaded) throw Failure(loaded.error());
  const emu::CodeObject& co = **loaded;
  const emu::Kernel* kernel = nullptr;
  if (o.kernel.empty()) {
    if (co.kernels().size() != 1) {
      std::string names;
      for (const auto& k : co.kernels()) names += (names.empty() ? "" : ", ") + k.name;
      throw Failure(fmt::format("{} holds {} kernels; choose one with --kernel: {}", o.file, co.kernels().size(), names));
    }
    kernel = &co.kernels()[0];
  } else {
    auto found = co.find(o.kernel);
    if (!found) throw Failure(found.error());
    kernel = *found;
  }
  const emu::Kernel& k = *kernel;

  emu::Dispatch dispatch;
  dispatch.kernel = &k;
  dispatch.grid = parse_dim3(o.grid, "--grid");
  if (!o.block.empty()) dispatch.block = parse_dim3(o.block, "--block");
  else if (k.reqd_workgroup_size[0] != 0) dispatch.block = {k.reqd_workgroup_size[0], k.reqd_workgroup_size[1], k.reqd_workgroup_size[2]};
  else throw Failure(fmt::format("kernel {} does not require a workgroup size; give --block X,Y,Z", k.name));
  dispatch.dynamic_lds = o.dynamic_lds;

  emu::Device device;
  Buffers buffers(device);
  for (const auto& spec : o.buffers) buffers.add(spec);
  if (!o.kernarg_file.empty()) {
    if (!o.args.empty()) throw Failure("give kernel arguments either by name (--arg) or as a blob (--kernarg), not both");
    dispatch.kernargs = kernargs_from_blob(o, buffers);
    // A blob that covers the whole segment carries the captured hidden arguments; keep them.
    dispatch.fill_hidden_args = dispatch.kernargs.size() < k.kernarg_segment_size;
  } else {
    if (!o.patches.empty()) throw Failure("--patch applies to a --kernarg blob");
    dispatch.kernargs = kernargs_by_name(k, o, buffers);
  }

  // Output paths are checked before the launch; outputs are written only after a clean one.
  for (const auto& spec : o.outs) {
    const auto [name, path] = split_assignment(spec, "--out");
    buffers.address(name, "--out");
    require_writable_file(fmt::format("--out {}", name), path);
  }
  if (!o.trace_file.empty()) require_writable_file("--trace", o.trace_file);

  // --model traces the first and the last workgroup and models the rest from them.
  std::optional<perf::Machine> machine;
  if (!o.model.empty()) {
    auto found = perf::find_machine(perf::machines_dir(), o.model);
    if (!found) throw Failure(fmt::format("--model: {}", found.error()));
    machine = std::move(*found);
    if (machine->arch != emu::arch_name(co.arch()))
      throw Failure(fmt::format("--model {}: the machine is {}, the code object is {}", machine->name, machine->arch,
                                emu::arch_name(co.arch())));
  } else if (o.flops != 0 || o.model_bytes != 0 || o.json) {
    throw Failure("--flops, --bytes and --json apply to --model");
  }

  emu::LaunchOptions options;
  options.strict = o.strict;
  options.threads = o.threads;
  options.trace = !o.trace_file.empty() || machine;
  if (machine) options.only_workgroups = perf::representative_workgroups(dispatch.grid);
  options.max_launch_instructions = o.max_instructions;
  options.max_launch_milliseconds = o.timeout_ms;
  if (o.max_wave_instructions != 0) options.max_wave_instructions = o.max_wave_instructions;
  const emu::LaunchReport report = emu::launch(device, dispatch, options);
  if (report.status == emu::LaunchStatus::invalid) throw Failure(report.message);

  if (machine && report.ok()) {
    print_model(o, co, k, dispatch, report, *machine, buffers.total_bytes());
    if (options.trace && !o.trace_file.empty()) write_trace(o.trace_file, report);
    return;
  }
  fmt::print("kernel {} ({}) grid ({}, {}, {}) block ({}, {}, {}): {}, {} wave-instructions\n", k.name,
             emu::arch_name(co.arch()), dispatch.grid.x, dispatch.grid.y, dispatch.grid.z, dispatch.block.x,
             dispatch.block.y, dispatch.block.z,
             report.status == emu::LaunchStatus::faulted ? "FAULTED" : (report.strict_count ? "ran with strict findings" : "ok"),
             report.stats.wave_instructions);
  for (const auto& f : report.faults) fmt::print("fault: {}\n", f.to_string());
  if (report.fault_count > report.faults.size()) fmt::print("({} more faults)\n", report.fault_count - report.faults.size());
  for (const auto& s : report.strict) fmt::print("strict: {}\n", s.to_string());
  if (report.strict_count > report.strict.size())
    fmt::print("({} more strict findings)\n", report.strict_count - report.strict.size());
  if (o.stats) print_stats(report.stats);
  if (!o.trace_file.empty()) write_trace(o.trace_file, report);

  if (!report.ok() && !o.outs.empty())
    fmt::print("outputs not written: the launch {}\n",
               report.status == emu::LaunchStatus::faulted ? "faulted" : "broke strict-mode rules");
  for (const auto& spec : report.ok() ? o.outs : std::vector<std::string>{}) {
    const auto [name, path] = split_assignment(spec, "--out");
    const std::uint64_t address = buffers.address(name, "--out");
    std::vector<std::uint8_t> bytes(buffers.size(name));
    if (auto s = device.read(address, bytes.data(), bytes.size()); !s) throw Failure(s.message());
    std::ofstream out(path, std::ios::binary);
    if (!out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size())))
      throw Failure(fmt::format("--out {}: cannot write '{}'", name, path));
  }
  if (!report.ok())
    throw Failure(fmt::format("kernel {} {}", k.name, report.status == emu::LaunchStatus::faulted
                                                          ? "faulted (see above)"
                                                          : "broke strict-mode rules (see above)"));
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto o = std::make_shared<RunOptions>();
  auto* cmd = app.add_subcommand("run", "Launch a kernel of any code object on the emulator");
  cmd->add_option("file", o->file, "Code object (.co)")->required();
  cmd->add_option("--kernel", o->kernel, "Kernel name (optional when the code object has one kernel)");
  cmd->add_option("--grid", o->grid, "Grid in WORKGROUPS: X[,Y[,Z]]")->required();
  cmd->add_option("--block", o->block, "Workgroup size in work-items: X[,Y[,Z]] (default: the kernel's required size)");
  cmd->add_option("--arg", o->args,
                  "NAME=VALUE or INDEX=VALUE (metadata name, or position among the explicit arguments): a number, "
                  "bits:0xHEX, or a buffer name for pointers");
  cmd->add_option("--buffer", o->buffers,
                  "NAME=@FILE | NAME=zeros:BYTES | NAME=random:BYTES:SEED (BYTES may end in K/M/G); a buffer named "
                  "like a pointer argument (or its index) is passed to it");
  cmd->add_option("--out", o->outs, "NAME=FILE: write the buffer to FILE after a launch without faults or strict findings (the path is checked before it)");
  cmd->add_option("--kernarg", o->kernarg_file, "@FILE: a raw kernarg segment instead of --arg");
  cmd->add_option("--patch", o->patches, "OFFSET=BUFFER: write BUFFER's address into the --kernarg blob at OFFSET");
  cmd->add_option("--lds", o->dynamic_lds, "Bytes of dynamic LDS on top of the kernel's static LDS");
  cmd->add_option("--threads", o->threads, "Host threads (0 = every core)");
  cmd->add_option("--max-instructions", o->max_instructions,
                  "Budget of wave-instructions for the whole launch (0 = none): past it a wave faults (runaway), "
                  "naming its wave and PC, and the launch stops");
  cmd->add_option("--timeout-ms", o->timeout_ms,
                  "Wall-clock budget of the launch in milliseconds (0 = none): past it each wave faults (runaway) at "
                  "its next turn, naming its wave and PC");
  cmd->add_option("--max-wave-instructions", o->max_wave_instructions,
                  "Instructions one wave may run before it faults (runaway; default 2^28)");
  cmd->add_flag("--strict", o->strict, "Report missing s_waitcnt, hazards, LDS overruns, misaligned accesses (exit 1)");
  cmd->add_flag("--stats", o->stats, "Print instruction counts, bytes per memory space, LDS bank conflicts, footprint");
  cmd->add_option("--trace", o->trace_file, "Write a per-wave instruction trace (PC, mnemonic, active lanes) to FILE");
  cmd->add_option("--model", o->model,
                  "Machine model (perf/machines/*.json, e.g. MI300X): print the launch's modeled time and limiter "
                  "(the model of asmk perf) from traces of its first and last workgroups, which alone are run");
  cmd->add_option("--flops", o->flops, "--model: the launch's useful math (e.g. 2*M*N*K) for its TFLOP/s");
  cmd->add_option("--bytes", o->model_bytes,
                  "--model: bytes that must cross HBM once (default: the sum of the buffers' sizes)");
  cmd->add_flag("--json", o->json, "--model: print the modeled figures as one JSON object");
  cmd->callback([o] { run(*o); });
}

}  // namespace asmk::cli
