// module.cpp — asmk._asmk, the pybind11 extension over libasmk's C ABI (asmk.h).
//
// Compiled against asmk.h, so the compiler checks every argument struct: nothing is copied by
// hand. Tensors arrive as DLPack capsules (asmk/_tensors.py calls __dlpack__); this file checks
// their shapes and dtypes, maps them to kernel-side pointers (device_pointers.hpp) and fills the
// asmk_*_args structs. Every failure becomes asmk.Error (status name, code, message).
#include <asmk.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "device_pointers.hpp"
#include "dlpack_tensor.hpp"
#include "errors.hpp"

namespace py = pybind11;
using asmk_py::check;
using asmk_py::DevicePointers;
using asmk_py::DlpackTensor;
using asmk_py::Failure;

namespace {

using Tensor = std::unique_ptr<DlpackTensor>;

Tensor take(const py::object& capsule, const char* role) {
  if (capsule.is_none()) return nullptr;
  return std::make_unique<DlpackTensor>(capsule, role);
}

Tensor take_required(const py::object& capsule, const char* role) {
  if (capsule.is_none()) throw Failure(ASMK_ERROR_NULL_BUFFER, std::string(role) + " is required");
  return take(capsule, role);
}

[[noreturn]] void refuse(asmk_status status, const std::string& message) { throw Failure(status, message); }

// A 2-D tensor with contiguous rows: {rows, cols, row stride in elements}.
struct Matrix {
  uint32_t rows, cols, row_stride;
};

Matrix matrix(const DlpackTensor& t) {
  if (t.ndim() != 2) {
    refuse(ASMK_ERROR_UNSUPPORTED_SHAPE, t.role() + ": expected a 2-D tensor, got " + std::to_string(t.ndim()) + "-D");
  }
  if (!t.last_dim_contiguous()) {
    refuse(ASMK_ERROR_UNSUPPORTED_SHAPE, t.role() + ": rows must be contiguous (last stride 1), got stride " +
                                             std::to_string(t.stride(1)));
  }
  if (t.dim(0) > UINT32_MAX || t.dim(1) > UINT32_MAX || t.stride(0) > UINT32_MAX) {
    refuse(ASMK_ERROR_UNSUPPORTED_SHAPE, t.role() + ": dimensions past 2^32");
  }
  auto row_stride = static_cast<uint32_t>(t.dim(0) <= 1 ? t.dim(1) : t.stride(0));
  return {static_cast<uint32_t>(t.dim(0)), static_cast<uint32_t>(t.dim(1)), row_stride};
}

void expect_shape(const DlpackTensor& t, const Matrix& got, uint32_t rows, uint32_t cols) {
  if (got.rows != rows || got.cols != cols) {
    refuse(ASMK_ERROR_UNSUPPORTED_SHAPE, t.role() + ": expected shape [" + std::to_string(rows) + ", " +
                                             std::to_string(cols) + "], got [" + std::to_string(got.rows) +
                                             ", " + std::to_string(got.cols) + "]");
  }
}

// A compact float32 vector of `count` elements (any shape, e.g. [m] or [m, 1]).
void expect_f32_vector(const DlpackTensor& t, int64_t count) {
  if (t.code() != kDLFloat || t.bits() != 32) {
    refuse(ASMK_ERROR_UNSUPPORTED_DTYPE, t.role() + ": expected float32, got " + t.dtype_string());
  }
  if (t.numel() != count || !t.is_compact()) {
    refuse(ASMK_ERROR_UNSUPPORTED_SHAPE, t.role() + ": expected " + std::to_string(count) +
                                             " contiguous elements, got " + std::to_string(t.numel()) +
                                             (t.is_compact() ? "" : " (not contiguous)"));
  }
}

void expect_8bit(const DlpackTensor& t) {
  if (t.bits() != 8 || (t.code() != kDLUInt && t.code() != kDLInt)) {
    refuse(ASMK_ERROR_UNSUPPORTED_DTYPE,
           t.role() + ": expected an 8-bit tensor (uint8 holding fp8 bits, or int8), got " + t.dtype_string());
  }
}

asmk_dtype dtype_by_name(const std::string& name, const char* role) {
  if (name == "bf16" || name == "bfloat16") return ASMK_DTYPE_BF16;
  if (name == "fp16" || name == "float16") return ASMK_DTYPE_FP16;
  if (name == "fp32" || name == "float32") return ASMK_DTYPE_FP32;
  if (name == "fp8") return ASMK_DTYPE_FP8;
  if (name == "int8") return ASMK_DTYPE_INT8;
  refuse(ASMK_ERROR_UNSUPPORTED_DTYPE, std::string(role) + ": unknown dtype name '" + name +
                                           "' (bf16, fp16, fp32, fp8, int8)");
}

// The asmk dtype of a 16/32-bit float tensor: bfloat16, float16, float32 from the tensor itself;
// raw 16-bit integers (NumPy has no bfloat16) only with an explicit name.
asmk_dtype float_dtype(const DlpackTensor& t, const std::optional<std::string>& name) {
  if (name) {
    asmk_dtype d = dtype_by_name(*name, t.role().c_str());
    const bool raw16 = t.bits() == 16 && (t.code() == kDLUInt || t.code() == kDLInt);
    const bool fits = (d == ASMK_DTYPE_FP32 && t.code() == kDLFloat && t.bits() == 32) ||
                      (d == ASMK_DTYPE_BF16 && (raw16 || (t.code() == kDLBfloat && t.bits() == 16))) ||
                      (d == ASMK_DTYPE_FP16 && (raw16 || (t.code() == kDLFloat && t.bits() == 16)));
    if (!fits) refuse(ASMK_ERROR_UNSUPPORTED_DTYPE, t.role() + ": a " + t.dtype_string() + " tensor cannot hold " + *name);
    return d;
  }
  if (t.code() == kDLBfloat && t.bits() == 16) return ASMK_DTYPE_BF16;
  if (t.code() == kDLFloat && t.bits() == 16) return ASMK_DTYPE_FP16;
  if (t.code() == kDLFloat && t.bits() == 32) return ASMK_DTYPE_FP32;
  refuse(ASMK_ERROR_UNSUPPORTED_DTYPE,
         t.role() + ": expected bfloat16 or float16, got " + t.dtype_string() +
             (t.bits() == 16 ? " (for raw bf16 bits in a 16-bit integer array, name the dtype: bf16/fp16)" : ""));
}

asmk_stream as_stream(uintptr_t stream) { return reinterpret_cast<asmk_stream>(stream); }

// One call of an op by name, as asmk_op_arg's (run_op, select_op): the Python arguments converted
// as the op spec declares them, tensors' strides filled in, and each tensor checked against what the
// op expects of it (its element size and, above 8 bits per element, its shape — never reinterpreted).
// Pointers are left null; run_op fills them.
struct OpCall {
  std::vector<asmk_op_arg_info> declared;
  std::vector<std::string> names;  // stable storage for the call's names and strings (reserved)
  std::vector<Tensor> tensors;
  std::vector<std::pair<std::string, const DlpackTensor*>> tensor_of;
  std::vector<asmk_op_arg> list;

