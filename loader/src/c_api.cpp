// The C ABI (asmk.h): argument checks, handle conversions, and turning every exception into
// a status plus the thread's last-error message. No logic of its own lives here.
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "asmk.h"
#include "c_handles.hpp"
#include "backends/gpu_request.hpp"
#include "library_location.hpp"
#include "context.hpp"
#include "dtype.hpp"
#include "error.hpp"
#include "abi.hpp"
#include "c_op_args.hpp"
#include "ops/launch_rule.hpp"
#include "ops/mla_metadata.hpp"
#include "ops/op_call.hpp"
#include "ops/op_run.hpp"

namespace {

using asmk::fail;
using asmk::handle_of;
using asmk::kernel_of;

template <typename T>
T& require(T* pointer, const char* what) {
  if (pointer == nullptr) fail(ASMK_ERROR_INVALID_ARGUMENT, fmt::format("{} is null", what));
  return *pointer;
}

const char* require_string(const char* s, const char* what) {
  if (s == nullptr) fail(ASMK_ERROR_INVALID_ARGUMENT, fmt::format("{} is null", what));
  return s;
}

// Runs `body`, returning its status and setting the thread's last error.
template <typename Body>
asmk_status guarded(Body&& body) noexcept {
  try {
    body();
    asmk::set_last_error("");
    return ASMK_SUCCESS;
  } catch (const asmk::Error& e) {
    asmk::set_last_error(e.what());
    return e.status();
  } catch (const std::bad_alloc&) {
    asmk::set_last_error("out of host memory");
    return ASMK_ERROR_OUT_OF_MEMORY;
  } catch (const std::exception& e) {
    asmk::set_last_error(fmt::format("internal error: {}", e.what()));
    return ASMK_ERROR_INTERNAL;
  } catch (...) {
    asmk::set_last_error("internal error: unknown exception");
    return ASMK_ERROR_INTERNAL;
  }
}

// asmk_selection::explain points here: valid until the next selector or op call on this thread.
thread_local std::string selection_explain;

void fill_selection(const asmk::Selection& sel, asmk_selection& caller) {
  asmk_selection out = ASMK_INIT(asmk_selection);
  out.kernel = handle_of(*sel.kernel);
  out.kernel_name = sel.kernel->name.c_str();
  out.grid = sel.grid;
  out.block = sel.block;
  const std::size_t n = std::min(sel.reason.size(), sizeof out.reason - 1);
  std::memcpy(out.reason, sel.reason.data(), n);
  out.reason[n] = '\0';
  out.k_splits = sel.k_splits;
  out.workspace_bytes = sel.workspace_bytes;
  out.reduce_kernel = sel.reduce_kernel ? handle_of(*sel.reduce_kernel) : nullptr;
  out.reduce_kernel_name = sel.reduce_kernel ? sel.reduce_kernel->name.c_str() : "";
  selection_explain = sel.explain;
  out.explain = selection_explain.c_str();
  const std::vector<asmk::PlannedLaunch> single{{sel.kernel, sel.grid, sel.block}};
  const auto& launches = sel.launches.empty() ? single : sel.launches;
  if (launches.size() > ASMK_MAX_LAUNCHES)
    fail(ASMK_ERROR_INTERNAL, fmt::format("the plan has {} launches, asmk_selection holds {}", launches.size(),
                                          ASMK_MAX_LAUNCHES));
  out.launch_count = launches.size();
  for (std::size_t i = 0; i < launches.size(); ++i)
    out.launches[i] = {handle_of(*launches[i].kernel), launches[i].kernel->name.c_str(), launches[i].grid,
                       launches[i].block};
  asmk::abi::write(out, &caller);
}

std::span<const asmk_op_arg> op_arg_span(const asmk_op_arg* args, std::size_t count) {
  if (args == nullptr && count != 0) fail(ASMK_ERROR_INVALID_ARGUMENT, "args is null with arg_count > 0");
  return {args, count};
}

// The typed entry points' named arguments (c_op_args.hpp) as the span the generic calls take.
std::span<const asmk_op_arg> op_arg_span(const asmk::OpArgs& args) { return args.list(); }

// asmk_select_<op> and asmk_select_op: the op's cached selection.
template <typename... Args>
asmk_status select_named(const asmk_context* context, const char* op, asmk_selection* out, const Args&... args) {
  return guarded([&] {
    auto& result = require(out, "out");
    asmk::abi::check_output(out, "asmk_selection");
    const asmk::Context& ctx = *require(context, "context").impl;
    const auto& spec = asmk::ops::find_op(ctx, require_string(op, "op"));
    fill_selection(asmk::ops::select_op(ctx, spec, op_arg_span(args...))->selection, result);
  });
}

// asmk_<op> and asmk_run_op: validate, select (cached), check buffers, launch.
template <typename... Args>
asmk_status run_named(asmk_context* context, const char* op, asmk_stream stream, asmk_selection* out,
                      const Args&... args) {
  return guarded([&] {
    asmk::abi::check_output(out, "asmk_selection");  // before anything is launched
    asmk::Context& ctx = *require(context, "context").impl;
    const auto& spec = asmk::ops::find_op(ctx, require_string(op, "op"));
    const asmk::ops::CachedOpPtr entry = asmk::ops::run_op(ctx, spec, op_arg_span(args...), stream);
    if (out != nullptr) fill_selection(entry->selection, *out);
  });
}

asmk::KernargScalar scalar_of(const asmk_kernarg_value& v) {
  switch (v.type) {
    case ASMK_VALUE_POINTER: return v.value.pointer;
    case ASMK_VALUE_U32: return v.value.u32;
    case ASMK_VALUE_I32: return v.value.i32;
    case ASMK_VALUE_U64: return v.value.u64;
    case ASMK_VALUE_I64: return v.value.i64;
    case ASMK_VALUE_F32: return v.value.f32;
    case ASMK_VALUE_STRING:  // op arguments only
    case ASMK_VALUE_FORCE_INT32_: break;
  }
  fail(ASMK_ERROR_BAD_KERNARG,
       fmt::format("argument '{}' has unknown value type {}", v.name ? v.name : "", static_cast<int>(v.type)));
}

}  // namespace

