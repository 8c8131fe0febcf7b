"""The attention ops by name (asmk.run_op) on the emulator (MI300X and MI355X: conftest's fixture emu)
against op_reference.py's NumPy attention: fmha_fwd (lse, soft-cap, a left window), fmha_fwd_varlen,
the MLA decode forms (CSR, block table, split-KV partials, the split pass with the combine fused, the
pipeline with and without workspace) and attn_lse_combine."""

import numpy as np
import pytest

import asmk
from fp8_reference import bf16_values
from op_reference import (MLA_QK, MLA_V, attention_sequence, attention_varlen, lse_combine, mla_decode,
                          mla_sequence_keys_block_table, mla_sequence_keys_csr, random_bf16)

# bf16 outputs: the output's rounding (2^-8 relative) and the kernels' bf16 probabilities; lse in fp32.
O_TOLERANCE = dict(rtol=1e-2, atol=1e-2)
LSE_TOLERANCE = dict(rtol=1e-4, atol=2e-3)


def test_fmha_fwd_bf16_with_lse_softcap_and_a_left_window(emu):
    rng = np.random.default_rng(11)
    b, s_q, s_k, h_q, h_k, d = 1, 20, 45, 2, 1, 64
    q_bits, q = random_bf16(rng, (b, s_q, h_q, d))
    k_bits, k = random_bf16(rng, (b, s_k, h_k, d))
    v_bits, v = random_bf16(rng, (b, s_k, h_k, d))
    o = np.zeros((b, s_q, h_q, d), np.uint16)
    lse = np.zeros((b, h_q, s_q), np.float32)
    mask = dict(window_left=16, window_right=0, bottom_right=True)
    asmk.run_op("fmha_fwd", dtype="bf16", out_dtype="bf16", head_dims="64", batch=b, seqlen_q=s_q, seqlen_k=s_k,
                num_heads_q=h_q, num_heads_k=h_k, scale=0.2, softcap=5.0, mask="window",
                window_left=16, window_right=0, bottom_right=1, q=q_bits, k=k_bits, v=v_bits, o=o, lse=lse,
                context=emu)
    want_o, want_lse = attention_sequence(q[0], k[0], v[0], 0.2, softcap=5.0, **mask)
    np.testing.assert_allclose(bf16_values(o[0]), want_o, **O_TOLERANCE)
    np.testing.assert_allclose(lse[0], want_lse, **LSE_TOLERANCE)


def test_fmha_fwd_varlen_causal_gqa_with_lse(emu):
    rng = np.random.default_rng(12)
    cu_q = np.array([0, 5, 17, 20], np.int32)
    cu_k = np.array([0, 9, 30, 40], np.int32)
    h_q, h_k, d = 4, 2, 64
    q_bits, q = random_bf16(rng, (cu_q[-1], h_q, d))
    k_bits, k = random_bf16(rng, (cu_k[-1], h_k, d))
    v_bits, v = random_bf16(rng, (cu_k[-1], h_k, d))
    o = np.zeros((cu_q[-1], h_q, d), np.uint16)
    lse = np.zeros((h_q, cu_q[-1]), np.float32)
    asmk.run_op("fmha_fwd_varlen", head_dims="64", batch=3, seqlen_q=12, seqlen_k=21, total_q=20, total_k=40,
                num_heads_q=h_q, num_heads_k=h_k, scale=0.125, mask="window", window_right=0, bottom_right=1,
                q=q_bits, k=k_bits, v=v_bits, o=o, lse=lse, cu_seqlens_q=cu_q, cu_seqlens_k=cu_k, context=emu)
    want_o, want_lse = attention_varlen(q, k, v, cu_q, cu_k, 0.125, window_right=0, bottom_right=True)
    np.testing.assert_allclose(bf16_values(o), want_o, **O_TOLERANCE)
    np.testing.assert_allclose(lse, want_lse, **LSE_TOLERANCE)
    # Offsets that decrease, or do not end at total_k, are refused by name before anything runs.
    for bad, pattern in [([0, 9, 8, 40], r"cu_seqlens_k\[2\].* is 8, below the element before it"),
                         ([0, 9, 30, 39], r"cu_seqlens_k\[3\].* is 39")]:
        o[:] = 0x7fc0
        with pytest.raises(asmk.Error, match=pattern):
            asmk.run_op("fmha_fwd_varlen", head_dims="64", batch=3, seqlen_q=12, seqlen_k=21, total_q=20,
                        total_k=40, num_heads_q=h_q, num_heads_k=h_k, scale=0.125, mask="window", window_right=0,
                        bottom_right=1, q=q_bits, k=k_bits, v=v_bits, o=o, lse=lse, cu_seqlens_q=cu_q,
                        cu_seqlens_k=np.array(bad, np.int32), context=emu)
        assert np.all(o == 0x7fc0), "nothing written"