  OpCall(asmk_context* ctx, const std::string& op, const py::dict& args) {
    asmk_op_info info{};
    check(asmk_op_get_info(ctx, op.c_str(), &info), "asmk_op_get_info");
    declared.resize(info.arg_count);
    for (size_t i = 0; i < info.arg_count; ++i) check(asmk_op_arg_at(ctx, op.c_str(), i, &declared[i]), "asmk_op_arg_at");
    names.reserve(args.size() * 2 + 16);
    for (const auto& [key, value] : args) add(op, py::cast<std::string>(key), value);
    add_strides(args);
    check_tensors(ctx, op);
  }

 private:
  const asmk_op_arg_info* find(const std::string& name) const {
    for (const auto& d : declared)
      if (name == d.name) return &d;
    return nullptr;
  }

  void add(const std::string& op, const std::string& name, const py::handle& value) {
    const asmk_op_arg_info* d = find(name);
    if (value.is_none()) return;  // an optional tensor left out
    if (d == nullptr) refuse(ASMK_ERROR_INVALID_ARGUMENT, op + " has no argument '" + name + "'");
    asmk_op_arg a{};
    a.name = names.emplace_back(name).c_str();
    a.type = d->type;
    if (d->kind == ASMK_OP_ARG_TENSOR) {
      tensors.push_back(take(py::reinterpret_borrow<py::object>(value), names.back().c_str()));
      tensor_of.emplace_back(name, tensors.back().get());
    } else if (d->type == ASMK_VALUE_STRING) {
      a.value.string = names.emplace_back(py::cast<std::string>(value)).c_str();
    } else if (d->type == ASMK_VALUE_F32) {
      a.value.f32 = py::cast<float>(value);
    } else if (d->type == ASMK_VALUE_I32) {
      a.value.i32 = py::cast<int32_t>(value);
    } else {
      a.value.u32 = py::cast<uint32_t>(value);
    }
    list.push_back(a);
  }

  // Strides from the tensors (elements; the last dimension must be contiguous).
  void add_strides(const py::dict& args) {
    for (const auto& d : declared) {
      if (d.kind != ASMK_OP_ARG_STRIDE || args.contains(d.name)) continue;
      int dim = 0;
      for (const auto& other : declared) {
        if (&other == &d) break;
        if (other.kind == ASMK_OP_ARG_STRIDE && std::string(other.of_tensor) == d.of_tensor) ++dim;
      }
      for (const auto& [name, t] : tensor_of)
        if (name == d.of_tensor) {
          if (!t->last_dim_contiguous())
            refuse(ASMK_ERROR_UNSUPPORTED_SHAPE, t->role() + ": the last dimension must be contiguous");
          if (dim >= t->ndim() - 1 || t->stride(dim) < 0 || t->stride(dim) > INT64_C(0xffffffff))
            refuse(ASMK_ERROR_UNSUPPORTED_SHAPE, t->role() + ": no stride " + std::to_string(dim) + " for " + d.name);
          asmk_op_arg a{};
          a.name = d.name;
          a.type = ASMK_VALUE_U32;
          // A dimension of extent 1 is never stepped over: its stride is whatever the framework says
          // (PyTorch's DLPack export gives 1), so it is passed as 0, "packed".
          a.value.u32 = t->dim(dim) <= 1 ? 0 : static_cast<uint32_t>(t->stride(dim));
          list.push_back(a);
        }
    }
  }

