"""Attention for asmk.torch: flash-attention's flash_attn_func / flash_attn_varlen_func and AITER's
mla_decode_fwd over the ops fmha_fwd, fmha_fwd_varlen and mla_decode.

Each helper is split in two: the public function (asmk.torch) takes the foreign signature, refuses
what the ops cannot do with asmk.Error naming what they can, and calls a custom op of fixed schema
(torch.ops.asmk.*, registered by asmk.torch) whose kernel (here) runs the op and whose fake
computes only shapes and dtypes."""

import math

import torch

from . import _tensors, ops
from ._context import context_for
from ._error import Error

_ATTENTION_DTYPES = {torch.bfloat16: "bf16", torch.float16: "fp16"}


def _unsupported(what, supported):
    return Error("ASMK_ERROR_INVALID_ARGUMENT", 1, f"{what} is not supported by asmk; supported: {supported}")


def _head_dims_choices(op, q):
    """{(head dim of q/k, of v/o): the op's head_dims choice}, read from its op spec ("192x128": 192 and 128)."""
    context = context_for(*_tensors.device_of(q, "q"))
    values = next(a[3] for a in context.op_specs[op] if a[0] == "head_dims")
    choices = {}
    for value in values.split(","):
        qk, _, vo = value.partition("x")
        choices[(int(qk), int(vo or qk))] = value
    return choices


def _attention_choices(op, q, k, v):
    choices = _head_dims_choices(op, q)
    head_dims = choices.get((q.shape[-1], v.shape[-1]))
    if head_dims is None or k.shape[-1] != q.shape[-1]:
        raise Error("ASMK_ERROR_UNSUPPORTED_SHAPE", 10,
                    f"head dims q {q.shape[-1]}, k {k.shape[-1]}, v {v.shape[-1]}: asmk's {op} has (q/k, v) = "
                    + ", ".join(f"({a}, {b})" for a, b in choices))
    if q.dtype not in _ATTENTION_DTYPES or k.dtype != q.dtype or v.dtype != q.dtype:
        raise Error("ASMK_ERROR_UNSUPPORTED_DTYPE", 9,
                    f"q, k, v are {q.dtype}, {k.dtype}, {v.dtype}: expected all torch.bfloat16 or all torch.float16")
    return head_dims, _ATTENTION_DTYPES[q.dtype]


def _mask(causal, window_size):
    """(window_left, window_right) in flash-attention's meaning (-1: unbounded; causal: right = 0)."""
    window = tuple(window_size)
    if len(window) == 3 and window[2] == 0:  # AITER's (left, right, sink) with no sink
        window = window[:2]
    if len(window) != 2:
        raise _unsupported(f"window_size={tuple(window_size)}", "(left, right) or AITER's (left, right, 0)")
    left, right = int(window[0]), int(window[1])
    if causal:
        right = 0
    return left, right


def _mask_arguments(left, right):
    if left < 0 and right < 0:
        return {}
    return dict(mask="window", window_left=left, window_right=right, bottom_right=1)


def check_flash_attn_arguments(dropout_p, alibi_slopes, block_table=None):
    if dropout_p != 0.0:
        raise _unsupported(f"dropout_p={dropout_p}", "dropout_p=0.0 (inference)")
    if alibi_slopes is not None:
        raise _unsupported("alibi_slopes", "None")
    if block_table is not None:
        raise _unsupported("block_table (paged KV)", "None: packed k/v [total_k, heads_k, d]; "
                           "paged MLA caches go through mla_decode_fwd")


