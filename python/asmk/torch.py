"""PyTorch helpers with AITER's signatures, so a framework can switch with one flag.

    import asmk.torch
    y = asmk.torch.gemm_a8w8(XQ, WQ, x_scale, w_scale, bias=None, dtype=torch.bfloat16)

CPU tensors run on the emulator, GPU tensors on the hip backend on torch.cuda.current_stream().
The helpers are PyTorch custom ops (torch.ops.asmk.gemm_a8w8, per_token_quant_fp8,
per_group_quant_fp8) with fake (meta) implementations: through torch.library.custom_op on PyTorch
>= 2.4 (asmk.torch.CUSTOM_OPS), so torch.compile traces through them, and through
torch.library.Library's schema + CPU/CUDA/Meta kernels on older ones (asmk.torch.LIBRARY_OPS;
Debian's 1.13, which has no torch.compile).
"""

from typing import Optional

import torch

from . import _tensors, ops
from ._context import context_for
from ._error import Error

_OUT_DTYPES = {torch.bfloat16: "bf16", torch.float16: "fp16"}


def _out_dtype_name(dtype):
    if dtype not in _OUT_DTYPES:
        raise Error("ASMK_ERROR_UNSUPPORTED_DTYPE", 9,
                        f"dtype: {dtype} is not an output dtype of gemm_a8w8 (torch.bfloat16, torch.float16)")
    return _OUT_DTYPES[dtype]


def _gemm_a8w8(XQ: torch.Tensor, WQ: torch.Tensor, x_scale: torch.Tensor, w_scale: torch.Tensor,
               bias: Optional[torch.Tensor] = None, dtype: torch.dtype = torch.bfloat16,
               splitK: Optional[int] = None) -> torch.Tensor:
    """AITER's gemm_a8w8: Y [m, n] = (XQ [m, k] . WQ [n, k]^T) * x_scale [m, 1] * w_scale [1, n] + bias [1, n],
    XQ / WQ fp8 (a torch float8 dtype or uint8 bits) or int8; Y of `dtype`. splitK: None / 0 lets
    asmk choose (it allocates the split-K workspace it needs), else 1, 2, 4 or 8."""
    out = torch.empty((XQ.shape[0], WQ.shape[0]), dtype=dtype, device=XQ.device)
    return ops.gemm_a8w8(XQ, WQ, x_scale, w_scale, bias, out=out, out_dtype=_out_dtype_name(dtype),
                         k_splits=splitK or 0)


def _per_token_quant_fp8(x: torch.Tensor) -> "tuple[torch.Tensor, torch.Tensor]":
    """Dynamic per-token fp8 quantization: (y [m, n] fp8, scale [m, 1] float32) with
    x ~= y * scale (AITER's per_token_quant with the device's fp8 dtype)."""
    return ops.quant_fp8(x)


def _per_group_quant_fp8(x: torch.Tensor) -> "tuple[torch.Tensor, torch.Tensor]":
    """Dynamic fp8 quantization with one scale per 1x128 group: (y [m, n], scale [m, n / 128])."""
    return ops.quant_fp8(x, group=True)


# Custom ops torch.ops.asmk.*: the same functions behind PyTorch's dispatcher, with fake (meta)
# implementations that only compute output shapes and dtypes, so tracing (torch.compile, meta
# tensors) goes through them without running a kernel.
#  - PyTorch >= 2.4: torch.library.custom_op + register_fake (what torch.compile documents);
#  - older (Debian's 1.13): torch.library.Library("asmk", "DEF") with the schema below and kernels
#    for the CPU, CUDA (ROCm's GPUs) and Meta dispatch keys.
_SCHEMAS = {
    "gemm_a8w8": "gemm_a8w8(Tensor XQ, Tensor WQ, Tensor x_scale, Tensor w_scale, Tensor? bias=None, "
                 "ScalarType? dtype=None, int? splitK=None) -> Tensor",
    "per_token_quant_fp8": "per_token_quant_fp8(Tensor x) -> (Tensor, Tensor)",
    "per_group_quant_fp8": "per_group_quant_fp8(Tensor x) -> (Tensor, Tensor)",
}


