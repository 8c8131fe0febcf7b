"""Any op by name (asmk.run_op over asmk_run_op): the arguments of its op spec, tensors' strides as its
stride arguments, and the checks that keep a tensor from being reinterpreted."""

import numpy as np
import pytest

import asmk


def attention_reference(q, k, v, scale, causal_bottom_right=False):
    """softmax(scale · q kᵀ) v per (sequence, head) in float64; GQA by head groups."""
    b, s_q, h_q, _ = q.shape
    s_k, h_k = k.shape[1], k.shape[2]
    out = np.zeros((b, s_q, h_q, v.shape[3]))
    for bi in range(b):
        for h in range(h_q):
            kh = h // (h_q // h_k)
            s = scale * q[bi, :, h, :].astype(np.float64) @ k[bi, :, kh, :].astype(np.float64).T
            if causal_bottom_right:
                i = np.arange(s_q)[:, None]
                j = np.arange(s_k)[None, :]
                s = np.where(j <= i + s_k - s_q, s, -np.inf)
            p = np.exp(s - s.max(axis=1, keepdims=True))
            out[bi, :, h, :] = (p / p.sum(axis=1, keepdims=True)) @ v[bi, :, kh, :].astype(np.float64)
    return out


def test_the_ops_and_their_arguments_come_from_the_op_specs(emu):
    ops = emu._native.ops()
    assert {"quant_fp8", "gemm_a8w8", "fmha_fwd", "fmha_fwd_varlen"} <= set(ops)
    arguments = {a[0]: a for a in ops["fmha_fwd"]}
    assert arguments["head_dims"][1:4] == ("choice", "", "64,128,192x128,256")
    assert arguments["q"][1:3] == ("tensor", "dtype")
    assert arguments["q_stride_token"][1] == "stride"


def test_quant_fp8_by_name_matches_the_typed_call(emu):
    x = (np.random.default_rng(3).standard_normal((4, 256)) * 5).astype(np.float16)
    y_typed, scale_typed = asmk.quant_fp8(x, group=True, context=emu)
    y = np.zeros((4, 256), np.uint8)
    scale = np.zeros((4, 2), np.float32)
    kernel = asmk.run_op("quant_fp8", m=4, n=256, in_dtype="fp16", granularity="group", x=x, y=y, scale=scale,
                         context=emu)
    assert kernel.startswith("quant_fp8_")
    np.testing.assert_array_equal(y, y_typed)
    np.testing.assert_array_equal(scale, scale_typed)


@pytest.mark.parametrize("causal", [False, True], ids=["full", "causal_bottom_right"])
def test_fmha_fwd_by_name_matches_numpy(emu, causal):
    rng = np.random.default_rng(4)
    b, s_q, s_k, h_q, h_k, d = 2, 33, 50, 4, 2, 64
    q = rng.standard_normal((b, s_q, h_q, d)).astype(np.float16)
    k = rng.standard_normal((b, s_k, h_k, d)).astype(np.float16)
    v = rng.standard_normal((b, s_k, h_k, d)).astype(np.float16)
    o = np.zeros((b, s_q, h_q, d), np.float16)
    window = dict(mask="window", window_right=0, bottom_right=1) if causal else {}
    kernel = asmk.run_op("fmha_fwd", dtype="fp16", out_dtype="fp16", head_dims="64", batch=b, seqlen_q=s_q,
                         seqlen_k=s_k, num_heads_q=h_q, num_heads_k=h_k, scale=d ** -0.5, q=q, k=k, v=v, o=o,
                         context=emu, **window)
    assert kernel.endswith("_fp16_fp16_d64_" + ("window" if causal else "none") + "_w4")
    expected = attention_reference(q, k, v, d ** -0.5, causal)
    np.testing.assert_allclose(o.astype(np.float64), expected, atol=4e-3, rtol=4e-3)


def test_a_tensor_of_another_dtype_or_shape_is_refused(emu):
    q = np.zeros((1, 8, 1, 64), np.float32)  # float32 where the op takes fp16
    o = np.zeros((1, 8, 1, 64), np.float16)
    args = dict(dtype="fp16", out_dtype="fp16", head_dims="64", batch=1, seqlen_q=8, seqlen_k=8, num_heads_q=1,
                num_heads_k=1, scale=0.125, k=o.copy(), v=o.copy(), o=o, context=emu)
    with pytest.raises(asmk.Error, match="takes fp16 here"):
        asmk.run_op("fmha_fwd", q=q, **args)
    with pytest.raises(asmk.Error, match=r"expects shape \[1, 8, 1, 64\]"):
        asmk.run_op("fmha_fwd", q=np.zeros((1, 8, 2, 64), np.float16), **args)
    with pytest.raises(asmk.Error, match="scale=-1 is outside its range"):
        asmk.run_op("fmha_fwd", q=o.copy(), **{**args, "scale": -1.0})
    with pytest.raises(asmk.Error, match="has no argument 'colour'"):
        asmk.run_op("fmha_fwd", q=o.copy(), colour="red", **args)


def test_a_pipeline_op_workspace_automatic_given_too_small_and_none(emu):
    rng = np.random.default_rng(5)
    tokens, experts, k, hidden, inter = 3, 4, 2, 64, 64
    args = dict(tokens=tokens, experts=experts, k=k, hidden=hidden, inter=inter, block_m=16,
                x=np.zeros((tokens, hidden), np.uint16),
                logits=rng.standard_normal((tokens, experts)).astype(np.float32),
                w1=np.zeros((experts, 2 * inter, hidden), np.uint16), w2=np.zeros((experts, hidden, inter), np.uint16),
                out=np.full((tokens, hidden), 0x7FC0, np.uint16), context=emu)
    plan = asmk.select_op("fused_moe", **args)
    assert [name.split("_gfx")[0] for name in plan["launches"]] == \
        ["moe_route_sort", "moe_gemm", "moe_gemm", "moe_sum"], plan  # routing + sort in one launch up to 4 tokens
    needed = plan["workspace_bytes"]
    assert needed > 0
    asmk.run_op("fused_moe", **args)  # workspace="auto": allocated for the call
    assert not args["out"].any(), "zero weights give a zero layer"
    asmk.run_op("fused_moe", workspace=np.zeros(needed, np.uint8), **args)
    with pytest.raises(asmk.Error, match=f"workspace needs {needed} bytes") as error:
        asmk.run_op("fused_moe", workspace=np.zeros(needed - 1, np.uint8), **args)
    assert error.value.status == "ASMK_ERROR_BUFFER_TOO_SMALL"
    with pytest.raises(asmk.Error, match=f"workspace is null \\({needed} needed"):
        asmk.run_op("fused_moe", workspace=None, **args)
    with pytest.raises(asmk.Error, match="quant_fp8 takes no workspace"):
        asmk.run_op("quant_fp8", m=1, n=128, x=np.zeros((1, 128), np.float16), y=np.zeros((1, 128), np.uint8),
                    scale=np.zeros((1, 1), np.float32), in_dtype="fp16", workspace=np.zeros(8, np.uint8), context=emu)