def flash_attn_kernel(q, k, v, softmax_scale: float, window_left: int, window_right: int, softcap: float):
    """(out [b, s_q, h_q, dv] of q's dtype, lse [b, h_q, s_q] float32)."""
    head_dims, dtype = _attention_choices("fmha_fwd", q, k, v)
    b, s_q, h_q, _ = q.shape
    out = torch.empty((b, s_q, h_q, v.shape[-1]), dtype=q.dtype, device=q.device)
    lse = torch.empty((b, h_q, s_q), dtype=torch.float32, device=q.device)
    ops.run_op("fmha_fwd", dtype=dtype, out_dtype=dtype, head_dims=head_dims, batch=b, seqlen_q=s_q,
               seqlen_k=k.shape[1], num_heads_q=h_q, num_heads_k=k.shape[2], scale=softmax_scale, softcap=softcap,
               q=q, k=k, v=v, o=out, lse=lse, **_mask_arguments(window_left, window_right))
    return out, lse


def flash_attn_fake(q, k, v, softmax_scale, window_left, window_right, softcap):
    b, s_q, h_q, _ = q.shape
    return (q.new_empty((b, s_q, h_q, v.shape[-1])),
            q.new_empty((b, h_q, s_q), dtype=torch.float32))


def flash_attn_varlen_kernel(q, k, v, cu_seqlens_q, cu_seqlens_k, max_seqlen_q: int, max_seqlen_k: int,
                             softmax_scale: float, window_left: int, window_right: int, softcap: float):
    """(out [total_q, h_q, dv] of q's dtype, lse [h_q, total_q] float32)."""
    head_dims, dtype = _attention_choices("fmha_fwd_varlen", q, k, v)
    total_q, h_q, _ = q.shape
    out = torch.empty((total_q, h_q, v.shape[-1]), dtype=q.dtype, device=q.device)
    lse = torch.empty((h_q, total_q), dtype=torch.float32, device=q.device)
    ops.run_op("fmha_fwd_varlen", dtype=dtype, out_dtype=dtype, head_dims=head_dims,
               batch=cu_seqlens_q.shape[0] - 1, seqlen_q=max_seqlen_q, seqlen_k=max_seqlen_k, total_q=total_q,
               total_k=k.shape[0], num_heads_q=h_q, num_heads_k=k.shape[1], scale=softmax_scale, softcap=softcap,
               q=q, k=k, v=v, o=out, lse=lse, cu_seqlens_q=_int32(cu_seqlens_q, "cu_seqlens_q"),
               cu_seqlens_k=_int32(cu_seqlens_k, "cu_seqlens_k"), **_mask_arguments(window_left, window_right))
    return out, lse


def flash_attn_varlen_fake(q, k, v, cu_seqlens_q, cu_seqlens_k, max_seqlen_q, max_seqlen_k, softmax_scale,
                           window_left, window_right, softcap):
    total_q, h_q, _ = q.shape
    return (q.new_empty((total_q, h_q, v.shape[-1])),
            q.new_empty((h_q, total_q), dtype=torch.float32))


def _int32(t, role):
    if t.dtype == torch.int32:
        return t
    if t.dtype == torch.int64:
        return t.to(torch.int32)
    raise Error("ASMK_ERROR_UNSUPPORTED_DTYPE", 9, f"{role}: expected torch.int32, got {t.dtype}")


def softmax_scale_or_default(softmax_scale, q):
    return float(softmax_scale) if softmax_scale is not None else q.shape[-1] ** -0.5


# ----------------------------------------------------------------------------------------- MLA decode

MLA_QK, MLA_V = 576, 512


def scalar(t, role):
    """A per-tensor scale given as a tensor (AITER) or a number, as a float (reads the device once)."""
    if t is None:
        return 1.0
    if isinstance(t, torch.Tensor):
        if t.numel() != 1:
            raise _unsupported(f"{role} with {t.numel()} elements", "a per-tensor scale (one element)")
        return float(t.reshape(()).item())
    return float(t)


