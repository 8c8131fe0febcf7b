"""The ops on DLPack tensors. Each fills the outputs it is given or allocates them in the
input's framework, and returns them. Host tensors run on the emulator (the default context's
backend "emu"), GPU tensors on the hip backend on the framework's current stream.

Common keywords: context= (an asmk.Context; default: the module's for the tensor's device),
stream= (a hipStream_t as an int, for GPU frameworks asmk does not know; default: the framework's
current stream). The last launch's kernel name and split-K factor are in asmk.ops.last_kernel and
asmk.ops.last_k_splits (for tests and logs).

GEMMs take workspace= for split-K (fp32 partials, then a reduce kernel): "auto" (the default) asks
the selector how many bytes its choice needs (asmk_select_* with an unbounded budget) and, when it
splits, allocates them in A's framework and device for this call; a 1-D uint8 tensor is used as
given (split-K up to its size); None never splits K. k_splits= 0 lets asmk choose, 1/2/4/8 forces.
"""

from . import _tensors
from ._context import context_for
from ._error import Error

last_kernel = None
last_k_splits = None


def _prepare(first, role, context, stream):
    on_gpu, device_id = _tensors.device_of(first, role)
    context = context or context_for(on_gpu, device_id)
    if stream is None:
        stream = _tensors.framework_stream(first, on_gpu)
    return context, on_gpu, stream


def _record(launched):
    global last_kernel, last_k_splits
    last_kernel, last_k_splits = launched


def _split_k_run(call, a, workspace, k_splits, on_gpu, stream):
    """Runs `call(workspace_capsule, query)` (a native GEMM) with the workspace the module
    docstring describes; returns (kernel name, split-K factor)."""
    if isinstance(workspace, str):
        if workspace != "auto":
            raise Error("ASMK_ERROR_INVALID_ARGUMENT", 1,
                        f"workspace={workspace!r}: expected 'auto', None or a uint8 tensor")
        workspace = None
        if k_splits != 1:
            needed = call(None, True)
            if needed:
                workspace = _tensors.empty_like_framework(a, (needed,), "u8", None, on_gpu)
    return call(_tensors.capsule(workspace, stream, output=True), False)


def _gemm_output(a, m, n, out, out_dtype, on_gpu):
    """The GEMM output C [m, n]: `out` as given, or a new one in A's framework of out_dtype (default
    bf16). Returns (out, the out_dtype to pass on: None when the caller gave out without one)."""
    if out is not None:
        return out, out_dtype
    kind = out_dtype or "bf16"
    return _tensors.empty_like_framework(a, (m, n), {"fp32": "f32"}.get(kind, kind), None, on_gpu), kind


