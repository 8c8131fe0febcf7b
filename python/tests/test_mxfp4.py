"""MXFP4 (gfx950): asmk.gemm_a4w4 and asmk.quant_mxfp4 on NumPy tensors, against e2m1/e8m0 decoding
written here from the OCP MX definitions."""

import numpy as np
import pytest

import asmk
from fp8_reference import assert_bf16_close, bf16_values

E2M1 = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0])


def decode_e2m1(packed):
    """[rows, k / 2] bytes -> [rows, k] values; element 2j in the low nibble of byte j."""
    packed = np.asarray(packed, np.uint8)
    nibbles = np.stack([packed & 0xF, packed >> 4], axis=-1).reshape(packed.shape[0], -1)
    return np.where(nibbles & 0x8, -1.0, 1.0) * E2M1[nibbles & 0x7]


def decode_e8m0(scale):
    return np.exp2(np.asarray(scale, np.float64) - 127.0)


def dequantize(packed, scale):
    values = decode_e2m1(packed)
    return values * np.repeat(decode_e8m0(scale), 32, axis=1)


@pytest.fixture(scope="module")
def gfx950():
    context = asmk.Context(device="MI355X", backend="emu")
    yield context
    context.close()


def test_gemm_a4w4(gfx950):
    rng = np.random.default_rng(11)
    m, n, k = 8, 64, 256
    a = rng.integers(0, 256, (m, k // 2), dtype=np.uint8)
    b = rng.integers(0, 256, (n, k // 2), dtype=np.uint8)
    scale_a = rng.integers(124, 130, (m, k // 32), dtype=np.uint8)
    scale_b = rng.integers(124, 130, (n, k // 32), dtype=np.uint8)
    c = asmk.gemm_a4w4(a, b, scale_a, scale_b, context=gfx950)
    assert c.dtype == np.uint16 and c.shape == (m, n)
    want = dequantize(a, scale_a) @ dequantize(b, scale_b).T
    assert_bf16_close(bf16_values(c), want)


def test_quant_mxfp4_round_trip(gfx950):
    rng = np.random.default_rng(12)
    x = (rng.standard_normal((4, 128)) * 5).astype(np.float16)
    y, scale = asmk.quant_mxfp4(x, context=gfx950)
    assert y.shape == (4, 64) and scale.shape == (4, 4) and y.dtype == scale.dtype == np.uint8
    blocks = np.abs(x.astype(np.float64)).reshape(4, 4, 32).max(axis=2)
    # OCP MX: the shared scale is 2^(floor(log2(amax)) - 2) (e2m1's largest exponent is 2).
    np.testing.assert_array_equal(decode_e8m0(scale), np.exp2(np.floor(np.log2(blocks)) - 2))
    # Each element is within half an e2m1 step (at most 1.0 * scale) of x, or clamped at 6 * scale.
    got = dequantize(y, scale)
    step = np.repeat(decode_e8m0(scale), 32, axis=1)
    x = x.astype(np.float64)
    near = np.abs(got - x) <= 1.0 * step + 1e-6
    clamped = (np.abs(x) > 6 * step) & (got == np.sign(x) * 6 * step)
    assert np.all(near | clamped)
    assert np.any(clamped) and np.mean(near) > 0.9  # the data exercises both cases


def test_gemm_a4w4_on_gfx942_is_an_asmk_error():
    a = np.zeros((4, 64), np.uint8)
    s = np.full((4, 4), 127, np.uint8)
    with pytest.raises(asmk.Error) as caught:
        asmk.gemm_a4w4(a, a, s, s, context=asmk.Context(device="MI300X"))
    assert "gfx942" in caught.value.message
