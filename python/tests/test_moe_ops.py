"""The MoE ops by name (asmk.run_op) on the emulator (MI300X and MI355X: conftest's fixture emu)
against op_reference.py's NumPy MoE: routing (softmax and DeepSeek-V3 grouped), sorting (with and
without an expert map), both expert GEMM stages in bf16 and fp8, the deterministic sum (bit for
bit), the atomic sum's accumulator (zero fill, bf16 rounding bit for bit) and the fused layer."""

import numpy as np
import pytest

import asmk
from fp8_reference import bf16_bits, bf16_values, check_fp8_quantization, decode_fp8, random_fp8_bytes
from op_reference import (moe_sort, moe_stage1_rows, moe_stage2_rows, moe_sum_bits, grouped_topk, random_bf16,
                          round_bf16, topk_softmax)


def random_routing(rng, tokens, experts, k):
    """k distinct experts per token and positive weights."""
    ids = np.stack([rng.permutation(experts)[:k] for _ in range(tokens)]).astype(np.int32)
    return ids, rng.uniform(0.1, 1.0, (tokens, k)).astype(np.float32)


@pytest.mark.parametrize("renormalize", [0, 1])
def test_moe_topk_softmax(emu, renormalize):
    rng = np.random.default_rng(21)
    tokens, experts, k = 5, 64, 4
    logits = rng.standard_normal((tokens, experts)).astype(np.float32)
    ids = np.zeros((tokens, k), np.int32)
    weights = np.zeros((tokens, k), np.float32)
    asmk.run_op("moe_topk_softmax", tokens=tokens, experts=experts, k=k, renormalize=renormalize, logits=logits,
                topk_ids=ids, topk_weights=weights, context=emu)
    want_ids, want_weights = topk_softmax(logits, k, renormalize)
    np.testing.assert_array_equal(ids, want_ids)
    np.testing.assert_allclose(weights, want_weights, rtol=1e-5, atol=1e-7)