def quant_fp8(x, y=None, scale=None, *, group=False, in_dtype=None, context=None, stream=None):
    """Dynamic FP8 quantization of x [m, n] (bfloat16 / float16; NumPy: float16, or uint16 bf16 bits
    with in_dtype="bf16") into y [m, n] (the device's fp8: uint8 bits, or torch's float8 dtype) and
    float32 scales: one per row (scale [m, 1]) or, with group=True, one per 1x128 group
    (scale [m, n / 128]). n % 128 == 0. Returns (y, scale)."""
    context, on_gpu, stream = _prepare(x, "x", context, stream)
    if len(getattr(x, "shape", ())) != 2:
        raise Error("ASMK_ERROR_UNSUPPORTED_SHAPE", 10, "x: expected a 2-D tensor [m, n]")
    m, n = x.shape
    if y is None:
        y = _tensors.empty_like_framework(x, (m, n), "fp8", context.fp8_format, on_gpu)
    if scale is None:
        scale = _tensors.empty_like_framework(x, (m, n // 128) if group else (m, 1), "f32", None, on_gpu)
    _record(context._native.quant_fp8(
        _tensors.capsule(x, stream), _tensors.capsule(y, stream, output=True), _tensors.capsule(scale, stream, output=True),
        "group" if group else "row", in_dtype, stream))
    return y, scale


def gemm_a8w8(a, b, scale_a, scale_b, bias=None, *, out=None, out_dtype=None, in_dtype=None, b_layout="row",
              k_splits=0, workspace="auto", context=None, stream=None):
    """C [m, n] = (A [m, k] . B [n, k]^T) * scale_a[m] * scale_b[n] + bias[n].

    A, B: fp8 bits (uint8 or a torch float8 dtype) or int8 (in_dtype "fp8"/"int8"; default: int8
    for int8 tensors, fp8 otherwise); scale_a, scale_b, bias: float32 with m, n, n elements (any
    shape, e.g. [m, 1] and [1, n]); out: bfloat16 / float16 (NumPy: uint16 bits with out_dtype
    "bf16", or float16); allocated with out_dtype (default "bf16") when not given.
    b_layout "shuffled": B as shuffle_b wrote it. Returns out."""
    context, on_gpu, stream = _prepare(a, "A", context, stream)
    m, n = a.shape[0], b.shape[0]
    out, out_dtype = _gemm_output(a, m, n, out, out_dtype, on_gpu)
    _record(_split_k_run(lambda ws, query: context._native.gemm_a8w8(
        _tensors.capsule(a, stream), _tensors.capsule(b, stream), _tensors.capsule(out, stream, output=True),
        _tensors.capsule(scale_a, stream), _tensors.capsule(scale_b, stream), _tensors.capsule(bias, stream),
        in_dtype, _tensors.raw16_name(out, out_dtype) if out_dtype else None, b_layout, k_splits, ws, query, stream),
        a, workspace, k_splits, on_gpu, stream))
    return out


def gemm_a8w8_blockscale(a, b, scale_a, scale_b, *, out=None, out_dtype=None, workspace="auto", context=None,
                         stream=None):
    """C [m, n] = sum over 128-wide K blocks kb of scale_a[m, kb] * scale_b[n / 128, kb] * (A . B^T over kb).

    A [m, k], B [n, k]: fp8 bits; scale_a float32 [m, ceil(k / 128)]; scale_b float32
    [ceil(n / 128), ceil(k / 128)]; out bfloat16 (NumPy: uint16 bits), allocated when not given.
    Returns out."""
    context, on_gpu, stream = _prepare(a, "A", context, stream)
    m, n = a.shape[0], b.shape[0]
    out, out_dtype = _gemm_output(a, m, n, out, out_dtype, on_gpu)
    _record(_split_k_run(lambda ws, query: context._native.gemm_a8w8_blockscale(
        _tensors.capsule(a, stream), _tensors.capsule(b, stream), _tensors.capsule(out, stream, output=True),
        _tensors.capsule(scale_a, stream), _tensors.capsule(scale_b, stream),
        _tensors.raw16_name(out, out_dtype) if out_dtype else None, ws, query, stream),
        a, workspace, 0, on_gpu, stream))
    return out


def quant_mxfp4(x, y=None, scale=None, *, in_dtype=None, context=None, stream=None):
    """OCP MX quantization (gfx950) of x [m, n] (bfloat16 / float16) into y [m, n / 2] uint8 (two
    e2m1 values per byte, element 2j in the low nibble) and e8m0 scales [m, n / 32] uint8, one per
    32 elements. n % 32 == 0. Returns (y, scale)."""
    context, on_gpu, stream = _prepare(x, "x", context, stream)
    m, n = x.shape
    if y is None:
        y = _tensors.empty_like_framework(x, (m, n // 2), "u8", None, on_gpu)
    if scale is None:
        scale = _tensors.empty_like_framework(x, (m, n // 32), "u8", None, on_gpu)
    _record(context._native.quant_mxfp4(
        _tensors.capsule(x, stream), _tensors.capsule(y, stream, output=True),
        _tensors.capsule(scale, stream, output=True), in_dtype, stream))
    return y, scale


def gemm_a4w4(a, b, scale_a, scale_b, *, out=None, out_dtype=None, workspace="auto", context=None, stream=None):
    """MXFP4 GEMM (gfx950): C [m, n] = A . B^T with A [m, k / 2], B [n, k / 2] packed e2m1 (uint8)
    and e8m0 scales scale_a [m, k / 32], scale_b [n, k / 32] (uint8); out bfloat16 (NumPy: uint16
    bits), allocated when not given. Returns out."""
    context, on_gpu, stream = _prepare(a, "A", context, stream)
    m, n = a.shape[0], b.shape[0]
    out, out_dtype = _gemm_output(a, m, n, out, out_dtype, on_gpu)
    _record(_split_k_run(lambda ws, query: context._native.gemm_a4w4(
        _tensors.capsule(a, stream), _tensors.capsule(b, stream), _tensors.capsule(out, stream, output=True),
        _tensors.capsule(scale_a, stream), _tensors.capsule(scale_b, stream),
        _tensors.raw16_name(out, out_dtype) if out_dtype else None, ws, query, stream),
        a, workspace, 0, on_gpu, stream))
    return out


def gemm_bf16(a, b, *, out=None, out_dtype=None, workspace="auto", context=None, stream=None):
    """C [m, n] = A [m, k] . B [n, k]^T with bfloat16 A and B (NumPy: uint16 bits) and a bfloat16
    or float32 C (out_dtype "bf16" / "fp32"; default bf16). Returns out."""
    context, on_gpu, stream = _prepare(a, "A", context, stream)
    m, n = a.shape[0], b.shape[0]
    out, out_dtype = _gemm_output(a, m, n, out, out_dtype, on_gpu)
    _record(_split_k_run(lambda ws, query: context._native.gemm_bf16(
        _tensors.capsule(a, stream), _tensors.capsule(b, stream), _tensors.capsule(out, stream, output=True),
        _tensors.raw16_name(a, "bf16"), _tensors.raw16_name(out, out_dtype) if out_dtype else None, ws, query, stream),
        a, workspace, 0, on_gpu, stream))
    return out


def shuffle_b(b, out=None, *, context=None, stream=None):
    """B [n, k] (8-bit) rewritten into the layout gemm_a8w8(b_layout="shuffled") reads. Returns out."""
    context, on_gpu, stream = _prepare(b, "B", context, stream)
    if out is None:
        out = _tensors.empty_like_framework(b, tuple(b.shape), "fp8", None, on_gpu)
        if _tensors.is_torch(b):
            out = out.view(b.dtype) if b.element_size() == 1 else out
    _record(context._native.shuffle_b(_tensors.capsule(b, stream), _tensors.capsule(out, stream, output=True), stream))
    return out


def run_op(op, *, context=None, stream=None, workspace="auto", **args):
    """Any op the repository declares, by name (its op spec: asmk.op_arguments(op) lists the
    arguments): sizes, strides and integer scalars as ints, f32 scalars as floats, choices as
    strings, tensors as DLPack tensors (outputs given by the caller). A tensor's strides fill the
    op's stride arguments of that tensor unless given. Returns the kernel's name.

    workspace= (ops that declare a workspace tensor: split-K GEMMs, pipeline ops such as fused_moe
    and mla_decode): "auto" (the default) asks the selector how many bytes its plan needs
    (asmk_select_op with an unbounded budget) and allocates them in the first tensor's framework
    and device for this call; a 1-D uint8 tensor is used as given; None offers none (the plan then
    takes a form without one, or the op refuses naming the bytes it needs).

        asmk.run_op("fmha_fwd", q=q, k=k, v=v, o=o, batch=1, seqlen_q=77, seqlen_k=77,
                    num_heads_q=4, num_heads_k=2, head_dims="64", scale=0.125)"""
    tensors = [(name, t) for name, t in args.items() if hasattr(t, "__dlpack__") or hasattr(t, "shape")]
    if not tensors:
        raise Error("ASMK_ERROR_INVALID_ARGUMENT", 1, f"{op}: no tensor given")
    context, on_gpu, stream = _prepare(tensors[0][1], tensors[0][0], context, stream)
    workspace_name = _workspace_argument(context, op)
    if workspace_name is None:
        if not isinstance(workspace, str) and workspace is not None:
            raise Error("ASMK_ERROR_INVALID_ARGUMENT", 1, f"{op} takes no workspace")
    elif workspace_name in args:
        pass  # given under the op's own name for it
    elif isinstance(workspace, str):
        if workspace != "auto":
            raise Error("ASMK_ERROR_INVALID_ARGUMENT", 1,
                        f"workspace={workspace!r}: expected 'auto', None or a uint8 tensor")
        needed = select_op(op, context=context, **args)["workspace_bytes"]
        if needed:
            args[workspace_name] = _tensors.empty_like_framework(tensors[0][1], (needed,), "u8", None, on_gpu)
    elif workspace is not None:
        args[workspace_name] = workspace
    _record(context._native.run_op(op, _capsules(context, op, args, stream), stream))
    return last_kernel


def select_op(op, *, context=None, workspace_budget=None, **args):
    """The plan asmk_select_op makes for a call of `op` (arguments as for run_op; tensors are
    optional and only checked), with `workspace_budget` bytes of workspace offered (None: as many as
    the plan wants). Returns {"kernel": name, "workspace_bytes": what the plan needs, "launches":
    the kernel of every launch, in order}."""
    if context is None:
        tensors = [t for t in args.values() if hasattr(t, "__dlpack__")]
        context = context_for(*_tensors.device_of(tensors[0], "tensor")) if tensors else context_for(False, 0)
    budget = (1 << 64) - 1 if workspace_budget is None else int(workspace_budget)
    return context._native.select_op(op, _capsules(context, op, args, 0), budget)


def _workspace_argument(context, op):
    """The name of the op's workspace tensor, or None."""
    for name, kind, *_, workspace in context.op_specs.get(op, []):
        if kind == "tensor" and workspace:
            return name
    return None


def _capsules(context, op, args, stream):
    """args with every tensor argument of the op as a DLPack capsule (a fresh one per call: a
    capsule is consumed once)."""
    kinds = {a[0]: a[1] for a in context.op_specs.get(op, [])}
    return {name: _tensors.capsule(value, stream, output=True) if kinds.get(name) == "tensor" else value
            for name, value in args.items()}


def op_arguments(op, context=None):
    """The op's arguments as (name, kind, dtype, choices, default, output, optional, workspace) tuples,
    from its op spec: kind "size", "stride", "choice", "scalar" or "tensor"; dtype a tensor's dtype
    or the choice giving it; choices "a,b,c"; default as text; the flags for tensors."""
    context = context or context_for(False, 0)
    return context.op_specs[op]


def mla_decode_metadata(qo_indptr, kv_indptr=None, kv_last_page_len=None, seq_lens=None, *, heads, page_size,
                        max_qlen=None, wg_rows=32, max_splits=0, work_groups=0, context=None):
    """MLA decode's persistent-mode metadata (asmk_mla_decode_metadata, host code): from the batch's lengths on the
    host — CSR (kv_indptr [b + 1], kv_last_page_len [b]) or seq_lens [b] — the work list of a fixed grid and each
    row's split count. Compute it once per batch and pass it to every layer's run_op("mla_decode_persistent"
    (or "_block_table"), work=..., row_splits=..., work_groups=..., num_splits=..., wg_rows=str(wg_rows), ...).
    Returns {"work", "row_splits" (int32 NumPy arrays), "work_groups", "work_items", "num_splits"}."""
    import numpy as np
    if context is None:
        context = context_for(False)
    host = lambda v: None if v is None else [int(x) for x in np.asarray(v, np.int32).reshape(-1)]
    qo = host(qo_indptr)
    batch = len(qo) - 1
    q_lens = [qo[i + 1] - qo[i] for i in range(batch)]
    out = context._native.mla_decode_metadata(
        batch, heads, max(q_lens) if max_qlen is None else max_qlen, qo[-1], page_size, wg_rows, max_splits,
        work_groups, qo, host(kv_indptr), host(kv_last_page_len), host(seq_lens))
    out["work"] = np.array(out["work"], np.int32)
    out["row_splits"] = np.array(out["row_splits"], np.int32).reshape(qo[-1], heads)
    return out