  void check_tensors(asmk_context* ctx, const std::string& op) {
    for (size_t index = 0;; ++index) {
      asmk_op_tensor_info expected{};
      const asmk_status status = asmk_op_tensor_at(ctx, op.c_str(), list.data(), list.size(), index, &expected);
      if (status == ASMK_ERROR_INVALID_ARGUMENT && std::string(asmk_last_error()).find("is past the last") != std::string::npos)
        break;
      check(status, op.c_str());
      for (const auto& [name, t] : tensor_of) {
        if (name != expected.name || expected.workspace) continue;  // a workspace is bytes of scratch
        const uint32_t bits = expected.bits < 8 ? 8 : expected.bits;
        if (uint32_t(t->bits()) != bits)
          refuse(ASMK_ERROR_UNSUPPORTED_DTYPE, t->role() + ": " + op + " takes " + expected.dtype + " here (" +
                                                   std::to_string(bits) + "-bit elements), got " + t->dtype_string());
        bool same = expected.bits < 8 || uint32_t(t->ndim()) == expected.rank;
        for (uint32_t d = 0; same && expected.bits >= 8 && d < expected.rank; ++d)
          same = uint64_t(t->dim(int(d))) == expected.shape[d];
        if (!same) {
          std::string want;
          for (uint32_t d = 0; d < expected.rank; ++d) want += (d ? ", " : "") + std::to_string(expected.shape[d]);
          refuse(ASMK_ERROR_UNSUPPORTED_SHAPE, t->role() + ": " + op + " expects shape [" + want + "] from its sizes");
        }
      }
    }
  }
};

// One open asmk_context.
class Context {
 public:
  Context(std::optional<std::string> repo, std::optional<std::string> device, std::optional<std::string> arch,
          uint32_t compute_units, std::optional<std::string> backend, int device_index, bool verify_sha256) {
    asmk_open_options options;
    asmk_open_options_init(&options);
    options.device = device ? device->c_str() : nullptr;
    options.arch = arch ? arch->c_str() : nullptr;
    options.compute_units = compute_units;
    options.backend = backend ? backend->c_str() : nullptr;
    options.device_index = device_index;
    options.verify_sha256 = verify_sha256 ? 1 : 0;
    check(asmk_open(repo ? repo->c_str() : nullptr, &options, &context_), "asmk_open");
    const char* name = nullptr;
    check(asmk_backend_name(context_, &name), "asmk_backend_name");
    backend_ = name;
  }
  ~Context() { close(); }

  void close() {
    asmk_close(context_);
    context_ = nullptr;
  }
  asmk_context* get() const {
    if (context_ == nullptr) refuse(ASMK_ERROR_INVALID_ARGUMENT, "the asmk context is closed");
    return context_;
  }
  const std::string& backend() const { return backend_; }
  bool on_gpu() const { return backend_ == "hip" || backend_ == "hsa"; }

  std::string backend_note() const {
    const char* note = nullptr;
    check(asmk_backend_note(get(), &note), "asmk_backend_note");
    return note;
  }
  py::dict device() const {
    asmk_device_info info{};
    check(asmk_device_get(get(), &info), "asmk_device_get");
    py::dict d;
    d["name"] = info.name;
    d["arch"] = info.arch;
    d["compute_units"] = info.compute_units;
    d["lds_bytes_per_cu"] = info.lds_bytes_per_cu;
    d["wavefront_size"] = info.wavefront_size;
    d["fp8_format"] = info.fp8_format;
    return d;
  }

  py::tuple quant_fp8(const py::object& x_capsule, const py::object& y_capsule, const py::object& scale_capsule,
                        const std::string& granularity, const std::optional<std::string>& in_dtype,
                        uintptr_t stream) {
    Tensor x = take_required(x_capsule, "x"), y = take_required(y_capsule, "y");
    Tensor scale = take_required(scale_capsule, "scale");
    Matrix mx = matrix(*x), my = matrix(*y);
    expect_shape(*y, my, mx.rows, mx.cols);
    expect_8bit(*y);
    asmk_quant_fp8_args args = ASMK_INIT(asmk_quant_fp8_args);
    args.m = mx.rows;
    args.n = mx.cols;
    args.in_dtype = float_dtype(*x, in_dtype);
    if (granularity == "row") {
      args.granularity = ASMK_QUANT_ROW;
      expect_f32_vector(*scale, mx.rows);
    } else if (granularity == "group") {
      args.granularity = ASMK_QUANT_GROUP;
      expect_f32_vector(*scale, int64_t(mx.rows) * (mx.cols / 128));
    } else {
      refuse(ASMK_ERROR_INVALID_ARGUMENT, "granularity '" + granularity + "': expected 'row' or 'group'");
    }
    args.stride_x = mx.row_stride;
    args.stride_y = my.row_stride;
    DevicePointers pointers(get(), on_gpu(), {x.get(), y.get(), scale.get()});
    args.x = pointers(x.get());
    args.y = pointers(y.get());
    args.scale = static_cast<float*>(pointers(scale.get()));
    args.x_bytes = x->span_bytes();
    args.y_bytes = y->span_bytes();
    args.scale_bytes = scale->span_bytes();
    return launch("asmk_quant_fp8", [&](asmk_selection* s) { return asmk_quant_fp8(get(), &args, as_stream(stream), s); });
  }

