"""PyTorch helpers with AITER's and flash-attention's signatures, so a framework can switch with one flag.

    import asmk.torch
    y = asmk.torch.gemm_a8w8(XQ, WQ, x_scale, w_scale, bias=None, dtype=torch.bfloat16)
    o = asmk.torch.flash_attn_varlen_func(q, k, v, cu_seqlens_q, cu_seqlens_k, max_seqlen_q, max_seqlen_k,
                                          causal=True)

GEMM and quantization (AITER): gemm_a8w8, per_token_quant_fp8, per_group_quant_fp8.
Attention (flash-attention 2): flash_attn_func, flash_attn_varlen_func; (AITER) mla_decode_fwd.
MoE (AITER): fused_topk, biased_grouped_topk, moe_sorting, fused_moe (ActivationType, QuantType).

CPU tensors run on the emulator, GPU tensors on the hip backend on torch.cuda.current_stream().
Arguments the kernels cannot honour raise asmk.Error naming what is supported. Each helper calls a
PyTorch custom op (torch.ops.asmk.<name>, CUSTOM_OP_NAMES) with a fake (meta) implementation that
computes only output shapes and dtypes: through torch.library.custom_op on PyTorch >= 2.4
(asmk.torch.CUSTOM_OPS), so torch.compile traces through them, and through torch.library.Library's
schema + CPU/CUDA/Meta kernels on older ones (asmk.torch.LIBRARY_OPS; Debian's 1.13, which has no
torch.compile).
"""

from typing import Optional

import torch

from . import _torch_attention as _attention
from . import _torch_moe as _moe
from . import _tensors, ops
from ._context import context_for
from ._error import Error
from ._torch_moe import ActivationType, QuantType  # noqa: F401 (AITER's enums, re-exported)

_OUT_DTYPES = {torch.bfloat16: "bf16", torch.float16: "fp16"}


def _out_dtype_name(dtype):
    if dtype not in _OUT_DTYPES:
        raise Error("ASMK_ERROR_UNSUPPORTED_DTYPE", 9,
                        f"dtype: {dtype} is not an output dtype of gemm_a8w8 (torch.bfloat16, torch.float16)")
    return _OUT_DTYPES[dtype]


def _gemm_a8w8(XQ: torch.Tensor, WQ: torch.Tensor, x_scale: torch.Tensor, w_scale: torch.Tensor,
               bias: Optional[torch.Tensor] = None, dtype: torch.dtype = torch.bfloat16,
               splitK: Optional[int] = None) -> torch.Tensor:
    """AITER's gemm_a8w8: Y [m, n] = (XQ [m, k] . WQ [n, k]^T) * x_scale [m, 1] * w_scale [1, n] + bias [1, n],
    XQ / WQ fp8 (a torch float8 dtype or uint8 bits) or int8; Y of `dtype`. splitK: None / 0 lets
    asmk choose (it allocates the split-K workspace it needs), else 1, 2, 4 or 8."""
    out = torch.empty((XQ.shape[0], WQ.shape[0]), dtype=dtype, device=XQ.device)
    return ops.gemm_a8w8(XQ, WQ, x_scale, w_scale, bias, out=out, out_dtype=_out_dtype_name(dtype),
                         k_splits=splitK or 0)


def _per_token_quant_fp8(x: torch.Tensor) -> "tuple[torch.Tensor, torch.Tensor]":
    """Dynamic per-token fp8 quantization: (y [m, n] fp8, scale [m, 1] float32) with
    x ~= y * scale (AITER's per_token_quant with the device's fp8 dtype)."""
    return ops.quant_fp8(x)


def _per_group_quant_fp8(x: torch.Tensor) -> "tuple[torch.Tensor, torch.Tensor]":
    """Dynamic fp8 quantization with one scale per 1x128 group: (y [m, n], scale [m, n / 128])."""
    return ops.quant_fp8(x, group=True)


def _fp8_dtype(device):
    """The torch dtype quant_fp8 writes for tensors on `device` (the fp8 of the device's context;
    meta and CPU tensors: the emulator's device)."""
    on_gpu = device.type == "cuda"
    return _tensors.torch_dtype("fp8", context_for(on_gpu, device.index or 0).fp8_format)


def _gemm_a8w8_fake(XQ, WQ, x_scale, w_scale, bias=None, dtype=None, splitK=None):
    return XQ.new_empty((XQ.shape[0], WQ.shape[0]), dtype=dtype or torch.bfloat16)