class PagedCache:
    """A random bf16 latent cache of `num_pages` pages and queries for sequences of the given query and
    key lengths, pages handed out in a shuffled order (CSR form and block-table form of one table)."""

    def __init__(self, rng, q_lens, k_lens, page_size, num_pages, heads):
        self.batch, self.heads, self.page_size, self.num_pages = len(q_lens), heads, page_size, num_pages
        self.qo_indptr = np.concatenate([[0], np.cumsum(q_lens)]).astype(np.int32)
        self.total_q, self.max_qlen = int(self.qo_indptr[-1]), int(max(q_lens))
        pages_per_seq = [-(-n // page_size) for n in k_lens]
        order = rng.permutation(num_pages)[:sum(pages_per_seq)].astype(np.int32)
        self.kv_indptr = np.concatenate([[0], np.cumsum(pages_per_seq)]).astype(np.int32)
        self.kv_indices = order
        self.kv_last_page_len = np.array([n - (p - 1) * page_size for n, p in zip(k_lens, pages_per_seq)], np.int32)
        self.block_table = np.zeros((self.batch, max(pages_per_seq)), np.int32)
        for b in range(self.batch):
            self.block_table[b, :pages_per_seq[b]] = order[self.kv_indptr[b]:self.kv_indptr[b + 1]]
        self.seq_lens = np.array(k_lens, np.int32)
        self.q_bits, self.q = random_bf16(rng, (self.total_q, heads, MLA_QK))
        self.kv_bits, kv = random_bf16(rng, (num_pages, page_size, MLA_QK))
        self.kv = kv.reshape(num_pages * page_size, MLA_QK)

    def csr(self):
        return dict(batch=self.batch, heads=self.heads, max_qlen=self.max_qlen, total_q=self.total_q,
                    num_pages=self.num_pages, page_size=self.page_size, num_indices=len(self.kv_indices),
                    q=self.q_bits, kv=self.kv_bits, qo_indptr=self.qo_indptr, kv_indptr=self.kv_indptr,
                    kv_indices=self.kv_indices, kv_last_page_len=self.kv_last_page_len)

    def csr_keys(self):
        return mla_sequence_keys_csr(self.kv_indptr, self.kv_indices, self.kv_last_page_len, self.page_size)

    def outputs(self):
        return (np.zeros((self.total_q, self.heads, MLA_V), np.uint16),
                np.zeros((self.total_q, self.heads), np.float32))


SCALE = 0.0722  # DeepSeek's 1 / sqrt(192)


def test_mla_decode_single_csr_with_lse(emu):
    cache = PagedCache(np.random.default_rng(13), q_lens=[1, 2, 2], k_lens=[20, 37, 5], page_size=16,
                       num_pages=10, heads=16)
    o, lse = cache.outputs()
    asmk.run_op("mla_decode_single", scale=SCALE, o=o, lse=lse, context=emu, **cache.csr())
    want_o, want_lse = mla_decode(cache.q, cache.kv, cache.qo_indptr, cache.csr_keys(), SCALE)
    np.testing.assert_allclose(bf16_values(o), want_o, **O_TOLERANCE)
    np.testing.assert_allclose(lse, want_lse, **LSE_TOLERANCE)
    # A page index past the cache is refused by name (issue 13), nothing written.
    args = cache.csr()
    args["kv_indices"] = args["kv_indices"].copy()
    args["kv_indices"][1] = cache.num_pages
    o[:] = 0x7fc0
    with pytest.raises(asmk.Error, match=r"kv_indices\[1\].* is 10, outside \[0, num_pages\)"):
        asmk.run_op("mla_decode_single", scale=SCALE, o=o, lse=lse, context=emu, **args)
    assert np.all(o == 0x7fc0), "nothing written"


def block_table_args(cache):
    return dict(batch=cache.batch, heads=cache.heads, max_qlen=cache.max_qlen, total_q=cache.total_q,
                num_pages=cache.num_pages, page_size=cache.page_size, block_table_stride=cache.block_table.shape[1],
                q=cache.q_bits, kv=cache.kv_bits, qo_indptr=cache.qo_indptr, block_table=cache.block_table,
                seq_lens=cache.seq_lens)


@pytest.mark.parametrize("op", ["mla_decode_block_table", "mla_decode_block_table_single"])
def test_mla_decode_block_table_with_softcap(emu, op):
    cache = PagedCache(np.random.default_rng(14), q_lens=[2, 1], k_lens=[40, 17], page_size=16, num_pages=8,
                       heads=16)
    o, lse = cache.outputs()
    asmk.run_op(op, batch=cache.batch, heads=cache.heads, max_qlen=cache.max_qlen,
                total_q=cache.total_q, num_pages=cache.num_pages, page_size=cache.page_size,
                block_table_stride=cache.block_table.shape[1], scale=SCALE, softcap=2.0, q=cache.q_bits,
                kv=cache.kv_bits, o=o, lse=lse, qo_indptr=cache.qo_indptr, block_table=cache.block_table,
                seq_lens=cache.seq_lens, context=emu)
    keys = mla_sequence_keys_block_table(cache.block_table, cache.seq_lens, cache.page_size)
    want_o, want_lse = mla_decode(cache.q, cache.kv, cache.qo_indptr, keys, SCALE, softcap=2.0)
    np.testing.assert_allclose(bf16_values(o), want_o, **O_TOLERANCE)
    np.testing.assert_allclose(lse, want_lse, **LSE_TOLERANCE)


def test_mla_decode_split_partials_including_an_empty_split(emu):
    # 40 keys in 3 splits of ceil(40 / 3) -> 32 keys: [0, 32), [32, 40) and an empty third split.
    cache = PagedCache(np.random.default_rng(15), q_lens=[1, 2], k_lens=[40, 70], page_size=16, num_pages=9,
                       heads=16)
    partial_o = np.zeros((cache.total_q, cache.heads, 3, MLA_V), np.float32)
    partial_lse = np.zeros((cache.total_q, cache.heads, 3), np.float32)
    asmk.run_op("mla_decode_split", num_splits=3, scale=SCALE, partial_o=partial_o, partial_lse=partial_lse,
                context=emu, **cache.csr())
    want_o, want_lse = mla_decode(cache.q, cache.kv, cache.qo_indptr, cache.csr_keys(), SCALE, num_splits=3)
    assert np.all(np.isneginf(partial_lse[0, :, 2])), "the empty split's lse is -inf"
    np.testing.assert_allclose(partial_o, want_o, rtol=5e-3, atol=5e-3)
    np.testing.assert_allclose(partial_lse, want_lse, **LSE_TOLERANCE)


@pytest.mark.parametrize("out_dtype", ["bf16", "fp16"])
def test_attn_lse_combine(emu, out_dtype):
    rng = np.random.default_rng(16)
    tokens, heads, splits, dv = 3, 4, 3, 128
    partial_o = rng.standard_normal((tokens, heads, splits, dv)).astype(np.float32)
    partial_lse = (rng.standard_normal((tokens, heads, splits)) * 3).astype(np.float32)
    partial_lse[1, 2, 0] = -np.inf  # an empty split weighs nothing
    o = np.zeros((tokens, heads, dv), np.uint16 if out_dtype == "bf16" else np.float16)
    lse = np.zeros((tokens, heads), np.float32)
    asmk.run_op("attn_lse_combine", tokens=tokens, heads=heads, num_splits=splits, dv=dv, out_dtype=out_dtype,
                partial_o=partial_o, partial_lse=partial_lse, o=o, lse=lse, context=emu)
    want_o, want_lse = lse_combine(partial_o.astype(np.float64), partial_lse.astype(np.float64))
    got = bf16_values(o) if out_dtype == "bf16" else o.astype(np.float64)
    np.testing.assert_allclose(got, want_o, rtol=2 ** -7, atol=1e-3)
    np.testing.assert_allclose(lse, want_lse, rtol=1e-5, atol=1e-5)


def test_mla_decode_pipeline_splits_with_a_workspace_and_not_without(emu):
    # 512 keys for one sequence: the plan takes two splits (at least 256 keys each) when offered a workspace.
    cache = PagedCache(np.random.default_rng(17), q_lens=[1], k_lens=[500], page_size=16, num_pages=40, heads=16)
    plan = asmk.select_op("mla_decode", scale=SCALE, context=emu, **cache.csr())
    # plan (the split from the lengths), the split partials, their combine
    assert plan["workspace_bytes"] > 0 and len(plan["launches"]) == 3, plan
    assert [launch.rsplit("_gfx", 1)[0] for launch in plan["launches"]] == [
        "mla_decode_plan", "mla_decode", "attn_lse_combine"], plan
    want_o, want_lse = mla_decode(cache.q, cache.kv, cache.qo_indptr, cache.csr_keys(), SCALE)

    o, lse = cache.outputs()
    asmk.run_op("mla_decode", scale=SCALE, o=o, lse=lse, context=emu, **cache.csr())  # workspace "auto"
    np.testing.assert_allclose(bf16_values(o), want_o, **O_TOLERANCE)
    np.testing.assert_allclose(lse, want_lse, **LSE_TOLERANCE)

    o, lse = cache.outputs()
    asmk.run_op("mla_decode", scale=SCALE, o=o, lse=lse, workspace=None, context=emu, **cache.csr())
    assert len(asmk.select_op("mla_decode", scale=SCALE, workspace_budget=0, context=emu,
                              **cache.csr())["launches"]) == 1
    np.testing.assert_allclose(bf16_values(o), want_o, **O_TOLERANCE)
    np.testing.assert_allclose(lse, want_lse, **LSE_TOLERANCE)


def test_mla_decode_split_block_table_partials(emu):
    # The split partials through the block table: the same cut of each sequence's keys as the CSR form.
    cache = PagedCache(np.random.default_rng(18), q_lens=[1, 2], k_lens=[40, 70], page_size=16, num_pages=9,
                       heads=16)
    partial_o = np.zeros((cache.total_q, cache.heads, 3, MLA_V), np.float32)
    partial_lse = np.zeros((cache.total_q, cache.heads, 3), np.float32)
    asmk.run_op("mla_decode_split_block_table", num_splits=3, scale=SCALE, partial_o=partial_o,
                partial_lse=partial_lse, context=emu, **block_table_args(cache))
    keys = mla_sequence_keys_block_table(cache.block_table, cache.seq_lens, cache.page_size)
    want_o, want_lse = mla_decode(cache.q, cache.kv, cache.qo_indptr, keys, SCALE, num_splits=3)
    assert np.all(np.isneginf(partial_lse[0, :, 2])), "the empty split's lse is -inf"
    np.testing.assert_allclose(partial_o, want_o, rtol=5e-3, atol=5e-3)
    np.testing.assert_allclose(partial_lse, want_lse, **LSE_TOLERANCE)


def split_tiles(keys, num_splits, work_target, min_tiles, granule=32):
    """The plan's rule, written from the op's doc: tiles of 32 keys per split, n0 the most of
    ceil(T / work_target), ceil(L / num_splits) and min_tiles (T the batch's tiles, L the longest's), then the
    fewest tiles n in n0 .. n0 + n0 // 4 whose splits (each sequence's tiles / n rounded up) number at most
    work_target, else n0."""
    tiles = [-(-int(k) // granule) for k in keys]
    n0 = max(-(-sum(tiles) // work_target), -(-max(tiles) // num_splits), min_tiles, 1)
    fits = [n for n in range(n0, n0 + n0 // 4 + 1) if sum(-(-t // n) for t in tiles) <= work_target]
    return fits[0] if fits else n0


@pytest.mark.parametrize("form", ["csr", "block_table"])
def test_mla_decode_plan_from_the_lengths(emu, form):
    page_size = 16
    for k_lens, num_splits, work_target, min_tiles in [([3000, 17, 40, 1], 16, 64, 8), ([5] * 40, 4, 8, 1),
                                                       ([700, 0, 2], 8, 4, 2), ([8192] * 64, 16, 608, 8)]:
        pages = [-(-n // page_size) for n in k_lens]
        split_plan = np.full(1, -7, np.int32)
        if form == "csr":
            kv_indptr = np.concatenate([[0], np.cumsum(pages)]).astype(np.int32)
            asmk.run_op("mla_decode_plan", batch=len(k_lens), page_size=page_size, num_splits=num_splits,
                        work_target=work_target, min_tiles=min_tiles, kv_indptr=kv_indptr, split_plan=split_plan,
                        context=emu)
            keys = [p * page_size for p in pages]  # the CSR form counts whole pages
        else:
            seq_lens = np.array(k_lens, np.int32)
            asmk.run_op("mla_decode_plan_block_table", batch=len(k_lens), num_splits=num_splits,
                        work_target=work_target, min_tiles=min_tiles, seq_lens=seq_lens, split_plan=split_plan,
                        context=emu)
            keys = k_lens
        assert split_plan[0] == split_tiles(keys, num_splits, work_target, min_tiles), (k_lens, split_plan)


def persistent_work_list(cache, k_lens, wg_rows, work_groups, cut):
    """A work list for the persistent mode built here by hand (templates/mla_decode/README.md, "Persistent mode"):
    every (sequence, row block of wg_rows rows) unit whole — o written directly — except sequence `cut`, whose
    (only) row block is cut into two pieces at its middle tile, merged by the combine; items dealt round-robin."""
    items, row_splits = [], np.zeros((cache.total_q, cache.heads), np.int32)
    for b, n in enumerate(k_lens):
        tiles, rows = -(-n // 32), int(cache.qo_indptr[b + 1] - cache.qo_indptr[b]) * cache.heads
        for rb in range(-(-rows // wg_rows)):
            if b == cut:
                assert rows <= wg_rows and tiles >= 2
                half = tiles // 2
                items += [[b, rb | 1 << 16, 0, half], [b, rb | 2 << 16, half, tiles - half]]
                row_splits[cache.qo_indptr[b]:cache.qo_indptr[b + 1]] = 2
            else:
                items.append([b, rb, 0, tiles])
    groups = [items[g::work_groups] for g in range(work_groups)]
    units = sum(-(-int(cache.qo_indptr[b + 1] - cache.qo_indptr[b]) * cache.heads // wg_rows) for b in range(cache.batch))
    max_items = cache.batch * -(-cache.heads * cache.max_qlen // wg_rows) + work_groups  # the op's work extent
    assert len(items) <= max_items and units <= max_items
    indptr = np.concatenate([[0], np.cumsum([len(g) for g in groups])])
    work = np.zeros(work_groups + 1 + 4 * max_items, np.int32)
    work[:work_groups + 1] = indptr
    flat = [item for g in groups for item in g]
    work[work_groups + 1:work_groups + 1 + 4 * len(flat)] = np.array(flat, np.int32).reshape(-1)
    return work, row_splits


@pytest.mark.parametrize("form", ["csr", "block_table"])
def test_mla_decode_persistent_walks_a_work_list(emu, form):
    # Three sequences on a grid of 3 workgroups (32 rows each): the 300-key one cut in two pieces (the pass writes
    # their partials, attn_lse_combine_rows merges that row block only), the others written directly.
    k_lens = [300, 20, 45]
    cache = PagedCache(np.random.default_rng(19), q_lens=[1, 2, 1], k_lens=k_lens, page_size=16, num_pages=30,
                       heads=16)
    work, row_splits = persistent_work_list(cache, k_lens, 32, 3, cut=0)
    args = cache.csr() if form == "csr" else block_table_args(cache)
    op = "mla_decode_persistent" if form == "csr" else "mla_decode_persistent_block_table"
    persistent = dict(work_groups=3, num_splits=2, wg_rows="32", work=work, row_splits=row_splits)
    plan = asmk.select_op(op, scale=SCALE, context=emu, **persistent, **args)
    assert [launch.rsplit("_gfx", 1)[0] for launch in plan["launches"]] == ["mla_decode", "attn_lse_combine_rows"], plan
    o, lse = cache.outputs()
    asmk.run_op(op, scale=SCALE, o=o, lse=lse, context=emu, **persistent, **args)
    keys = cache.csr_keys() if form == "csr" else mla_sequence_keys_block_table(cache.block_table, cache.seq_lens,
                                                                                cache.page_size)
    want_o, want_lse = mla_decode(cache.q, cache.kv, cache.qo_indptr, keys, SCALE)
    np.testing.assert_allclose(bf16_values(o), want_o, **O_TOLERANCE)
    np.testing.assert_allclose(lse, want_lse, **LSE_TOLERANCE)
    # A split count past num_splits is refused by name before anything runs, nothing written.
    bad = row_splits.copy()
    bad[0, 0] = 3
    o[:] = 0x7fc0
    with pytest.raises(asmk.Error, match=r"row_splits\[0, 0\].* is 3"):
        asmk.run_op(op, scale=SCALE, o=o, lse=lse, context=emu, **dict(persistent, row_splits=bad), **args)
    assert np.all(o == 0x7fc0), "nothing written"


def test_mla_decode_persistent_with_the_librarys_metadata(emu):
    # The way a serving stack calls it: the metadata once per batch from the host lengths, then the op per layer.
    # A 600-key sequence among three short ones on 12 workgroups: the long one cut, merged by the row combine.
    k_lens = [600, 7, 40, 1]
    cache = PagedCache(np.random.default_rng(21), q_lens=[1, 1, 2, 1], k_lens=k_lens, page_size=16, num_pages=50,
                       heads=16)
    meta = asmk.mla_decode_metadata(cache.qo_indptr, cache.kv_indptr, cache.kv_last_page_len, heads=16, page_size=16,
                                    wg_rows=32, work_groups=12, context=emu)
    assert meta["work_groups"] == 12 and meta["num_splits"] > 1, meta
    assert meta["row_splits"][0, 0] == meta["num_splits"] and meta["row_splits"][1, 0] == 0, meta["row_splits"]
    o, lse = cache.outputs()
    for _layer in range(2):  # the same metadata serves every layer
        asmk.run_op("mla_decode_persistent", scale=SCALE, o=o, lse=lse, work=meta["work"], row_splits=meta["row_splits"],
                    work_groups=meta["work_groups"], num_splits=meta["num_splits"], wg_rows="32", context=emu,
                    **cache.csr())
    want_o, want_lse = mla_decode(cache.q, cache.kv, cache.qo_indptr, cache.csr_keys(), SCALE)
    np.testing.assert_allclose(bf16_values(o), want_o, **O_TOLERANCE)
    np.testing.assert_allclose(lse, want_lse, **LSE_TOLERANCE)
    # lengths inconsistent with the batch are refused by name
    with pytest.raises((asmk.Error, ValueError), match="kv_last_page_len"):
        asmk.mla_decode_metadata(cache.qo_indptr, cache.kv_indptr, cache.kv_last_page_len[:2], heads=16, page_size=16,
                                 context=emu)


@pytest.mark.parametrize("form", ["csr", "block_table"])
def test_mla_decode_split_fused_merges_its_own_splits(emu, form, monkeypatch):
    # Three splits in one launch, merged by the last split of each row block to arrive: sequence 0's 40 keys cut
    # into [0, 32), [32, 40) and an empty third split (it arrives too, writing only its -inf lse); sequence 1's 3
    # query tokens x 16 heads are 48 rows, two 32-row blocks with a counter each; sequence 2's first query token
    # sees none of its one key (o 0, lse -inf).
    cache = PagedCache(np.random.default_rng(22), q_lens=[1, 3, 2], k_lens=[40, 70, 1], page_size=16, num_pages=10,
                       heads=16)
    op = "mla_decode_split_fused" if form == "csr" else "mla_decode_split_fused_block_table"
    args = cache.csr() if form == "csr" else block_table_args(cache)
    keys = cache.csr_keys() if form == "csr" else mla_sequence_keys_block_table(cache.block_table, cache.seq_lens,
                                                                                cache.page_size)
    splits, softcap = 3, 3.0
    counter_count = cache.batch * -(-cache.heads * cache.max_qlen // 32)  # one per (sequence, 32-row block)

    def run(context):
        o, lse = cache.outputs()
        partial_o = np.zeros((cache.total_q, cache.heads, splits, MLA_V), np.float32)
        partial_lse = np.zeros((cache.total_q, cache.heads, splits), np.float32)
        counters = np.zeros(counter_count, np.int32)
        asmk.run_op(op, num_splits=splits, scale=SCALE, softcap=softcap, o=o, lse=lse, partial_o=partial_o,
                    partial_lse=partial_lse, counters=counters, context=context, **args)
        np.testing.assert_array_equal(counters, 0, err_msg="the counters are left zero")
        return o, lse, partial_o, partial_lse

    o, lse, partial_o, partial_lse = run(emu)
    want_o, want_lse = mla_decode(cache.q, cache.kv, cache.qo_indptr, keys, SCALE, softcap=softcap)
    np.testing.assert_allclose(bf16_values(o), want_o, **O_TOLERANCE)
    np.testing.assert_allclose(lse, want_lse, **LSE_TOLERANCE)
    assert np.all(np.isneginf(lse[4])) and np.all(o[4] == 0), "a row without visible keys: lse -inf, o 0"
    # the partials it merged are mla_decode_split's
    want_po, want_plse = mla_decode(cache.q, cache.kv, cache.qo_indptr, keys, SCALE, softcap=softcap,
                                    num_splits=splits)
    assert np.all(np.isneginf(partial_lse[0, :, 2])), "the empty split's lse is -inf"
    np.testing.assert_allclose(partial_o, want_po, rtol=5e-3, atol=5e-3)
    np.testing.assert_allclose(partial_lse, want_plse, **LSE_TOLERANCE)

    # Workgroups in reverse grid order on one thread: another split arrives last and merges, the same o and lse.
    monkeypatch.setenv("ASMK_EMU_WORKGROUP_ORDER", "reverse")
    monkeypatch.setenv("ASMK_EMU_THREADS", "1")
    with asmk.Context(device=emu.device["name"], backend="emu") as reverse:
        o_rev, lse_rev, _, _ = run(reverse)
    np.testing.assert_array_equal(o_rev, o)
    np.testing.assert_array_equal(lse_rev, lse)

    # A counter not zero before the call is refused by name (the element rule), nothing written.
    o[:] = 0x7fc0
    counters = np.zeros(counter_count, np.int32)
    counters[1] = 2
    with pytest.raises(asmk.Error, match=r"counters\[1\].* is 2"):
        asmk.run_op(op, num_splits=splits, scale=SCALE, softcap=softcap, o=o, lse=lse, partial_o=partial_o,
                    partial_lse=partial_lse, counters=counters, context=emu, **args)
    assert np.all(o == 0x7fc0), "nothing written"