  py::object gemm_a8w8(const py::object& a_capsule, const py::object& b_capsule, const py::object& c_capsule,
                        const py::object& scale_a_capsule, const py::object& scale_b_capsule,
                        const py::object& bias_capsule, const std::optional<std::string>& in_dtype,
                        const std::optional<std::string>& out_dtype, const std::string& b_layout, uint32_t k_splits,
                        const py::object& workspace_capsule, bool query, uintptr_t stream) {
    Tensor workspace = take(workspace_capsule, "workspace");
    Tensor a = take_required(a_capsule, "A"), b = take_required(b_capsule, "B"), c = take_required(c_capsule, "C");
    Tensor scale_a = take_required(scale_a_capsule, "scale_a"), scale_b = take_required(scale_b_capsule, "scale_b");
    Tensor bias = take(bias_capsule, "bias");
    expect_8bit(*a);
    expect_8bit(*b);
    Matrix ma = matrix(*a), mb = matrix(*b), mc = matrix(*c);
    if (mb.cols != ma.cols) {
      refuse(ASMK_ERROR_UNSUPPORTED_SHAPE, "B: expected [n, " + std::to_string(ma.cols) + "] (K of A), got [" +
                                               std::to_string(mb.rows) + ", " + std::to_string(mb.cols) + "]");
    }
    expect_shape(*c, mc, ma.rows, mb.rows);
    expect_f32_vector(*scale_a, ma.rows);
    expect_f32_vector(*scale_b, mb.rows);
    if (bias) expect_f32_vector(*bias, mb.rows);
    asmk_gemm_a8w8_args args = ASMK_INIT(asmk_gemm_a8w8_args);
    args.m = ma.rows;
    args.n = mb.rows;
    args.k = ma.cols;
    if (in_dtype) {
      args.in_dtype = dtype_by_name(*in_dtype, "in_dtype");
    } else {
      if (a->code() != b->code()) refuse(ASMK_ERROR_UNSUPPORTED_DTYPE, "A and B: one is int8, the other not");
      args.in_dtype = a->code() == kDLInt ? ASMK_DTYPE_INT8 : ASMK_DTYPE_FP8;
    }
    args.out_dtype = float_dtype(*c, out_dtype);
    if (b_layout == "row") {
      args.b_layout = ASMK_B_ROW;
    } else if (b_layout == "shuffled") {
      args.b_layout = ASMK_B_SHUFFLED;
    } else {
      refuse(ASMK_ERROR_INVALID_ARGUMENT, "b_layout '" + b_layout + "': expected 'row' or 'shuffled'");
    }
    args.stride_a = ma.row_stride;
    args.stride_b = mb.row_stride;
    args.stride_c = mc.row_stride;
    args.k_splits = k_splits;
    DevicePointers pointers(get(), on_gpu(), {a.get(), b.get(), c.get(), scale_a.get(), scale_b.get(), bias.get(), workspace.get()});
    args.a = pointers(a.get());
    args.b = pointers(b.get());
    args.c = pointers(c.get());
    args.scale_a = static_cast<const float*>(pointers(scale_a.get()));
    args.scale_b = static_cast<const float*>(pointers(scale_b.get()));
    args.bias = static_cast<const float*>(pointers(bias.get()));
    args.a_bytes = a->span_bytes();
    args.b_bytes = b->span_bytes();
    args.c_bytes = c->span_bytes();
    args.scale_a_bytes = scale_a->span_bytes();
    args.scale_b_bytes = scale_b->span_bytes();
    args.bias_bytes = bias ? bias->span_bytes() : 0;
    return gemm_call("asmk_gemm_a8w8", args, workspace, pointers, query, stream, asmk_select_gemm_a8w8, asmk_gemm_a8w8);
  }

