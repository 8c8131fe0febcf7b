#include "op_run.hpp"

#include <memory>

#include <fmt/format.h>

#include "../error.hpp"
#include "../nearest.hpp"
#include "buffer_checks.hpp"
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

CachedOpPtr prepared_entry(Context& context, const OpSpec& op, const gemm::Plan& plan) {
  auto entry = std::make_shared<CachedOp>();
  entry->selection = plan.selection;
  const auto names = pointer_names(op);
  // Every launch is checked (code object, arguments) before the first one is enqueued.
  for (const gemm::Launch& l : plan.launches)
    entry->launches.push_back(prepare_launch(context, *l.kernel, l.grid, l.block, l.args, names, l.fixed_null));
  return entry;
}

void check_buffers(const Backend& backend, const OpCall& call, const Selection& selection) {
  const OpSpec& op = call.spec();
  for (const CallTensor& t : call.tensors()) {
    const OpTensor& spec = *t.spec;
    if (spec.workspace) {
      if (selection.workspace_bytes == 0) continue;
      require_buffer(backend, op.name, spec.name, t.pointer, selection.workspace_bytes, t.caller_bytes, [&] {
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
  const OpCall call(op, args, false);
  return context.selection_cache().get(call.key(Purpose::select), [&] {
    return selection_entry(plan_op(context.repository(), context.device(), call).selection);
  });
}

CachedOpPtr run_op(Context& context, const OpSpec& op, std::span<const asmk_op_arg> args, asmk_stream stream) {
  const OpCall call(op, args, true);
  const CachedOpPtr entry = context.selection_cache().get(call.key(Purpose::run), [&] {
    return prepared_entry(context, op, plan_op(context.repository(), context.device(), call));
  });
  check_buffers(context.backend(), call, entry->selection);
  std::vector<const void*> pointers;
  for (const CallTensor& t : call.tensors())
    pointers.push_back(t.spec->workspace && entry->selection.workspace_bytes == 0 ? nullptr : t.pointer);
  for (const PreparedLaunch& l : entry->launches) launch_prepared(context, l, pointers, stream);
  return entry;
}

}  // namespace asmk::ops
