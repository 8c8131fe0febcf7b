"""Every op the kernel repository declares has a Python test through the package on the emulator.

The op list is read from the repository at test time (the manifests' op specs of every device the
tests use), so a new op without an entry in COVERAGE fails here, naming it. Each entry names the test
that runs the op against an independent NumPy reference."""

import importlib

import numpy as np
import pytest

import asmk
from conftest import DEVICES

# op -> "module.py::test" that runs it against a NumPy reference.
COVERAGE = {
    "quant_fp8": "test_numpy.py::test_quant_fp8_fp16",
    "gemm_a8w8": "test_numpy.py::test_gemm_a8w8_fp8",
    "gemm_a8w8_blockscale": "test_numpy.py::test_gemm_a8w8_blockscale",
    "gemm_bf16": "test_numpy.py::test_gemm_bf16_bits",
    "gemm_a4w4": "test_mxfp4.py::test_gemm_a4w4",
    "quant_mxfp4": "test_mxfp4.py::test_quant_mxfp4_round_trip",
    "shuffle_b": "test_every_op.py::test_shuffle_b_writes_the_64x64_block_layout",
    "moe_shuffle_weight": "test_every_op.py::test_moe_shuffle_weight_shuffles_each_expert",
    "fmha_fwd": "test_attention_ops.py::test_fmha_fwd_bf16_with_lse_softcap_and_a_left_window",
    "fmha_fwd_varlen": "test_attention_ops.py::test_fmha_fwd_varlen_causal_gqa_with_lse",
    "fmha_fwd_single": "test_fmha_split_ops.py::test_fmha_fwd_single_is_one_launch",
    "fmha_fwd_varlen_single": "test_fmha_split_ops.py::test_fmha_fwd_varlen_pipeline_and_single",
    "fmha_fwd_split": "test_fmha_split_ops.py::test_fmha_fwd_split_partials",
    "fmha_fwd_varlen_split": "test_fmha_split_ops.py::test_fmha_fwd_varlen_split_partials",
    "mla_decode": "test_attention_ops.py::test_mla_decode_pipeline_splits_with_a_workspace_and_not_without",
    "mla_decode_single": "test_attention_ops.py::test_mla_decode_single_csr_with_lse",
    "mla_decode_block_table": "test_attention_ops.py::test_mla_decode_block_table_with_softcap",
    "mla_decode_split": "test_attention_ops.py::test_mla_decode_split_partials_including_an_empty_split",
    "attn_lse_combine": "test_attention_ops.py::test_attn_lse_combine",
    "attn_lse_combine_grouped": "test_fmha_split_ops.py::test_attn_lse_combine_grouped",
    "moe_topk_softmax": "test_moe_ops.py::test_moe_topk_softmax",
    "moe_grouped_topk": "test_moe_ops.py::test_moe_grouped_topk_deepseek_v3",
    "moe_sort": "test_moe_ops.py::test_moe_sort",
    "moe_sort_chunked": "test_moe_ops.py::test_moe_sort_chunked",
    "moe_sort_onepass": "test_moe_ops.py::test_moe_sort_onepass",
    "moe_route_sort": "test_moe_ops.py::test_moe_route_sort",
    "moe_sort_count": "test_moe_ops.py::test_moe_sort_count_then_scatter",
    "moe_sort_scatter": "test_moe_ops.py::test_moe_sort_count_then_scatter",
    "moe_gemm1": "test_moe_ops.py::test_moe_gemm1_bf16",
    "moe_gemm1_fp8": "test_moe_ops.py::test_moe_gemm1_fp8",
    "moe_gemm2": "test_moe_ops.py::test_moe_gemm2_bf16_with_bias",
    "moe_gemm2_fp8": "test_moe_ops.py::test_moe_gemm2_fp8",
    "moe_gemm1_blockscale": "test_moe_ops.py::test_moe_gemm1_blockscale",
    "moe_gemm1_blockscale_q8": "test_moe_ops.py::test_moe_gemm1_quantizing_epilogue",
    "moe_gemm2_blockscale": "test_moe_ops.py::test_moe_gemm2_blockscale",
    "moe_gemm1_mxfp4": "test_moe_ops.py::test_moe_gemm_mxfp4",
    "moe_gemm1_mxfp4_q4": "test_moe_ops.py::test_moe_gemm1_quantizing_epilogue",
    "moe_gemm2_mxfp4": "test_moe_ops.py::test_moe_gemm_mxfp4",
    "moe_gemm1_a16w4": "test_moe_ops.py::test_moe_gemm_a16w4",
    "moe_gemm2_a16w4": "test_moe_ops.py::test_moe_gemm_a16w4",
    "moe_gemm1_a8w4": "test_moe_ops.py::test_moe_gemm_a8w4",
    "moe_gemm2_a8w4": "test_moe_ops.py::test_moe_gemm_a8w4",
    "moe_sum": "test_moe_ops.py::test_moe_sum_is_bit_exact",
    "moe_acc_zero": "test_moe_ops.py::test_moe_acc_zero_fills_plus_zero",
    "moe_acc_bf16": "test_moe_ops.py::test_moe_acc_bf16_rounds_to_nearest_even",
    "fused_moe": "test_moe_ops.py::test_fused_moe_layer",
    "fused_moe_routed": "test_moe_ops.py::test_fused_moe_routed_takes_the_callers_routing",
    "mla_decode_block_table_single": "test_attention_ops.py::test_mla_decode_block_table_with_softcap",
    "mla_decode_split_block_table": "test_attention_ops.py::test_mla_decode_split_block_table_partials",
    "mla_decode_split_fused": "test_attention_ops.py::test_mla_decode_split_fused_merges_its_own_splits",
    "mla_decode_split_fused_block_table": "test_attention_ops.py::test_mla_decode_split_fused_merges_its_own_splits",
    "mla_decode_plan": "test_attention_ops.py::test_mla_decode_plan_from_the_lengths",
    "mla_decode_plan_block_table": "test_attention_ops.py::test_mla_decode_plan_from_the_lengths",
    # the persistent pipelines and their two stages (the pass and the per-row combine run inside them)
    "mla_decode_persistent": "test_attention_ops.py::test_mla_decode_persistent_walks_a_work_list",
    "mla_decode_persistent_block_table": "test_attention_ops.py::test_mla_decode_persistent_walks_a_work_list",
    "mla_decode_persistent_pass": "test_attention_ops.py::test_mla_decode_persistent_walks_a_work_list",
    "mla_decode_persistent_pass_block_table": "test_attention_ops.py::test_mla_decode_persistent_walks_a_work_list",
    "attn_lse_combine_rows": "test_attention_ops.py::test_mla_decode_persistent_walks_a_work_list",
}

