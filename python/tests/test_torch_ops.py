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
    assert {"gemm_a8w8", "per_token_quant_fp8", "per_group_quant_fp8", "flash_attn_fwd", "flash_attn_varlen_fwd",
            "mla_decode_fwd", "fused_topk", "biased_grouped_topk", "moe_sorting", "fused_moe"} <= set(
        asmk.torch.CUSTOM_OP_NAMES)
    for name in asmk.torch.CUSTOM_OP_NAMES:
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


def test_the_helpers_trace_under_fake_tensor_mode_without_running_a_kernel():
    """FakeTensorMode is what torch.compile's tracing runs the graph under: the helpers must give fake
    outputs of the right shapes from their fake implementations, launching nothing."""
    fake_tensor = pytest.importorskip("torch._subclasses.fake_tensor")
    asmk.ops.last_kernel = "none yet"
    with fake_tensor.FakeTensorMode():
        q = torch.empty((2, 9, 4, 64), dtype=torch.bfloat16)
        out, lse = asmk.torch.flash_attn_func(q, q, q, causal=True, return_lse=True)
        x = torch.empty((7, 256), dtype=torch.bfloat16)
        weights, ids = asmk.torch.fused_topk(x, torch.empty((7, 64)), 6, True)
        moe = asmk.torch.fused_moe(x, torch.empty((64, 256, 256), dtype=torch.bfloat16),
                                   torch.empty((64, 256, 128), dtype=torch.bfloat16), weights, ids)
        y, scale = asmk.torch.per_token_quant_fp8(x)
        c = asmk.torch.gemm_a8w8(y, torch.empty((128, 256), dtype=y.dtype), scale, torch.empty((1, 128)))
    for t in (out, lse, weights, ids, moe, y, scale, c):
        assert isinstance(t, fake_tensor.FakeTensor)
    assert tuple(out.shape) == (2, 9, 4, 64) and tuple(lse.shape) == (2, 4, 9)
    assert tuple(moe.shape) == (7, 256) and ids.dtype == torch.int32 and tuple(c.shape) == (7, 128)
    assert asmk.ops.last_kernel == "none yet"