def _quant_fake(x, group):
    m, n = x.shape
    return (x.new_empty((m, n), dtype=_fp8_dtype(x.device)),
            x.new_empty((m, n // 128 if group else 1), dtype=torch.float32))


# Custom ops torch.ops.asmk.*: name -> (schema, kernel, fake). The kernels run the ops; the fakes
# compute only output shapes and dtypes, so tracing (torch.compile, meta tensors) goes through
# them without running a kernel.
_OPS = {
    "gemm_a8w8": ("gemm_a8w8(Tensor XQ, Tensor WQ, Tensor x_scale, Tensor w_scale, Tensor? bias=None, "
                  "ScalarType? dtype=None, int? splitK=None) -> Tensor",
                  lambda XQ, WQ, x_scale, w_scale, bias=None, dtype=None, splitK=None:
                  _gemm_a8w8(XQ, WQ, x_scale, w_scale, bias, dtype or torch.bfloat16, splitK),
                  _gemm_a8w8_fake),
    "per_token_quant_fp8": ("per_token_quant_fp8(Tensor x) -> (Tensor, Tensor)",
                            _per_token_quant_fp8, lambda x: _quant_fake(x, group=False)),
    "per_group_quant_fp8": ("per_group_quant_fp8(Tensor x) -> (Tensor, Tensor)",
                            _per_group_quant_fp8, lambda x: _quant_fake(x, group=True)),
    "flash_attn_fwd": ("flash_attn_fwd(Tensor q, Tensor k, Tensor v, float softmax_scale, int window_left, "
                       "int window_right, float softcap) -> (Tensor, Tensor)",
                       _attention.flash_attn_kernel, _attention.flash_attn_fake),
    "flash_attn_varlen_fwd": ("flash_attn_varlen_fwd(Tensor q, Tensor k, Tensor v, Tensor cu_seqlens_q, "
                              "Tensor cu_seqlens_k, int max_seqlen_q, int max_seqlen_k, float softmax_scale, "
                              "int window_left, int window_right, float softcap) -> (Tensor, Tensor)",
                              _attention.flash_attn_varlen_kernel, _attention.flash_attn_varlen_fake),
    "mla_decode_fwd": ("mla_decode_fwd(Tensor q, Tensor kv_buffer, Tensor qo_indptr, Tensor kv_indptr, "
                       "Tensor kv_indices, Tensor kv_last_page_lens, int max_seqlen_q, float sm_scale, "
                       "float logit_cap, float q_scale, float kv_scale) -> (Tensor, Tensor)",
                       _attention.mla_decode_kernel, _attention.mla_decode_fake),
    "fused_topk": ("fused_topk(Tensor gating_output, int topk, bool renormalize) -> (Tensor, Tensor)",
                   _moe.fused_topk_kernel, _moe.fused_topk_fake),
    "biased_grouped_topk": ("biased_grouped_topk(Tensor gating_output, Tensor? correction_bias, int topk, "
                            "int num_expert_group, int topk_group, bool need_renorm, float routed_scaling_factor) "
                            "-> (Tensor, Tensor)",
                            _moe.grouped_topk_kernel, _moe.grouped_topk_fake),
    "moe_sorting": ("moe_sorting(Tensor topk_ids, Tensor topk_weights, int num_experts, int model_dim, "
                    "ScalarType moebuf_dtype, int block_size, Tensor? expert_mask=None) "
                    "-> (Tensor, Tensor, Tensor, Tensor, Tensor)",
                    _moe.moe_sorting_kernel, _moe.moe_sorting_fake),
    "fused_moe": ("fused_moe(Tensor hidden_states, Tensor w1, Tensor w2, Tensor topk_weight, Tensor topk_ids, "
                  "Tensor? expert_mask, str activation, int quant_type, Tensor? w1_scale, Tensor? w2_scale, "
                  "int block_size_M, Tensor? bias1, Tensor? bias2) -> Tensor",
                  _moe.fused_moe_kernel, _moe.fused_moe_fake),
}
CUSTOM_OP_NAMES = tuple(_OPS)

CUSTOM_OPS = hasattr(torch, "library") and hasattr(torch.library, "custom_op")  # PyTorch >= 2.4
LIBRARY_OPS = not CUSTOM_OPS and hasattr(torch, "library") and hasattr(torch.library, "Library")

if CUSTOM_OPS:  # untested here: Debian's PyTorch is 1.13
    for _name, (_schema, _kernel, _fake) in _OPS.items():
        _op = torch.library.custom_op(f"asmk::{_name}", _kernel, mutates_args=(), schema=_schema[_schema.index("("):])
        _op.register_fake(_fake)
elif LIBRARY_OPS:
    _library = torch.library.Library("asmk", "DEF")  # kept: the registrations live as long as it does
    for _name, (_schema, _kernel, _fake) in _OPS.items():
        _library.define(_schema)
        for _key in ("CPU", "CUDA"):
            _library.impl(_name, _kernel, _key)
        _library.impl(_name, _fake, "Meta")
        if torch.__version__ < "2":  # 1.x: meta tensors also pass AutogradMeta, which has no fallthrough
            _library.impl(_name, _fake, "AutogradMeta")


def _op(name):
    """torch.ops.asmk.<name> when registered, else the plain kernel (a PyTorch without torch.library)."""
    return getattr(torch.ops.asmk, name) if CUSTOM_OPS or LIBRARY_OPS else _OPS[name][1]


# ------------------------------------------------------------------------------------------ GEMM, quant

def gemm_a8w8(XQ, WQ, x_scale, w_scale, bias=None, dtype=torch.bfloat16, splitK=None):
    return _op("gemm_a8w8")(XQ, WQ, x_scale, w_scale, bias, dtype, splitK)


def per_token_quant_fp8(x):
    return tuple(_op("per_token_quant_fp8")(x))


def per_group_quant_fp8(x):
    return tuple(_op("per_group_quant_fp8")(x))


gemm_a8w8.__doc__ = _gemm_a8w8.__doc__
per_token_quant_fp8.__doc__ = _per_token_quant_fp8.__doc__
per_group_quant_fp8.__doc__ = _per_group_quant_fp8.__doc__


# ------------------------------------------------------------------------------------------ attention

def _attention_result(out, lse, return_lse, return_attn_probs):
    """flash-attention: out, or (out, softmax_lse, S_dmask) with return_attn_probs (S_dmask is None:
    there is no dropout); AITER: (out, lse) with return_lse."""
    if return_attn_probs:
        return out, lse, None
    if return_lse:
        return out, lse
    return out


def flash_attn_func(q, k, v, dropout_p=0.0, softmax_scale=None, causal=False, window_size=(-1, -1), softcap=0.0,
                    alibi_slopes=None, deterministic=False, return_attn_probs=False, *, return_lse=False):
    """flash-attention's flash_attn_func (inference): q [b, s_q, h_q, d], k [b, s_k, h_k, d], v [b, s_k, h_k, dv]
    bfloat16 / float16 (h_q a multiple of h_k: GQA / MQA). causal and window_size (left, right) align
    to the bottom-right corner; softcap > 0 caps the scores. Returns out [b, s_q, h_q, dv]; with
    return_attn_probs (out, softmax_lse [b, h_q, s_q], None), with return_lse (AITER) (out, lse).
    dropout_p must be 0 and alibi_slopes None; `deterministic` (a backward option) is ignored."""
    _attention.check_flash_attn_arguments(dropout_p, alibi_slopes)
    left, right = _attention._mask(causal, window_size)
    out, lse = _op("flash_attn_fwd")(q, k, v, _attention.softmax_scale_or_default(softmax_scale, q), left, right,
                                     float(softcap))
    return _attention_result(out, lse, return_lse, return_attn_probs)


def flash_attn_varlen_func(q, k, v, cu_seqlens_q, cu_seqlens_k, max_seqlen_q, max_seqlen_k, dropout_p=0.0,
                           softmax_scale=None, causal=False, window_size=(-1, -1), softcap=0.0, alibi_slopes=None,
                           deterministic=False, return_attn_probs=False, block_table=None, *, return_lse=False,
                           out=None, logits_soft_cap=0.0, min_seqlen_q=0):
    """flash-attention's flash_attn_varlen_func (inference): sequences packed along the first axis, q
    [total_q, h_q, d], k [total_k, h_k, d], v [total_k, h_k, dv], cu_seqlens_q / cu_seqlens_k int32
    [batch + 1], max_seqlen_q / max_seqlen_k the longest sequences. Masks and returns as
    flash_attn_func, softmax_lse [h_q, total_q]. AITER's keywords: return_lse, out (filled and
    returned), logits_soft_cap (= softcap), min_seqlen_q (a hint, ignored). block_table (paged KV)
    is not supported."""
    _attention.check_flash_attn_arguments(dropout_p, alibi_slopes, block_table)
    left, right = _attention._mask(causal, window_size)
    result, lse = _op("flash_attn_varlen_fwd")(q, k, v, cu_seqlens_q, cu_seqlens_k, int(max_seqlen_q),
                                               int(max_seqlen_k),
                                               _attention.softmax_scale_or_default(softmax_scale, q), left, right,
                                               float(softcap or logits_soft_cap))
    if out is not None:
        out.copy_(result)
        result = out
    return _attention_result(result, lse, return_lse, return_attn_probs)


def mla_decode_fwd(q, kv_buffer, o, qo_indptr, kv_indptr, kv_indices, kv_last_page_lens, max_seqlen_q, page_size=1,
                   nhead_kv=1, sm_scale=None, logit_cap=0.0, num_kv_splits=None, num_kv_splits_indptr=None,
                   work_meta_data=None, work_indptr=None, work_info_set=None, reduce_indptr=None,
                   reduce_final_map=None, reduce_partial_map=None, q_scale=None, kv_scale=None,
                   intra_batch_mode=False, return_logits=False, return_lse=False, g_kv_indptr=None, cp_world_size=1,
                   cp_rank=0, causal=True):
    """AITER's mla_decode_fwd: weight-absorbed MLA decode over a paged latent cache in the CSR form.
    q [total_q, heads, 576] bfloat16 (or fp8 with q_scale), kv_buffer [pages, page_size, 1, 576]
    bfloat16 (or fp8 with kv_scale), qo_indptr / kv_indptr [batch + 1], kv_indices (pages),
    kv_last_page_lens [batch] int32. o [total_q, heads, 512] bfloat16 is filled. Returns (o, lse):
    lse [total_q, heads] float32 with return_lse, else None. sm_scale defaults to 1 / sqrt(576);
    logit_cap > 0 soft-caps the scores. The split-KV plan is asmk's (its workspace is allocated per
    call), so num_kv_splits, num_kv_splits_indptr, work_* , reduce_* and intra_batch_mode are
    scheduling hints that are ignored. Not supported: nhead_kv != 1, causal=False with max_seqlen_q
    > 1, return_logits, context parallelism."""
    _attention.check_mla_arguments(causal, int(max_seqlen_q), return_logits, g_kv_indptr, cp_world_size)
    cache = _attention.mla_cache(kv_buffer, int(page_size), int(nhead_kv))
    result, lse = _op("mla_decode_fwd")(q, cache, qo_indptr, kv_indptr, kv_indices, kv_last_page_lens,
                                        int(max_seqlen_q), _attention.default_mla_scale(sm_scale), float(logit_cap),
                                        _attention.scalar(q_scale, "q_scale"), _attention.scalar(kv_scale, "kv_scale"))
    o.copy_(result)
    return o, (lse if return_lse else None)


# ------------------------------------------------------------------------------------------ MoE

def fused_topk(hidden_states, gating_output, topk, renormalize, topk_ids=None, topk_weights=None):
    """AITER's fused_topk: softmax routing of gating_output [M, E] (float32 / bfloat16) to (topk_weights
    [M, topk] float32, topk_ids [M, topk] int32), the weights renormalized when asked; ties: the lower
    expert id. Given topk_ids / topk_weights are filled and returned."""
    if hidden_states.shape[0] != gating_output.shape[0]:
        raise Error("ASMK_ERROR_UNSUPPORTED_SHAPE", 10,
                    f"hidden_states has {hidden_states.shape[0]} tokens, gating_output {gating_output.shape[0]}")
    weights, ids = _op("fused_topk")(gating_output, int(topk), bool(renormalize))
    return _fill(topk_weights, weights), _fill(topk_ids, ids)


def biased_grouped_topk(gating_output, correction_bias, topk_weights, topk_ids, num_expert_group, topk_group,
                        need_renorm, routed_scaling_factor=1.0):
    """AITER's biased_grouped_topk (DeepSeek-V3 routing): sigmoid scores plus correction_bias [E] choose
    the topk_group best of num_expert_group groups (by their two best), then topk = topk_ids.shape[1]
    experts among them; weights the sigmoid scores (renormalized with need_renorm) times
    routed_scaling_factor. Fills topk_weights [M, topk] float32 and topk_ids [M, topk] int32; returns them."""
    weights, ids = _op("biased_grouped_topk")(gating_output, correction_bias, int(topk_ids.shape[1]),
                                              int(num_expert_group), int(topk_group), bool(need_renorm),
                                              float(routed_scaling_factor))
    return _fill(topk_weights, weights), _fill(topk_ids, ids)


def moe_sorting(topk_ids, topk_weights, num_experts, model_dim, moebuf_dtype, block_size=32, expert_mask=None,
                num_local_tokens=None, dispatch_policy=0, return_local_topk_ids=False, accumulate=True, flat=False,
                output_aux=False):
    """AITER's moe_sorting: (sorted_ids, sorted_weights, sorted_expert_ids, num_valid_ids, moe_buf) — per
    expert its routed slots padded to block_size (16, 32, 64 or 128), the expert of each block, the
    padded total (num_valid_ids[0]) and a zeroed moe_buf [M, model_dim] of moebuf_dtype. expert_mask
    [E] (nonzero: this rank's experts) skips the others' slots. The layout is asmk's: sorted_ids hold
    slots t·topk + j (padding: M·topk), not AITER's packed ids, for asmk's MoE stages."""
    if num_local_tokens is not None or dispatch_policy != 0 or return_local_topk_ids or flat or output_aux:
        raise _moe._unsupported("num_local_tokens / dispatch_policy / return_local_topk_ids / flat / output_aux",
                                "their defaults (None, 0, False, False, False)")
    if int(block_size) not in (16, 32, 64, 128):
        raise _moe._unsupported(f"block_size={block_size}", "16, 32, 64 or 128")
    return tuple(_op("moe_sorting")(topk_ids, topk_weights, int(num_experts), int(model_dim), moebuf_dtype,
                                    int(block_size), expert_mask))


def fused_moe(hidden_states, w1, w2, topk_weight, topk_ids, expert_mask=None, activation=ActivationType.Silu,
              quant_type=QuantType.No, doweight_stage1=False, w1_scale=None, w2_scale=None, a1_scale=None,
              a2_scale=None, block_size_M=None, num_local_tokens=None, moe_sorting_dispatch_policy=0, dtype=None,
              hidden_pad=0, intermediate_pad=0, bias1=None, bias2=None, splitk=0, swiglu_limit=None, beta=None,
              linear_beta=None, gate_mode="separated", shared_w1=None, shared_w2=None, shared_w1_scale=None,
              shared_w2_scale=None, shared_expert_id=-1, stage2_scatter=None):
    """AITER's fused_moe with the routing given: out [M, hidden] bfloat16 = Σ_j topk_weight[:, j] ·
    (act(hidden_states · w1[e_j]ᵀ + bias1) · w2[e_j]ᵀ + bias2) over topk_ids' experts. w1 [E, 2·inter,
    hidden] (gate rows, then up rows), w2 [E, hidden, inter]; expert_mask [E_global] for expert
    parallelism (w1 / w2 then hold the mask's experts in order). activation Silu, Gelu or Swiglu
    (gpt-oss's); quant_type No (bfloat16) or per_Token (fp8 w1 / w2 with w1_scale / w2_scale per
    channel, activations quantized per token); block_size_M None (asmk chooses) or one of the expert
    GEMMs' M tiles (16, 64, 128: moe_gemm1's op spec; another is refused by the op). Anything else
    raises asmk.Error naming what is supported."""
    if any(t is not None for t in (shared_w1, shared_w2, shared_w1_scale, shared_w2_scale)) or shared_expert_id != -1:
        raise _moe._unsupported("shared experts (shared_w1, shared_w2, shared_expert_id)",
                                "routed experts only: run the shared expert as a separate GEMM")
    if stage2_scatter is not None or beta is not None or linear_beta is not None:
        raise _moe._unsupported("stage2_scatter / beta / linear_beta (SiTUv2)", "None")
    quant = _moe.check_fused_moe_arguments(hidden_states, w1, w2, quant_type, doweight_stage1, w1_scale, w2_scale,
                                           a1_scale, a2_scale, num_local_tokens,
                                           moe_sorting_dispatch_policy, dtype, hidden_pad, intermediate_pad, splitk,
                                           swiglu_limit, gate_mode, activation)
    return _op("fused_moe")(hidden_states, w1, w2, topk_weight, topk_ids, expert_mask,
                            _moe.activation_choice(activation), int(quant), w1_scale, w2_scale,
                            int(block_size_M or 0) if block_size_M != -1 else 0, bias1, bias2)


def _fill(given, result):
    if given is None:
        return result
    given.copy_(result)
    return given
