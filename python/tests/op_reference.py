"""Independent NumPy references (float64) for the attention, MLA and MoE ops, written here from the ops'
contracts (templates/*/op*.yaml docs and docs/contracts.md), not taken from asmk's ref/ library.

Shapes follow the ops: tokens first, heads next, the head dimension last."""

import math

import numpy as np

from fp8_reference import bf16_bits, bf16_values, finite_fp8_grid, fp8_max


# ------------------------------------------------------------------------------------------ numbers

def ceil_div(a, b):
    return -(-a // b)


def round_bf16(values):
    """float64 values rounded to bf16 (through float32, round to nearest even)."""
    return bf16_values(bf16_bits(np.asarray(values, np.float64).astype(np.float32)))


def quantize_fp8_rows(values, fmt):
    """Dynamic per-row fp8 quantization, dequantized: each row divided by amax / fp8 max, every value
    rounded to the nearest of the format's values (a kernel may take the other neighbour at a near-tie:
    the tests' tolerances cover one such step), times the scale again. float64 in and out."""
    values = np.asarray(values, np.float64)
    scale = np.abs(values).max(axis=-1, keepdims=True) / fp8_max(fmt)
    scale = np.where(scale > 0, scale, 1.0)
    grid = finite_fp8_grid(fmt)
    v = values / scale
    hi = np.clip(np.searchsorted(grid, v), 1, len(grid) - 1)
    nearest = np.where(np.abs(v - grid[hi - 1]) <= np.abs(grid[hi] - v), grid[hi - 1], grid[hi])
    return nearest * scale


def random_bf16(rng, shape, scale=1.0):
    """(bits as uint16, float64 values) of random bf16 numbers ~ N(0, scale²)."""
    bits = bf16_bits((rng.standard_normal(shape) * scale).astype(np.float32))
    return bits, bf16_values(bits)


def assert_close_to_magnitude(got, want, magnitude, relative, what):
    """|got - want| <= relative · magnitude elementwise (magnitude: what the error scales with)."""
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    allowed = relative * np.maximum(np.asarray(magnitude, np.float64), 1e-30) + 1e-6
    bad = np.argwhere(~(np.abs(got - want) <= allowed))
    assert bad.size == 0, (f"{what}: {len(bad)} elements off, first at {tuple(bad[0])}: got {got[tuple(bad[0])]}, "
                           f"want {want[tuple(bad[0])]} (allowed {allowed[tuple(bad[0])]})")


# ------------------------------------------------------------------------------------------ attention

def visible_keys(i, s_q, s_k, window_left=-1, window_right=-1, bottom_right=False):
    """Boolean [s_k] mask of the keys query row i sees (flash-attention's windows when bottom_right)."""
    j = np.arange(s_k)
    diag = i + (s_k - s_q if bottom_right else 0)
    keep = np.ones(s_k, bool)
    if window_left >= 0:
        keep &= j >= diag - window_left
    if window_right >= 0:
        keep &= j <= diag + window_right
    return keep


def softmax_rows(s, keep):
    """(softmax over the visible entries of each row, natural-log LSE); rows with nothing visible: 0, -inf."""
    s = np.where(keep, s, -np.inf)
    m = s.max(axis=-1, keepdims=True)
    finite = np.isfinite(m)
    e = np.where(keep & finite, np.exp(s - np.where(finite, m, 0.0)), 0.0)
    total = e.sum(axis=-1, keepdims=True)
    p = np.divide(e, total, out=np.zeros_like(e), where=total > 0)
    lse = np.where(total[..., 0] > 0, m[..., 0] + np.log(np.where(total[..., 0] > 0, total[..., 0], 1.0)), -np.inf)
    return p, lse


def attention_sequence(q, k, v, scale, softcap=0.0, window_left=-1, window_right=-1, bottom_right=False):
    """One sequence: q [s_q, h_q, d], k [s_k, h_k, d], v [s_k, h_k, dv] (float64) ->
    (o [s_q, h_q, dv], lse [h_q, s_q]). Query head h reads key head h // (h_q / h_k)."""
    s_q, h_q, _ = q.shape
    s_k, h_k, _ = k.shape
    o = np.zeros((s_q, h_q, v.shape[2]))
    lse = np.zeros((h_q, s_q))
    keep = np.stack([visible_keys(i, s_q, s_k, window_left, window_right, bottom_right) for i in range(s_q)])
    for h in range(h_q):
        kh = h // (h_q // h_k)
        s = scale * (q[:, h, :] @ k[:, kh, :].T)
        if softcap > 0:
            s = softcap * np.tanh(s / softcap)
        p, lse[h] = softmax_rows(s, keep)
        o[:, h, :] = p @ v[:, kh, :]
    return o, lse


def attention_varlen(q, k, v, cu_q, cu_k, scale, **mask):
    """Packed sequences: q [total_q, h_q, d] ... -> (o [total_q, h_q, dv], lse [h_q, total_q])."""
    o = np.zeros((q.shape[0], q.shape[1], v.shape[2]))
    lse = np.zeros((q.shape[1], q.shape[0]))
    for b in range(len(cu_q) - 1):
        rows, keys = slice(cu_q[b], cu_q[b + 1]), slice(cu_k[b], cu_k[b + 1])
        o[rows], lse[:, rows] = attention_sequence(q[rows], k[keys], v[keys], scale, **mask)
    return o, lse


# ------------------------------------------------------------------------------------------ MLA decode

MLA_QK, MLA_V = 576, 512


def mla_sequence_keys_csr(kv_indptr, kv_indices, kv_last_page_len, page_size):
    """Per sequence the cache rows (page · page_size + slot) of its keys, in order, from the CSR page table."""
    rows = []
    for b in range(len(kv_indptr) - 1):
        pages = kv_indices[kv_indptr[b]:kv_indptr[b + 1]]
        seqlen = (len(pages) - 1) * page_size + kv_last_page_len[b] if len(pages) else 0
        rows.append(np.array([pages[j // page_size] * page_size + j % page_size for j in range(seqlen)], np.int64))
    return rows


def mla_sequence_keys_block_table(block_table, seq_lens, page_size):
    return [np.array([block_table[b, j // page_size] * page_size + j % page_size for j in range(seq_lens[b])], np.int64)
            for b in range(len(seq_lens))]


def mla_decode(q, kv, qo_indptr, key_rows, scale, softcap=0.0, num_splits=1, granule=32):
    """Weight-absorbed MLA decode. q [total_q, heads, 576], kv [pages · page_size, 576] (float64, the V
    of a key is its first 512 values); query token t of a sequence with n new tokens and seqlen_k keys
    sees keys j < seqlen_k - n + t + 1. With num_splits > 1 the keys are cut into ranges of
    ceil(seqlen_k / num_splits) rounded up to `granule` keys and the per-split (o normalized over the
    split, lse) are returned: o [total_q, heads, num_splits, 512], lse [total_q, heads, num_splits];
    else o [total_q, heads, 512], lse [total_q, heads]."""
    total_q, heads, _ = q.shape
    o = np.zeros((total_q, heads, num_splits, MLA_V))
    lse = np.full((total_q, heads, num_splits), -np.inf)
    for b in range(len(qo_indptr) - 1):
        keys = kv[key_rows[b]]
        seqlen_k, n = len(keys), qo_indptr[b + 1] - qo_indptr[b]
        per_split = ceil_div(ceil_div(seqlen_k, num_splits), granule) * granule if num_splits > 1 else max(seqlen_k, 1)
        for t in range(n):
            token = qo_indptr[b] + t
            causal = np.arange(seqlen_k) < seqlen_k - n + t + 1
            s = scale * (q[token] @ keys.T)  # [heads, seqlen_k]
            if softcap > 0:
                s = softcap * np.tanh(s / softcap)
            for split in range(num_splits):
                key = np.arange(seqlen_k)
                in_split = causal & (key >= split * per_split) & (key < (split + 1) * per_split)
                p, lse[token, :, split] = softmax_rows(s, np.broadcast_to(in_split, s.shape))
                o[token, :, split, :] = p @ keys[:, :MLA_V]
    if num_splits == 1:
        return o[:, :, 0, :], lse[:, :, 0]
    return o, lse


def lse_combine(partial_o, partial_lse):
    """o = Σ_s e^(lse_s − lse) · o_s, lse = ln Σ_s e^(lse_s) over the last split axis (o 0, lse -inf when
    every split is empty). partial_o [..., splits, dv], partial_lse [..., splits]."""
    lse_max = partial_lse.max(axis=-1, keepdims=True)
    finite = np.isfinite(lse_max)
    w = np.where(finite, np.exp(partial_lse - np.where(finite, lse_max, 0.0)), 0.0)
    total = w.sum(axis=-1, keepdims=True)
    lse = np.where(total[..., 0] > 0, lse_max[..., 0] + np.log(np.where(total > 0, total, 1.0)[..., 0]), -np.inf)
    weights = np.divide(w, total, out=np.zeros_like(w), where=total > 0)
    return (weights[..., None] * partial_o).sum(axis=-2), lse


# ------------------------------------------------------------------------------------------ MoE

def topk_softmax(logits, k, renormalize):
    """(ids [T, k] by decreasing logit, ties: lower id; weights softmax(logits)[ids], / their sum when
    renormalize)."""
    logits = np.asarray(logits, np.float64)
    ids = np.argsort(-logits, axis=1, kind="stable")[:, :k]
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    weights = np.take_along_axis(p, ids, axis=1)
    if renormalize:
        weights /= weights.sum(axis=1, keepdims=True)
    return ids.astype(np.int32), weights


def grouped_topk(logits, bias, k, n_group, topk_group, renormalize, routed_scaling_factor):
    """DeepSeek-V3 routing: s = sigmoid(logits), b = s + bias; groups scored by the sum of their two
    largest b; the topk_group best groups (ties: lower group) kept; of their experts the k largest b
    (ties: lower id); weights s (renormalized) · routed_scaling_factor. ids by decreasing b."""
    logits = np.asarray(logits, np.float64)
    tokens, experts = logits.shape
    s = 1.0 / (1.0 + np.exp(-logits))
    b = s + (np.zeros(experts) if bias is None else np.asarray(bias, np.float64))
    per_group = experts // n_group
    ids = np.zeros((tokens, k), np.int32)
    weights = np.zeros((tokens, k))
    for t in range(tokens):
        groups = b[t].reshape(n_group, per_group)
        top2 = np.sort(groups, axis=1)[:, ::-1][:, :min(2, per_group)].sum(axis=1)
        kept = np.argsort(-top2, kind="stable")[:topk_group]
        candidates = np.where(np.isin(np.arange(experts) // per_group, kept), b[t], -np.inf)
        ids[t] = np.argsort(-candidates, kind="stable")[:k]
        w = s[t, ids[t]]
        weights[t] = (w / w.sum() if renormalize else w) * routed_scaling_factor
    return ids, weights


def moe_sort(ids, weights, local_experts, block_m, expert_map=None):
    """The sorted layout: per local expert (increasing id) its slots t·k + j (increasing), padded to a
    multiple of block_m with the sentinel T·k (weight 0); an expert without slots takes no block.
    Returns (sorted_ids, sorted_weights, block_expert, padded_total) at capacity
    (ceil(T·k / block_m) + local_experts) blocks; past the total: sentinel, 0, -1."""
    tokens, k = ids.shape
    slots = tokens * k
    flat_ids = ids.reshape(-1)
    local = flat_ids if expert_map is None else np.where(flat_ids >= 0, np.asarray(expert_map)[flat_ids], -1)  # -1: none
    blocks = ceil_div(slots, block_m) + local_experts
    sorted_ids = np.full(blocks * block_m, slots, np.int32)
    sorted_weights = np.zeros(blocks * block_m, np.float32)
    block_expert = np.full(blocks, -1, np.int32)
    at = 0
    for e in range(local_experts):
        mine = np.flatnonzero(local == e)
        if len(mine) == 0:
            continue
        sorted_ids[at:at + len(mine)] = mine
        sorted_weights[at:at + len(mine)] = np.asarray(weights, np.float32).reshape(-1)[mine]
        used = ceil_div(len(mine), block_m)
        block_expert[at // block_m:at // block_m + used] = e
        at += used * block_m
    return sorted_ids, sorted_weights, block_expert, at


def activation(name, gate, up, alpha=1.702, limit=7.0):
    if name == "silu":
        return gate / (1.0 + np.exp(-gate)) * up
    if name == "gelu":
        return gate * 0.5 * (1.0 + np.vectorize(math.erf)(gate / math.sqrt(2.0))) * up
    if name == "swiglu_oai":
        g = np.minimum(gate, limit)
        u = np.clip(up, -limit, limit)
        return (u + 1.0) * g / (1.0 + np.exp(-alpha * g))
    raise ValueError(name)


def moe_stage1_rows(x, w1, sorted_ids, block_expert, padded_total, k, act, block_m, scale_x=None, scale_w=None,
                    bias=None):
    """Stage 1 per slot: {slot: act(gate, up) [inter]} for every sorted entry below the padded total;
    x [T, H], w1 [E, 2·I, H] (values), fp8 scales per token / weight row when given."""
    inter = w1.shape[1] // 2
    rows = {}
    for entry in range(padded_total):
        slot = int(sorted_ids[entry])
        if slot >= x.shape[0] * k:
            continue
        e, t = block_expert[entry // block_m], slot // k
        h = w1[e] @ x[t]
        if scale_x is not None:
            h = h * scale_x[t] * scale_w[e]
        if bias is not None:
            h = h + bias[e]
        rows[slot] = activation(act, h[:inter], h[inter:])
    return rows


def moe_stage2_rows(a, w2, sorted_ids, sorted_weights, block_expert, padded_total, block_m, scale_a=None,
                    scale_w=None, bias=None):
    """Stage 2 per slot: {slot: weight · (a[slot] · w2[e]ᵀ (· scales) + bias[e]) [hidden]}."""
    rows = {}
    for entry in range(padded_total):
        slot = int(sorted_ids[entry])
        if slot >= a.shape[0]:
            continue
        e = block_expert[entry // block_m]
        h = w2[e] @ a[slot]
        if scale_a is not None:
            h = h * scale_a[slot] * scale_w[e]
        if bias is not None:
            h = h + bias[e]
        rows[slot] = float(sorted_weights[entry]) * h
    return rows


def moe_sum_bits(partial, ids, local_experts, expert_map=None):
    """bf16 bits of out[t] = Σ_j partial[t·k + j] in float32, j = 0..k-1 in order from +0, over the slots
    whose expert is local; round to nearest even."""
    tokens, k = ids.shape
    out = np.zeros((tokens, partial.shape[1]), np.float32)
    for t in range(tokens):
        for j in range(k):
            e = ids[t, j]
            local = e if expert_map is None else expert_map[e]
            if 0 <= local < local_experts:
                out[t] = out[t] + partial[t * k + j].astype(np.float32)
    return bf16_bits(out)
