"""Split-KV attention for short queries (templates/fmha_fwd/op*.yaml) by name (asmk.run_op) on the emulator against
op_reference.py's NumPy attention: the pipelines fmha_fwd / fmha_fwd_varlen with a workspace (the split pass, then
attn_lse_combine) and without, their one-launch forms fmha_fwd_single / fmha_fwd_varlen_single, and the split
passes fmha_fwd_split / fmha_fwd_varlen_split (partials per split, merged in NumPy)."""

import numpy as np

import asmk
from fp8_reference import bf16_values
from op_reference import attention_sequence, lse_combine, random_bf16

O_TOLERANCE = dict(rtol=1e-2, atol=1e-2)
LSE_TOLERANCE = dict(rtol=1e-4, atol=2e-3)
CAUSAL = dict(mask="window", window_right=0, bottom_right=1)


def batch_problem(rng, b, s_q, s_k, h_q, h_k, d=64):
    q_bits, q = random_bf16(rng, (b, s_q, h_q, d))
    k_bits, k = random_bf16(rng, (b, s_k, h_k, d))
    v_bits, v = random_bf16(rng, (b, s_k, h_k, d))
    sizes = dict(head_dims=str(d), batch=b, seqlen_q=s_q, seqlen_k=s_k, num_heads_q=h_q, num_heads_k=h_k, scale=0.125)
    return (q_bits, k_bits, v_bits), (q, k, v), sizes


def test_fmha_fwd_pipeline_splits_short_queries_with_a_workspace(emu):
    rng = np.random.default_rng(21)
    (q_bits, k_bits, v_bits), (q, k, v), sizes = batch_problem(rng, 1, 3, 900, 4, 1)
    inputs = dict(q=q_bits, k=k_bits, v=v_bits, context=emu, **sizes, **CAUSAL)
    want_o, want_lse = attention_sequence(q[0], k[0], v[0], 0.125, window_right=0, bottom_right=True)
    plan = asmk.select_op("fmha_fwd", **inputs)
    assert [launch.rsplit("_gfx", 1)[0] for launch in plan["launches"]] == ["fmha_fwd", "attn_lse_combine_grouped"], plan
    for workspace in ("auto", None):  # split pass and combine; the one launch
        o = np.zeros((1, 3, 4, 64), np.uint16)
        lse = np.zeros((1, 4, 3), np.float32)
        asmk.run_op("fmha_fwd", o=o, lse=lse, workspace=workspace, **inputs)
        np.testing.assert_allclose(bf16_values(o[0]), want_o, **O_TOLERANCE)
        np.testing.assert_allclose(lse[0], want_lse, **LSE_TOLERANCE)


def test_fmha_fwd_decode_packs_the_query_heads_of_a_kv_head(emu):
    # seqlen_q 1, GQA 4:1, causal: the kernel runs on the view seqlen_q = 4 query heads, num_heads_q = h_k, without a
    # mask (op.yaml `pack`), split or not
    rng = np.random.default_rng(27)
    (q_bits, k_bits, v_bits), (q, k, v), sizes = batch_problem(rng, 2, 1, 700, 8, 2)
    inputs = dict(q=q_bits, k=k_bits, v=v_bits, context=emu, **sizes, **CAUSAL)
    plan = asmk.select_op("fmha_fwd", **inputs)
    assert plan["launches"][0].endswith("_none_w4"), plan
    for workspace in ("auto", None):
        o = np.zeros((2, 1, 8, 64), np.uint16)
        lse = np.zeros((2, 8, 1), np.float32)
        asmk.run_op("fmha_fwd", o=o, lse=lse, workspace=workspace, **inputs)
        for b in range(2):
            want_o, want_lse = attention_sequence(q[b], k[b], v[b], 0.125, window_right=0, bottom_right=True)
            np.testing.assert_allclose(bf16_values(o[b]), want_o, **O_TOLERANCE)
            np.testing.assert_allclose(lse[b], want_lse, **LSE_TOLERANCE)


