"""PyTorch (CPU) tensors through asmk and asmk.torch's AITER-shaped helpers on the emulator."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import asmk  # noqa: E402
import asmk.torch  # noqa: E402
from fp8_reference import (assert_bf16_close, check_fp8_quantization, gemm_a8w8_reference,  # noqa: E402
                           random_fp8_bytes)


def _bits(t):
    """uint8 fp8 bit patterns of a torch tensor (uint8 in PyTorch 1.13, a float8 dtype later)."""
    return t.view(torch.uint8).numpy() if t.dtype != torch.uint8 else t.numpy()


def test_quant_fp8_bf16_tensor(emu):
    gen = torch.Generator().manual_seed(5)
    x = (torch.randn(6, 256, generator=gen) * 13).to(torch.bfloat16)
    y, scale = asmk.quant_fp8(x, context=emu)
    assert isinstance(y, torch.Tensor) and isinstance(scale, torch.Tensor)
    assert y.element_size() == 1 and tuple(y.shape) == (6, 256)
    assert scale.dtype == torch.float32 and tuple(scale.shape) == (6, 1)
    check_fp8_quantization(x.float().numpy().astype(np.float64), _bits(y), scale.numpy(), emu.fp8_format, False)


def test_gemm_a8w8_tensors_with_aiter_signature():
    rng = np.random.default_rng(6)
    m, n, k = 9, 64, 256
    fmt = asmk.context_for(on_gpu=False).fp8_format
    a = random_fp8_bytes(rng, (m, k), fmt)
    b = random_fp8_bytes(rng, (n, k), fmt)
    x_scale = torch.from_numpy(rng.uniform(0.5, 2, (m, 1)).astype(np.float32))
    w_scale = torch.from_numpy(rng.uniform(0.5, 2, (1, n)).astype(np.float32))
    bias = torch.from_numpy(rng.standard_normal((1, n)).astype(np.float32))
    y = asmk.torch.gemm_a8w8(torch.from_numpy(a), torch.from_numpy(b), x_scale, w_scale, bias, dtype=torch.bfloat16)
    assert y.dtype == torch.bfloat16 and tuple(y.shape) == (m, n)
    want = gemm_a8w8_reference(a, b, x_scale.numpy(), w_scale.numpy(), bias.numpy(), fmt)
    assert_bf16_close(y.float().numpy().astype(np.float64), want)

    y16 = asmk.torch.gemm_a8w8(torch.from_numpy(a), torch.from_numpy(b), x_scale, w_scale, dtype=torch.float16)
    assert y16.dtype == torch.float16
    want = gemm_a8w8_reference(a, b, x_scale.numpy(), w_scale.numpy(), None, fmt)
    np.testing.assert_allclose(y16.float().numpy(), want, rtol=2.0 ** -10, atol=1e-3 * np.abs(want).max())


def test_quantize_then_gemm_approximates_the_float_product():
    gen = torch.Generator().manual_seed(7)
    x = torch.randn(8, 256, generator=gen).to(torch.bfloat16)
    w = torch.randn(128, 256, generator=gen).to(torch.bfloat16)
    xq, x_scale = asmk.torch.per_token_quant_fp8(x)
    wq, w_scale = asmk.torch.per_token_quant_fp8(w)
    y = asmk.torch.gemm_a8w8(xq, wq, x_scale, w_scale.view(1, -1))
    want = x.double() @ w.double().T
    error = (y.double() - want).abs().max().item() / want.abs().max().item()
    assert error < 0.1, f"relative error {error}"  # two fp8 roundings: a few percent at most


def test_int8_operands_run_the_int8_kernels():
    gen = torch.Generator().manual_seed(9)
    a = torch.randint(-128, 128, (4, 128), dtype=torch.int8, generator=gen)
    b = torch.randint(-128, 128, (32, 128), dtype=torch.int8, generator=gen)
    x_scale = torch.full((4, 1), 0.01)
    w_scale = torch.full((1, 32), 0.02)
    y = asmk.torch.gemm_a8w8(a, b, x_scale, w_scale)
    assert "int8" in asmk.ops.last_kernel
    want = (a.double() @ b.double().T) * 0.01 * 0.02
    assert_bf16_close(y.double().numpy(), want.numpy())


def test_wrong_output_dtype_and_requires_grad():
    a = torch.zeros(4, 128, dtype=torch.uint8)
    b = torch.zeros(32, 128, dtype=torch.uint8)
    with pytest.raises(asmk.Error, match="float32 is not an output dtype"):
        asmk.torch.gemm_a8w8(a, b, torch.ones(4, 1), torch.ones(1, 32), dtype=torch.float32)
    x = torch.randn(2, 128, requires_grad=True).to(torch.bfloat16)
    y, scale = asmk.quant_fp8(x)  # detached for export, not refused
    assert tuple(y.shape) == (2, 128)


def test_custom_op_registration_matches_the_torch_version():
    assert asmk.torch.CUSTOM_OPS == hasattr(torch.library, "custom_op")
    if asmk.torch.CUSTOM_OPS:
        assert hasattr(torch.ops.asmk, "gemm_a8w8")
