// The op runner (op_runner.hpp): named arguments from a problem, host and device tensors from the
// op's tensor extents, a run through asmk_run_op and the comparison with the op's reference.
#include "op_runner.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <random>
#include <sstream>

#include <unistd.h>

#include <fmt/format.h>

namespace asmk::op_runner {

// ---- problems and ops -------------------------------------------------------------------------

Problem Problem::parse(const std::string& text) {
  Problem p;
  std::istringstream in(text);
  for (std::string token; in >> token;) {
    const auto eq = token.find('=');
    if (eq == std::string::npos) p.tensors.push_back(token);
    else p.values.emplace_back(token.substr(0, eq), token.substr(eq + 1));
  }
  return p;
}

std::string Problem::text() const {
  std::string out;
  for (const auto& [name, value] : values) out += fmt::format("{}{}={}", out.empty() ? "" : " ", name, value);
  for (const auto& name : tensors) out += (out.empty() ? "" : " ") + name;
  return out;
}

void Problem::set(const std::string& name, const std::string& value) {
  for (auto& [n, v] : values)
    if (n == name) {
      v = value;
      return;
    }
  values.emplace_back(name, value);
}

const asmk_op_arg_info* OpView::arg(const std::string& name) const {
  for (const auto& a : args)
    if (name == a.name) return &a;
  return nullptr;
}

std::string OpView::arg_names() const {
  std::string out;
  for (const auto& a : args) out += (out.empty() ? "" : ", ") + std::string(a.name);
  return out;
}

std::string OpView::input_names() const {
  std::string out;
  for (const auto& a : args)
    if (a.kind == ASMK_OP_ARG_TENSOR && !a.output && !a.workspace) out += (out.empty() ? "" : ", ") + std::string(a.name);
  return out;
}

asmk_status list_ops(const asmk_context* ctx, std::vector<std::string>& names, std::string& error) {
  size_t count = 0;
  asmk_status s = asmk_op_count(ctx, &count);
  for (size_t i = 0; s == ASMK_SUCCESS && i < count; ++i) {
    const char* name = nullptr;
    if ((s = asmk_op_at(ctx, i, &name)) == ASMK_SUCCESS) names.emplace_back(name);
  }
  if (s != ASMK_SUCCESS) error = asmk_last_error();
  return s;
}

asmk_status describe_op(const asmk_context* ctx, const std::string& op, OpView& out, std::string& error) {
  asmk_status s = asmk_op_get_info(ctx, op.c_str(), &out.info);
  out.args.resize(s == ASMK_SUCCESS ? out.info.arg_count : 0);
  for (size_t i = 0; s == ASMK_SUCCESS && i < out.args.size(); ++i) s = asmk_op_arg_at(ctx, op.c_str(), i, &out.args[i]);
  if (s != ASMK_SUCCESS) error = asmk_last_error();
  return s;
}

bool has_kernels(const asmk_context* ctx, const std::string& family, const std::string& arch) {
  size_t count = 0;
  if (asmk_kernel_count(ctx, &count) != ASMK_SUCCESS) return false;
  for (size_t i = 0; i < count; ++i) {
    const asmk_kernel* k = nullptr;
    asmk_kernel_info info{};
    if (asmk_kernel_at(ctx, i, &k) == ASMK_SUCCESS && asmk_kernel_get_info(k, &info) == ASMK_SUCCESS &&
        family == info.family && arch == info.arch)
      return true;
  }
  return false;
}

// ---- the call's arguments ----------------------------------------------------------------------

namespace {

asmk_status refuse(std::string& error, std::string message) {
  error = std::move(message);
  return ASMK_ERROR_INVALID_ARGUMENT;
}

}  // namespace

asmk_status Call::build(const asmk_context* ctx, const OpView& op, const Problem& problem, std::string& error) {
  const std::string name = op.info.name;
  strings_.clear();
  args_.clear();
  values.clear();
  tensors.clear();
  for (const auto& a : op.args)
    if ((a.kind == ASMK_OP_ARG_CHOICE || a.kind == ASMK_OP_ARG_SCALAR) && *a.default_value != '\0')
      values[a.name] = a.default_value;
  for (const auto& [arg_name, text] : problem.values) {
    const asmk_op_arg_info* a = op.arg(arg_name);
    if (a == nullptr)
      return refuse(error, fmt::format("{} has no argument '{}'; its arguments: {}", name, arg_name, op.arg_names()));
    if (a->kind == ASMK_OP_ARG_TENSOR)
      return refuse(error, fmt::format("{}: {} is a tensor: give an optional one by its bare name", name, arg_name));
    asmk_op_arg arg{};
    arg.name = a->name;
    arg.type = a->type;
    char* end = nullptr;
    if (a->type == ASMK_VALUE_STRING) {
      arg.value.string = strings_.emplace_back(text).c_str();
    } else if (a->type == ASMK_VALUE_F32) {
      arg.value.f32 = std::strtof(text.c_str(), &end);
    } else if (a->type == ASMK_VALUE_I32) {
      const long long v = std::strtoll(text.c_str(), &end, 10);
      if (v < INT32_MIN || v > INT32_MAX) end = nullptr;
      arg.value.i32 = static_cast<std::int32_t>(v);
    } else {
      const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
      if (v > UINT32_MAX || text.find('-') != std::string::npos) end = nullptr;
      arg.value.u32 = static_cast<std::uint32_t>(v);
    }
    if (a->type != ASMK_VALUE_STRING && (text.empty() || end == nullptr || *end != '\0'))
      return refuse(error, fmt::format("{}: {}={} is not a {}", name, arg_name, text,
                                       a->type == ASMK_VALUE_F32   ? "number"
                                       : a->type == ASMK_VALUE_I32 ? "32-bit integer"
                                                                   : "32-bit unsigned integer"));
    args_.push_back(arg);
    values[arg_name] = text;
  }
  for (const auto& t : problem.tensors) {
    const asmk_op_arg_info* a = op.arg(t);
    if (a == nullptr || a->kind != ASMK_OP_ARG_TENSOR || !a->optional)
      return refuse(error, fmt::format("{}: '{}' is not an optional tensor; its arguments: {}", name, t, op.arg_names()));
  }
  // Every tensor the call has (the required ones, the given optional ones, the workspace) as an
  // argument without a pointer; then each one's extent, and its strides as libasmk resolved them.
  std::vector<std::pair<size_t, const asmk_op_arg_info*>> data_tensors;  // (index among tensors, arg)
  size_t index = 0;
  for (const auto& a : op.args) {
    if (a.kind != ASMK_OP_ARG_TENSOR) continue;
    const size_t tensor_index = index++;
    if (a.optional && std::find(problem.tensors.begin(), problem.tensors.end(), a.name) == problem.tensors.end()) continue;
    asmk_op_arg arg{};
    arg.name = a.name;
    arg.type = ASMK_VALUE_POINTER;
    args_.push_back(arg);
    if (!a.workspace) data_tensors.emplace_back(tensor_index, &a);
  }
  for (const auto& [tensor_index, a] : data_tensors) {
    asmk_op_tensor_info& info = tensors.emplace_back();
    if (asmk_status s = asmk_op_tensor_at(ctx, name.c_str(), args_.data(), args_.size(), tensor_index, &info);
        s != ASMK_SUCCESS) {
      error = asmk_last_error();
      return s;
    }
    size_t d = 0;
    for (const auto& stride : op.args)
      if (stride.kind == ASMK_OP_ARG_STRIDE && std::strcmp(stride.of_tensor, a->name) == 0)
        values[stride.name] = std::to_string(info.strides[d++]);
  }
  return ASMK_SUCCESS;
}

void Call::set_pointer(const std::string& tensor, const void* pointer, std::size_t bytes) {
  for (auto& a : args_)
    if (tensor == a.name) {
      a.value.pointer = pointer;
      a.bytes = bytes;
    }
}

// ---- running ----------------------------------------------------------------------------------

namespace {

// Device memory of a context for one run, freed at its end.
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