def test_fmha_fwd_single_is_one_launch(emu):
    rng = np.random.default_rng(22)
    (q_bits, k_bits, v_bits), (q, k, v), sizes = batch_problem(rng, 1, 2, 900, 2, 2)
    o = np.zeros((1, 2, 2, 64), np.uint16)
    asmk.run_op("fmha_fwd_single", q=q_bits, k=k_bits, v=v_bits, o=o, context=emu, **sizes)
    want_o, _ = attention_sequence(q[0], k[0], v[0], 0.125)
    np.testing.assert_allclose(bf16_values(o[0]), want_o, **O_TOLERANCE)


def varlen_problem(rng, cu_q, cu_k, h_q, h_k, d=64):
    q_bits, q = random_bf16(rng, (cu_q[-1], h_q, d))
    k_bits, k = random_bf16(rng, (cu_k[-1], h_k, d))
    v_bits, v = random_bf16(rng, (cu_k[-1], h_k, d))
    sizes = dict(head_dims=str(d), batch=len(cu_q) - 1, seqlen_q=int(np.diff(cu_q).max()),
                 seqlen_k=int(np.diff(cu_k).max()), total_q=int(cu_q[-1]), total_k=int(cu_k[-1]), num_heads_q=h_q,
                 num_heads_k=h_k, scale=0.125, cu_seqlens_q=cu_q, cu_seqlens_k=cu_k)
    return (q_bits, k_bits, v_bits), (q, k, v), sizes


def test_fmha_fwd_varlen_pipeline_and_single(emu):
    # a sequence without keys, one of 40 keys (its last splits hold none); the C++ test has an empty query sequence
    cu_q = np.array([0, 2, 3, 5], np.int32)
    cu_k = np.array([0, 800, 800, 840], np.int32)
    (q_bits, k_bits, v_bits), (q, k, v), sizes = varlen_problem(np.random.default_rng(23), cu_q, cu_k, 4, 2)
    want_o, want_lse = np.zeros((5, 4, 64)), np.full((4, 5), -np.inf)  # the sequence without keys: 0, -inf
    for b in (0, 2):
        rows, keys = slice(cu_q[b], cu_q[b + 1]), slice(cu_k[b], cu_k[b + 1])
        want_o[rows], want_lse[:, rows] = attention_sequence(q[rows], k[keys], v[keys], 0.125, window_right=0,
                                                             bottom_right=True)
    plan = asmk.select_op("fmha_fwd_varlen", q=q_bits, k=k_bits, v=v_bits, context=emu, **sizes, **CAUSAL)
    assert len(plan["launches"]) == 2, plan
    for op in ("fmha_fwd_varlen", "fmha_fwd_varlen_single"):
        o = np.zeros((5, 4, 64), np.uint16)
        lse = np.zeros((4, 5), np.float32)
        asmk.run_op(op, q=q_bits, k=k_bits, v=v_bits, o=o, lse=lse, context=emu, **sizes, **CAUSAL)
        np.testing.assert_allclose(bf16_values(o), want_o, **O_TOLERANCE)
        np.testing.assert_allclose(lse, want_lse, **LSE_TOLERANCE)
        assert np.all(np.isneginf(lse[:, 2])), "the sequence without keys: lse -inf"


def split_ranges(s_k, splits):
    """Each split's keys: ceil(tiles / splits) 32-key tiles each (the kernels' split_k.inc.j2 partition)."""
    tiles = (s_k + 31) // 32
    per = (tiles + splits - 1) // splits
    return [(min(32 * per * s, s_k), min(32 * per * (s + 1), s_k)) for s in range(splits)]


def partials(q, k, v, splits):
    """One sequence, no mask: per split (o [h_q, s_q, splits, dv], lse [h_q, s_q, splits]); -inf without keys."""
    s_q, h_q, _ = q.shape
    o = np.zeros((h_q, s_q, splits, v.shape[2]))
    lse = np.full((h_q, s_q, splits), -np.inf)
    for s, (lo, hi) in enumerate(split_ranges(k.shape[0], splits)):
        if hi > lo:
            so, sl = attention_sequence(q, k[lo:hi], v[lo:hi], 0.125)
            o[:, :, s, :], lse[:, :, s] = so.transpose(1, 0, 2), sl
    return o, lse