def _fp8_dtype(device):
    """The torch dtype quant_fp8 writes for tensors on `device` (the fp8 of the device's context;
    meta and CPU tensors: the emulator's device)."""
    on_gpu = device.type == "cuda"
    return _tensors.torch_dtype("fp8", context_for(on_gpu, device.index or 0).fp8_format)


def _gemm_a8w8_fake(XQ, WQ, x_scale, w_scale, bias=None, dtype=None, splitK=None):
    return XQ.new_empty((XQ.shape[0], WQ.shape[0]), dtype=dtype or torch.bfloat16)


def _quant_fake(x, group):
    m, n = x.shape
    return (x.new_empty((m, n), dtype=_fp8_dtype(x.device)),
            x.new_empty((m, n // 128 if group else 1), dtype=torch.float32))


_KERNELS = {
    "gemm_a8w8": (lambda XQ, WQ, x_scale, w_scale, bias=None, dtype=None, splitK=None:
                  _gemm_a8w8(XQ, WQ, x_scale, w_scale, bias, dtype or torch.bfloat16, splitK)),
    "per_token_quant_fp8": _per_token_quant_fp8,
    "per_group_quant_fp8": _per_group_quant_fp8,
}
_FAKES = {
    "gemm_a8w8": _gemm_a8w8_fake,
    "per_token_quant_fp8": lambda x: _quant_fake(x, group=False),
    "per_group_quant_fp8": lambda x: _quant_fake(x, group=True),
}

CUSTOM_OPS = hasattr(torch, "library") and hasattr(torch.library, "custom_op")  # PyTorch >= 2.4
LIBRARY_OPS = not CUSTOM_OPS and hasattr(torch, "library") and hasattr(torch.library, "Library")

if CUSTOM_OPS:  # untested here: Debian's PyTorch is 1.13
    for _name, _schema in _SCHEMAS.items():
        _op = torch.library.custom_op(f"asmk::{_name}", _KERNELS[_name], mutates_args=(),
                                      schema=_schema[_schema.index("("):])
        _op.register_fake(_FAKES[_name])
elif LIBRARY_OPS:
    _library = torch.library.Library("asmk", "DEF")  # kept: the registrations live as long as it does
    for _name, _schema in _SCHEMAS.items():
        _library.define(_schema)
        for _key in ("CPU", "CUDA"):
            _library.impl(_name, _KERNELS[_name], _key)
        _library.impl(_name, _FAKES[_name], "Meta")
        if torch.__version__ < "2":  # 1.x: meta tensors also pass AutogradMeta, which has no fallthrough
            _library.impl(_name, _FAKES[_name], "AutogradMeta")

if CUSTOM_OPS or LIBRARY_OPS:
    def gemm_a8w8(XQ, WQ, x_scale, w_scale, bias=None, dtype=torch.bfloat16, splitK=None):
        return torch.ops.asmk.gemm_a8w8(XQ, WQ, x_scale, w_scale, bias, dtype, splitK)

    def per_token_quant_fp8(x):
        return tuple(torch.ops.asmk.per_token_quant_fp8(x))

    def per_group_quant_fp8(x):
        return tuple(torch.ops.asmk.per_group_quant_fp8(x))
else:
    gemm_a8w8, per_token_quant_fp8, per_group_quant_fp8 = _gemm_a8w8, _per_token_quant_fp8, _per_group_quant_fp8

gemm_a8w8.__doc__ = _gemm_a8w8.__doc__
per_token_quant_fp8.__doc__ = _per_token_quant_fp8.__doc__
per_group_quant_fp8.__doc__ = _per_group_quant_fp8.__doc__