  py::object gemm_a8w8_blockscale(const py::object& a_capsule, const py::object& b_capsule,
                                   const py::object& c_capsule, const py::object& scale_a_capsule,
                                   const py::object& scale_b_capsule, const std::optional<std::string>& out_dtype,
                                   const py::object& workspace_capsule, bool query, uintptr_t stream) {
    Tensor workspace = take(workspace_capsule, "workspace");
    Tensor a = take_required(a_capsule, "A"), b = take_required(b_capsule, "B"), c = take_required(c_capsule, "C");
    Tensor scale_a = take_required(scale_a_capsule, "scale_a"), scale_b = take_required(scale_b_capsule, "scale_b");
    expect_8bit(*a);
    expect_8bit(*b);
    Matrix ma = matrix(*a), mb = matrix(*b), mc = matrix(*c);
    if (mb.cols != ma.cols) refuse(ASMK_ERROR_UNSUPPORTED_SHAPE, "B: K differs from A's");
    expect_shape(*c, mc, ma.rows, mb.rows);
    const uint32_t k_blocks = (ma.cols + 127) / 128, n_blocks = (mb.rows + 127) / 128;
    Matrix msa = matrix(*scale_a);
    expect_shape(*scale_a, msa, ma.rows, k_blocks);
    expect_f32_vector(*scale_a, int64_t(ma.rows) * k_blocks);
    expect_f32_vector(*scale_b, int64_t(n_blocks) * k_blocks);
    asmk_gemm_a8w8_blockscale_args args = ASMK_INIT(asmk_gemm_a8w8_blockscale_args);
    args.m = ma.rows;
    args.n = mb.rows;
    args.k = ma.cols;
    args.in_dtype = ASMK_DTYPE_FP8;
    args.out_dtype = float_dtype(*c, out_dtype);
    args.stride_a = ma.row_stride;
    args.stride_b = mb.row_stride;
    args.stride_c = mc.row_stride;
    DevicePointers pointers(get(), on_gpu(), {a.get(), b.get(), c.get(), scale_a.get(), scale_b.get(), workspace.get()});
    args.a = pointers(a.get());
    args.b = pointers(b.get());
    args.c = pointers(c.get());
    args.scale_a = static_cast<const float*>(pointers(scale_a.get()));
    args.scale_b = static_cast<const float*>(pointers(scale_b.get()));
    args.a_bytes = a->span_bytes();
    args.b_bytes = b->span_bytes();
    args.c_bytes = c->span_bytes();
    args.scale_a_bytes = scale_a->span_bytes();
    args.scale_b_bytes = scale_b->span_bytes();
    return gemm_call("asmk_gemm_a8w8_blockscale", args, workspace, pointers, query, stream, asmk_select_gemm_a8w8_blockscale, asmk_gemm_a8w8_blockscale);
  }

  py::tuple quant_mxfp4(const py::object& x_capsule, const py::object& y_capsule, const py::object& scale_capsule,
                          const std::optional<std::string>& in_dtype, uintptr_t stream) {
    Tensor x = take_required(x_capsule, "x"), y = take_required(y_capsule, "y");
    Tensor scale = take_required(scale_capsule, "scale");
    expect_8bit(*y);
    expect_8bit(*scale);
    Matrix mx = matrix(*x), my = matrix(*y), ms = matrix(*scale);
    expect_shape(*y, my, mx.rows, mx.cols / 2);
    expect_shape(*scale, ms, mx.rows, mx.cols / 32);
    asmk_quant_mxfp4_args args = ASMK_INIT(asmk_quant_mxfp4_args);
    args.m = mx.rows;
    args.n = mx.cols;
    args.in_dtype = float_dtype(*x, in_dtype);
    args.stride_x = mx.row_stride;
    args.stride_y = my.row_stride;
    args.stride_scale = ms.row_stride;
    DevicePointers pointers(get(), on_gpu(), {x.get(), y.get(), scale.get()});
    args.x = pointers(x.get());
    args.y = pointers(y.get());
    args.scale = static_cast<uint8_t*>(pointers(scale.get()));
    args.x_bytes = x->span_bytes();
    args.y_bytes = y->span_bytes();
    args.scale_bytes = scale->span_bytes();
    return launch("asmk_quant_mxfp4", [&](asmk_selection* s) { return asmk_quant_mxfp4(get(), &args, as_stream(stream), s); });
  }

