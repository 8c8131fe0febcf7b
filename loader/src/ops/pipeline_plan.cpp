#include "pipeline_plan.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <deque>
#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "../error.hpp"
#include "buffer_checks.hpp"
#include "op_plan.hpp"

namespace asmk::ops {
namespace {

bool is_name(std::string_view text) {
  return !text.empty() && !std::isdigit(static_cast<unsigned char>(text[0])) &&
         std::all_of(text.begin(), text.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

// A temporary's place in the workspace.
struct Carved {
  const OpTemporary* spec = nullptr;
  std::uint64_t offset = 0, bytes = 0;
  bool used = false;  // by a stage that runs
};

// Everything a stage's arguments are taken from.
class Sources {
 public:
  Sources(const OpCall& call, const Device& device) : call_(call) {
    integers_.emplace_back("compute_units", device.compute_units);
    integers_.emplace_back("workspace_budget", static_cast<std::int64_t>(std::min<std::size_t>(
                                                   call.workspace_budget(), std::numeric_limits<std::int64_t>::max())));
    const OpSpec& op = call.spec();
    for (const OpDerived& d : op.derived) integers_.emplace_back(d.name, evaluate(d.expr, "derived." + d.name));
    for (const OpTensor& t : op.tensors)
      if (t.workspace) workspace_ = call.tensor(t.name);
    std::uint64_t offset = 0;
    for (const OpTemporary& t : op.temporaries) {
      std::uint32_t bits = dtype_bits(t.dtype);
      if (bits == 0) bits = dtype_bits(call.choice(t.dtype));
      std::uint64_t elements = 1;
      for (std::size_t d = 0; d < t.shape.size(); ++d) {
        const std::int64_t extent = evaluate(t.shape[d], fmt::format("temporaries.{}.shape[{}]", t.name, d));
        if (extent < 0)
          fail(ASMK_ERROR_UNSUPPORTED_SHAPE, fmt::format("{}: {} gives temporary {} a negative extent {} ({})", op.name,
                                                         call.text(), t.name, extent, t.shape[d].text()));
        elements = saturating_mul(elements, static_cast<std::uint64_t>(extent));
      }
      const std::uint64_t total_bits = saturating_mul(elements, bits);
      const std::uint64_t bytes = total_bits / 8 + (total_bits % 8 != 0);
      carved_.push_back({&t, offset, bytes});
      offset = saturating_add(offset, (bytes + kTemporaryAlign - 1) / kTemporaryAlign * kTemporaryAlign);
    }
  }

  std::optional<std::int64_t> integer(std::string_view name) const {
    if (auto v = call_.integer(name)) return v;
    for (const auto& [n, v] : integers_)
      if (n == name) return v;
    return std::nullopt;
  }

  std::int64_t evaluate(const Expr& expr, const std::string& where) const {
    try {
      return expr.evaluate([this](std::string_view name) { return integer(name); });
    } catch (const ExprError& e) {
      fail(ASMK_ERROR_BAD_REPOSITORY, fmt::format("op spec {}: {} '{}': {}", call_.spec().name, where, expr.text(), e.what()));
    }
  }

  const OpCall& call() const { return call_; }
  const CallTensor* workspace() const { return workspace_; }
  Carved* temporary(std::string_view name) {
    for (Carved& c : carved_)
      if (c.spec->name == name) return &c;
    return nullptr;
  }
  std::uint64_t workspace_needed() const {
    std::uint64_t end = 0;
    for (const Carved& c : carved_)
      if (c.used) end = std::max(end, c.offset + c.bytes);
    return end;
  }
  std::string workspace_use() const {
    std::vector<std::string> parts;
    for (const Carved& c : carved_)
      if (c.used) parts.push_back(fmt::format("{} at {} ({} bytes)", c.spec->name, c.offset, c.bytes));
    return fmt::format("the temporaries {}", fmt::join(parts, ", "));
  }

 private:
  const OpCall& call_;
  std::vector<std::pair<std::string, std::int64_t>> integers_;  // derived, compute_units, workspace_budget
  const CallTensor* workspace_ = nullptr;
  std::vector<Carved> carved_;
};

// Where a stage's tensor comes from: a pipeline tensor (by name) plus a byte offset, or nothing.
struct TensorSource {
  std::string tensor;  // "" = absent: the stage's argument is not given
  std::uint64_t offset = 0;
};

// A stage's call: its arguments (asmk_op_arg, the strings they point to kept here) and where each
// of its tensors comes from.
class StageArgs {
 public:
  StageArgs(Sources& sources, const OpStage& stage, const OpSpec& target) : stage_(stage) {
    const OpCall& call = sources.call();
    for (const OpSpec::Argument& a : target.arguments()) {
      const std::string* mapped = stage.source(a.name);
      const std::string source = mapped ? *mapped : std::string(a.name);
      switch (a.kind) {
        case ASMK_OP_ARG_TENSOR: add_tensor(sources, *a.tensor, source, mapped != nullptr); break;
        case ASMK_OP_ARG_CHOICE: add_choice(call, *a.choice, source, mapped != nullptr); break;
        case ASMK_OP_ARG_SCALAR:
          if (a.scalar->type == OpScalar::Type::f32) {
            add_f32(call, a.name, source, mapped != nullptr);
            break;
          }
          [[fallthrough]];
        default: add_integer(sources, a, source, mapped != nullptr); break;
      }
    }
  }

  std::span<const asmk_op_arg> list() const { return args_; }
  const std::vector<std::string>& required_optional() const { return required_optional_; }
  const TensorSource* source_of(std::string_view stage_tensor) const {
    for (const auto& [name, source] : tensors_)
      if (name == stage_tensor) return &source;
    return nullptr;
  }

 private:
  [[noreturn]] void bad(std::string_view argument, const std::string& why) const {
    fail(ASMK_ERROR_BAD_REPOSITORY, fmt::format("pipeline stage {}: argument {}: {}", stage_.op, argument, why));
  }

  asmk_op_arg& push(std::string_view name, asmk_value_type type) {
    asmk_op_arg& a = args_.emplace_back();
    a.name = strings_.emplace_back(name).c_str();
    a.type = type;
    return a;
  }

  void add_tensor(Sources& sources, const OpTensor& t, const std::string& source, bool mapped) {
    // The stage's own workspace is only ever a temporary it is given, never the pipeline's whole one.
    if (t.workspace && !mapped) return tensors_.emplace_back(t.name, TensorSource{}), void();
    const CallTensor* workspace = sources.workspace();
    if (const CallTensor* parent = sources.call().tensor(source); parent && !parent->spec->workspace) {
      if (parent->spec->optional && !t.optional) required_optional_.push_back(parent->spec->name);
      asmk_op_arg& a = push(t.name, ASMK_VALUE_POINTER);
      a.value.pointer = parent->pointer;
      a.bytes = parent->caller_bytes;
      tensors_.emplace_back(t.name, TensorSource{parent->spec->name, 0});
    } else if (Carved* carved = sources.temporary(source)) {
      carved->used = true;
      asmk_op_arg& a = push(t.name, ASMK_VALUE_POINTER);
      const bool placed = workspace != nullptr && workspace->pointer != nullptr;
      a.value.pointer = placed ? static_cast<const std::byte*>(workspace->pointer) + carved->offset : nullptr;
      a.bytes = placed || t.workspace ? carved->bytes : 0;  // a stage's workspace budget: the temporary
      tensors_.emplace_back(t.name, TensorSource{workspace->spec->name, carved->offset});
    } else if (mapped) {
      bad(t.name, fmt::format("'{}' is no tensor and no temporary of the pipeline", source));
    } else {
      tensors_.emplace_back(t.name, TensorSource{});  // not given: an optional tensor left off
    }
  }

  void add_choice(const OpCall& call, const OpChoice& c, const std::string& source, bool mapped) {
    const char* value = nullptr;
    if (call.spec().choice(source) != nullptr) {
      value = strings_.emplace_back(call.choice(source)).c_str();
    } else if (std::find(c.values.begin(), c.values.end(), source) != c.values.end() && mapped) {
      value = strings_.emplace_back(source).c_str();
    } else if (mapped) {
      bad(c.name, fmt::format("'{}' is no choice of the pipeline and no value of {} ({})", source, c.name,
                              fmt::join(c.values, ", ")));
    }
    if (value != nullptr) push(c.name, ASMK_VALUE_STRING).value.string = value;
  }

  void add_f32(const OpCall& call, std::string_view name, const std::string& source, bool mapped) {
    for (const KernargValue& v : call.values())
      if (v.name == source && std::holds_alternative<float>(v.value)) {
        push(name, ASMK_VALUE_F32).value.f32 = std::get<float>(v.value);
        return;
      }
    if (!mapped) return;
    char* end = nullptr;
    const float literal = std::strtof(source.c_str(), &end);
    if (end == source.c_str() || *end != 0) bad(name, fmt::format("'{}' is no f32 scalar of the pipeline and no number", source));
    push(name, ASMK_VALUE_F32).value.f32 = literal;
  }

  void add_integer(Sources& sources, const OpSpec::Argument& a, const std::string& source, bool mapped) {
    std::int64_t value = 0;
    if (is_name(source)) {
      const auto v = sources.integer(source);
      if (!v) {
        if (mapped) bad(a.name, fmt::format("'{}' has no integer value in the pipeline", source));
        return;  // not given: the stage's default (a stride: packed)
      }
      value = *v;
    } else {
      Expr expr;
      try {
        expr = Expr::parse(source);
      } catch (const ExprError& e) {
        bad(a.name, fmt::format("'{}': {}", source, e.what()));
      }
      value = sources.evaluate(expr, fmt::format("stages ({}).args.{}", stage_.op, a.name));
    }
    const bool i32 = a.kind == ASMK_OP_ARG_SCALAR && a.scalar->type == OpScalar::Type::i32;
    const std::int64_t low = i32 ? std::numeric_limits<std::int32_t>::min() : 0;
    const std::int64_t high = i32 ? std::numeric_limits<std::int32_t>::max() : std::numeric_limits<std::uint32_t>::max();
    if (value < low || value > high)
      fail(ASMK_ERROR_UNSUPPORTED_SHAPE,
           fmt::format("{}: {} gives its stage {} the argument {}={} ({}), outside the stage's {} range",
                       sources.call().spec().name, sources.call().text(), stage_.op, a.name, value, source,
                       i32 ? "i32" : "u32"));
    asmk_op_arg& arg = push(a.name, i32 ? ASMK_VALUE_I32 : ASMK_VALUE_U32);
    if (i32) arg.value.i32 = static_cast<std::int32_t>(value);
    else arg.value.u32 = static_cast<std::uint32_t>(value);
  }

  const OpStage& stage_;
  std::vector<asmk_op_arg> args_;
  std::deque<std::string> strings_;  // stable addresses
  std::vector<std::pair<std::string, TensorSource>> tensors_;
  std::vector<std::string> required_optional_;  // the pipeline's optional tensors this stage requires
};

// A stage's launch with its pointers re-bound from the stage's tensors to the pipeline's.
gemm::Launch rebind(gemm::Launch launch, const StageArgs& args, const std::string& stage_op) {
  std::vector<PointerBinding> bound;
  for (const KernelArg& arg : launch.kernel->kernargs) {
    if (arg.hidden() || !arg.type.ends_with('*')) continue;
    if (std::find(launch.fixed_null.begin(), launch.fixed_null.end(), arg.name) != launch.fixed_null.end()) continue;
    PointerBinding inner{arg.name, arg.name, 0};
    for (const PointerBinding& b : launch.bound)
      if (b.arg == arg.name) inner = b;
    const TensorSource* source = args.source_of(inner.tensor);
    if (source == nullptr)
      fail(ASMK_ERROR_INTERNAL, fmt::format("pipeline stage {}: kernel {} pointer {} comes from '{}', not a tensor of "
                                            "the stage", stage_op, launch.kernel->name, arg.name, inner.tensor));
    if (source->tensor.empty()) launch.fixed_null.push_back(arg.name);
    else bound.push_back({arg.name, source->tensor, source->offset + inner.offset});
  }
  launch.bound = std::move(bound);
  return launch;
}

}  // namespace

gemm::Plan plan_pipeline(const Repository& repository, const Device& device, const OpCall& call) {
  const OpSpec& op = call.spec();
  Sources sources(call, device);
  gemm::Plan plan;
  Selection& s = plan.selection;
  std::vector<std::string> reasons;
  for (const OpStage& stage : op.stages) {
    if (stage.when && sources.evaluate(*stage.when, fmt::format("stages ({}).when", stage.op)) == 0) {
      s.explain += fmt::format("{}: skipped ({} is false)\n", stage.op, stage.when->text());
      continue;
    }
    const OpSpec* target = repository.op(stage.op, device.arch);
    if (target == nullptr)
      fail(ASMK_ERROR_BAD_REPOSITORY, fmt::format("op spec {}: stage op '{}' is not in the repository for {} (ops: {})",
                                                  op.name, stage.op, device.arch, fmt::join(repository.op_names(), ", ")));
    const StageArgs args(sources, stage, *target);
    const OpCall stage_call(*target, args.list(), call.running());
    gemm::Plan stage_plan;
    try {
      stage_plan = plan_op(repository, device, stage_call);
    } catch (const Error& e) {
      // The pipeline exists on this arch; a stage whose family exists only on others (fused_moe's
      // in_dtype=fp4 needs quant_mxfp4, gfx950's) means the call's dtype choice is not supported here.
      if (e.status() != ASMK_ERROR_UNSUPPORTED_ARCH) throw;
      fail(ASMK_ERROR_UNSUPPORTED_DTYPE, fmt::format("{}: {} is not supported on {} ({}): its stage {}: {}", op.name,
                                                     call.text(), device.arch, device.name, stage.op, e.what()));
    }
    if (stage_plan.selection.workspace_bytes > 0 && stage_call.workspace_budget() < stage_plan.selection.workspace_bytes)
      fail(ASMK_ERROR_INTERNAL, fmt::format("pipeline stage {} plans {} bytes of workspace beyond its temporary",
                                            stage.op, stage_plan.selection.workspace_bytes));
    for (gemm::Launch& l : stage_plan.launches) plan.launches.push_back(rebind(std::move(l), args, stage.op));
    plan.required_optional.insert(plan.required_optional.end(), args.required_optional().begin(),
                                  args.required_optional().end());
    const auto& stage_launches = stage_plan.selection.launches;
    if (stage_launches.empty())
      s.launches.push_back({stage_plan.selection.kernel, stage_plan.selection.grid, stage_plan.selection.block});
    else
      s.launches.insert(s.launches.end(), stage_launches.begin(), stage_launches.end());
    reasons.push_back(fmt::format("{}: {}", stage.op, stage_plan.selection.reason));
    s.explain += fmt::format("{}: {}\n", stage.op, stage_call.text());
    if (!stage_plan.selection.explain.empty()) s.explain += stage_plan.selection.explain;
  }
  if (plan.launches.empty())
    fail(ASMK_ERROR_UNSUPPORTED_SHAPE, fmt::format("{}: {} runs none of its stages ({})", op.name, call.text(),
                                                   s.explain));
  if (plan.launches.size() > ASMK_MAX_LAUNCHES)  // asmk_selection reports every launch
    fail(ASMK_ERROR_BAD_REPOSITORY, fmt::format("op spec {}: {} plans {} launches, more than ASMK_MAX_LAUNCHES ({})",
                                                op.name, call.text(), plan.launches.size(), ASMK_MAX_LAUNCHES));
  s.kernel = s.launches.front().kernel;
  s.grid = s.launches.front().grid;
  s.block = s.launches.front().block;
  s.reason = fmt::format("{}", fmt::join(reasons, "; then "));
  s.workspace_bytes = sources.workspace_needed();
  if (s.workspace_bytes > 0) s.workspace_use = sources.workspace_use();
  return plan;
}

}  // namespace asmk::ops
