"""asmk.torch's attention helpers with flash-attention's and AITER's signatures (flash_attn_func,
flash_attn_varlen_func, mla_decode_fwd) on CPU PyTorch tensors (the emulator) against op_reference.py,
their refusals, and their fake implementations on meta tensors."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import asmk  # noqa: E402
import asmk.torch  # noqa: E402
from fp8_reference import decode_fp8, random_fp8_bytes  # noqa: E402
from op_reference import (MLA_QK, MLA_V, attention_sequence, attention_varlen, mla_decode,  # noqa: E402
                          mla_sequence_keys_csr)

O_TOLERANCE = dict(rtol=1e-2, atol=1e-2)
LSE_TOLERANCE = dict(rtol=1e-4, atol=2e-3)


def randn(rng, shape, dtype=torch.bfloat16):
    """A random tensor of `dtype` and its exact float64 values."""
    t = torch.from_numpy(rng.standard_normal(shape).astype(np.float32)).to(dtype)
    return t, t.double().numpy()


def test_flash_attn_func_causal_gqa_returns_out_lse_and_no_probabilities():
    rng = np.random.default_rng(51)
    (q, qv), (k, kv), (v, vv) = randn(rng, (2, 20, 4, 64)), randn(rng, (2, 33, 2, 64)), randn(rng, (2, 33, 2, 64))
    out, lse, probs = asmk.torch.flash_attn_func(q, k, v, causal=True, return_attn_probs=True)
    assert out.dtype == torch.bfloat16 and tuple(out.shape) == (2, 20, 4, 64) and probs is None
    assert tuple(lse.shape) == (2, 4, 20)
    for b in range(2):
        want_o, want_lse = attention_sequence(qv[b], kv[b], vv[b], 64 ** -0.5, window_right=0, bottom_right=True)
        np.testing.assert_allclose(out[b].double().numpy(), want_o, **O_TOLERANCE)
        np.testing.assert_allclose(lse[b].numpy(), want_lse, **LSE_TOLERANCE)


def test_flash_attn_func_rows_without_keys_give_zero_and_minus_infinity():
    # causal with seqlen_q > seqlen_k: the first seqlen_q - seqlen_k rows see no key (bottom-right alignment).
    rng = np.random.default_rng(55)
    (q, qv), (k, kv), (v, vv) = randn(rng, (1, 6, 1, 64)), randn(rng, (1, 3, 1, 64)), randn(rng, (1, 3, 1, 64))
    out, lse = asmk.torch.flash_attn_func(q, k, v, causal=True, return_lse=True)
    assert not out[0, :3].any() and torch.isneginf(lse[0, 0, :3]).all()
    want_o, want_lse = attention_sequence(qv[0], kv[0], vv[0], 0.125, window_right=0, bottom_right=True)
    np.testing.assert_allclose(out[0].double().numpy(), want_o, **O_TOLERANCE)
    np.testing.assert_allclose(lse[0].numpy(), want_lse, **LSE_TOLERANCE)


def test_flash_attn_func_fp16_sliding_window_softcap_and_scale():
    rng = np.random.default_rng(52)
    (q, qv), (k, kv), (v, vv) = (randn(rng, (1, 24, 2, 128), torch.float16), randn(rng, (1, 24, 2, 128), torch.float16),
                                 randn(rng, (1, 24, 2, 128), torch.float16))
    out = asmk.torch.flash_attn_func(q, k, v, softmax_scale=0.1, window_size=(6, 3), softcap=4.0)
    assert out.dtype == torch.float16
    want_o, _ = attention_sequence(qv[0], kv[0], vv[0], 0.1, softcap=4.0, window_left=6, window_right=3,
                                   bottom_right=True)
    np.testing.assert_allclose(out[0].double().numpy(), want_o, **O_TOLERANCE)


def test_flash_attn_varlen_func_fills_out_and_returns_lse_as_aiter():
    rng = np.random.default_rng(53)
    cu_q, cu_k = [0, 7, 19, 22], [0, 10, 40, 45]
    (q, qv), (k, kv), (v, vv) = randn(rng, (22, 4, 64)), randn(rng, (45, 1, 64)), randn(rng, (45, 1, 64))
    given = torch.zeros((22, 4, 64), dtype=torch.bfloat16)
    out, lse = asmk.torch.flash_attn_varlen_func(q, k, v, torch.tensor(cu_q, dtype=torch.int32),
                                                 torch.tensor(cu_k, dtype=torch.int32), 12, 30, causal=True,
                                                 return_lse=True, out=given)
    assert out is given and tuple(lse.shape) == (4, 22)
    want_o, want_lse = attention_varlen(qv, kv, vv, cu_q, cu_k, 0.125, window_right=0, bottom_right=True)
    np.testing.assert_allclose(out.double().numpy(), want_o, **O_TOLERANCE)
    np.testing.assert_allclose(lse.numpy(), want_lse, **LSE_TOLERANCE)


def test_flash_attn_refuses_what_the_kernels_cannot_do():
    q = torch.zeros((1, 8, 2, 64), dtype=torch.bfloat16)
    with pytest.raises(asmk.Error, match=r"dropout_p=0.1 is not supported by asmk; supported: dropout_p=0.0"):
        asmk.torch.flash_attn_func(q, q, q, dropout_p=0.1)
    with pytest.raises(asmk.Error, match="alibi_slopes"):
        asmk.torch.flash_attn_func(q, q, q, alibi_slopes=torch.zeros(2))
    odd = torch.zeros((1, 8, 2, 96), dtype=torch.bfloat16)
    with pytest.raises(asmk.Error, match=r"head dims q 96.*\(64, 64\), \(128, 128\)") as error:
        asmk.torch.flash_attn_func(odd, odd, odd)
    assert error.value.status == "ASMK_ERROR_UNSUPPORTED_SHAPE"
    with pytest.raises(asmk.Error, match="expected all torch.bfloat16 or all torch.float16"):
        asmk.torch.flash_attn_func(q.float(), q.float(), q.float())
    packed = torch.zeros((8, 2, 64), dtype=torch.bfloat16)
    cu = torch.tensor([0, 8], dtype=torch.int32)
    with pytest.raises(asmk.Error, match="block_table"):
        asmk.torch.flash_attn_varlen_func(packed, packed, packed, cu, cu, 8, 8, block_table=torch.zeros((1, 1)))


@pytest.mark.parametrize("kv_dtype", ["bf16", "fp8"])
def test_mla_decode_fwd_with_aiter_signature(kv_dtype):
    rng = np.random.default_rng(54)
    q_lens, k_lens, page_size, num_pages, heads = [1, 2], [30, 21], 16, 6, 16
    qo_indptr = np.concatenate([[0], np.cumsum(q_lens)]).astype(np.int32)
    pages = [-(-n // page_size) for n in k_lens]
    kv_indptr = np.concatenate([[0], np.cumsum(pages)]).astype(np.int32)
    kv_indices = rng.permutation(num_pages)[:sum(pages)].astype(np.int32)
    last = np.array([n - (p - 1) * page_size for n, p in zip(k_lens, pages)], np.int32)
    q, qv = randn(rng, (3, heads, MLA_QK))
    cache, cache_v = randn(rng, (num_pages, page_size, 1, MLA_QK))
    kv_scale = None
    if kv_dtype == "fp8":  # fp8 codes (uint8 on PyTorch 1.13) with AITER's one-element scale tensor
        fmt = asmk.context_for(on_gpu=False).fp8_format
        codes = random_fp8_bytes(rng, (num_pages, page_size, 1, MLA_QK), fmt)
        kv_scale = torch.tensor([0.3])
        cache, cache_v = torch.from_numpy(codes), decode_fp8(codes, fmt) * np.float32(0.3)
    o = torch.zeros((3, heads, MLA_V), dtype=torch.bfloat16)
    result, lse = asmk.torch.mla_decode_fwd(q, cache, o, torch.from_numpy(qo_indptr), torch.from_numpy(kv_indptr),
                                            torch.from_numpy(kv_indices), torch.from_numpy(last), max_seqlen_q=2,
                                            page_size=page_size, sm_scale=0.0722, kv_scale=kv_scale, return_lse=True)
    assert result is o
    keys = mla_sequence_keys_csr(kv_indptr, kv_indices, last, page_size)
    want_o, want_lse = mla_decode(qv, cache_v.reshape(-1, MLA_QK), qo_indptr, keys, 0.0722)
    np.testing.assert_allclose(o.double().numpy(), want_o, **O_TOLERANCE)
    np.testing.assert_allclose(lse.numpy(), want_lse, **LSE_TOLERANCE)
    with pytest.raises(asmk.Error, match="causal=False with several query tokens"):
        asmk.torch.mla_decode_fwd(q, cache, o, torch.from_numpy(qo_indptr), torch.from_numpy(kv_indptr),
                                  torch.from_numpy(kv_indices), torch.from_numpy(last), 2, page_size, causal=False)
    with pytest.raises(asmk.Error, match="nhead_kv=2 is not supported by asmk; supported: nhead_kv=1"):
        asmk.torch.mla_decode_fwd(q, cache, o, torch.from_numpy(qo_indptr), torch.from_numpy(kv_indptr),
                                  torch.from_numpy(kv_indices), torch.from_numpy(last), 2, page_size, nhead_kv=2)


def test_fake_implementations_of_the_attention_helpers_on_meta_tensors():
    meta = dict(device="meta", dtype=torch.bfloat16)
    q, k = torch.empty((2, 9, 4, 192), **meta), torch.empty((2, 30, 1, 192), **meta)
    v = torch.empty((2, 30, 1, 128), **meta)
    out, lse = asmk.torch.flash_attn_func(q, k, v, causal=True, return_lse=True)
    assert out.is_meta and tuple(out.shape) == (2, 9, 4, 128) and out.dtype == torch.bfloat16
    assert tuple(lse.shape) == (2, 4, 9) and lse.dtype == torch.float32
    cu = torch.empty(3, device="meta", dtype=torch.int32)
    out, lse, _ = asmk.torch.flash_attn_varlen_func(q[0], k[0], v[0], cu, cu, 9, 30, return_attn_probs=True)
    assert out.is_meta and tuple(out.shape) == (9, 4, 128) and tuple(lse.shape) == (4, 9)
    q = torch.empty((3, 16, MLA_QK), **meta)
    o = torch.empty((3, 16, MLA_V), **meta)
    index = torch.empty(3, device="meta", dtype=torch.int32)
    o2, lse = asmk.torch.mla_decode_fwd(q, torch.empty((6, 16, 1, MLA_QK), **meta), o, index, index, index,
                                        index[:2], 2, 16, return_lse=True)
    assert o2 is o and tuple(lse.shape) == (3, 16) and lse.is_meta


def test_flash_attn_func_reads_q_k_v_as_views_of_a_packed_qkv_tensor():
    rng = np.random.default_rng(56)
    qkv, values = randn(rng, (2, 17, 3, 2, 64))  # [batch, seqlen, q/k/v, heads, d]: strided views, no copy
    q, k, v = qkv[:, :, 0], qkv[:, :, 1], qkv[:, :, 2]
    assert not q.is_contiguous()
    out = asmk.torch.flash_attn_func(q, k, v, causal=True)
    for b in range(2):
        want_o, _ = attention_sequence(values[b, :, 0], values[b, :, 1], values[b, :, 2], 0.125, window_right=0,
                                       bottom_right=True)
        np.testing.assert_allclose(out[b].double().numpy(), want_o, **O_TOLERANCE)