  // A and B hold two e2m1 values per byte: [m, k / 2] and [n, k / 2]; scales e8m0 [rows, k / 32].
  py::object gemm_a4w4(const py::object& a_capsule, const py::object& b_capsule, const py::object& c_capsule,
                        const py::object& scale_a_capsule, const py::object& scale_b_capsule,
                        const std::optional<std::string>& out_dtype, const py::object& workspace_capsule, bool query, uintptr_t stream) {
    Tensor workspace = take(workspace_capsule, "workspace");
    Tensor a = take_required(a_capsule, "A"), b = take_required(b_capsule, "B"), c = take_required(c_capsule, "C");
    Tensor scale_a = take_required(scale_a_capsule, "scale_a"), scale_b = take_required(scale_b_capsule, "scale_b");
    for (const Tensor* t : {&a, &b, &scale_a, &scale_b}) expect_8bit(**t);
    Matrix ma = matrix(*a), mb = matrix(*b), mc = matrix(*c), msa = matrix(*scale_a), msb = matrix(*scale_b);
    if (mb.cols != ma.cols) refuse(ASMK_ERROR_UNSUPPORTED_SHAPE, "B: K differs from A's");
    const uint32_t k = ma.cols * 2;
    expect_shape(*c, mc, ma.rows, mb.rows);
    expect_shape(*scale_a, msa, ma.rows, k / 32);
    expect_shape(*scale_b, msb, mb.rows, k / 32);
    asmk_gemm_a4w4_args args = ASMK_INIT(asmk_gemm_a4w4_args);
    args.m = ma.rows;
    args.n = mb.rows;
    args.k = k;
    args.out_dtype = float_dtype(*c, out_dtype);
    args.stride_a = ma.row_stride;
    args.stride_b = mb.row_stride;
    args.stride_c = mc.row_stride;
    args.stride_scale_a = msa.row_stride;
    args.stride_scale_b = msb.row_stride;
    DevicePointers pointers(get(), on_gpu(), {a.get(), b.get(), c.get(), scale_a.get(), scale_b.get(), workspace.get()});
    args.a = pointers(a.get());
    args.b = pointers(b.get());
    args.c = pointers(c.get());
    args.scale_a = static_cast<const uint8_t*>(pointers(scale_a.get()));
    args.scale_b = static_cast<const uint8_t*>(pointers(scale_b.get()));
    args.a_bytes = a->span_bytes();
    args.b_bytes = b->span_bytes();
    args.c_bytes = c->span_bytes();
    args.scale_a_bytes = scale_a->span_bytes();
    args.scale_b_bytes = scale_b->span_bytes();
    return gemm_call("asmk_gemm_a4w4", args, workspace, pointers, query, stream, asmk_select_gemm_a4w4, asmk_gemm_a4w4);
  }

  py::object gemm_bf16(const py::object& a_capsule, const py::object& b_capsule, const py::object& c_capsule,
                        const std::optional<std::string>& in_dtype, const std::optional<std::string>& out_dtype,
                        const py::object& workspace_capsule, bool query, uintptr_t stream) {
    Tensor workspace = take(workspace_capsule, "workspace");
    Tensor a = take_required(a_capsule, "A"), b = take_required(b_capsule, "B"), c = take_required(c_capsule, "C");
    Matrix ma = matrix(*a), mb = matrix(*b), mc = matrix(*c);
    if (float_dtype(*a, in_dtype) != ASMK_DTYPE_BF16 || float_dtype(*b, in_dtype) != ASMK_DTYPE_BF16) {
      refuse(ASMK_ERROR_UNSUPPORTED_DTYPE, "A and B: gemm_bf16 takes bfloat16 operands");
    }
    if (mb.cols != ma.cols) refuse(ASMK_ERROR_UNSUPPORTED_SHAPE, "B: K differs from A's");
    expect_shape(*c, mc, ma.rows, mb.rows);
    asmk_gemm_bf16_args args = ASMK_INIT(asmk_gemm_bf16_args);
    args.m = ma.rows;
    args.n = mb.rows;
    args.k = ma.cols;
    args.out_dtype = float_dtype(*c, out_dtype);
    args.stride_a = ma.row_stride;
    args.stride_b = mb.row_stride;
    args.stride_c = mc.row_stride;
    DevicePointers pointers(get(), on_gpu(), {a.get(), b.get(), c.get(), workspace.get()});
    args.a = pointers(a.get());
    args.b = pointers(b.get());
    args.c = pointers(c.get());
    args.a_bytes = a->span_bytes();
    args.b_bytes = b->span_bytes();
    args.c_bytes = c->span_bytes();
    return gemm_call("asmk_gemm_bf16", args, workspace, pointers, query, stream, asmk_select_gemm_bf16, asmk_gemm_bf16);
  }

  py::tuple shuffle_b(const py::object& src_capsule, const py::object& dst_capsule, uintptr_t stream) {
    Tensor src = take_required(src_capsule, "src"), dst = take_required(dst_capsule, "dst");
    expect_8bit(*src);
    expect_8bit(*dst);
    Matrix ms = matrix(*src), md = matrix(*dst);
    expect_shape(*dst, md, ms.rows, ms.cols);
    if (!dst->is_compact()) refuse(ASMK_ERROR_UNSUPPORTED_SHAPE, "dst: must be contiguous (n * k bytes)");
    asmk_shuffle_b_args args = ASMK_INIT(asmk_shuffle_b_args);
    args.n = ms.rows;
    args.k = ms.cols;
    args.stride_src = ms.row_stride;
    DevicePointers pointers(get(), on_gpu(), {src.get(), dst.get()});
    args.src = pointers(src.get());
    args.dst = pointers(dst.get());
    args.src_bytes = src->span_bytes();
    args.dst_bytes = dst->span_bytes();
    return launch("asmk_shuffle_b", [&](asmk_selection* s) { return asmk_shuffle_b(get(), &args, as_stream(stream), s); });
  }

