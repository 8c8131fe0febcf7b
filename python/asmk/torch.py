"""PyTorch helpers with AITER's signatures, so a framework can switch with one flag.

    import asmk.torch
    y = asmk.torch.gemm_a8w8(XQ, WQ, x_scale, w_scale, bias=None, dtype=torch.bfloat16)

CPU tensors run on the emulator, GPU tensors on the hip backend on torch.cuda.current_stream().
With a PyTorch that has torch.library.custom_op (2.4 and later) the helpers are also registered
as custom ops (torch.ops.asmk.*) with fake implementations, so torch.compile traces through them;
Debian's PyTorch 1.13 has no such API, so there they are plain functions (asmk.torch.CUSTOM_OPS is
False).
"""

from typing import Optional

import torch

from . import ops
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
    asmk choose (without a workspace it does not split), else 1, 2, 4 or 8."""
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


CUSTOM_OPS = hasattr(torch, "library") and hasattr(torch.library, "custom_op")

if CUSTOM_OPS:  # PyTorch >= 2.4: custom ops that torch.compile can trace (untested here: Debian has 1.13)
    @torch.library.custom_op("asmk::gemm_a8w8", mutates_args=())
    def _gemm_a8w8_op(XQ: torch.Tensor, WQ: torch.Tensor, x_scale: torch.Tensor, w_scale: torch.Tensor,
                      bias: Optional[torch.Tensor] = None, dtype: torch.dtype = torch.bfloat16,
                      splitK: Optional[int] = None) -> torch.Tensor:
        return _gemm_a8w8(XQ, WQ, x_scale, w_scale, bias, dtype, splitK)

    @_gemm_a8w8_op.register_fake
    def _(XQ, WQ, x_scale, w_scale, bias=None, dtype=torch.bfloat16, splitK=None):
        return XQ.new_empty((XQ.shape[0], WQ.shape[0]), dtype=dtype)

    def gemm_a8w8(XQ, WQ, x_scale, w_scale, bias=None, dtype=torch.bfloat16, splitK=None):
        return _gemm_a8w8_op(XQ, WQ, x_scale, w_scale, bias, dtype, splitK)
else:
    gemm_a8w8 = _gemm_a8w8

gemm_a8w8.__doc__ = _gemm_a8w8.__doc__
per_token_quant_fp8 = _per_token_quant_fp8
per_group_quant_fp8 = _per_group_quant_fp8