def test_fmha_fwd_split_partials(emu):
    # 70 keys in 4 splits of one tile: [0, 32), [32, 64), [64, 70) and an empty split
    rng = np.random.default_rng(24)
    (q_bits, k_bits, v_bits), (q, k, v), sizes = batch_problem(rng, 2, 3, 70, 2, 1)
    o = np.zeros((2, 2, 3, 4, 64), np.float32)
    lse = np.zeros((2, 2, 3, 4), np.float32)
    asmk.run_op("fmha_fwd_split", num_splits=4, q=q_bits, k=k_bits, v=v_bits, o=o, lse=lse, context=emu, **sizes)
    for b in range(2):
        want_o, want_lse = partials(q[b], k[b], v[b], 4)
        assert np.all(np.isneginf(lse[b, :, :, 3])), "the empty split's lse is -inf"
        np.testing.assert_allclose(o[b], want_o, rtol=5e-3, atol=5e-3)
        np.testing.assert_allclose(lse[b], want_lse, **LSE_TOLERANCE)
        merged, merged_lse = lse_combine(o[b].astype(np.float64), lse[b].astype(np.float64))
        full_o, full_lse = attention_sequence(q[b], k[b], v[b], 0.125)
        np.testing.assert_allclose(merged, full_o.transpose(1, 0, 2), **O_TOLERANCE)
        np.testing.assert_allclose(merged_lse, full_lse, **LSE_TOLERANCE)


def test_fmha_fwd_varlen_split_partials(emu):
    cu_q = np.array([0, 2, 3], np.int32)
    cu_k = np.array([0, 100, 130], np.int32)  # 4 tiles in 3 splits of 2; 1 tile: splits 1, 2 empty
    (q_bits, k_bits, v_bits), (q, k, v), sizes = varlen_problem(np.random.default_rng(25), cu_q, cu_k, 2, 1)
    o = np.zeros((2, 3, 3, 64), np.float32)
    lse = np.zeros((2, 3, 3), np.float32)
    asmk.run_op("fmha_fwd_varlen_split", num_splits=3, q=q_bits, k=k_bits, v=v_bits, o=o, lse=lse, context=emu,
                **sizes)
    for b in range(2):
        rows, keys = slice(cu_q[b], cu_q[b + 1]), slice(cu_k[b], cu_k[b + 1])
        want_o, want_lse = partials(q[rows], k[keys], v[keys], 3)
        np.testing.assert_allclose(o[:, rows], want_o, rtol=5e-3, atol=5e-3)
        np.testing.assert_allclose(lse[:, rows], want_lse, **LSE_TOLERANCE)
    assert np.all(np.isneginf(lse[:, 2, 1:])), "the short sequence's empty splits"


def test_attn_lse_combine_grouped(emu):
    # FMHA's batch-mode combine: rows (b·h + head, i) of lse's layout [b, h, s_q] into o [b, s_q, h, dv] (its view
    # [b, h, s_q, dv]: token groups of h at o's batch stride), a row without keys among them
    rng = np.random.default_rng(26)
    b, h, s_q, splits, dv = 2, 3, 4, 3, 64
    partial_o = rng.standard_normal((b * h, s_q, splits, dv)).astype(np.float32)
    partial_lse = (rng.standard_normal((b * h, s_q, splits)) * 3).astype(np.float32)
    partial_lse[4, 1, :] = -np.inf
    partial_lse[1, 2, 0] = -np.inf
    o = np.zeros((b, s_q, h, dv), np.uint16)
    lse = np.zeros((b * h, s_q), np.float32)
    asmk.run_op("attn_lse_combine_grouped", tokens=b * h, token_group=h, heads=s_q, num_splits=splits, dv=dv,
                partial_o=partial_o, partial_lse=partial_lse, o=o.transpose(0, 2, 1, 3), lse=lse, context=emu)
    want_o, want_lse = lse_combine(partial_o.astype(np.float64), partial_lse.astype(np.float64))
    got = bf16_values(o).transpose(0, 2, 1, 3).reshape(b * h, s_q, dv)
    np.testing.assert_allclose(got, want_o, rtol=2 ** -7, atol=1e-3)
    np.testing.assert_allclose(lse, want_lse, rtol=1e-5, atol=1e-5)
    assert np.all(got[4, 1] == 0) and np.isneginf(lse[4, 1]), "a row without keys: o 0, lse -inf"
