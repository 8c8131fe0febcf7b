"""NumPy tensors through asmk.quant_fp8 / asmk.gemm_a8w8 / asmk.shuffle_b on the emulator."""

import numpy as np
import pytest

import asmk
from fp8_reference import (assert_bf16_close, bf16_bits, bf16_values, check_fp8_quantization,
                           gemm_a8w8_blockscale_reference, gemm_a8w8_reference, random_fp8_bytes)


def test_default_context_is_the_build_repository_on_the_emulator():
    context = asmk.context_for(on_gpu=False)
    assert context.backend == "emu"
    assert context.repo == asmk.default_repository()
    assert context.device["arch"] == "gfx942"


@pytest.mark.parametrize("group", [False, True], ids=["row", "group"])
def test_quant_fp8_fp16(emu, group):
    rng = np.random.default_rng(1)
    x = (rng.standard_normal((5, 256)) * rng.uniform(0.1, 50, (5, 1))).astype(np.float16)
    y, scale = asmk.quant_fp8(x, group=group, context=emu)
    assert y.dtype == np.uint8 and y.shape == (5, 256)
    assert scale.dtype == np.float32 and scale.shape == ((5, 2) if group else (5, 1))
    check_fp8_quantization(x.astype(np.float64), y, scale, emu.fp8_format, group)


def test_quant_fp8_bf16_bits_into_given_outputs_with_row_strides(emu):
    rng = np.random.default_rng(2)
    values = rng.standard_normal((3, 128)).astype(np.float32) * 7
    x = bf16_bits(values)
    y_storage = np.full((3, 160), 0xAB, dtype=np.uint8)  # rows of 160 bytes, 128 used
    y = y_storage[:, :128]
    scale = np.zeros(3, dtype=np.float32)
    out_y, out_scale = asmk.quant_fp8(x, y, scale, in_dtype="bf16", context=emu)
    assert out_y is y and out_scale is scale
    check_fp8_quantization(bf16_values(x), y, scale, emu.fp8_format, group=False)
    assert np.all(y_storage[:, 128:] == 0xAB), "bytes between rows were written"


@pytest.mark.parametrize("with_bias", [False, True], ids=["nobias", "bias"])
def test_gemm_a8w8_fp8(emu, with_bias):
    rng = np.random.default_rng(3)
    m, n, k = 7, 96, 128
    fmt = emu.fp8_format
    a = random_fp8_bytes(rng, (m, k), fmt)
    b = random_fp8_bytes(rng, (n, k), fmt)
    scale_a = rng.uniform(0.5, 2.0, (m, 1)).astype(np.float32)
    scale_b = rng.uniform(0.5, 2.0, (1, n)).astype(np.float32)
    bias = rng.standard_normal(n).astype(np.float32) if with_bias else None
    c = asmk.gemm_a8w8(a, b, scale_a, scale_b, bias, context=emu)
    assert c.dtype == np.uint16 and c.shape == (m, n)
    assert_bf16_close(bf16_values(c), gemm_a8w8_reference(a, b, scale_a, scale_b, bias, fmt))


def test_gemm_a8w8_shuffled_b_matches_row_b(emu):
    rng = np.random.default_rng(4)
    m, n, k = 4, 64, 128
    fmt = emu.fp8_format
    a = random_fp8_bytes(rng, (m, k), fmt)
    b = random_fp8_bytes(rng, (n, k), fmt)
    scale_a = np.ones(m, np.float32)
    scale_b = np.ones(n, np.float32)
    shuffled = asmk.shuffle_b(b, context=emu)
    assert not np.array_equal(shuffled, b)
    c = asmk.gemm_a8w8(a, shuffled, scale_a, scale_b, b_layout="shuffled", context=emu)
    assert_bf16_close(bf16_values(c), gemm_a8w8_reference(a, b, scale_a, scale_b, None, fmt))


def test_wrong_dtype_is_an_asmk_error():
    x = np.ones((2, 128), dtype=np.float32)
    with pytest.raises(asmk.Error) as caught:
        asmk.quant_fp8(x)
    assert caught.value.status == "ASMK_ERROR_UNSUPPORTED_DTYPE"
    assert "fp32" in caught.value.message and "bf16, fp16" in caught.value.message  # asked, and what exists
    with pytest.raises(asmk.Error) as caught:
        asmk.quant_fp8(np.ones((2, 128), dtype=np.int32))
    assert caught.value.status == "ASMK_ERROR_UNSUPPORTED_DTYPE"
    assert "x: expected bfloat16 or float16, got int32" in caught.value.message