 private:
  asmk_context* ctx_;
  std::vector<void*> owned_;
};

std::string workspace_name(const OpView& op) {
  for (const auto& a : op.args)
    if (a.kind == ASMK_OP_ARG_TENSOR && a.workspace) return a.name;
  return "";
}

ref::OpTensor host_tensor(const asmk_op_tensor_info& info) {
  ref::OpTensor t;
  t.name = info.name;
  t.dtype = info.dtype;
  t.bits = info.bits;
  t.shape.assign(info.shape, info.shape + info.rank);
  t.strides.assign(info.strides, info.strides + (info.rank == 0 ? 0 : info.rank - 1));
  t.bytes.resize(info.bytes);
  t.output = info.output != 0;
  return t;
}

std::string reference_names() {
  std::string out;
  for (const auto& n : ref::op_reference_names()) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

bool Result::ok() const {
  if (status != ASMK_SUCCESS || !error.empty() || comparisons.empty()) return false;
  for (const auto& c : comparisons)
    if (!c.ok()) return false;
  return true;
}

std::string Result::summary() const {
  std::string out;
  for (const auto& c : comparisons) out += (out.empty() ? "" : ", ") + c.summary();
  return out;
}

asmk_status select(const asmk_context* ctx, const OpView& op, const Problem& problem, const Options& options,
                   Call& call, asmk_selection& out, std::string& error) {
  if (asmk_status s = call.build(ctx, op, problem, error); s != ASMK_SUCCESS) return s;
  if (const std::string ws = workspace_name(op); !ws.empty()) call.set_pointer(ws, nullptr, options.offer_workspace ? SIZE_MAX : 0);
  const asmk_status s = asmk_select_op(ctx, op.info.name, call.args().data(), call.args().size(), &out);
  if (s != ASMK_SUCCESS) error = asmk_last_error();
  return s;
}

Result run(asmk_context* ctx, const std::string& op, const Problem& problem, const Options& options) {
  Result r;
  auto failed = [&](asmk_status s, std::string message) {
    r.status = s;
    r.error = std::move(message);
    return r;
  };
  if (std::string plugins = load_reference_plugins(); !plugins.empty()) return failed(ASMK_SUCCESS, plugins);
  const ref::OpReference* reference = ref::find_op_reference(op);
  if (reference == nullptr)
    return failed(ASMK_SUCCESS, fmt::format("ref/ has no reference for op {} (references: {}; a plugin adds one: "
                                            "$ASMK_REF_PLUGINS)", op, reference_names()));
  asmk_device_info dev{};
  if (asmk_status s = asmk_device_get(ctx, &dev); s != ASMK_SUCCESS) return failed(s, asmk_last_error());
  const auto arch = asmk::parse_arch(dev.arch);
  if (!arch) return failed(ASMK_SUCCESS, fmt::format("ref/ has no arch {}", dev.arch));

  OpView view;
  std::string error;
  if (asmk_status s = describe_op(ctx, op, view, error); s != ASMK_SUCCESS) return failed(s, error);
  Call call;
  if (asmk_status s = call.build(ctx, view, problem, error); s != ASMK_SUCCESS) return failed(s, error);
  const ref::OpProblem ref_problem{op, *arch, call.values};
  r.values = call.values;

  // A check too big for host memory is refused before a byte is allocated (never an OOM kill):
  // every tensor twice (host and the emulator's device copy), outputs once more (the reference's).
  {
    long double needed = 0;
    for (const auto& info : call.tensors) needed += (info.output ? 3.0L : 2.0L) * info.bytes;
    const long pages = ::sysconf(_SC_PHYS_PAGES), page_bytes = ::sysconf(_SC_PAGESIZE);
    const long double budget = pages > 0 && page_bytes > 0 ? (long double)pages * page_bytes / 2 : 1.0L * (1ull << 30);
    if (needed > budget)
      return failed(ASMK_ERROR_OUT_OF_MEMORY,
                    fmt::format("{} {}: checking it against ref/ needs about {:.0f} bytes of host memory, more than "
                                "half of this machine's ({:.0f} bytes)", op, problem.text(), double(needed),
                                double(budget)));
  }
  // Host tensors: inputs given, or random by dtype then the reference's own fill; outputs 0xee.
  std::mt19937 rng(options.seed);
  for (const auto& info : call.tensors) {
    ref::OpTensor t = host_tensor(info);
    if (t.output) std::fill(t.bytes.begin(), t.bytes.end(), std::uint8_t{0xee});
    else ref::fill_random(t, *arch, rng);
    r.tensors.emplace(t.name, std::move(t));
  }
  if (reference->fill) reference->fill(ref_problem, r.tensors, rng);
  for (const auto& [name, bytes] : options.inputs) {
    r.bad_input = name;
    auto it = r.tensors.find(name);
    if (it == r.tensors.end() || it->second.output)
      return failed(ASMK_ERROR_INVALID_ARGUMENT, fmt::format("{} has no input '{}'; its inputs: {}", op, name, view.input_names()));
    if (bytes.size() != it->second.bytes.size())
      return failed(ASMK_ERROR_INVALID_ARGUMENT, fmt::format("{} bytes given; {} {} {} needs {} (its extent)", bytes.size(),
                                                             op, problem.text(), name, it->second.bytes.size()));
    it->second.bytes = bytes;
  }
  r.bad_input.clear();

  DeviceMemory memory(ctx);
  std::map<std::string, void*> device;
  for (const auto& [name, t] : r.tensors) {
    void* p = nullptr;
    asmk_status s = memory.allocate(t.bytes.size(), &p);
    if (s == ASMK_SUCCESS) s = asmk_memcpy(ctx, p, t.bytes.data(), t.bytes.size(), ASMK_COPY_HOST_TO_DEVICE);
    if (s != ASMK_SUCCESS) return failed(s, asmk_last_error());
    device[name] = p;
    call.set_pointer(name, p, t.bytes.size());
  }
  // Ask for the plan with any workspace, then give it exactly what it needs.
  if (const std::string ws = workspace_name(view); !ws.empty()) {
    call.set_pointer(ws, nullptr, options.offer_workspace ? SIZE_MAX : 0);
    asmk_selection planned = ASMK_INIT(asmk_selection);
    if (asmk_status s = asmk_select_op(ctx, op.c_str(), call.args().data(), call.args().size(), &planned); s != ASMK_SUCCESS)
      return failed(s, asmk_last_error());
    void* p = nullptr;
    if (planned.workspace_bytes > 0)
      if (asmk_status s = memory.allocate(planned.workspace_bytes, &p); s != ASMK_SUCCESS) return failed(s, asmk_last_error());
    call.set_pointer(ws, p, planned.workspace_bytes);
  }
  asmk_status s = asmk_run_op(ctx, op.c_str(), call.args().data(), call.args().size(), nullptr, &r.selection);
  if (s == ASMK_SUCCESS) s = asmk_synchronize(ctx, nullptr);
  if (s != ASMK_SUCCESS) return failed(s, asmk_last_error());
  r.explain = r.selection.explain;
  for (auto& [name, t] : r.tensors)
    if (t.output)
      if (s = asmk_memcpy(ctx, t.bytes.data(), device[name], t.bytes.size(), ASMK_COPY_DEVICE_TO_HOST); s != ASMK_SUCCESS)
        return failed(s, asmk_last_error());

  std::map<std::string, ref::Expected> expected;
  if (const ref::Status rs = reference->compute(ref_problem, r.tensors, expected); !rs.ok())
    return failed(ASMK_SUCCESS, fmt::format("the reference of {} refused {}: {}", op, problem.text(), rs.error));
  for (const auto& info : call.tensors) {
    if (!info.output) continue;
    auto it = expected.find(info.name);
    if (it == expected.end())
      return failed(ASMK_SUCCESS, fmt::format("the reference of {} gave no expectation for output {}", op, info.name));
    r.comparisons.push_back(ref::compare_op_output(r.tensors.at(info.name), it->second));
  }
  return r;
}

std::string load_reference_plugins() {
  static std::once_flag once;
  static std::string errors;
  std::call_once(once, [] {
    const char* list = std::getenv("ASMK_REF_PLUGINS");
    std::istringstream in(list == nullptr ? "" : list);
    for (std::string path; std::getline(in, path, ':');) {
      if (path.empty()) continue;
      if (dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL) == nullptr)
        errors += fmt::format("{}cannot load the reference plugin {} ($ASMK_REF_PLUGINS): {}", errors.empty() ? "" : "; ",
                              path, dlerror());
    }
  });
  return errors;
}

std::string reason_headline(const char* reason) {
  const std::string text = reason == nullptr ? "" : reason;
  return text.substr(0, text.find(':'));
}

}  // namespace asmk::op_runner
