// asmk op OP [--SIZE N ...] [--CHOICE VALUE ...] [--SCALAR X] [--STRIDE S] [--OPTIONAL_TENSOR]
// [--device D] [--explain] [--json] [--check [--seed S] [--in NAME=FILE ...] [--out NAME=FILE ...]]:
// what libasmk would launch for any op the repository declares (its op spec gives the options),
// and with --check a run on the emulator compared with the op's reference in ref/ (bit for bit,
// or the GEMM tolerance of ref/TOLERANCE.md). `--dtype` is the op's input dtype choice (in_dtype);
// `--out-dtype` and `--out_dtype` are the same option. `--json`: the same facts as --explain (and
// the check's comparisons) as one JSON document.
#include <fstream>
#include <iterator>
#include <map>

#include <fmt/format.h>

#include "cli_json.hpp"
#include "cli_support.hpp"
#include "commands.hpp"
#include "op_runner.hpp"

namespace asmk::cli {
namespace {

using op_runner::OpView;
using op_runner::Problem;

struct OpOptions {
  std::string op, repo, device = "MI300X";
  std::uint32_t seed = 1;
  bool explain = false, check = false, json = false;
  std::vector<std::string> inputs, outputs;  // NAME=FILE
};

std::string option_name(std::string name) {
  for (char& c : name)
    if (c == '_') c = '-';
  return "--" + name;
}

// The op's own options from the tokens CLI11 left: --name VALUE, --name=VALUE, or a bare --tensor.
Problem problem_of(const OpView& op, const std::vector<std::string>& tokens) {
  Problem p;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const std::string& token = tokens[i];
    if (token.rfind("--", 0) != 0)
      throw Failure(fmt::format("{}: unexpected '{}'; options are --NAME VALUE (asmk op {} --help)", op.info.name, token,
                                op.info.name));
    const auto eq = token.find('=');
    std::string name = token.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    for (char& c : name)
      if (c == '-') c = '_';
    if (name == "dtype" && op.arg("dtype") == nullptr) {  // the input dtype (in_dtype), unless the op names a choice dtype
      if (op.arg("in_dtype") == nullptr)
        throw Failure(fmt::format("--dtype: {} has no input dtype choice (in_dtype); its arguments: {}", op.info.name,
                                  op.arg_names()));
      name = "in_dtype";
    }
    const asmk_op_arg_info* a = op.arg(name);
    if (a == nullptr || (a->kind == ASMK_OP_ARG_TENSOR && !a->optional))
      throw Failure(fmt::format("{}: no option {}; its options: {}", op.info.name, token.substr(0, eq), [&] {
        std::string names;
        for (const auto& arg : op.args)
          if (arg.kind != ASMK_OP_ARG_TENSOR || arg.optional) names += (names.empty() ? "" : ", ") + option_name(arg.name);
        return names;
      }()));
    if (a->kind == ASMK_OP_ARG_TENSOR) {
      if (eq != std::string::npos) throw Failure(fmt::format("{} is a flag (give the optional tensor {})", option_name(name), name));
      p.tensors.push_back(name);
      continue;
    }
    if (eq != std::string::npos) {
      p.set(name, token.substr(eq + 1));
    } else {
      if (i + 1 == tokens.size()) throw Failure(fmt::format("{} needs a value", option_name(name)));
      p.set(name, tokens[++i]);
    }
  }
  for (const auto& a : op.args)
    if (a.kind == ASMK_OP_ARG_SIZE && std::none_of(p.values.begin(), p.values.end(), [&](const auto& v) { return v.first == a.name; }))
      throw Failure(fmt::format("{} needs {}", op.info.name, option_name(a.name)));
  return p;
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

// "<x: 17x7168 bf16>", with the row stride when the rows are padded.
std::string tensor_text(const std::string& name, const std::string& dtype, std::uint32_t bits,
                        const std::vector<std::uint64_t>& shape, const std::vector<std::uint64_t>& strides) {
  std::string dims;
  for (auto d : shape) {
    if (!dims.empty()) dims += 'x';
    dims += std::to_string(d);
  }
  std::string text = fmt::format("<{}: {} {}", name, dims, dtype);
  const std::uint64_t packed = shape.empty() ? 0 : bits < 8 ? (shape.back() * bits + 7) / 8 : shape.back();
  if (!strides.empty() && strides.back() != packed)
    text += fmt::format(", row stride {} {}", strides.back(), bits <= 8 ? "bytes" : "elements");
  return text + ">";
}

void print_selection(const OpView& op, const Problem& problem, const asmk_device_info& dev, const asmk_selection& sel,
                     bool explain, const std::map<std::string, std::string>& values) {
  const bool splits = op.arg("k_splits") != nullptr;
  // A pipeline op (docs/op-spec.md): several launches of its stages, their arguments their own.
  const bool pipeline = sel.launch_count > 1 && *sel.reduce_kernel_name == '\0';
  const auto launch_lines = [&] {
    for (std::size_t i = 0; i < sel.launch_count; ++i) {
      const asmk_launch_info& l = sel.launches[i];
      fmt::print("launch {:<4} {} grid ({}, {}, {}) block ({}, {}, {})\n", i + 1, l.kernel_name, l.grid.x, l.grid.y,
                 l.grid.z, l.block.x, l.block.y, l.block.z);
    }
  };
  if (!explain && pipeline) {
    launch_lines();
    fmt::print("workspace   {} bytes\n", sel.workspace_bytes);
    return;
  }
  if (!explain) {
    fmt::print("{} grid ({}, {}, {}) block ({}, {}, {}){}\n", sel.kernel_name, sel.grid.x, sel.grid.y, sel.grid.z,
               sel.block.x, sel.block.y, sel.block.z, splits ? fmt::format(" k_splits {}", sel.k_splits) : "");
    return;
  }
  fmt::print("op          {}  {}\n", op.info.name, problem.text());
  fmt::print("device      {} ({}, {} CUs, fp8 {})\n", dev.name, dev.arch, dev.compute_units, dev.fp8_format);
  fmt::print("kernel      {}\n", sel.kernel_name);
  fmt::print("grid        {} x {} x {} workgroups\n", sel.grid.x, sel.grid.y, sel.grid.z);
  fmt::print("block       {} x {} x {} work-items\n", sel.block.x, sel.block.y, sel.block.z);
  if (splits) fmt::print("k_splits    {}\n", sel.k_splits);
  if (*sel.reduce_kernel_name != '\0')
    fmt::print("split-K     {} then {}, workspace {} bytes\n", sel.kernel_name, sel.reduce_kernel_name, sel.workspace_bytes);
  if (pipeline) {
    launch_lines();
    fmt::print("workspace   {} bytes\n", sel.workspace_bytes);
  }
  fmt::print("reason      {}\n", sel.reason);
  if (*sel.explain != '\0') fmt::print("candidates\n{}", sel.explain);
  if (pipeline) return;  // each stage's arguments: asmk op <stage op> --explain
  fmt::print("kernel arguments\n{}", kernarg_table(describe(sel.kernel), [&](const std::string& name) {
               auto it = values.find(name);
               return it == values.end() ? std::string() : it->second;
             }));
}

nlohmann::ordered_json dim3_json(const asmk_dim3& d) { return {d.x, d.y, d.z}; }

// --json: what --explain prints, as data (every candidate line as the selector wrote it).
nlohmann::ordered_json selection_json(const OpView& op, const Problem& problem, const asmk_device_info& dev,
                                      const asmk_selection& sel, const std::map<std::string, std::string>& values) {
  nlohmann::ordered_json j;
  j["op"] = op.info.name;
  auto& given = j["problem"] = nlohmann::ordered_json::object();
  for (const auto& [name, value] : problem.values) given[name] = value;
  for (const auto& tensor : problem.tensors) given[tensor] = true;
  j["device"] = {{"name", dev.name}, {"arch", dev.arch}, {"compute_units", dev.compute_units}};
  j["kernel"] = sel.kernel_name;
  j["grid"] = dim3_json(sel.grid);
  j["block"] = dim3_json(sel.block);
  if (op.arg("k_splits") != nullptr) j["k_splits"] = sel.k_splits;
  j["reduce_kernel"] = sel.reduce_kernel_name == nullptr ? "" : sel.reduce_kernel_name;
  j["workspace_bytes"] = sel.workspace_bytes;
  auto& launches = j["launches"] = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < sel.launch_count; ++i)
    launches.push_back({{"kernel", sel.launches[i].kernel_name},
                        {"grid", dim3_json(sel.launches[i].grid)},
                        {"block", dim3_json(sel.launches[i].block)}});
  j["reason"] = sel.reason;
  auto& candidates = j["candidates"] = nlohmann::ordered_json::array();
  for (std::string_view text = sel.explain == nullptr ? "" : sel.explain; !text.empty();) {
    const auto end = text.find('\n');
    if (end != 0) candidates.push_back(std::string(text.substr(0, end)));
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
  }
  auto& arguments = j["arguments"] = nlohmann::ordered_json::object();
  for (const auto& [name, value] : values) arguments[name] = value;
  return j;
}

// The values the kernel-argument table shows: sizes, strides, given scalars, tensor descriptions.
std::map<std::string, std::string> shown_values(const OpView& op, const Problem& problem,
                                                const std::map<std::string, std::string>& call_values,
                                                const std::vector<asmk_op_tensor_info>& tensors) {
  std::map<std::string, std::string> shown;
  for (const auto& a : op.args) {
    auto it = call_values.find(a.name);
    if (it == call_values.end()) continue;
    const bool given = std::any_of(problem.values.begin(), problem.values.end(), [&](const auto& v) { return v.first == a.name; });
    if (a.kind == ASMK_OP_ARG_SIZE || a.kind == ASMK_OP_ARG_STRIDE || (a.kind == ASMK_OP_ARG_SCALAR && given))
      shown[a.name] = it->second;
  }
  for (const auto& t : tensors)
    shown[t.name] = tensor_text(t.name, t.dtype, t.bits, {t.shape, t.shape + t.rank},
                                {t.strides, t.strides + (t.rank == 0 ? 0 : t.rank - 1)});
  return shown;
}

std::string check_text(const ref::Comparison& c) {
  if (c.rule != ref::CompareRule::exact)
    return fmt::format("{}: max abs error {:.6g}, mean abs error {:.6g}; {}", c.tensor, c.max_abs_error, c.mean_abs_error,
                       c.ok() ? fmt::format("within tolerance ({} elements)", c.count) : "OUTSIDE TOLERANCE");
  return c.ok() ? fmt::format("{} identical ({} {})", c.tensor, c.count, c.count_in_bytes ? "bytes" : "elements")
                : fmt::format("{} DIFFERS", c.tensor);
}

void run_check(const OpOptions& o, const OpView& op, const Problem& problem) {
  auto ctx = open_context(repository_or_default(o.repo), o.device, "emu");
  asmk_device_info dev{};
  check(asmk_device_get(ctx.get(), &dev));
  op_runner::Options options;
  options.seed = o.seed;
  const auto input_files = named_files(o.inputs, "--in");
  for (const auto& [name, path] : input_files) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Failure(fmt::format("--in {}: cannot read {}", name, path));
    options.inputs[name].assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const auto outputs = named_files(o.outputs, "--out");
  for (const auto& [name, path] : outputs)
    if (const asmk_op_arg_info* a = op.arg(name); a == nullptr || a->kind != ASMK_OP_ARG_TENSOR || !a->output)
      throw Failure(fmt::format("--out {}: {} has no output '{}'", name, op.info.name, name));
  const op_runner::Result r = op_runner::run(ctx.get(), op.info.name, problem, options);
  if (!r.bad_input.empty()) throw Failure(fmt::format("--in {}={}: {}", r.bad_input, input_files.at(r.bad_input), r.error));
  if (r.status != ASMK_SUCCESS) throw Failure(fmt::format("{}: {}", asmk_status_string(r.status), r.error));
  if (!r.error.empty()) throw Failure(r.error);

  std::vector<asmk_op_tensor_info> infos;  // for the argument table: the tensors as run
  for (const auto& [name, t] : r.tensors) {
    asmk_op_tensor_info info{};
    info.name = t.name.c_str(), info.dtype = t.dtype.c_str(), info.bits = t.bits;
    info.rank = static_cast<std::uint32_t>(t.shape.size());
    std::copy(t.shape.begin(), t.shape.end(), info.shape);
    std::copy(t.strides.begin(), t.strides.end(), info.strides);
    infos.push_back(info);
  }
  const auto shown = shown_values(op, problem, r.values, infos);
  if (!o.json) print_selection(op, problem, dev, r.selection, o.explain, shown);
  for (const auto& [name, path] : outputs) {
    const auto& bytes = r.tensors.at(name).bytes;
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw Failure(fmt::format("--out {}: cannot write {}", name, path));
  }
  std::string checks, failures;
  for (const auto& c : r.comparisons) {
    checks += (checks.empty() ? "" : "; ") + check_text(c);
    if (!c.ok()) failures += (failures.empty() ? "" : "; ") + c.detail;
  }
  if (o.json) {
    auto j = selection_json(op, problem, dev, r.selection, shown);
    auto& list = j["check"] = nlohmann::ordered_json::array();
    for (const auto& c : r.comparisons) list.push_back({{"tensor", c.tensor}, {"ok", c.ok()}, {"text", check_text(c)}});
    fmt::print("{}\n", j.dump(2));
  } else {
    fmt::print("check       {} on the emulator vs ref/: {}\n", problem.text(), checks);
  }
  if (!failures.empty()) throw Failure("the kernel's output differs from the reference: " + failures);
}

void run_op(const OpOptions& o, const std::vector<std::string>& tokens) {
  auto listing = open_context(repository_or_default(o.repo), o.device);
  OpView op;
  std::string error;
  if (asmk_status s = op_runner::describe_op(listing.get(), o.op, op, error); s != ASMK_SUCCESS)
    throw Failure(fmt::format("{}: {}", asmk_status_string(s), error));
  const Problem problem = problem_of(op, tokens);
  if (o.check) return run_check(o, op, problem);
  if (!o.inputs.empty() || !o.outputs.empty()) throw Failure("--in and --out need --check (a run on the emulator)");
  asmk_device_info dev{};
  check(asmk_device_get(listing.get(), &dev));
  op_runner::Call call;
  asmk_selection sel = ASMK_INIT(asmk_selection);
  if (asmk_status s = op_runner::select(listing.get(), op, problem, {}, call, sel, error); s != ASMK_SUCCESS)
    throw Failure(fmt::format("{}: {}", asmk_status_string(s), error));
  const auto shown = shown_values(op, problem, call.values, call.tensors);
  if (o.json) {
    fmt::print("{}\n", selection_json(op, problem, dev, sel, shown).dump(2));
    return;
  }
  print_selection(op, problem, dev, sel, o.explain, shown);
}

// The help's footer: the repository's ops, or the options of the op asked about.
std::string op_help(const OpOptions& o) {
  try {
    auto ctx = open_context(repository_or_default(o.repo));
    std::string text;
    if (!o.op.empty()) {
      OpView op;
      std::string error;
      if (op_runner::describe_op(ctx.get(), o.op, op, error) != ASMK_SUCCESS) return error;
      text = fmt::format("{}: {}\nOptions of {} (its op spec):\n", o.op, op.info.doc, o.op);
      for (const auto& a : op.args) {
        if (a.kind == ASMK_OP_ARG_TENSOR && !a.optional) continue;
        std::string what = a.kind == ASMK_OP_ARG_SIZE ? "size (required)" : a.kind == ASMK_OP_ARG_STRIDE ? fmt::format("row stride of {} (0 = packed)", a.of_tensor)
                           : a.kind == ASMK_OP_ARG_CHOICE ? fmt::format("{} (default {})", a.values, a.default_value)
                           : a.kind == ASMK_OP_ARG_SCALAR ? fmt::format("default {}", a.default_value)
                                                          : "flag: give the optional tensor";
        text += fmt::format("  {:<22} {}{}\n", option_name(a.name), what, *a.doc ? std::string("; ") + a.doc : "");
      }
      if (op.arg("in_dtype") != nullptr) text += fmt::format("  {:<22} the same as --in-dtype\n", "--dtype");
      return text;
    }
    std::vector<std::string> names;
    std::string error;
    op_runner::list_ops(ctx.get(), names, error);
    text = "Ops of the repository (asmk op OP --help lists an op's options):\n";
    for (const auto& name : names) {
      asmk_op_info info{};
      asmk_op_get_info(ctx.get(), name.c_str(), &info);
      text += fmt::format("  {:<22} {}\n", name, info.doc);
    }
    return text;
  } catch (const Failure& e) {
    return e.what();
  }
}

}  // namespace

