"""asmk.torch's helpers as PyTorch custom ops (torch.ops.asmk.*): the real kernels for CPU tensors,
the fake (meta) implementations for shapes and dtypes without running anything."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import asmk  # noqa: E402
import asmk.torch  # noqa: E402
from fp8_reference import assert_bf16_close, gemm_a8w8_reference, random_fp8_bytes  # noqa: E402


def test_the_helpers_are_registered_with_the_dispatcher():
    assert asmk.torch.CUSTOM_OPS or asmk.torch.LIBRARY_OPS
    for name in ("gemm_a8w8", "per_token_quant_fp8", "per_group_quant_fp8"):
        assert hasattr(torch.ops.asmk, name)


def test_the_gemm_op_runs_the_kernel_on_cpu_tensors():
    rng = np.random.default_rng(31)
    fmt = asmk.context_for(on_gpu=False).fp8_format
    m, n, k = 5, 128, 256
    a, b = random_fp8_bytes(rng, (m, k), fmt), random_fp8_bytes(rng, (n, k), fmt)
    x_scale = torch.from_numpy(rng.uniform(0.5, 2, (m, 1)).astype(np.float32))
    w_scale = torch.from_numpy(rng.uniform(0.5, 2, (1, n)).astype(np.float32))
    y = torch.ops.asmk.gemm_a8w8(torch.from_numpy(a), torch.from_numpy(b), x_scale, w_scale, None, torch.bfloat16, None)
    assert y.dtype == torch.bfloat16 and tuple(y.shape) == (m, n)
    assert_bf16_close(y.float().numpy().astype(np.float64),
                      gemm_a8w8_reference(a, b, x_scale.numpy(), w_scale.numpy(), None, fmt))


def test_fake_implementations_give_shapes_and_dtypes_of_meta_tensors():
    x = torch.empty((7, 512), dtype=torch.bfloat16, device="meta")
    w = torch.empty((256, 512), dtype=torch.uint8, device="meta")
    fp8 = asmk.torch._fp8_dtype(torch.device("cpu"))

    y, scale = asmk.torch.per_token_quant_fp8(x)
    assert y.is_meta and tuple(y.shape) == (7, 512) and y.dtype == fp8
    assert tuple(scale.shape) == (7, 1) and scale.dtype == torch.float32
    _, group_scale = asmk.torch.per_group_quant_fp8(x)
    assert tuple(group_scale.shape) == (7, 4)

    out = asmk.torch.gemm_a8w8(y.view(torch.uint8) if y.dtype != torch.uint8 else y, w, scale,
                               torch.empty((1, 256), device="meta"), dtype=torch.float16)
    assert out.is_meta and tuple(out.shape) == (7, 256) and out.dtype == torch.float16
