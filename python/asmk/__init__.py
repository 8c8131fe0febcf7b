"""asmk: AMD Instinct assembly kernels for DLPack tensors (NumPy, PyTorch, JAX, CuPy).

    import asmk
    y, scale = asmk.quant_fp8(x)                       # host tensors run on the CDNA emulator
    c = asmk.gemm_a8w8(y, w, scale, w_scale)           # GPU tensors on the hip backend

The kernel repository: asmk.open(repo=...) or $ASMK_REPO, else the kernels installed with
libasmk (<prefix>/share/asmk; build/share/asmk in a build tree). PyTorch helpers with AITER's signatures: asmk.torch (import it explicitly).
"""

from ._error import Error
from ._context import Context, open, default_repository, context_for  # noqa: A004 (asmk.open)
from .ops import (quant_fp8, quant_mxfp4, gemm_a8w8, gemm_a8w8_blockscale, gemm_a4w4, gemm_bf16, shuffle_b,
                  run_op, select_op, op_arguments, mla_decode_metadata)
from . import _asmk

__version__ = _asmk.version()

__all__ = ["Error", "Context", "open", "default_repository", "context_for",
           "quant_fp8", "quant_mxfp4", "gemm_a8w8", "gemm_a8w8_blockscale", "gemm_a4w4", "gemm_bf16", "shuffle_b",
           "run_op", "select_op", "op_arguments", "mla_decode_metadata", "__version__"]
