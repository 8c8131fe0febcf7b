"""asmk.torch's MoE helpers with AITER's signatures (fused_topk, biased_grouped_topk, moe_sorting,
fused_moe) on CPU PyTorch tensors (the emulator) against op_reference.py, their refusals, and their
fake implementations on meta tensors."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import asmk  # noqa: E402
import asmk.torch  # noqa: E402
from asmk.torch import ActivationType, QuantType  # noqa: E402
from fp8_reference import decode_fp8, random_fp8_bytes  # noqa: E402
from op_reference import (activation, grouped_topk, moe_sort, quantize_fp8_rows, random_bf16,  # noqa: E402
                          round_bf16, topk_softmax)


def bf16_tensor(bits):
    return torch.from_numpy(bits.view(np.int16)).view(torch.bfloat16)


def routing(rng, tokens, experts, k):
    ids = np.stack([rng.permutation(experts)[:k] for _ in range(tokens)]).astype(np.int32)
    return ids, rng.uniform(0.1, 1.0, (tokens, k)).astype(np.float32)


def test_fused_topk_fills_given_outputs():
    rng = np.random.default_rng(61)
    logits = rng.standard_normal((6, 32)).astype(np.float32)
    hidden = torch.zeros((6, 64), dtype=torch.bfloat16)
    ids_out = torch.zeros((6, 4), dtype=torch.int32)
    weights, ids = asmk.torch.fused_topk(hidden, torch.from_numpy(logits), 4, True, topk_ids=ids_out)
    assert ids is ids_out and weights.dtype == torch.float32
    want_ids, want_weights = topk_softmax(logits, 4, True)
    np.testing.assert_array_equal(ids.numpy(), want_ids)
    np.testing.assert_allclose(weights.numpy(), want_weights, rtol=1e-5, atol=1e-7)


def test_biased_grouped_topk_deepseek_v3():
    rng = np.random.default_rng(62)
    logits = rng.standard_normal((3, 64)).astype(np.float32)
    bias = (rng.standard_normal(64) * 0.1).astype(np.float32)
    weights, ids = torch.zeros((3, 6)), torch.zeros((3, 6), dtype=torch.int32)
    asmk.torch.biased_grouped_topk(torch.from_numpy(logits), torch.from_numpy(bias), weights, ids, 8, 4, True, 2.5)
    want_ids, want_weights = grouped_topk(logits, bias, 6, 8, 4, True, 2.5)
    np.testing.assert_array_equal(ids.numpy(), want_ids)
    np.testing.assert_allclose(weights.numpy(), want_weights, rtol=1e-5, atol=1e-6)


def test_moe_sorting_with_an_expert_mask():
    rng = np.random.default_rng(63)
    tokens, k, experts, block = 9, 2, 8, 16
    ids, weights = routing(rng, tokens, experts, k)
    mask = torch.tensor([1, 0, 1, 1, 0, 0, 1, 0], dtype=torch.int32)
    sorted_ids, sorted_weights, blocks, valid, buf = asmk.torch.moe_sorting(
        torch.from_numpy(ids), torch.from_numpy(weights), experts, 128, torch.bfloat16, block, expert_mask=mask)
    expert_map = np.where(mask.numpy() != 0, np.cumsum(mask.numpy()) - 1, -1)
    want_ids, want_weights, want_blocks, total = moe_sort(ids, weights, experts, block, expert_map)
    assert valid.tolist() == [total]
    np.testing.assert_array_equal(sorted_ids[:total].numpy(), want_ids[:total])
    np.testing.assert_array_equal(sorted_weights[:total].numpy(), want_weights[:total])
    np.testing.assert_array_equal(blocks[:total // block].numpy(), want_blocks[:total // block])
    assert tuple(buf.shape) == (tokens, 128) and buf.dtype == torch.bfloat16 and not buf.any()


def moe_layer_reference(x, w1, w2, ids, weights, act="silu", expert_map=None, bias1=None, bias2=None, quantize=None):
    """out[t] = Σ_j w[t, j] · (act(x[t] · W1[e]ᵀ + b1) rounded to bf16 (then quantize()d) · W2[e]ᵀ + b2) over
    the local experts e of token t (float64)."""
    tokens, k = ids.shape
    inter = w1.shape[1] // 2
    out = np.zeros((tokens, w2.shape[1]))
    for t in range(tokens):
        for j in range(k):
            e = ids[t, j] if expert_map is None else expert_map[ids[t, j]]
            if e < 0:
                continue
            h = w1[e] @ x[t] + (0 if bias1 is None else bias1[e])
            a = round_bf16(activation(act, h[:inter], h[inter:]))
            if quantize is not None:
                a = quantize(a)
            out[t] += weights[t, j] * (w2[e] @ a + (0 if bias2 is None else bias2[e]))
    return out


@pytest.mark.parametrize("act", [ActivationType.Silu, ActivationType.Swiglu], ids=["silu", "swiglu"])
def test_fused_moe_bf16(act):
    rng = np.random.default_rng(64)
    tokens, experts, k, hidden, inter = 5, 6, 2, 64, 64
    ids, weights = routing(rng, tokens, experts, k)
    x_bits, x = random_bf16(rng, (tokens, hidden))
    w1_bits, w1 = random_bf16(rng, (experts, 2 * inter, hidden), hidden ** -0.5)
    w2_bits, w2 = random_bf16(rng, (experts, hidden, inter), inter ** -0.5)
    bias1 = (rng.standard_normal((experts, 2 * inter)) * 0.3).astype(np.float32)
    bias2 = (rng.standard_normal((experts, hidden)) * 0.3).astype(np.float32)
    out = asmk.torch.fused_moe(bf16_tensor(x_bits), bf16_tensor(w1_bits), bf16_tensor(w2_bits),
                               torch.from_numpy(weights), torch.from_numpy(ids), activation=act,
                               bias1=torch.from_numpy(bias1), bias2=torch.from_numpy(bias2))
    assert out.dtype == torch.bfloat16 and tuple(out.shape) == (tokens, hidden)
    want = moe_layer_reference(x, w1, w2, ids, weights, "silu" if act == ActivationType.Silu else "swiglu_oai",
                               bias1=bias1, bias2=bias2)
    np.testing.assert_allclose(out.double().numpy(), want, rtol=2 ** -6, atol=2e-2 * np.abs(want).max())


def test_fused_moe_expert_parallel_with_an_expert_mask():
    rng = np.random.default_rng(65)
    tokens, experts, k, hidden, inter = 6, 8, 3, 64, 64
    mask = np.array([0, 1, 1, 0, 1, 0, 0, 1], np.int32)
    local = int(mask.sum())
    expert_map = np.where(mask != 0, np.cumsum(mask) - 1, -1)
    ids, weights = routing(rng, tokens, experts, k)
    x_bits, x = random_bf16(rng, (tokens, hidden))
    w1_bits, w1 = random_bf16(rng, (local, 2 * inter, hidden), hidden ** -0.5)
    w2_bits, w2 = random_bf16(rng, (local, hidden, inter), inter ** -0.5)
    out = asmk.torch.fused_moe(bf16_tensor(x_bits), bf16_tensor(w1_bits), bf16_tensor(w2_bits),
                               torch.from_numpy(weights), torch.from_numpy(ids), expert_mask=torch.from_numpy(mask),
                               block_size_M=16)
    want = moe_layer_reference(x, w1, w2, ids, weights, expert_map=expert_map)
    np.testing.assert_allclose(out.double().numpy(), want, rtol=2 ** -6, atol=2e-2 * np.abs(want).max())


def test_fused_moe_fp8_per_token():
    rng = np.random.default_rng(66)
    fmt = asmk.context_for(on_gpu=False).fp8_format
    tokens, experts, k, hidden, inter = 3, 4, 2, 128, 128
    ids, weights = routing(rng, tokens, experts, k)
    x_bits, x = random_bf16(rng, (tokens, hidden))
    w1 = random_fp8_bytes(rng, (experts, 2 * inter, hidden), fmt, max_abs=1.0)
    w2 = random_fp8_bytes(rng, (experts, hidden, inter), fmt, max_abs=1.0)
    w1_scale = rng.uniform(0.01, 0.03, (experts, 2 * inter, 1)).astype(np.float32)
    w2_scale = rng.uniform(0.01, 0.03, (experts, hidden, 1)).astype(np.float32)
    out = asmk.torch.fused_moe(bf16_tensor(x_bits), torch.from_numpy(w1), torch.from_numpy(w2),
                               torch.from_numpy(weights), torch.from_numpy(ids), quant_type=QuantType.per_Token,
                               w1_scale=torch.from_numpy(w1_scale), w2_scale=torch.from_numpy(w2_scale))
    w1v = decode_fp8(w1, fmt) * w1_scale
    w2v = decode_fp8(w2, fmt) * w2_scale
    # Activations quantized per token (x) and per slot (the intermediate) as the layer does.
    want = moe_layer_reference(quantize_fp8_rows(x, fmt), w1v, w2v, ids, weights,
                               quantize=lambda a: quantize_fp8_rows(a, fmt))
    np.testing.assert_allclose(out.double().numpy(), want, rtol=2 ** -5, atol=2e-2 * np.abs(want).max())


def test_fused_moe_refuses_what_the_stages_cannot_do():
    x = torch.zeros((2, 64), dtype=torch.bfloat16)
    w1, w2 = torch.zeros((4, 128, 64), dtype=torch.bfloat16), torch.zeros((4, 64, 64), dtype=torch.bfloat16)
    ids, weights = torch.zeros((2, 2), dtype=torch.int32), torch.ones((2, 2))
    with pytest.raises(asmk.Error, match=r"quant_type=per_1x128 is not supported by asmk; supported: QuantType.No"):
        asmk.torch.fused_moe(x, w1, w2, weights, ids, quant_type=QuantType.per_1x128)
    with pytest.raises(asmk.Error, match="doweight_stage1=True"):
        asmk.torch.fused_moe(x, w1, w2, weights, ids, doweight_stage1=True)
    with pytest.raises(asmk.Error, match=r"activation=Situv2 is not supported by asmk; supported: Silu, Gelu, Swiglu"):
        asmk.torch.fused_moe(x, w1, w2, weights, ids, activation=3)
    with pytest.raises(asmk.Error, match=r"block_m=32 \(block_m_tile; the GEMM stages' M tiles are 16, 64 and 128\)"):
        asmk.torch.fused_moe(x, w1, w2, weights, ids, block_size_M=32)
    with pytest.raises(asmk.Error, match="shared experts"):
        asmk.torch.fused_moe(x, w1, w2, weights, ids, shared_expert_id=0)
    with pytest.raises(asmk.Error, match="dispatch_policy"):
        asmk.torch.moe_sorting(ids, weights, 4, 64, torch.bfloat16, dispatch_policy=1)


def test_fake_implementations_of_the_moe_helpers_on_meta_tensors():
    meta = dict(device="meta")
    x = torch.empty((7, 256), dtype=torch.bfloat16, **meta)
    weights, ids = asmk.torch.fused_topk(x, torch.empty((7, 64), **meta), 6, True)
    assert weights.is_meta and tuple(weights.shape) == (7, 6) and ids.dtype == torch.int32
    sorted_ids, sorted_weights, blocks, valid, buf = asmk.torch.moe_sorting(ids, weights, 64, 256, torch.bfloat16, 16)
    assert tuple(sorted_ids.shape) == ((3 + 64) * 16,) and tuple(blocks.shape) == (3 + 64,)
    assert tuple(buf.shape) == (7, 256) and valid.dtype == torch.int32
    out = asmk.torch.fused_moe(x, torch.empty((64, 256, 256), dtype=torch.bfloat16, **meta),
                               torch.empty((64, 256, 128), dtype=torch.bfloat16, **meta), weights, ids)
    assert out.is_meta and tuple(out.shape) == (7, 256) and out.dtype == torch.bfloat16