def test_moe_grouped_topk_deepseek_v3(emu):
    rng = np.random.default_rng(22)
    tokens, experts, k, n_group, topk_group = 4, 64, 4, 8, 3
    logits = rng.standard_normal((tokens, experts)).astype(np.float32)
    bias = (rng.standard_normal(experts) * 0.1).astype(np.float32)
    ids = np.zeros((tokens, k), np.int32)
    weights = np.zeros((tokens, k), np.float32)
    asmk.run_op("moe_grouped_topk", tokens=tokens, experts=experts, k=k, n_group=n_group, topk_group=topk_group,
                renormalize=1, routed_scaling_factor=2.5, logits=logits, correction_bias=bias, topk_ids=ids,
                topk_weights=weights, context=emu)
    want_ids, want_weights = grouped_topk(logits, bias, k, n_group, topk_group, True, 2.5)
    np.testing.assert_array_equal(ids, want_ids)
    np.testing.assert_allclose(weights, want_weights, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("with_map", [False, True], ids=["all_local", "expert_map"])
def test_moe_sort(emu, with_map):
    rng = np.random.default_rng(23)
    tokens, k, experts, block_m = 7, 3, 16, 16
    ids, weights = random_routing(rng, tokens, experts, k)
    expert_map, local_experts = None, experts
    if with_map:  # this rank holds the odd experts
        expert_map = np.where(np.arange(experts) % 2 == 1, np.arange(experts) // 2, -1).astype(np.int32)
        local_experts = experts // 2
    want_ids, want_weights, want_blocks, want_total = moe_sort(ids, weights, local_experts, block_m, expert_map)
    sorted_ids = np.full(want_ids.shape, -7, np.int32)
    sorted_weights = np.full(want_weights.shape, -7, np.float32)
    block_expert = np.full(want_blocks.shape, -7, np.int32)
    total = np.zeros(1, np.int32)
    asmk.run_op("moe_sort", tokens=tokens, k=k, experts=experts, local_experts=local_experts, block_m=block_m,
                topk_ids=ids, topk_weights=weights, expert_map=expert_map, sorted_ids=sorted_ids,
                sorted_weights=sorted_weights, block_expert=block_expert, total_padded=total, context=emu)
    assert total[0] == want_total
    np.testing.assert_array_equal(sorted_ids[:want_total], want_ids[:want_total])
    np.testing.assert_array_equal(sorted_weights[:want_total], want_weights[:want_total])
    np.testing.assert_array_equal(block_expert[:want_total // block_m], want_blocks[:want_total // block_m])


@pytest.mark.parametrize("with_map", [False, True], ids=["all_local", "expert_map"])
def test_moe_sort_chunked(emu, with_map):
    # 1500 tokens · k 3: 18 chunks of 256 slots (the last partial), the whole layout against NumPy's.
    rng = np.random.default_rng(29)
    tokens, k, experts, block_m = 1500, 3, 64, 32
    ids, weights = random_routing(rng, tokens, experts, k)
    ids[5, 1] = -1  # no expert
    expert_map, local_experts = None, experts
    if with_map:  # this rank holds the odd experts
        expert_map = np.where(np.arange(experts) % 2 == 1, np.arange(experts) // 2, -1).astype(np.int32)
        local_experts = experts // 2
    want_ids, want_weights, want_blocks, want_total = moe_sort(ids, weights, local_experts, block_m, expert_map)
    sorted_ids = np.full(want_ids.shape, -7, np.int32)
    sorted_weights = np.full(want_weights.shape, -7, np.float32)
    block_expert = np.full(want_blocks.shape, -7, np.int32)
    total = np.zeros(1, np.int32)
    asmk.run_op("moe_sort_chunked", tokens=tokens, k=k, experts=experts, local_experts=local_experts,
                block_m=block_m, topk_ids=ids, topk_weights=weights, expert_map=expert_map, sorted_ids=sorted_ids,
                sorted_weights=sorted_weights, block_expert=block_expert, total_padded=total, context=emu)
    assert total[0] == want_total
    np.testing.assert_array_equal(sorted_ids, want_ids)  # the whole capacity: padding and past the total too
    np.testing.assert_array_equal(sorted_weights, want_weights)
    np.testing.assert_array_equal(block_expert, want_blocks)


@pytest.mark.parametrize("with_map", [False, True], ids=["all_local", "expert_map"])
def test_moe_sort_onepass(emu, with_map):
    # The one-launch sort: 300 tokens · k 3 in 15 chunks of 64 slots (the last partial), every workgroup
    # counting all 900 slots; the whole layout (padding and past the total too) against NumPy's.
    rng = np.random.default_rng(31)
    tokens, k, experts, block_m = 300, 3, 64, 16
    ids, weights = random_routing(rng, tokens, experts, k)
    ids[7, 2] = -1  # no expert
    expert_map, local_experts = None, experts
    if with_map:  # this rank holds the odd experts
        expert_map = np.where(np.arange(experts) % 2 == 1, np.arange(experts) // 2, -1).astype(np.int32)
        local_experts = experts // 2
    want_ids, want_weights, want_blocks, want_total = moe_sort(ids, weights, local_experts, block_m, expert_map)
    sorted_ids = np.full(want_ids.shape, -7, np.int32)
    sorted_weights = np.full(want_weights.shape, -7, np.float32)
    block_expert = np.full(want_blocks.shape, -7, np.int32)
    total = np.zeros(1, np.int32)
    asmk.run_op("moe_sort_onepass", tokens=tokens, k=k, experts=experts, local_experts=local_experts,
                block_m=block_m, chunk=64, topk_ids=ids, topk_weights=weights, expert_map=expert_map,
                sorted_ids=sorted_ids, sorted_weights=sorted_weights, block_expert=block_expert, total_padded=total,
                context=emu)
    assert total[0] == want_total
    np.testing.assert_array_equal(sorted_ids, want_ids)
    np.testing.assert_array_equal(sorted_weights, want_weights)
    np.testing.assert_array_equal(block_expert, want_blocks)


def test_moe_route_sort(emu):
    # Routing (DeepSeek-V3's grouped form) and sorting of 3 tokens in one launch, half the experts remote: the ids
    # as NumPy's grouped_topk picks them, the layout as NumPy's moe_sort of those ids (the weights at their places).
    rng = np.random.default_rng(41)
    tokens, experts, k, n_group, topk_group, block_m = 3, 64, 4, 8, 3, 16
    logits = rng.standard_normal((tokens, experts)).astype(np.float32)
    bias = (rng.standard_normal(experts) * 0.1).astype(np.float32)
    expert_map = np.where(np.arange(experts) % 2 == 1, np.arange(experts) // 2, -1).astype(np.int32)
    local_experts = experts // 2
    want_ids, want_weights = grouped_topk(logits, bias, k, n_group, topk_group, True, 2.5)
    want_sorted, want_sorted_weights, want_blocks, want_total = moe_sort(want_ids, want_weights.astype(np.float32),
                                                                         local_experts, block_m, expert_map)
    ids = np.zeros((tokens, k), np.int32)
    weights = np.zeros((tokens, k), np.float32)
    sorted_ids = np.full(want_sorted.shape, -7, np.int32)
    sorted_weights = np.full(want_sorted_weights.shape, -7, np.float32)
    block_expert = np.full(want_blocks.shape, -7, np.int32)
    total = np.zeros(1, np.int32)
    asmk.run_op("moe_route_sort", tokens=tokens, experts=experts, k=k, local_experts=local_experts, block_m=block_m,
                routing="grouped", n_group=n_group, topk_group=topk_group, renormalize=1, routed_scaling_factor=2.5,
                logits=logits, correction_bias=bias, expert_map=expert_map, topk_ids=ids, topk_weights=weights,
                sorted_ids=sorted_ids, sorted_weights=sorted_weights, block_expert=block_expert, total_padded=total,
                context=emu)
    np.testing.assert_array_equal(ids, want_ids)
    np.testing.assert_allclose(weights, want_weights, rtol=1e-5, atol=1e-6)
    assert total[0] == want_total
    np.testing.assert_array_equal(sorted_ids, want_sorted)
    np.testing.assert_array_equal(block_expert, want_blocks)
    np.testing.assert_allclose(sorted_weights, want_sorted_weights, rtol=1e-5, atol=1e-6)


def test_moe_sort_count_then_scatter(emu):
    # The chunked sort's two passes as separate ops: the counts per chunk of 64 slots (NumPy's
    # histogram), then the scatter from them — the layout of moe_sort.
    rng = np.random.default_rng(37)
    tokens, k, experts, block_m, chunk = 100, 2, 8, 16, 64
    ids, weights = random_routing(rng, tokens, experts, k)
    chunks = -(-tokens * k // chunk)
    want_ids, want_weights, want_blocks, want_total = moe_sort(ids, weights, experts, block_m)
    counts = np.full((chunks, experts), -7, np.int32)
    sorted_ids = np.full(want_ids.shape, -7, np.int32)
    sorted_weights = np.full(want_weights.shape, -7, np.float32)
    block_expert = np.full(want_blocks.shape, -7, np.int32)
    total = np.zeros(1, np.int32)
    sizes = dict(tokens=tokens, k=k, experts=experts, local_experts=experts, block_m=block_m, chunk=chunk)
    asmk.run_op("moe_sort_count", **sizes, topk_ids=ids, counts=counts, sorted_ids=sorted_ids,
                sorted_weights=sorted_weights, block_expert=block_expert, context=emu)
    flat = ids.reshape(-1)
    want_counts = np.stack([np.bincount(flat[c * chunk:(c + 1) * chunk], minlength=experts) for c in range(chunks)])
    np.testing.assert_array_equal(counts, want_counts)
    assert np.all(sorted_ids == tokens * k) and np.all(sorted_weights == 0) and np.all(block_expert == -1)
    asmk.run_op("moe_sort_scatter", **sizes, topk_ids=ids, topk_weights=weights, counts=counts,
                sorted_ids=sorted_ids, sorted_weights=sorted_weights, block_expert=block_expert, total_padded=total,
                context=emu)
    assert total[0] == want_total
    np.testing.assert_array_equal(sorted_ids, want_ids)
    np.testing.assert_array_equal(sorted_weights, want_weights)
    np.testing.assert_array_equal(block_expert, want_blocks)


class MoeProblem:
    """A routed batch with its sorted layout (from op_reference's moe_sort, not the kernel) and random
    bf16 weights: x [T, H], w1 [E, 2·I, H], w2 [E, H, I]."""

    def __init__(self, rng, tokens=5, k=2, experts=4, hidden=64, inter=64, block_m=16):
        self.tokens, self.k, self.experts = tokens, k, experts
        self.hidden, self.inter, self.block_m = hidden, inter, block_m
        self.ids, self.weights = random_routing(rng, tokens, experts, k)
        self.sorted_ids, self.sorted_weights, self.block_expert, self.total = moe_sort(self.ids, self.weights,
                                                                                      experts, block_m)
        self.x_bits, self.x = random_bf16(rng, (tokens, hidden))
        self.w1_bits, self.w1 = random_bf16(rng, (experts, 2 * inter, hidden), hidden ** -0.5)
        self.w2_bits, self.w2 = random_bf16(rng, (experts, hidden, inter), inter ** -0.5)

    def sizes(self):
        return dict(tokens=self.tokens, k=self.k, experts=self.experts, hidden=self.hidden, inter=self.inter,
                    block_m=self.block_m)

    def layout(self, with_weights=False):
        layout = dict(sorted_ids=self.sorted_ids, block_expert=self.block_expert,
                      total_padded=np.array([self.total], np.int32))
        if with_weights:
            layout["sorted_weights"] = self.sorted_weights
        return layout


def rows_of(rows, count, width):
    out = np.zeros((count, width))
    for slot, row in rows.items():
        out[slot] = row
    return out


@pytest.mark.parametrize("act", ["silu", "gelu", "swiglu_oai"])
def test_moe_gemm1_bf16(emu, act):
    p = MoeProblem(np.random.default_rng(24))
    bias = (np.random.default_rng(25).standard_normal((p.experts, 2 * p.inter)) * 0.5).astype(np.float32) \
        if act == "swiglu_oai" else None
    out = np.zeros((p.tokens * p.k, p.inter), np.uint16)
    asmk.run_op("moe_gemm1", activation=act, a=p.x_bits, w=p.w1_bits, bias=bias, out=out, context=emu,
                **p.sizes(), **p.layout())
    want = moe_stage1_rows(p.x, p.w1, p.sorted_ids, p.block_expert, p.total, p.k, act, p.block_m, bias=bias)
    assert len(want) == p.tokens * p.k
    np.testing.assert_allclose(bf16_values(out), rows_of(want, p.tokens * p.k, p.inter), rtol=2 ** -7, atol=2e-3)


def test_moe_gemm1_fp8(emu):
    rng = np.random.default_rng(26)
    p = MoeProblem(rng)
    fmt = emu.fp8_format
    x = random_fp8_bytes(rng, (p.tokens, p.hidden), fmt)
    w1 = random_fp8_bytes(rng, (p.experts, 2 * p.inter, p.hidden), fmt, max_abs=1.0)
    scale_a = rng.uniform(0.05, 0.2, p.tokens).astype(np.float32)
    scale_w = rng.uniform(0.05, 0.2, (p.experts, 2 * p.inter)).astype(np.float32)
    out = np.zeros((p.tokens * p.k, p.inter), np.uint16)
    asmk.run_op("moe_gemm1_fp8", a=x, w=w1, scale_a=scale_a, scale_w=scale_w, out=out, context=emu,
                **p.sizes(), **p.layout())
    want = moe_stage1_rows(decode_fp8(x, fmt), decode_fp8(w1, fmt), p.sorted_ids, p.block_expert, p.total, p.k,
                           "silu", p.block_m, scale_x=scale_a, scale_w=scale_w)
    np.testing.assert_allclose(bf16_values(out), rows_of(want, p.tokens * p.k, p.inter), rtol=2 ** -7, atol=2e-3)


def test_moe_gemm2_bf16_with_bias(emu):
    rng = np.random.default_rng(27)
    p = MoeProblem(rng)
    a_bits, a = random_bf16(rng, (p.tokens * p.k, p.inter))
    bias = rng.standard_normal((p.experts, p.hidden)).astype(np.float32)
    out = np.zeros((p.tokens * p.k, p.hidden), np.float32)
    asmk.run_op("moe_gemm2", a=a_bits, w=p.w2_bits, bias=bias, out=out, context=emu, **p.sizes(),
                **p.layout(with_weights=True))
    want = moe_stage2_rows(a, p.w2, p.sorted_ids, p.sorted_weights, p.block_expert, p.total, p.block_m, bias=bias)
    np.testing.assert_allclose(out, rows_of(want, p.tokens * p.k, p.hidden), rtol=1e-4, atol=1e-4)


def test_moe_gemm2_fp8(emu):
    rng = np.random.default_rng(28)
    p = MoeProblem(rng)
    fmt = emu.fp8_format
    a = random_fp8_bytes(rng, (p.tokens * p.k, p.inter), fmt)
    w2 = random_fp8_bytes(rng, (p.experts, p.hidden, p.inter), fmt, max_abs=1.0)
    scale_a = rng.uniform(0.05, 0.2, p.tokens * p.k).astype(np.float32)
    scale_w = rng.uniform(0.05, 0.2, (p.experts, p.hidden)).astype(np.float32)
    out = np.zeros((p.tokens * p.k, p.hidden), np.float32)
    asmk.run_op("moe_gemm2_fp8", a=a, w=w2, scale_a=scale_a, scale_w=scale_w, out=out, context=emu,
                **p.sizes(), **p.layout(with_weights=True))
    want = moe_stage2_rows(decode_fp8(a, fmt), decode_fp8(w2, fmt), p.sorted_ids, p.sorted_weights, p.block_expert,
                           p.total, p.block_m, scale_a=scale_a, scale_w=scale_w)
    np.testing.assert_allclose(out, rows_of(want, p.tokens * p.k, p.hidden), rtol=1e-4, atol=1e-5)


def per_block(scales, block_rows, rows):
    """Block scales [..., ceil(rows / block_rows), K / 128] spread to every element [..., rows, K]."""
    spread = np.repeat(scales.astype(np.float64), 128, axis=-1)
    return np.repeat(spread, block_rows, axis=-2)[..., :rows, :] if block_rows > 1 else spread


def test_moe_gemm1_blockscale(emu):
    """DeepSeek-V3's block scales: x per 1x128 group, W1 per 128x128 block, each K-block its own scale."""
    rng = np.random.default_rng(41)
    p = MoeProblem(rng, hidden=256, inter=128)
    fmt = emu.fp8_format
    x = random_fp8_bytes(rng, (p.tokens, p.hidden), fmt)
    w1 = random_fp8_bytes(rng, (p.experts, 2 * p.inter, p.hidden), fmt, max_abs=1.0)
    scale_a = rng.uniform(0.05, 0.2, (p.tokens, p.hidden // 128)).astype(np.float32)
    scale_w = rng.uniform(0.05, 0.2, (p.experts, 2 * p.inter // 128, p.hidden // 128)).astype(np.float32)
    out = np.zeros((p.tokens * p.k, p.inter), np.uint16)
    asmk.run_op("moe_gemm1_blockscale", a=x, w=w1, scale_a=scale_a, scale_w=scale_w, out=out, context=emu,
                **p.sizes(), **p.layout())
    x_values = decode_fp8(x, fmt) * per_block(scale_a, 1, p.tokens)
    w1_values = decode_fp8(w1, fmt) * per_block(scale_w, 128, 2 * p.inter)
    want = moe_stage1_rows(x_values, w1_values, p.sorted_ids, p.block_expert, p.total, p.k, "silu", p.block_m)
    np.testing.assert_allclose(bf16_values(out), rows_of(want, p.tokens * p.k, p.inter), rtol=2 ** -7, atol=2e-3)


def test_moe_gemm2_blockscale(emu):
    rng = np.random.default_rng(42)
    p = MoeProblem(rng, hidden=128, inter=256)
    fmt = emu.fp8_format
    a = random_fp8_bytes(rng, (p.tokens * p.k, p.inter), fmt)
    w2 = random_fp8_bytes(rng, (p.experts, p.hidden, p.inter), fmt, max_abs=1.0)
    scale_a = rng.uniform(0.05, 0.2, (p.tokens * p.k, p.inter // 128)).astype(np.float32)
    scale_w = rng.uniform(0.05, 0.2, (p.experts, p.hidden // 128, p.inter // 128)).astype(np.float32)
    out = np.zeros((p.tokens * p.k, p.hidden), np.float32)
    asmk.run_op("moe_gemm2_blockscale", a=a, w=w2, scale_a=scale_a, scale_w=scale_w, out=out, context=emu,
                **p.sizes(), **p.layout(with_weights=True))
    a_values = decode_fp8(a, fmt) * per_block(scale_a, 1, p.tokens * p.k)
    w2_values = decode_fp8(w2, fmt) * per_block(scale_w, 128, p.hidden)
    want = moe_stage2_rows(a_values, w2_values, p.sorted_ids, p.sorted_weights, p.block_expert, p.total, p.block_m)
    np.testing.assert_allclose(out, rows_of(want, p.tokens * p.k, p.hidden), rtol=1e-4, atol=1e-5)


E2M1 = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0])


def mxfp4_values(packed, exponents):
    """[..., K / 2] e2m1 pairs (low nibble first) and [..., K / 32] e8m0 -> float64 [..., K]."""
    nibbles = np.stack([packed & 0xF, packed >> 4], axis=-1).reshape(*packed.shape[:-1], -1)
    values = np.where(nibbles & 0x8, -1.0, 1.0) * E2M1[nibbles & 0x7]
    return values * np.repeat(np.exp2(exponents.astype(np.float64) - 127.0), 32, axis=-1)


@pytest.mark.parametrize("stage", [1, 2])
def test_moe_gemm_mxfp4(emu, stage):
    """MXFP4 stages (gfx950): gpt-oss's SwiGLU with biases; on gfx942 (no MXFP4 MFMA) an asmk.Error."""
    rng = np.random.default_rng(43 + stage)
    p = MoeProblem(rng, hidden=128, inter=128)
    rows = p.tokens * (1 if stage == 1 else p.k)
    w_rows = 2 * p.inter if stage == 1 else p.hidden
    a = rng.integers(0, 256, (rows, (p.hidden if stage == 1 else p.inter) // 2), dtype=np.uint8)
    w = rng.integers(0, 256, (p.experts, w_rows, a.shape[1]), dtype=np.uint8)
    scale_a = rng.integers(125, 128, (rows, a.shape[1] // 16), dtype=np.uint8)
    scale_w = rng.integers(120, 123, (p.experts, w_rows, a.shape[1] // 16), dtype=np.uint8)
    bias = (rng.standard_normal((p.experts, w_rows)) * 0.5).astype(np.float32)
    out = np.zeros((p.tokens * p.k, p.inter if stage == 1 else p.hidden), np.uint16 if stage == 1 else np.float32)
    op = "moe_gemm1_mxfp4" if stage == 1 else "moe_gemm2_mxfp4"
    args = dict(a=a, w=w, scale_a=scale_a, scale_w=scale_w, bias=bias, out=out, context=emu, **p.sizes(),
                **p.layout(with_weights=stage == 2), **({"activation": "swiglu_oai"} if stage == 1 else {}))
    if emu.device["arch"] == "gfx942":
        with pytest.raises(asmk.Error) as caught:
            asmk.run_op(op, **args)
        assert "gfx942" in caught.value.message
        return
    asmk.run_op(op, **args)
    if stage == 1:
        want = moe_stage1_rows(mxfp4_values(a, scale_a), mxfp4_values(w, scale_w), p.sorted_ids, p.block_expert,
                               p.total, p.k, "swiglu_oai", p.block_m, bias=bias)
        np.testing.assert_allclose(bf16_values(out), rows_of(want, rows * p.k, p.inter), rtol=2 ** -7, atol=2e-3)
    else:
        want = moe_stage2_rows(mxfp4_values(a, scale_a), mxfp4_values(w, scale_w), p.sorted_ids, p.sorted_weights,
                               p.block_expert, p.total, p.block_m, bias=bias)
        np.testing.assert_allclose(out, rows_of(want, rows, p.hidden), rtol=1e-4, atol=1e-5)


def quantizing_epilogue_inputs(rng, p, fmt, emu):
    """One format's stage-1 inputs for test_moe_gemm1_quantizing_epilogue: (the op arguments, the zeroed codes and
    scales, x's and W1's float64 values, the activation)."""
    if fmt == "fp8_block128":
        f8 = emu.fp8_format
        a = random_fp8_bytes(rng, (p.tokens, p.hidden), f8)
        w = random_fp8_bytes(rng, (p.experts, 2 * p.inter, p.hidden), f8, max_abs=1.0)
        scale_a = rng.uniform(0.05, 0.2, (p.tokens, p.hidden // 128)).astype(np.float32)
        scale_w = rng.uniform(0.05, 0.2, (p.experts, 2 * p.inter // 128, p.hidden // 128)).astype(np.float32)
        codes = np.zeros((p.tokens * p.k, p.inter), np.uint8)
        scales = np.zeros((p.tokens * p.k, p.inter // 128), np.float32)
        return (dict(a=a, w=w, scale_a=scale_a, scale_w=scale_w), codes, scales,
                decode_fp8(a, f8) * per_block(scale_a, 1, p.tokens), decode_fp8(w, f8) * per_block(scale_w, 128, 2 * p.inter),
                "silu")
    a = rng.integers(0, 256, (p.tokens, p.hidden // 2), dtype=np.uint8)
    w = rng.integers(0, 256, (p.experts, 2 * p.inter, p.hidden // 2), dtype=np.uint8)
    scale_a = rng.integers(125, 128, (p.tokens, p.hidden // 32), dtype=np.uint8)
    scale_w = rng.integers(120, 123, (p.experts, 2 * p.inter, p.hidden // 32), dtype=np.uint8)
    codes = np.zeros((p.tokens * p.k, p.inter // 2), np.uint8)
    scales = np.zeros((p.tokens * p.k, p.inter // 32), np.uint8)
    return (dict(a=a, w=w, scale_a=scale_a, scale_w=scale_w, activation="swiglu_oai"), codes, scales,
            mxfp4_values(a, scale_a), mxfp4_values(w, scale_w), "swiglu_oai")


def check_mxfp4_quantization(h, codes, scales):
    """The e8m0 scales are OCP MX's 2^(floor(log2 amax) - 2) of each 1x32 group of h, the e2m1 codes h's nearest
    values at that scale (or 6 at the clamp)."""
    amax = np.abs(h).reshape(len(h), -1, 32).max(axis=2)
    want_scale = np.where(amax > 0, np.floor(np.log2(np.where(amax > 0, amax, 1))) - 2 + 127, 0).clip(0, 254)
    np.testing.assert_array_equal(scales, want_scale.astype(np.uint8))
    got = mxfp4_values(codes, scales)
    step = np.repeat(np.exp2(scales.astype(np.float64) - 127), 32, axis=1)
    grid = np.concatenate([-E2M1[::-1], E2M1])
    nearest = np.abs(h[..., None] / step[..., None] - grid).min(axis=-1) * step
    assert np.all(np.abs(got - np.clip(h, -6 * step, 6 * step)) <= nearest + 1e-12)


@pytest.mark.parametrize("fmt", ["fp8_block128", "mxfp4"])
def test_moe_gemm1_quantizing_epilogue(emu, fmt):
    """Stage 1 with the intermediate quantized in its epilogue (moe_gemm1_blockscale_q8: fp8 codes and 1x128 group
    scales; moe_gemm1_mxfp4_q4, gfx950: e2m1 codes and 1x32 e8m0 scales, on gfx942 an asmk.Error): the codes and
    scales are the dynamic quantization (NumPy's) of the bf16 rows the unfused stage 1 gives on the same inputs, and
    the quant op's bytes; those rows the float64 stage 1."""
    fp8 = fmt == "fp8_block128"
    fused, unfused = ("moe_gemm1_blockscale_q8", "moe_gemm1_blockscale") if fp8 else ("moe_gemm1_mxfp4_q4", "moe_gemm1_mxfp4")
    rng = np.random.default_rng(43 if fp8 else 47)
    p = MoeProblem(rng, hidden=256 if fp8 else 128, inter=256 if fp8 else 128)
    inputs, codes, scales, x_values, w1_values, act = quantizing_epilogue_inputs(rng, p, fmt, emu)
    args = dict(context=emu, **inputs, **p.sizes(), **p.layout())
    if not fp8 and emu.device["arch"] == "gfx942":
        with pytest.raises(asmk.Error) as caught:
            asmk.run_op(fused, out=codes, out_scale=scales, **args)
        assert "gfx942" in caught.value.message
        return
    asmk.run_op(fused, out=codes, out_scale=scales, **args)
    inter = np.zeros((p.tokens * p.k, p.inter), np.uint16)
    asmk.run_op(unfused, out=inter, **args)
    want = moe_stage1_rows(x_values, w1_values, p.sorted_ids, p.block_expert, p.total, p.k, act, p.block_m)
    rows = sorted(want)
    h = bf16_values(inter[rows])
    np.testing.assert_allclose(h, rows_of(want, p.tokens * p.k, p.inter)[rows], rtol=2 ** -7, atol=2e-3)
    if fp8:
        check_fp8_quantization(h, codes[rows], scales[rows], emu.fp8_format, group=True)
        y, s = asmk.quant_fp8(np.ascontiguousarray(inter[rows]), group=True, in_dtype="bf16", context=emu)
    else:
        check_mxfp4_quantization(h, codes[rows], scales[rows])
        y, s = asmk.quant_mxfp4(np.ascontiguousarray(inter[rows]), in_dtype="bf16", context=emu)
    assert np.array_equal(np.asarray(y).view(np.uint8), codes[rows]) and np.array_equal(np.asarray(s), scales[rows])


@pytest.mark.parametrize("stage", [1, 2])
def test_moe_gemm_a16w4(emu, stage):
    """MXFP4 weights against bf16 activations (gfx950, gpt-oss's serving path): SwiGLU with biases, hidden
    192 (not a multiple of 128); on gfx942 (no MXFP4 conversion) an asmk.Error."""
    rng = np.random.default_rng(53 + stage)
    p = MoeProblem(rng, hidden=192, inter=128)
    rows = p.tokens * (1 if stage == 1 else p.k)
    w_rows = 2 * p.inter if stage == 1 else p.hidden
    k_dim = p.hidden if stage == 1 else p.inter
    a_bits, a = random_bf16(rng, (rows, k_dim))
    w = rng.integers(0, 256, (p.experts, w_rows, k_dim // 2), dtype=np.uint8)
    scale_w = rng.integers(120, 123, (p.experts, w_rows, k_dim // 32), dtype=np.uint8)
    bias = (rng.standard_normal((p.experts, w_rows)) * 0.5).astype(np.float32)
    out = np.zeros((p.tokens * p.k, p.inter if stage == 1 else p.hidden), np.uint16 if stage == 1 else np.float32)
    op = "moe_gemm1_a16w4" if stage == 1 else "moe_gemm2_a16w4"
    args = dict(a=a_bits, w=w, scale_w=scale_w, bias=bias, out=out, context=emu, **p.sizes(),
                **p.layout(with_weights=stage == 2), **({"activation": "swiglu_oai"} if stage == 1 else {}))
    if emu.device["arch"] == "gfx942":
        with pytest.raises(asmk.Error) as caught:
            asmk.run_op(op, **args)
        assert "gfx942" in caught.value.message
        return
    asmk.run_op(op, **args)
    if stage == 1:
        want = moe_stage1_rows(a, mxfp4_values(w, scale_w), p.sorted_ids, p.block_expert, p.total, p.k, "swiglu_oai",
                               p.block_m, bias=bias)
        np.testing.assert_allclose(bf16_values(out), rows_of(want, rows * p.k, p.inter), rtol=2 ** -7, atol=2e-3)
    else:
        want = moe_stage2_rows(a, mxfp4_values(w, scale_w), p.sorted_ids, p.sorted_weights, p.block_expert, p.total,
                               p.block_m, bias=bias)
        np.testing.assert_allclose(out, rows_of(want, rows, p.hidden), rtol=1e-4, atol=1e-5)


def int4_values(packed):
    """[..., K / 2] int4 pairs (two's complement, low nibble first) -> float64 [..., K]."""
    nibbles = np.stack([packed & 0xF, packed >> 4], axis=-1).reshape(*packed.shape[:-1], -1).astype(np.int64)
    return np.where(nibbles >= 8, nibbles - 16, nibbles).astype(np.float64)


@pytest.mark.parametrize("stage", [1, 2])
def test_moe_gemm_a8w4(emu, stage):
    """int4 weights with per-channel scales against fp8 activations with per-row scales (Grok-1), both archs."""
    rng = np.random.default_rng(63 + stage)
    p = MoeProblem(rng, hidden=128, inter=128)
    fmt = emu.fp8_format
    rows = p.tokens * (1 if stage == 1 else p.k)
    w_rows = 2 * p.inter if stage == 1 else p.hidden
    k_dim = p.hidden if stage == 1 else p.inter
    a = random_fp8_bytes(rng, (rows, k_dim), fmt)
    w = rng.integers(0, 256, (p.experts, w_rows, k_dim // 2), dtype=np.uint8)
    scale_a = rng.uniform(0.05, 0.2, rows).astype(np.float32)
    scale_w = rng.uniform(0.01, 0.05, (p.experts, w_rows)).astype(np.float32)
    out = np.zeros((p.tokens * p.k, p.inter if stage == 1 else p.hidden), np.uint16 if stage == 1 else np.float32)
    op = "moe_gemm1_a8w4" if stage == 1 else "moe_gemm2_a8w4"
    asmk.run_op(op, a=a, w=w, scale_a=scale_a, scale_w=scale_w, out=out, context=emu, **p.sizes(),
                **p.layout(with_weights=stage == 2))
    if stage == 1:
        want = moe_stage1_rows(decode_fp8(a, fmt), int4_values(w), p.sorted_ids, p.block_expert, p.total, p.k, "silu",
                               p.block_m, scale_x=scale_a, scale_w=scale_w)
        np.testing.assert_allclose(bf16_values(out), rows_of(want, rows * p.k, p.inter), rtol=2 ** -7, atol=2e-3)
    else:
        want = moe_stage2_rows(decode_fp8(a, fmt), int4_values(w), p.sorted_ids, p.sorted_weights, p.block_expert,
                               p.total, p.block_m, scale_a=scale_a, scale_w=scale_w)
        np.testing.assert_allclose(out, rows_of(want, rows, p.hidden), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("with_map", [False, True], ids=["all_local", "expert_map"])
def test_moe_sum_is_bit_exact(emu, with_map):
    rng = np.random.default_rng(29)
    tokens, k, experts, hidden = 5, 3, 8, 128
    ids, _ = random_routing(rng, tokens, experts, k)
    partial = rng.standard_normal((tokens * k, hidden)).astype(np.float32)
    # Columns where only an fp32 sum in slot order gives the right bf16 (RNE at the tie of 1 and 1 + 2^-7):
    # column 0 = (1 + 2^-8) + 2^-24 + 2^-24 (fp32 rounds each 2^-24 away, a float64 sum or the reverse
    # order keeps 2^-23); column 1 = 2^-24 + 2^-24 + (1 + 2^-8) (above the tie in order, at it reversed).
    partial[:, 0] = np.tile([1 + 2 ** -8, 2 ** -24, 2 ** -24], tokens)
    partial[:, 1] = np.tile([2 ** -24, 2 ** -24, 1 + 2 ** -8], tokens)
    expert_map, local_experts = None, experts
    if with_map:
        expert_map = np.where(np.arange(experts) < 4, np.arange(experts), -1).astype(np.int32)
        local_experts = 4
    out = np.zeros((tokens, hidden), np.uint16)
    asmk.run_op("moe_sum", tokens=tokens, k=k, experts=experts, local_experts=local_experts, hidden=hidden,
                partial=partial, topk_ids=ids, expert_map=expert_map, out=out, context=emu)
    np.testing.assert_array_equal(out, moe_sum_bits(partial, ids, local_experts, expert_map))


def test_fused_moe_layer(emu):
    rng = np.random.default_rng(30)
    tokens, experts, k, hidden, inter, block_m = 5, 8, 2, 64, 64, 16
    x_bits, x = random_bf16(rng, (tokens, hidden))
    logits = rng.standard_normal((tokens, experts)).astype(np.float32)
    w1_bits, w1 = random_bf16(rng, (experts, 2 * inter, hidden), hidden ** -0.5)
    w2_bits, w2 = random_bf16(rng, (experts, hidden, inter), inter ** -0.5)
    out = np.zeros((tokens, hidden), np.uint16)
    asmk.run_op("fused_moe", tokens=tokens, experts=experts, k=k, hidden=hidden, inter=inter, block_m=block_m,
                x=x_bits, logits=logits, w1=w1_bits, w2=w2_bits, out=out, context=emu)
    want = fused_moe_reference(x, logits, w1, w2, k, block_m)
    np.testing.assert_allclose(bf16_values(out), want, rtol=2 ** -6, atol=1e-2 * np.abs(want).max())


def test_fused_moe_plans_reach_past_eight_launches(emu):
    # DeepSeek-V3's fp8 layer at 4096 tokens: routing, the chunked sort's two, quant x, stage 1, quant, acc zero,
    # stage 2 adding atomically, acc bf16 — 9 launches (ASMK_MAX_LAUNCHES is 16), every one reported; at 3 tokens
    # routing and sort are one launch (moe_route_sort).
    plan = asmk.select_op("fused_moe", tokens=4096, experts=256, k=8, hidden=7168, inter=256, in_dtype="fp8", context=emu)
    assert len(plan["launches"]) == 9, plan["launches"]
    assert plan["launches"][7].startswith("moe_gemm") and plan["launches"][7].endswith("_atomic")
    assert plan["launches"][8].startswith("moe_acc") and plan["launches"][8].endswith("_bf16")
    small = asmk.select_op("fused_moe", tokens=3, experts=256, k=8, hidden=7168, inter=256, routing="grouped", n_group=8,
                           topk_group=4, context=emu)
    assert small["launches"][0].startswith("moe_route_sort"), small["launches"]
    assert not any(name.startswith(("moe_grouped_topk", "moe_sort")) for name in small["launches"])


def fused_moe_reference(x, logits, w1, w2, k, block_m, act="silu"):
    """Softmax routing (renormalized), both stages with the intermediate rounded to bf16, the weighted sum."""
    tokens, experts = logits.shape
    ids, weights = topk_softmax(logits, k, True)
    sorted_ids, sorted_weights, block_expert, total = moe_sort(ids, weights, experts, block_m)
    inter = rows_of(moe_stage1_rows(x, w1, sorted_ids, block_expert, total, k, act, block_m), tokens * k,
                    w1.shape[1] // 2)
    rows = rows_of(moe_stage2_rows(round_bf16(inter), w2, sorted_ids, sorted_weights, block_expert, total, block_m),
                   tokens * k, w2.shape[1])
    return rows.reshape(tokens, k, -1).sum(axis=1)


def test_fused_moe_routed_takes_the_callers_routing(emu):
    # The layer with ids and weights from the caller (AITER's fused_moe takes them so); the tile is chosen.
    rng = np.random.default_rng(31)
    tokens, experts, k, hidden, inter = 6, 8, 2, 64, 64
    x_bits, x = random_bf16(rng, (tokens, hidden))
    ids = np.stack([rng.permutation(experts)[:k] for _ in range(tokens)]).astype(np.int32)
    weights = rng.uniform(0.1, 1.0, (tokens, k)).astype(np.float32)
    w1_bits, w1 = random_bf16(rng, (experts, 2 * inter, hidden), hidden ** -0.5)
    w2_bits, w2 = random_bf16(rng, (experts, hidden, inter), inter ** -0.5)
    out = np.zeros((tokens, hidden), np.uint16)
    asmk.run_op("fused_moe_routed", tokens=tokens, experts=experts, k=k, hidden=hidden, inter=inter, x=x_bits,
                topk_ids=ids, topk_weights=weights, w1=w1_bits, w2=w2_bits, out=out, context=emu)
    block_m = 16
    sorted_ids, sorted_weights, block_expert, total = moe_sort(ids, weights, experts, block_m)
    inter_rows = rows_of(moe_stage1_rows(x, w1, sorted_ids, block_expert, total, k, "silu", block_m), tokens * k,
                         inter)
    rows = rows_of(moe_stage2_rows(round_bf16(inter_rows), w2, sorted_ids, sorted_weights, block_expert, total,
                                   block_m), tokens * k, hidden)
    want = rows.reshape(tokens, k, -1).sum(axis=1)
    np.testing.assert_allclose(bf16_values(out), want, rtol=2 ** -6, atol=1e-2 * np.abs(want).max())
    # An expert id outside [-1, experts) is refused by name, nothing written.
    ids[2, 1] = experts
    out[:] = 0x7fc0
    with pytest.raises(asmk.Error, match=r"topk_ids\[2, 1\].*is 8, outside \[-1, experts\)"):
        asmk.run_op("fused_moe_routed", tokens=tokens, experts=experts, k=k, hidden=hidden, inter=inter, x=x_bits,
                    topk_ids=ids, topk_weights=weights, w1=w1_bits, w2=w2_bits, out=out, context=emu)
    assert np.all(out == 0x7fc0)


def test_moe_acc_zero_fills_plus_zero(emu):
    # 3 x 1416 = 4248 elements: a whole workgroup of 4096 and a ragged one; NaN, -0 and garbage before.
    rng = np.random.default_rng(31)
    tokens, hidden = 3, 1416
    acc = rng.integers(0, 2 ** 32, (tokens, hidden), dtype=np.uint32)
    acc[0, :3] = [0x7fc00000, 0x80000000, 0xffffffff]
    asmk.run_op("moe_acc_zero", tokens=tokens, hidden=hidden, acc=acc.view(np.float32), context=emu)
    np.testing.assert_array_equal(acc, 0, err_msg="every element +0 (bits 0)")


def moe_acc_inputs(rng, tokens, hidden):
    """fp32 values over many binades, a quarter of them at a bf16 rounding tie (low 16 bits 0x8000), and the
    special cases in row 0: ties to even at 1 (down and up), negative ties, ±0, subnormals (a tie each way), the
    largest fp32 (rounds to inf), the largest value rounding to bf16's max, ±inf, the quiet NaNs."""
    values = (rng.standard_normal((tokens, hidden)) * 2.0 ** rng.integers(-40, 40, (tokens, hidden))).astype(np.float32)
    bits = values.view(np.uint32)
    ties = rng.random((tokens, hidden)) < 0.25
    bits[ties] = (bits[ties] & 0xffff0000) | 0x8000
    special = [0x3f808000, 0x3f818000, 0x3f808001, 0xbf808000, 0xbf818000, 0x00000000, 0x80000000,
               0x00008000, 0x00018000, 0x80018001, 0x00007fff, 0x7f7fffff, 0xff7fffff, 0x7f7f7fff, 0x7f7f8000,
               0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000]
    bits[0, :len(special)] = special
    return values


def test_moe_acc_bf16_rounds_to_nearest_even(emu):
    # 5 x 4160 = 20800 elements: five whole workgroups of 4096 and a ragged sixth.
    rng = np.random.default_rng(32)
    tokens, hidden = 5, 4160
    acc = moe_acc_inputs(rng, tokens, hidden)
    before = acc.copy()
    out = np.full((tokens, hidden), 0x1234, np.uint16)
    asmk.run_op("moe_acc_bf16", tokens=tokens, hidden=hidden, acc=acc, out=out, context=emu)
    np.testing.assert_array_equal(out, bf16_bits(before))  # fp8_reference's RNE on the bits
    assert out[0, 0] == 0x3f80 and out[0, 1] == 0x3f82 and out[0, 11] == 0x7f80, "ties to even, fp32 max -> inf"
    np.testing.assert_array_equal(acc.view(np.uint32), before.view(np.uint32), err_msg="acc only read")


def test_moe_acc_bf16_refuses_an_odd_element_count(emu):
    # out is written a dword (two bf16) at a time: an odd tokens·hidden would leave its last element unwritten (the
    # dword reaching past out is dropped by the buffer range check), so the op refuses it by name, writing nothing
    rng = np.random.default_rng(33)
    tokens, hidden = 3, 1399  # 4197 elements
    acc = rng.standard_normal((tokens, hidden)).astype(np.float32)
    out = np.full((tokens, hidden), 0x1234, np.uint16)
    with pytest.raises(asmk.Error) as caught:
        asmk.run_op("moe_acc_bf16", tokens=tokens, hidden=hidden, acc=acc, out=out, context=emu)
    assert "even_elements" in str(caught.value)
    assert (out == 0x1234).all()
    hidden = 1400  # even: every element written, bit-exact
    acc = rng.standard_normal((tokens, hidden)).astype(np.float32)
    out = np.full((tokens, hidden), 0x1234, np.uint16)
    asmk.run_op("moe_acc_bf16", tokens=tokens, hidden=hidden, acc=acc, out=out, context=emu)
    np.testing.assert_array_equal(out, bf16_bits(acc))
