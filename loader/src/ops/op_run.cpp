#include "op_run.hpp"

#include <algorithm>
#include <array>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "../error.hpp"
#include "../nearest.hpp"
#include "buffer_checks.hpp"
#include "call_key.hpp"
#include "element_rules.hpp"
#include "op_call.hpp"
#include "op_plan.hpp"

namespace asmk::ops {
namespace {

// The prepared launches' pointer slots refer to the op's tensors, in spec order.
std::vector<std::string_view> pointer_names(const OpSpec& op) {
  std::vector<std::string_view> names;
  for (const OpTensor& t : op.tensors) names.push_back(t.name);
  return names;
}

// The most tensors an op may have: a launch gathers its pointers on the stack.
constexpr std::size_t kMaxTensors = 32;

CachedOpPtr prepared_entry(Context& context, const OpCall& call, std::span<const asmk_op_arg> args,
                           const gemm::Plan& plan) {
  if (call.tensors().size() > kMaxTensors)
    fail(ASMK_ERROR_BAD_REPOSITORY, fmt::format("op {} has {} tensors; libasmk launches ops of at most {}",
                                                call.spec().name, call.tensors().size(), kMaxTensors));
  auto entry = std::make_shared<CachedOp>();
  entry->layout = ArgLayout::of(call, args);
  for (std::size_t i = 0; i < entry->layout.tensors.size(); ++i)
    if (std::ranges::find(plan.required_optional, call.tensors()[i].spec->name) != plan.required_optional.end())
      entry->layout.tensors[i].optional = false;
  entry->selection = plan.selection;
  const auto names = pointer_names(call.spec());
  // Every launch is checked (code object, arguments) before the first one is enqueued.
  for (const gemm::Launch& l : plan.launches)
    entry->launches.push_back(prepare_launch(context, *l.kernel, l.grid, l.block, l.args, names, l.fixed_null, l.bound));
  for (ArgLayout::Tensor& t : entry->layout.tensors)
    if (t.workspace) t.bytes = entry->selection.workspace_bytes;
  entry->element_checks = element_checks(call);
  return entry;
}

// A tensor refused by the buffer checks (its index in the op's tensor order) and why.
struct Refusal {
  std::size_t tensor = 0;
  BufferFault fault;
};

// Checks every tensor of a call served by `entry` (non-null unless optional, the caller's bytes and
// the allocation cover its extent; a workspace the plan does not need is passed as null) and
// gathers the launch pointers in the op's tensor order. The one rule for cold and warm calls.
std::optional<Refusal> gather_pointers(const Backend& backend, const CachedOp& entry, std::span<const asmk_op_arg> args,
                                       std::span<const void*> out) {
  const auto& tensors = entry.layout.tensors;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const ArgLayout::Tensor& t = tensors[i];
    const asmk_op_arg* a = t.arg >= 0 ? &args[static_cast<std::size_t>(t.arg)] : nullptr;
    out[i] = a && !(t.workspace && t.bytes == 0) ? a->value.pointer : nullptr;
    if (t.workspace && t.bytes == 0) continue;
    if (const BufferFault fault = check_buffer(backend, out[i], t.bytes, a ? a->bytes : 0, t.optional && !t.workspace);
        fault.kind != BufferFault::ok)
      return Refusal{i, fault};
  }
  return std::nullopt;
}

// Throws NULL_BUFFER / BUFFER_TOO_SMALL for the refused tensor, naming its shape (a workspace: what
// the plan keeps in it).
[[noreturn]] void refuse(const OpCall& call, const CachedOp& entry, const Refusal& r) {
  const ArgLayout::Tensor& t = entry.layout.tensors[r.tensor];
  const CallTensor& tensor = call.tensors()[r.tensor];
  const Selection& s = entry.selection;
  const std::string shape = !t.workspace ? tensor.shape_text(call.spec())
                            : !s.workspace_use.empty() ? s.workspace_use
                                                       : fmt::format("{} split-K partials of m x n fp32", s.k_splits);
  fail_buffer(r.fault, call.spec().name, tensor.spec->name, t.bytes, tensor.caller_bytes, shape);
}

void launch_entry(Context& context, const CachedOp& entry, std::span<const void* const> pointers, asmk_stream stream) {
  for (const PreparedLaunch& l : entry.launches) launch_prepared(context, l, pointers, stream);
}

}  // namespace

const OpSpec& find_op(const Context& context, std::string_view name) {
  const Repository& repo = context.repository();
  if (const OpSpec* op = repo.op(name, context.has_device() ? context.device().arch : std::string_view{})) return *op;
  const auto names = repo.op_names();
  fail(ASMK_ERROR_UNKNOWN_FAMILY,
       fmt::format("no op '{}' in repository {} (ops that exist: {}; kernel families: {})", name, repo.root().string(),
                   names.empty() ? "none: its manifests declare no ops, rebuild them with asmgen" : join_names(names),
                   join_names(repo.families())));
}

CachedOpPtr select_op(const Context& context, const OpSpec& op, std::span<const asmk_op_arg> args) {
  return context.selection_cache().get(call_key(op, Purpose::select, args), args, [&] {
    const OpCall call(op, args, false);
    auto entry = std::make_shared<CachedOp>();
    entry->layout = ArgLayout::of(call, args);
    entry->selection = plan_op(context.repository(), context.device(), call).selection;
    return CachedOpPtr(std::move(entry));
  });
}

CachedOpPtr run_op(Context& context, const OpSpec& op, std::span<const asmk_op_arg> args, asmk_stream stream) {
  // Warm, the arguments' key and names find the entry: no OpCall is built unless a buffer is refused.
  const CachedOpPtr entry = context.selection_cache().get(call_key(op, Purpose::run, args), args, [&] {
    const OpCall call(op, args, true);  // cold: the full validation, then the plan
    return prepared_entry(context, call, args, plan_op(context.repository(), context.device(), call));
  });
  std::array<const void*, kMaxTensors> pointers{};
  if (const auto refused = gather_pointers(context.backend(), *entry, args, pointers))
    refuse(OpCall(op, args, true), *entry, *refused);
  // The values of index tensors, on every call (the data changes between calls), before any launch.
  if (!entry->element_checks.empty())
    if (const auto bad = check_elements(context.backend(), entry->element_checks, pointers)) fail_elements(op.name, *bad);
  launch_entry(context, *entry, std::span(pointers.data(), entry->layout.tensors.size()), stream);
  return entry;
}

}  // namespace asmk::ops