  // Any op by name (asmk_run_op): `args` maps the op's argument names to ints (sizes, strides, u32 /
  // i32 scalars), floats (f32 scalars), strings (choices) and DLPack capsules (tensors), as the op spec
  // declares them (asmk_op_arg_at). A tensor's strides (in elements) fill the op's stride arguments of
  // that tensor unless given. Returns (kernel name, split-K factor).
  py::tuple run_op(const std::string& op, const py::dict& args, uintptr_t stream) {
    OpCall call(get(), op, args);
    std::vector<const DlpackTensor*> raw;
    for (const auto& t : call.tensors) raw.push_back(t.get());
    DevicePointers pointers(get(), on_gpu(), raw);
    for (auto& a : call.list)
      for (const auto& [name, t] : call.tensor_of)
        if (a.type == ASMK_VALUE_POINTER && name == a.name) {
          a.value.pointer = pointers(t);
          a.bytes = t->span_bytes();
        }
    return launch("asmk_run_op", [&](asmk_selection* s) {
      return asmk_run_op(get(), op.c_str(), call.list.data(), call.list.size(), as_stream(stream), s);
    });
  }

  // asmk_mla_decode_metadata (MLA decode's persistent mode, host code) from the batch's lengths as host int32
  // sequences: {"work", "row_splits" (lists of int32), "work_groups", "work_items", "num_splits"}. The sequences'
  // lengths are checked here (the library reads batch + 1 / batch entries), the values by the library.
  py::dict mla_decode_metadata(uint32_t batch, uint32_t heads, uint32_t max_qlen, uint32_t total_q, uint32_t page_size,
                               uint32_t wg_rows, uint32_t max_splits, uint32_t work_groups,
                               const std::vector<int32_t>& qo_indptr, const std::optional<std::vector<int32_t>>& kv_indptr,
                               const std::optional<std::vector<int32_t>>& kv_last_page_len,
                               const std::optional<std::vector<int32_t>>& seq_lens) {
    const auto sized = [&](const char* name, size_t got, size_t want) {
      if (got != want)
        throw py::value_error(std::string("mla_decode_metadata: ") + name + " has " + std::to_string(got) +
                              " entries, batch " + std::to_string(batch) + " needs " + std::to_string(want));
    };
    sized("qo_indptr", qo_indptr.size(), size_t(batch) + 1);
    if (kv_indptr) sized("kv_indptr", kv_indptr->size(), size_t(batch) + 1);
    if (kv_indptr && kv_last_page_len) sized("kv_last_page_len", kv_last_page_len->size(), batch);
    if (!kv_indptr && seq_lens) sized("seq_lens", seq_lens->size(), batch);
    asmk_mla_metadata_args a = ASMK_INIT(asmk_mla_metadata_args);
    a.batch = batch, a.heads = heads, a.max_qlen = max_qlen, a.total_q = total_q, a.page_size = page_size;
    a.wg_rows = wg_rows, a.max_splits = max_splits, a.work_groups = work_groups;
    a.qo_indptr = qo_indptr.data();
    a.kv_indptr = kv_indptr ? kv_indptr->data() : nullptr;
    a.kv_last_page_len = kv_indptr && kv_last_page_len ? kv_last_page_len->data() : nullptr;
    a.seq_lens = !kv_indptr && seq_lens ? seq_lens->data() : nullptr;
    asmk_mla_metadata_info info = ASMK_INIT(asmk_mla_metadata_info);
    check(asmk_mla_decode_metadata_size(get(), &a, &info), "asmk_mla_decode_metadata_size");
    std::vector<int32_t> work(info.work_bytes / 4), row_splits(info.row_splits_bytes / 4);
    check(asmk_mla_decode_metadata(get(), &a, work.data(), info.work_bytes, row_splits.data(), info.row_splits_bytes,
                                   &info),
          "asmk_mla_decode_metadata");
    py::dict out;
    out["work"] = work;
    out["row_splits"] = row_splits;
    out["work_groups"] = info.work_groups;
    out["work_items"] = info.work_items;
    out["num_splits"] = info.num_splits;
    return out;
  }

  // The plan asmk_select_op makes for a call (`args` as for run_op, tensors optional: their shapes
  // and strides are checked, nothing is read or launched) with `workspace_budget` bytes of workspace
  // offered (SIZE_MAX: as much as the plan wants). Returns {"kernel", "workspace_bytes", "launches"}:
  // what a caller allocates before run_op, as asmk.h's rule for workspaces says.
  py::dict select_op(const std::string& op, const py::dict& args, size_t workspace_budget) {
    OpCall call(get(), op, args);
    for (const auto& d : call.declared)
      if (d.kind == ASMK_OP_ARG_TENSOR && d.workspace && !args.contains(d.name)) {
        asmk_op_arg a{};
        a.name = d.name;
        a.type = ASMK_VALUE_POINTER;
        a.bytes = workspace_budget;
        call.list.push_back(a);
      }
    asmk_selection selection = ASMK_INIT(asmk_selection);
    check(asmk_select_op(get(), op.c_str(), call.list.data(), call.list.size(), &selection), op.c_str());
    py::list launches;
    for (size_t i = 0; i < selection.launch_count && i < ASMK_MAX_LAUNCHES; ++i)
      launches.append(std::string(selection.launches[i].kernel_name ? selection.launches[i].kernel_name : ""));
    py::dict out;
    out["kernel"] = std::string(selection.kernel_name ? selection.kernel_name : "");
    out["workspace_bytes"] = selection.workspace_bytes;
    out["launches"] = launches;
    return out;
  }

