"""Split-K from Python: the GEMMs allocate the workspace the selector asks for (workspace="auto"),
use a given one, or never split (workspace=None). Results against the NumPy reference."""

import numpy as np
import pytest

import asmk
from fp8_reference import assert_bf16_close, bf16_values, gemm_a8w8_reference, random_fp8_bytes


def _operands(fmt, m, n, k, seed):
    rng = np.random.default_rng(seed)
    a = random_fp8_bytes(rng, (m, k), fmt)
    b = random_fp8_bytes(rng, (n, k), fmt)
    return a, b, rng.uniform(0.5, 2.0, (m, 1)).astype(np.float32), rng.uniform(0.5, 2.0, (1, n)).astype(np.float32)


def test_the_selector_splits_a_small_deep_gemm_when_the_workspace_is_automatic():
    # Two 16x64 tiles against 304 CUs of MI300X, K = 4096: split-K pays (loader/README.md, Selection;
    # `asmk op gemm_a8w8 --m 16 --n 128 --k 4096 --device MI300X` chooses k_splits 8).
    context = asmk.context_for(on_gpu=False)
    a, b, scale_a, scale_b = _operands(context.fp8_format, 16, 128, 4096, seed=21)
    c = asmk.gemm_a8w8(a, b, scale_a, scale_b, context=context)
    assert asmk.ops.last_k_splits > 1, f"{asmk.ops.last_kernel} did not split K"
    assert_bf16_close(bf16_values(c), gemm_a8w8_reference(a, b, scale_a, scale_b, None, context.fp8_format))

    unsplit = asmk.gemm_a8w8(a, b, scale_a, scale_b, workspace=None, context=context)
    assert asmk.ops.last_k_splits == 1
    assert_bf16_close(bf16_values(unsplit), bf16_values(c))


def test_a_forced_split_with_the_automatic_workspace(emu):
    a, b, scale_a, scale_b = _operands(emu.fp8_format, 8, 128, 512, seed=22)
    c = asmk.gemm_a8w8(a, b, scale_a, scale_b, k_splits=2, context=emu)
    assert asmk.ops.last_k_splits == 2
    assert_bf16_close(bf16_values(c), gemm_a8w8_reference(a, b, scale_a, scale_b, None, emu.fp8_format))


def test_a_given_workspace_is_used_and_one_too_small_is_refused(emu):
    m, n, k = 8, 128, 512
    a, b, scale_a, scale_b = _operands(emu.fp8_format, m, n, k, seed=23)
    workspace = np.zeros(4 * m * n * 4, dtype=np.uint8)  # room for 4 fp32 partials of C
    c = asmk.gemm_a8w8(a, b, scale_a, scale_b, k_splits=4, workspace=workspace, context=emu)
    assert asmk.ops.last_k_splits == 4
    assert_bf16_close(bf16_values(c), gemm_a8w8_reference(a, b, scale_a, scale_b, None, emu.fp8_format))

    with pytest.raises(asmk.Error) as refused:
        asmk.gemm_a8w8(a, b, scale_a, scale_b, k_splits=4, workspace=workspace[: 2 * m * n * 4], context=emu)
    assert "workspace" in refused.value.message


def test_no_workspace_never_splits(emu):
    a, b, scale_a, scale_b = _operands(emu.fp8_format, 8, 128, 512, seed=24)
    with pytest.raises(asmk.Error) as refused:
        asmk.gemm_a8w8(a, b, scale_a, scale_b, k_splits=2, workspace=None, context=emu)
    assert "workspace" in refused.value.message
    with pytest.raises(asmk.Error, match="workspace='big'"):
        asmk.gemm_a8w8(a, b, scale_a, scale_b, workspace="big", context=emu)