extern "C" {

const char* asmk_status_string(asmk_status status) {
  switch (status) {
#define ASMK_STATUS_CASE(s) case s: return #s;
    ASMK_STATUS_CASE(ASMK_SUCCESS)
    ASMK_STATUS_CASE(ASMK_ERROR_INVALID_ARGUMENT)
    ASMK_STATUS_CASE(ASMK_ERROR_BAD_REPOSITORY)
    ASMK_STATUS_CASE(ASMK_ERROR_MISSING_CODE_OBJECT)
    ASMK_STATUS_CASE(ASMK_ERROR_UNKNOWN_DEVICE)
    ASMK_STATUS_CASE(ASMK_ERROR_UNSUPPORTED_ARCH)
    ASMK_STATUS_CASE(ASMK_ERROR_UNKNOWN_BACKEND)
    ASMK_STATUS_CASE(ASMK_ERROR_UNKNOWN_FAMILY)
    ASMK_STATUS_CASE(ASMK_ERROR_UNKNOWN_KERNEL)
    ASMK_STATUS_CASE(ASMK_ERROR_UNSUPPORTED_DTYPE)
    ASMK_STATUS_CASE(ASMK_ERROR_UNSUPPORTED_SHAPE)
    ASMK_STATUS_CASE(ASMK_ERROR_NULL_BUFFER)
    ASMK_STATUS_CASE(ASMK_ERROR_BUFFER_TOO_SMALL)
    ASMK_STATUS_CASE(ASMK_ERROR_BAD_KERNARG)
    ASMK_STATUS_CASE(ASMK_ERROR_NO_DEVICE)
    ASMK_STATUS_CASE(ASMK_ERROR_BACKEND)
    ASMK_STATUS_CASE(ASMK_ERROR_OUT_OF_MEMORY)
    ASMK_STATUS_CASE(ASMK_ERROR_INTERNAL)
    ASMK_STATUS_CASE(ASMK_ERROR_KERNEL_FAULT)
    ASMK_STATUS_CASE(ASMK_ERROR_CANCELLED)
#undef ASMK_STATUS_CASE
    case ASMK_STATUS_FORCE_INT32_: break;
  }
  return "ASMK_ERROR_UNKNOWN_STATUS";
}

const char* asmk_last_error(void) { return asmk::last_error(); }

const char* asmk_version_string(void) {
  static const std::string version =
      fmt::format("{}.{}.{}", ASMK_VERSION_MAJOR, ASMK_VERSION_MINOR, ASMK_VERSION_PATCH);
  return version.c_str();
}

void asmk_open_options_init(asmk_open_options* options) {
  if (options == nullptr) return;
  *options = ASMK_INIT(asmk_open_options);
  options->backend = asmk::kDefaultBackend.data();
  options->device_index = -1;  // the current device
}

asmk_status asmk_open(const char* repository_dir, const asmk_open_options* options, asmk_context** context) {
  return guarded([&] {
    auto& out = require(context, "context (out)");
    out = nullptr;
    asmk_open_options opts;
    asmk_open_options_init(&opts);
    if (options != nullptr) opts = asmk::abi::read(options, "asmk_open_options", opts);
    std::string dir;
    if (repository_dir != nullptr) dir = repository_dir;
    else if (const char* found = asmk_default_repository()) dir = found;
    else
      fail(ASMK_ERROR_INVALID_ARGUMENT,
           fmt::format("no repository folder given, ASMK_REPO is not set, and no kernels are installed "
                       "next to libasmk ({}/" ASMK_DATA_FROM_LIBDIR ")",
                       asmk::library_directory().value_or("<unknown folder>").string()));

    asmk::ContextOptions context_options;
    if (opts.device != nullptr) context_options.device = asmk::device_by_name(opts.device);
    else if (opts.arch != nullptr) context_options.device = asmk::device_by_arch(opts.arch, opts.compute_units);
    context_options.backend_name = asmk::requested_backend(opts.backend);  // NULL or "": $ASMK_BACKEND, else emu
    context_options.device_index = asmk::requested_device_index(opts.device_index);  // -1: $ASMK_DEVICE, else current
    context_options.verify_sha256 = opts.verify_sha256 != 0;
    context_options.launch_limits = {opts.max_launch_instructions, opts.launch_timeout_ms};
    auto impl = std::make_unique<asmk::Context>(asmk::Repository::open(dir), std::move(context_options));
    out = new asmk_context{std::move(impl)};
  });
}

const char* asmk_default_repository(void) {
  thread_local std::string found;
  if (const char* env = std::getenv("ASMK_REPO"); env != nullptr && *env != '\0') found = env;
  else if (const auto installed = asmk::installed_data_directory()) found = installed->string();
  else return nullptr;
  return found.c_str();
}

void asmk_close(asmk_context* context) { delete context; }

asmk_status asmk_cancel(asmk_context* context) {
  return guarded([&] { require(context, "context").impl->backend().cancel(); });
}

asmk_status asmk_device_get(const asmk_context* context, asmk_device_info* out) {
  return guarded([&] {
    const auto& dev = require(context, "context").impl->device();
    require(out, "out") = asmk_device_info{dev.name.c_str(), dev.arch.c_str(), dev.compute_units,
                                           dev.lds_bytes_per_cu, dev.wavefront_size, dev.fp8_format.c_str()};
  });
}

asmk_status asmk_arch_count(const asmk_context* context, size_t* count) {
  return guarded([&] { require(count, "count") = require(context, "context").impl->repository().arches().size(); });
}

asmk_status asmk_arch_at(const asmk_context* context, size_t index, const char** arch) {
  return guarded([&] {
    const auto& arches = require(context, "context").impl->repository().arches();
    if (index >= arches.size())
      fail(ASMK_ERROR_INVALID_ARGUMENT, fmt::format("arch index {} out of range (the repository holds {})", index, arches.size()));
    require(arch, "arch") = arches[index].c_str();
  });
}

asmk_status asmk_backend_name(const asmk_context* context, const char** name) {
  return guarded([&] { require(name, "name") = require(context, "context").impl->backend().name().data(); });
}

asmk_status asmk_backend_note(const asmk_context* context, const char** note) {
  return guarded([&] { require(note, "note (out)") = require(context, "context").impl->backend_note().c_str(); });
}

asmk_status asmk_kernel_count(const asmk_context* context, size_t* count) {
  return guarded([&] { require(count, "count") = require(context, "context").impl->repository().kernels().size(); });
}

asmk_status asmk_kernel_at(const asmk_context* context, size_t index, const asmk_kernel** kernel) {
  return guarded([&] {
    const auto& kernels = require(context, "context").impl->repository().kernels();
    if (index >= kernels.size())
      fail(ASMK_ERROR_INVALID_ARGUMENT,
           fmt::format("kernel index {} out of range (the repository holds {})", index, kernels.size()));
    require(kernel, "kernel (out)") = handle_of(kernels[index]);
  });
}

asmk_status asmk_find_kernel(const asmk_context* context, const char* name, const asmk_kernel** kernel) {
  return guarded([&] {
    auto& out = require(kernel, "kernel (out)");
    out = handle_of(require(context, "context").impl->repository().get(require_string(name, "name")));
  });
}

asmk_status asmk_find_kernel_by_params(const asmk_context* context, const char* family, const char* arch,
                                       const asmk_param* params, size_t param_count, const asmk_kernel** kernel) {
  return guarded([&] {
    auto& out = require(kernel, "kernel (out)");
    const auto& ctx = *require(context, "context").impl;
    const std::string arch_name = arch != nullptr ? std::string(arch) : ctx.device().arch;
    if (param_count > 0) require(params, "params");
    std::vector<asmk::Param> wanted;
    for (size_t i = 0; i < param_count; ++i) {
      const asmk_param& p = params[i];
      if (p.name == nullptr) fail(ASMK_ERROR_INVALID_ARGUMENT, fmt::format("params[{}].name is null", i));
      switch (p.type) {
        case ASMK_PARAM_STRING:
          if (p.string_value == nullptr)
            fail(ASMK_ERROR_INVALID_ARGUMENT, fmt::format("params[{}] ({}) has a null string_value", i, p.name));
          wanted.push_back({p.name, std::string(p.string_value)});
          break;
        case ASMK_PARAM_INT: wanted.push_back({p.name, p.int_value}); break;
        case ASMK_PARAM_BOOL: wanted.push_back({p.name, p.int_value != 0}); break;
        default:
          fail(ASMK_ERROR_INVALID_ARGUMENT, fmt::format("params[{}] ({}) has unknown type {}", i, p.name, static_cast<int>(p.type)));
      }
    }
    out = handle_of(ctx.repository().find_by_params(require_string(family, "family"), arch_name, wanted));
  });
}

asmk_status asmk_kernel_get_info(const asmk_kernel* kernel, asmk_kernel_info* out) {
  return guarded([&] {
    const auto& k = kernel_of(&require(kernel, "kernel"));
    const auto& r = k.resources;
    require(out, "out") = asmk_kernel_info{
        k.name.c_str(), k.family.c_str(), k.arch.c_str(), k.symbol.c_str(), k.code_object_path.c_str(),
        k.sha256.c_str(), {k.workgroup_size[0], k.workgroup_size[1], k.workgroup_size[2]},
        {r.vgpr, r.agpr, r.accum_offset, r.sgpr, r.lds_bytes, r.scratch_bytes, r.kernarg_bytes, r.wavefront_size},
        k.params.size(), k.kernargs.size()};
  });
}

asmk_status asmk_kernel_param_at(const asmk_kernel* kernel, size_t index, asmk_param* out) {
  return guarded([&] {
    const auto& k = kernel_of(&require(kernel, "kernel"));
    if (index >= k.params.size())
      fail(ASMK_ERROR_INVALID_ARGUMENT, fmt::format("kernel {} has {} parameters, index {} asked", k.name, k.params.size(), index));
    const auto& p = k.params[index];
    asmk_param& o = require(out, "out");
    o = asmk_param{p.name.c_str(), ASMK_PARAM_STRING, nullptr, 0};
    if (const auto* s = std::get_if<std::string>(&p.value)) o.string_value = s->c_str();
    else if (const auto* i = std::get_if<std::int64_t>(&p.value)) o.type = ASMK_PARAM_INT, o.int_value = *i;
    else o.type = ASMK_PARAM_BOOL, o.int_value = std::get<bool>(p.value) ? 1 : 0;
  });
}

asmk_status asmk_kernel_kernarg_at(const asmk_kernel* kernel, size_t index, asmk_kernarg_info* out) {
  return guarded([&] {
    const auto& k = kernel_of(&require(kernel, "kernel"));
    if (index >= k.kernargs.size())
      fail(ASMK_ERROR_INVALID_ARGUMENT,
           fmt::format("kernel {} has {} kernel arguments, index {} asked", k.name, k.kernargs.size(), index));
    const auto& a = k.kernargs[index];
    require(out, "out") = asmk_kernarg_info{a.name.c_str(), a.offset, a.size, a.kind.c_str(), a.type.c_str()};
  });
}

asmk_status asmk_malloc(asmk_context* context, size_t bytes, void** pointer) {
  return guarded([&] {
    auto& out = require(pointer, "pointer (out)");
    out = nullptr;
    out = require(context, "context").impl->backend().allocate(bytes);
  });
}

asmk_status asmk_free(asmk_context* context, void* pointer) {
  return guarded([&] { require(context, "context").impl->backend().release(pointer); });
}

asmk_status asmk_memcpy(asmk_context* context, void* destination, const void* source, size_t bytes,
                        asmk_copy_kind kind) {
  return guarded([&] { require(context, "context").impl->backend().copy(destination, source, bytes, kind); });
}

asmk_status asmk_register_host(asmk_context* context, void* host, size_t bytes, void** device_pointer) {
  return guarded([&] {
    auto& out = require(device_pointer, "device_pointer (out)");
    out = nullptr;
    out = require(context, "context").impl->backend().register_host(host, bytes);
  });
}

asmk_status asmk_unregister_host(asmk_context* context, void* host) {
  return guarded([&] { require(context, "context").impl->backend().unregister_host(host); });
}

asmk_status asmk_synchronize(asmk_context* context, asmk_stream stream) {
  return guarded([&] { require(context, "context").impl->backend().synchronize(stream); });
}

asmk_status asmk_last_kernel_time(asmk_context* context, asmk_stream stream, uint64_t* nanoseconds) {
  return guarded([&] { require(nanoseconds, "nanoseconds (out)") = require(context, "context").impl->last_kernel_ns(stream); });
}

asmk_status asmk_backend_describe(const asmk_context* context, const char** text) {
  return guarded([&] { require(text, "text (out)") = require(context, "context").impl->backend_description().c_str(); });
}

asmk_status asmk_launch_kernel(asmk_context* context, const char* name, asmk_dim3 grid, asmk_dim3 block,
                               const asmk_kernarg_value* args, size_t arg_count, asmk_stream stream) {
  return guarded([&] {
    auto& ctx = *require(context, "context").impl;
    const auto& kernel = ctx.repository().get(require_string(name, "name"));
    if (arg_count > 0) require(args, "args");
    std::vector<asmk::KernargValue> values;
    for (size_t i = 0; i < arg_count; ++i) {
      if (args[i].name == nullptr) fail(ASMK_ERROR_BAD_KERNARG, fmt::format("args[{}].name is null", i));
      values.push_back({args[i].name, scalar_of(args[i])});
    }
    ctx.launch(kernel, grid, block, values, stream);
  });
}

asmk_status asmk_kernel_launch_dims(const asmk_context* context, const char* name, const asmk_kernarg_value* args,
                                    size_t arg_count, asmk_dim3* grid, asmk_dim3* block) {
  return guarded([&] {
    const auto& kernel = require(context, "context").impl->repository().get(require_string(name, "name"));
    require(grid, "grid (out)");
    require(block, "block (out)");
    if (arg_count > 0) require(args, "args");
    std::vector<asmk::KernargValue> values;
    for (size_t i = 0; i < arg_count; ++i) {
      if (args[i].name == nullptr) fail(ASMK_ERROR_BAD_KERNARG, fmt::format("args[{}].name is null", i));
      values.push_back({args[i].name, scalar_of(args[i])});
    }
    const auto dims = asmk::ops::launch_dims(kernel, values);
    *grid = dims.grid;
    *block = dims.block;
  });
}

const char* asmk_dtype_name(asmk_dtype dtype) {
  const auto name = asmk::dtype_name(dtype);
  return name ? name->data() : nullptr;
}

// ---- ops ----------------------------------------------------------------------------------

asmk_status asmk_op_count(const asmk_context* context, size_t* count) {
  return guarded([&] { require(count, "count") = require(context, "context").impl->repository().op_names().size(); });
}

asmk_status asmk_op_at(const asmk_context* context, size_t index, const char** name) {
  return guarded([&] {
    const auto& repo = require(context, "context").impl->repository();
    const auto names = repo.op_names();
    if (index >= names.size())
      fail(ASMK_ERROR_INVALID_ARGUMENT, fmt::format("op index {} is past the last of {} ops", index, names.size()));
    require(name, "name") = asmk::ops::find_op(*context->impl, names[index]).name.c_str();
  });
}

asmk_status asmk_op_get_info(const asmk_context* context, const char* op, asmk_op_info* out) {
  return guarded([&] {
    const auto& spec = asmk::ops::find_op(*require(context, "context").impl, require_string(op, "op"));
    require(out, "out") = {spec.name.c_str(), spec.doc.c_str(), spec.family.c_str(), spec.arguments().size(),
                           spec.demo.size()};
  });
}

asmk_status asmk_op_demo_at(const asmk_context* context, const char* op, size_t index, const char** problem) {
  return guarded([&] {
    const auto& spec = asmk::ops::find_op(*require(context, "context").impl, require_string(op, "op"));
    if (index >= spec.demo.size())
      fail(ASMK_ERROR_INVALID_ARGUMENT, fmt::format("{} has {} demo problems; index {} is past the last", spec.name,
                                                    spec.demo.size(), index));
    require(problem, "problem") = spec.demo[index].c_str();
  });
}

asmk_status asmk_op_arg_at(const asmk_context* context, const char* op, size_t index, asmk_op_arg_info* out) {
  return guarded([&] {
    const auto& spec = asmk::ops::find_op(*require(context, "context").impl, require_string(op, "op"));
    auto& info = require(out, "out");
    const auto args = spec.arguments();
    if (index >= args.size())
      fail(ASMK_ERROR_INVALID_ARGUMENT, fmt::format("{} has {} arguments; index {} is past the last", spec.name,
                                                    args.size(), index));
    const auto& a = args[index];
    info = {};
    info.name = a.name.data();  // names are std::strings of the spec
    info.kind = a.kind;
    info.doc = info.values = info.default_value = info.dtype = info.of_tensor = "";
    switch (a.kind) {
      case ASMK_OP_ARG_SIZE:
      case ASMK_OP_ARG_STRIDE: info.type = ASMK_VALUE_U32; break;
      case ASMK_OP_ARG_CHOICE:
        info.type = ASMK_VALUE_STRING;
        info.doc = a.choice->doc.c_str();
        info.values = a.choice->values_text.c_str();
        info.default_value = a.choice->default_value.c_str();
        break;
      case ASMK_OP_ARG_SCALAR:
        info.type = a.scalar->type == asmk::ops::OpScalar::Type::u32   ? ASMK_VALUE_U32
                    : a.scalar->type == asmk::ops::OpScalar::Type::i32 ? ASMK_VALUE_I32
                                                                       : ASMK_VALUE_F32;
        info.doc = a.scalar->doc.c_str();
        info.default_value = a.scalar->default_text.c_str();
        break;
      default:
        info.type = ASMK_VALUE_POINTER;
        info.doc = a.tensor->doc.c_str();
        info.dtype = a.tensor->dtype.c_str();
        info.output = a.tensor->output;
        info.optional = a.tensor->optional;
        info.workspace = a.tensor->workspace;
        break;
    }
    if (a.kind == ASMK_OP_ARG_STRIDE) info.of_tensor = a.tensor->name.c_str();
  });
}

asmk_status asmk_op_tensor_at(const asmk_context* context, const char* op, const asmk_op_arg* args, size_t arg_count,
                              size_t index, asmk_op_tensor_info* out) {
  return guarded([&] {
    const auto& spec = asmk::ops::find_op(*require(context, "context").impl, require_string(op, "op"));
    auto& info = require(out, "out");
    const asmk::ops::OpCall call(spec, op_arg_span(args, arg_count), false);
    if (index >= call.tensors().size())
      fail(ASMK_ERROR_INVALID_ARGUMENT, fmt::format("{} has {} tensors; index {} is past the last", spec.name,
                                                    call.tensors().size(), index));
    const auto& t = call.tensors()[index];
    if (t.shape.size() > ASMK_OP_MAX_RANK)
      fail(ASMK_ERROR_INTERNAL, fmt::format("{}: tensor {} has rank {} > ASMK_OP_MAX_RANK", spec.name, t.spec->name, t.shape.size()));
    info = {};
    info.name = t.spec->name.c_str();
    info.dtype = t.dtype.data();  // a spec string or a choice value of the spec
    info.bits = t.bits;
    info.rank = static_cast<std::uint32_t>(t.shape.size());
    for (std::size_t d = 0; d < t.shape.size(); ++d) info.shape[d] = t.shape[d];
    for (std::size_t d = 0; d < t.strides.size(); ++d) info.strides[d] = t.strides[d];
    info.bytes = t.bytes;
    info.output = t.spec->output;
    info.optional = t.spec->optional;
    info.workspace = t.spec->workspace;
  });
}

asmk_status asmk_select_op(const asmk_context* context, const char* op, const asmk_op_arg* args, size_t arg_count,
                           asmk_selection* out) {
  return select_named(context, op, out, args, arg_count);
}

asmk_status asmk_run_op(asmk_context* context, const char* op, const asmk_op_arg* args, size_t arg_count,
                        asmk_stream stream, asmk_selection* out_selection) {
  return run_named(context, op, stream, out_selection, args, arg_count);
}

// The typed entry points: the struct's fields as named arguments (c_op_args.hpp), read inside
// the guard (a struct can be refused as a whole: two page-table forms, an enum outside its values).
// A struct that stands for several ops (attention's batch and varlen modes) names the one it calls.
#define ASMK_C_OP(op)                                                                                     \
  asmk_status asmk_select_##op(const asmk_context* context, const asmk_##op##_args* args,               \
                               asmk_selection* out) {                                                   \
    std::optional<asmk::OpArgs> named;                                                                  \
    if (asmk_status s = guarded([&] { named.emplace(asmk::op_args(asmk::abi::read(args, "asmk_" #op "_args"))); }); s) \
      return s;                                                                                         \
    return select_named(context, named->op_or(#op), out, *named);                                       \
  }                                                                                                     \
  asmk_status asmk_##op(asmk_context* context, const asmk_##op##_args* args, asmk_stream stream,        \
                        asmk_selection* out_selection) {                                                \
    std::optional<asmk::OpArgs> named;                                                                  \
    if (asmk_status s = guarded([&] { named.emplace(asmk::op_args(asmk::abi::read(args, "asmk_" #op "_args"))); }); s) \
      return s;                                                                                         \
    return run_named(context, named->op_or(#op), stream, out_selection, *named);                        \
  }

ASMK_C_OP(quant_fp8)
ASMK_C_OP(quant_mxfp4)
ASMK_C_OP(shuffle_b)
ASMK_C_OP(gemm_bf16)
ASMK_C_OP(gemm_a8w8)
ASMK_C_OP(gemm_a8w8_blockscale)
ASMK_C_OP(gemm_a4w4)
ASMK_C_OP(fmha_fwd)
ASMK_C_OP(mla_decode)
ASMK_C_OP(fused_moe)
#undef ASMK_C_OP

}  // extern "C"

// ---- MLA decode persistent-mode metadata (ops/mla_metadata.hpp) ----------------------------------------------

namespace {

// The caller's sized struct read as far as its struct_size goes (abi.hpp: 0, too small and newer-header
// sizes are refused naming the struct).
asmk::ops::MlaMetadataProblem mla_metadata_problem(const asmk_context* context, const asmk_mla_metadata_args* args) {
  const asmk_mla_metadata_args a = asmk::abi::read(args, "asmk_mla_metadata_args");
  asmk::ops::MlaMetadataProblem p;
  p.batch = a.batch, p.heads = a.heads, p.max_qlen = a.max_qlen, p.total_q = a.total_q, p.page_size = a.page_size;
  p.wg_rows = a.wg_rows, p.max_splits = a.max_splits, p.work_groups = a.work_groups;
  p.compute_units = require(context, "context").impl->device().compute_units;
  p.qo_indptr = a.qo_indptr, p.kv_indptr = a.kv_indptr, p.kv_last_page_len = a.kv_last_page_len, p.seq_lens = a.seq_lens;
  return p;
}

// Writes the sizes into the caller's (already checked) info struct as far as its struct_size goes.
void fill_mla_metadata_info(const asmk::ops::MlaMetadataSizes& s, std::uint32_t items, std::uint32_t splits,
                            asmk_mla_metadata_info& out) {
  asmk_mla_metadata_info full{};
  full.struct_size = sizeof(asmk_mla_metadata_info);
  full.work_bytes = s.work_bytes;
  full.row_splits_bytes = s.row_splits_bytes;
  full.work_groups = s.work_groups;
  full.work_items = items;
  full.num_splits = splits;
  asmk::abi::write(full, &out);
}

}  // namespace

asmk_status asmk_mla_decode_metadata_size(const asmk_context* context, const asmk_mla_metadata_args* args,
                                          asmk_mla_metadata_info* out) {
  return guarded([&] {
    asmk::abi::check_output(&require(out, "out"), "asmk_mla_metadata_info");
    const auto sizes = asmk::ops::mla_metadata_sizes(mla_metadata_problem(context, args));
    fill_mla_metadata_info(sizes, 0, 0, *out);
  });
}

asmk_status asmk_mla_decode_metadata(const asmk_context* context, const asmk_mla_metadata_args* args, void* work,
                                     size_t work_bytes, int32_t* row_splits, size_t row_splits_bytes,
                                     asmk_mla_metadata_info* out) {
  return guarded([&] {
    asmk::abi::check_output(&require(out, "out"), "asmk_mla_metadata_info");  // before anything is written
    const auto p = mla_metadata_problem(context, args);
    const auto done = asmk::ops::build_mla_metadata(p, work, work_bytes, row_splits, row_splits_bytes);
    fill_mla_metadata_info(asmk::ops::mla_metadata_sizes(p), done.items, done.num_splits, *out);
  });
}