  // The ops the repository declares, each with its arguments:
  // {op: [(name, kind, dtype, values, default, output, optional, workspace), ...]}.
  py::dict ops() const {
    py::dict out;
    size_t count = 0;
    check(asmk_op_count(get(), &count), "asmk_op_count");
    for (size_t i = 0; i < count; ++i) {
      const char* name = nullptr;
      check(asmk_op_at(get(), i, &name), "asmk_op_at");
      asmk_op_info info{};
      check(asmk_op_get_info(get(), name, &info), "asmk_op_get_info");
      py::list arguments;
      static const char* kKinds[] = {"size", "stride", "choice", "scalar", "tensor"};
      for (size_t j = 0; j < info.arg_count; ++j) {
        asmk_op_arg_info a{};
        check(asmk_op_arg_at(get(), name, j, &a), "asmk_op_arg_at");
        arguments.append(py::make_tuple(a.name, kKinds[a.kind], a.dtype, a.values, a.default_value,
                                        bool(a.output), bool(a.optional), bool(a.workspace)));
      }
      out[py::str(name)] = arguments;
    }
    return out;
  }

 private:
  // Runs an op call without the GIL (the emulator can take seconds) and returns (kernel name,
  // split-K factor) of the launch.
  template <typename Call>
  py::tuple launch(const char* what, Call call) {
    asmk_selection selection = ASMK_INIT(asmk_selection);
    asmk_status status;
    std::string message;
    {
      py::gil_scoped_release release;
      status = call(&selection);
      if (status != ASMK_SUCCESS) message = asmk_last_error();  // per thread: read it on this thread
    }
    if (status != ASMK_SUCCESS) throw Failure(status, std::string(what) + ": " + message);
    return py::make_tuple(std::string(selection.kernel_name ? selection.kernel_name : ""), selection.k_splits);
  }

  // A GEMM's split-K workspace (a byte tensor; None = never split K) goes into args. With `query`
  // nothing runs: the selection is made with an unbounded workspace budget (asmk.h's rule) and the
  // bytes its plan needs are returned (0: it does not split), for asmk.ops to allocate them.
  // Otherwise the op launches and (kernel name, split-K factor) is returned.
  template <typename Args, typename Select, typename Op>
  py::object gemm_call(const char* what, Args& args, const Tensor& workspace, DevicePointers& pointers, bool query,
                       uintptr_t stream, Select select, Op op) {
    args.workspace = pointers(workspace.get());
    args.workspace_bytes = workspace ? workspace->span_bytes() : 0;
    if (query) {
      args.workspace_bytes = SIZE_MAX;
      asmk_selection selection = ASMK_INIT(asmk_selection);
      check(select(get(), &args, &selection), what);
      return py::int_(selection.workspace_bytes);
    }
    return launch(what, [&](asmk_selection* s) { return op(get(), &args, as_stream(stream), s); });
  }

  asmk_context* context_ = nullptr;
  std::string backend_;
};

}  // namespace

PYBIND11_MODULE(_asmk, m) {
  m.doc() = "asmk's C ABI (asmk.h) for Python; use the asmk package, not this module";
  static py::handle error_type = py::object(py::module_::import("asmk._error").attr("Error")).release();
  py::register_exception_translator([](std::exception_ptr pointer) {
    try {
      if (pointer) std::rethrow_exception(pointer);
    } catch (const Failure& f) {
      py::object args = py::make_tuple(asmk_status_string(f.status), static_cast<int>(f.status), f.what());
      PyErr_SetObject(error_type.ptr(), args.ptr());
    }
  });
  m.def("version", [] { return std::string(asmk_version_string()); });
  m.def("default_repository", []() -> std::optional<std::string> {
    const char* found = asmk_default_repository();
    return found ? std::optional<std::string>(found) : std::nullopt;
  });

  py::class_<Context>(m, "Context")
      .def(py::init<std::optional<std::string>, std::optional<std::string>, std::optional<std::string>, uint32_t,
                    std::optional<std::string>, int, bool>(),
           py::arg("repo"), py::arg("device"), py::arg("arch"), py::arg("compute_units"), py::arg("backend"),
           py::arg("device_index"), py::arg("verify_sha256"))
      .def("close", &Context::close)
      .def_property_readonly("backend", &Context::backend)
      .def_property_readonly("backend_note", &Context::backend_note)
      .def_property_readonly("device", &Context::device)
      .def("quant_fp8", &Context::quant_fp8)
      .def("gemm_a8w8", &Context::gemm_a8w8)
      .def("gemm_a8w8_blockscale", &Context::gemm_a8w8_blockscale)
      .def("quant_mxfp4", &Context::quant_mxfp4)
      .def("gemm_a4w4", &Context::gemm_a4w4)
      .def("gemm_bf16", &Context::gemm_bf16)
      .def("shuffle_b", &Context::shuffle_b)
      .def("run_op", &Context::run_op)
      .def("select_op", &Context::select_op)
      .def("mla_decode_metadata", &Context::mla_decode_metadata)
      .def("ops", &Context::ops);
}