def test_misaligned_k_is_an_asmk_error_from_the_library():
    a = np.zeros((4, 100), np.uint8)
    b = np.zeros((32, 100), np.uint8)
    c = np.full((4, 32), 7, np.uint16)
    with pytest.raises(asmk.Error) as caught:
        asmk.gemm_a8w8(a, b, np.ones(4, np.float32), np.ones(32, np.float32), out=c, out_dtype="bf16")
    assert caught.value.status == "ASMK_ERROR_UNSUPPORTED_SHAPE"
    assert "k" in caught.value.message.lower() and "100" in caught.value.message
    assert np.all(c == 7), "the output was written although the call failed"


def test_quant_n_not_multiple_of_128_is_an_asmk_error():
    with pytest.raises(asmk.Error) as caught:
        asmk.quant_fp8(np.ones((2, 100), np.float16))
    assert caught.value.status == "ASMK_ERROR_UNSUPPORTED_SHAPE"


def test_scale_of_wrong_length_and_non_tensors_are_refused():
    a = np.zeros((4, 128), np.uint8)
    b = np.zeros((32, 128), np.uint8)
    with pytest.raises(asmk.Error, match="scale_b: expected 32 contiguous elements, got 31"):
        asmk.gemm_a8w8(a, b, np.ones(4, np.float32), np.ones(31, np.float32))
    with pytest.raises(asmk.Error, match="not a DLPack tensor"):
        asmk.quant_fp8([[1.0] * 128])


def test_bad_repository_is_an_asmk_error(tmp_path):
    with pytest.raises(asmk.Error) as caught:
        asmk.Context(repo=str(tmp_path / "nowhere"))
    assert caught.value.status == "ASMK_ERROR_BAD_REPOSITORY"
    assert "nowhere" in caught.value.message


@pytest.mark.parametrize("out_dtype", ["bf16", "fp32"])
def test_gemm_bf16_bits(emu, out_dtype):
    rng = np.random.default_rng(8)
    m, n, k = 5, 64, 128
    a = bf16_bits(rng.standard_normal((m, k)))
    b = bf16_bits(rng.standard_normal((n, k)))
    c = asmk.gemm_bf16(a, b, out_dtype=out_dtype, context=emu)
    want = bf16_values(a) @ bf16_values(b).T
    if out_dtype == "bf16":
        assert c.dtype == np.uint16
        assert_bf16_close(bf16_values(c), want)
    else:
        assert c.dtype == np.float32
        np.testing.assert_allclose(c, want, rtol=1e-5, atol=1e-5 * np.abs(want).max())


def test_gemm_a8w8_blockscale(emu):
    rng = np.random.default_rng(10)
    m, n, k = 6, 192, 256  # two K blocks, two N blocks (the second partial)
    fmt = emu.fp8_format
    a = random_fp8_bytes(rng, (m, k), fmt)
    b = random_fp8_bytes(rng, (n, k), fmt)
    scale_a = rng.uniform(0.25, 2, (m, 2)).astype(np.float32)
    scale_b = rng.uniform(0.25, 2, (2, 2)).astype(np.float32)
    c = asmk.gemm_a8w8_blockscale(a, b, scale_a, scale_b, context=emu)
    assert c.dtype == np.uint16 and c.shape == (m, n)
    assert_bf16_close(bf16_values(c), gemm_a8w8_blockscale_reference(a, b, scale_a, scale_b, fmt))


def test_read_only_arrays_are_inputs_but_not_outputs():
    x = np.full((2, 128), 3.0, np.float16)
    x.flags.writeable = False
    y, scale = asmk.quant_fp8(x)
    np.testing.assert_allclose(scale.ravel(), 3.0 / {"e4m3fnuz": 240.0, "e4m3fn": 448.0}[
        asmk.context_for(on_gpu=False).fp8_format], rtol=1e-6)
    frozen = np.zeros((2, 128), np.uint8)
    frozen.flags.writeable = False
    with pytest.raises(asmk.Error, match="read-only"):
        asmk.quant_fp8(x, frozen, np.zeros(2, np.float32))