void add_op_command(CLI::App& app) {
  auto o = std::make_shared<OpOptions>();
  auto* cmd = app.add_subcommand("op", "Select the kernel for any op's problem (the options come from its op spec); "
                                       "--check runs it and compares with ref/");
  cmd->allow_extras();
  cmd->add_option("op", o->op, "The op (see below)")->required();
  cmd->add_option("--device", o->device, "MI300X, MI325X, MI308X, MI350X or MI355X")->capture_default_str();
  cmd->add_option("--repo", o->repo, "Repository folder");
  cmd->add_flag("--explain", o->explain, "Show the choice, its reason, every candidate and the kernel-argument layout");
  cmd->add_flag("--json", o->json, "Print the selection (what --explain shows; with --check also the comparisons) as JSON");
  cmd->add_flag("--check", o->check, "Run on the emulator and compare every output with ref/");
  cmd->add_option("--seed", o->seed, "--check: seed of the random inputs")->capture_default_str();
  cmd->add_option("--in", o->inputs, "--check: an input tensor from a raw file (its extent), NAME=FILE");
  cmd->add_option("--out", o->outputs, "--check: write an output tensor's raw bytes, NAME=FILE");
  cmd->footer([o] { return op_help(*o); });
  cmd->callback([o, cmd] { run_op(*o, cmd->remaining()); });
}

}  // namespace asmk::cli