# op -> why it has no Python test. Empty: every op has one; an entry needs a reason a reviewer accepts.
NOT_TESTED = {}


def repository_ops():
    """The ops of every device the tests open (gfx942 and gfx950 may declare different ones)."""
    ops = set()
    for device, _ in DEVICES:
        with asmk.Context(device=device, backend="emu") as context:
            ops |= set(context.op_specs)
    return ops


def test_every_op_of_the_repository_has_a_python_test():
    ops = repository_ops()
    assert len(ops) >= 20, f"the repository declares only {sorted(ops)}"
    missing = sorted(ops - set(COVERAGE) - set(NOT_TESTED))
    assert not missing, (f"ops without a Python test: {missing}; add a test against a NumPy reference and an "
                         "entry in COVERAGE (python/tests/test_every_op.py)")
    gone = sorted((set(COVERAGE) | set(NOT_TESTED)) - ops)
    assert not gone, f"COVERAGE names ops the repository no longer declares: {gone}"


@pytest.mark.parametrize("op", sorted(COVERAGE))
def test_the_named_test_exists(op):
    module_file, test = COVERAGE[op].split("::")
    module = importlib.import_module(module_file[:-len(".py")])
    assert callable(getattr(module, test, None)), f"{op}: {COVERAGE[op]} does not exist"


def shuffled_offset(n, k, row_bytes):
    """docs/contracts.md: B [N, K] bytes in 64x64-byte blocks, block row by block row, K step by K step,
    row-major inside a block."""
    return ((n // 64) * (row_bytes // 64) + k // 64) * 4096 + (n % 64) * 64 + k % 64


def test_shuffle_b_writes_the_64x64_block_layout(emu):
    rng = np.random.default_rng(41)
    n, k = 128, 192
    b = rng.integers(0, 256, (n, k), dtype=np.uint8)
    shuffled = asmk.shuffle_b(b, context=emu)
    rows, cols = np.meshgrid(np.arange(n), np.arange(k), indexing="ij")
    expected = np.zeros(n * k, np.uint8)
    expected[shuffled_offset(rows, cols, k).reshape(-1)] = b.reshape(-1)
    np.testing.assert_array_equal(shuffled.reshape(-1), expected)


@pytest.mark.parametrize("w_dtype", ["fp8", "bf16"])
def test_moe_shuffle_weight_shuffles_each_expert(emu, w_dtype):
    """W [E, n, k]: expert e's rows in shuffle_b's layout at e·n·(row bytes), byte for byte."""
    rng = np.random.default_rng(43)
    experts, n, k = 3, 128, 64
    dtype = np.uint8 if w_dtype == "fp8" else np.uint16
    w = rng.integers(0, np.iinfo(dtype).max, (experts, n, k), dtype=dtype)
    out = np.zeros_like(w)
    asmk.run_op("moe_shuffle_weight", src=w, dst=out, experts=experts, n=n, k=k, w_dtype=w_dtype, context=emu)
    row_bytes = k * w.itemsize
    raw = w.view(np.uint8).reshape(experts, n, row_bytes)
    rows, cols = np.meshgrid(np.arange(n), np.arange(row_bytes), indexing="ij")
    expected = np.zeros(experts * n * row_bytes, np.uint8)
    for e in range(experts):
        expected[e * n * row_bytes + shuffled_offset(rows, cols, row_bytes).reshape(-1)] = raw[e].reshape(-1)
    np.testing.assert_array_equal(out.view(np.uint8).reshape(-1), expected)
