#include "op_run.hpp"

#include <array>
#include <memory>

#include <fmt/format.h>

#include "../error.hpp"
#include "../nearest.hpp"
#include "buffer_checks.hpp"
#include "call_key.hpp"
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

CachedOpPtr prepared_entry(Context& context, const OpCall& call, std::span<const asmk_op_arg> args,
                           const gemm::Plan& plan) {
  auto entry = std::make_shared<CachedOp>();
  entry->layout = ArgLayout::of(call, args);
  entry->selection = plan.selection;
  const auto names = pointer_names(call.spec());
  // Every launch is checked (code object, arguments) before the first one is enqueued.
  for (const gemm::Launch& l : plan.launches)
    entry->launches.push_back(prepare_launch(context, *l.kernel, l.grid, l.block, l.args, names, l.fixed_null, l.bound));
  for (ArgLayout::Tensor& t : entry->layout.tensors)
    if (t.workspace) t.bytes = entry->selection.workspace_bytes;
  return entry;
}

void check_buffers(const Backend& backend, const OpCall& call, const Selection& selection) {
  const OpSpec& op = call.spec();
  for (const CallTensor& t : call.tensors()) {
    const OpTensor& spec = *t.spec;
    if (spec.workspace) {
      if (selection.workspace_bytes == 0) continue;
      require_buffer(backend, op.name, spec.name, t.pointer, selection.workspace_bytes, t.caller_bytes, [&] {
        if (!selection.workspace_use.empty()) return selection.workspace_use;
        return fmt::format("{} split-K partials of m x n fp32", selection.k_splits);
      });
    } else if (spec.optional) {
      require_optional_buffer(backend, op.name, spec.name, t.pointer, t.bytes, t.caller_bytes,
                              [&] { return t.shape_text(op); });
    } else {
      require_buffer(backend, op.name, spec.name, t.pointer, t.bytes, t.caller_bytes, [&] { return t.shape_text(op); });
    }
  }
}

// The launch pointers, in the op's tensor order, of a call that hits `entry` — each checked as
// check_buffers does; false when one fails (the full path then words the refusal).
constexpr std::size_t kInlineTensors = 32;
bool gather_pointers(const Backend& backend, const CachedOp& entry, std::span<const asmk_op_arg> args,
                     std::span<const void*> out) {
  const auto& tensors = entry.layout.tensors;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const ArgLayout::Tensor& t = tensors[i];
    const asmk_op_arg* a = t.arg >= 0 ? &args[static_cast<std::size_t>(t.arg)] : nullptr;
    const void* pointer = a ? a->value.pointer : nullptr;
    out[i] = pointer;
    if (t.workspace && t.bytes == 0) {
      out[i] = nullptr;  // the plan needs none
      continue;
    }
    if (check_buffer(backend, pointer, t.bytes, a ? a->bytes : 0, t.optional && !t.workspace).kind != BufferFault::ok)
      return false;
  }
  return true;
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
  const CacheKey key = call_key(op, Purpose::select, args);
  if (CachedOpPtr hit = context.selection_cache().find(key, args)) return hit;
  const OpCall call(op, args, false);
  return context.selection_cache().get(key, args, [&] {
    auto entry = std::make_shared<CachedOp>();
    entry->layout = ArgLayout::of(call, args);
    entry->selection = plan_op(context.repository(), context.device(), call).selection;
    return CachedOpPtr(std::move(entry));
  });
}

CachedOpPtr run_op(Context& context, const OpSpec& op, std::span<const asmk_op_arg> args, asmk_stream stream) {
  const CacheKey key = call_key(op, Purpose::run, args);
  // A warm call: the arguments' key and names find the entry; only the buffers are checked.
  if (CachedOpPtr hit = context.selection_cache().find(key, args); hit && hit->layout.tensors.size() <= kInlineTensors) {
    std::array<const void*, kInlineTensors> pointers{};
    if (gather_pointers(context.backend(), *hit, args, pointers)) {
      launch_entry(context, *hit, std::span(pointers.data(), hit->layout.tensors.size()), stream);
      return hit;
    }
  }
  // A cold call, or a buffer to refuse: the full validation, with every error worded.
  const OpCall call(op, args, true);
  const CachedOpPtr entry = context.selection_cache().get(key, args, [&] {
    return prepared_entry(context, call, args, plan_op(context.repository(), context.device(), call));
  });
  check_buffers(context.backend(), call, entry->selection);
  std::vector<const void*> pointers;
  for (const CallTensor& t : call.tensors())
    pointers.push_back(t.spec->workspace && entry->selection.workspace_bytes == 0 ? nullptr : t.pointer);
  launch_entry(context, *entry, pointers, stream);
  return entry;
}

}  // namespace asmk::ops