def mla_cache(kv_buffer, page_size, nhead_kv):
    """AITER's kv_buffer [pages, page_size, nhead_kv, 576] (or [pages, page_size, 576]) as [pages, page_size, 576]."""
    if nhead_kv != 1:
        raise _unsupported(f"nhead_kv={nhead_kv}", "nhead_kv=1 (MLA's single latent head)")
    if kv_buffer.dim() == 4:
        if kv_buffer.shape[2] != 1:
            raise _unsupported(f"kv_buffer with {kv_buffer.shape[2]} kv heads", "1")
        kv_buffer = kv_buffer.reshape(kv_buffer.shape[0], kv_buffer.shape[1], kv_buffer.shape[3])
    if kv_buffer.dim() != 3 or kv_buffer.shape[2] != MLA_QK or kv_buffer.shape[1] != page_size:
        raise Error("ASMK_ERROR_UNSUPPORTED_SHAPE", 10,
                    f"kv_buffer: expected [pages, page_size={page_size}, 1, {MLA_QK}] (or without the head "
                    f"axis), got {list(kv_buffer.shape)}")
    return kv_buffer


def _mla_dtype(t, role):
    if t.dtype == torch.bfloat16:
        return "bf16"
    if t.element_size() == 1:
        return "fp8"
    raise Error("ASMK_ERROR_UNSUPPORTED_DTYPE", 9, f"{role}: expected torch.bfloat16 or fp8, got {t.dtype}")


def mla_decode_kernel(q, kv_buffer, qo_indptr, kv_indptr, kv_indices, kv_last_page_lens, max_seqlen_q: int,
                      sm_scale: float, logit_cap: float, q_scale: float, kv_scale: float):
    """(o [total_q, heads, 512] bfloat16, lse [total_q, heads] float32); kv_buffer [pages, page_size, 576]."""
    total_q, heads, _ = q.shape
    o = torch.empty((total_q, heads, MLA_V), dtype=torch.bfloat16, device=q.device)
    lse = torch.empty((total_q, heads), dtype=torch.float32, device=q.device)
    ops.run_op("mla_decode", batch=qo_indptr.shape[0] - 1, heads=heads, max_qlen=max_seqlen_q, total_q=total_q,
               num_pages=kv_buffer.shape[0], page_size=kv_buffer.shape[1], num_indices=kv_indices.shape[0],
               q_dtype=_mla_dtype(q, "q"), kv_dtype=_mla_dtype(kv_buffer, "kv_buffer"), scale=sm_scale,
               softcap=logit_cap, q_scale=q_scale, kv_scale=kv_scale, q=q, kv=kv_buffer, o=o, lse=lse,
               qo_indptr=_int32(qo_indptr, "qo_indptr"), kv_indptr=_int32(kv_indptr, "kv_indptr"),
               kv_indices=_int32(kv_indices, "kv_indices"),
               kv_last_page_len=_int32(kv_last_page_lens, "kv_last_page_lens"))
    return o, lse


def mla_decode_fake(q, kv_buffer, qo_indptr, kv_indptr, kv_indices, kv_last_page_lens, max_seqlen_q, sm_scale,
                    logit_cap, q_scale, kv_scale):
    total_q, heads, _ = q.shape
    return (q.new_empty((total_q, heads, MLA_V), dtype=torch.bfloat16),
            q.new_empty((total_q, heads), dtype=torch.float32))


def check_mla_arguments(causal, max_seqlen_q, return_logits, g_kv_indptr, cp_world_size):
    if not causal and max_seqlen_q > 1:
        raise _unsupported("causal=False with several query tokens per sequence",
                           "causal=True (a sequence's new tokens see the keys before them), or max_seqlen_q=1")
    if return_logits:
        raise _unsupported("return_logits=True", "return_logits=False (o is filled, lse with return_lse=True)")
    if g_kv_indptr is not None or cp_world_size != 1:
        raise _unsupported("context parallelism (g_kv_indptr, cp_world_size > 1)", "cp_world_size=1")


def default_mla_scale(sm_scale):
    return float(sm_scale) if sm_scale is not None else 1.0 / math.sqrt(MLA_QK)

