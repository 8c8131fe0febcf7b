"""Mixture of experts for asmk.torch: AITER's fused_topk, biased_grouped_topk, moe_sorting and fused_moe
over the ops moe_topk_softmax, moe_grouped_topk, moe_sort, moe_gemm1/2 (+ _fp8) and moe_sum.

As in _torch_attention: the public functions (asmk.torch) take AITER's signatures and refuse what
the ops cannot do; the kernels here run the ops behind custom ops of fixed schema, the fakes give
shapes and dtypes.

The sorted layout is asmk's (docs/op-spec.md, moe_sort): sorted_ids hold slots t·k + j (padding:
the sentinel tokens·k), not AITER's packed (j << 24 | t) ids — pass it to asmk's stages, not to
AITER's kernels."""

from enum import IntEnum

import torch

from . import ops
from ._error import Error


class ActivationType(IntEnum):
    """AITER's aiter.ActivationType values (an AITER enum member, its int or its name are accepted)."""
    No = -1
    Silu = 0
    Gelu = 1
    Swiglu = 2
    Situv2 = 3


class QuantType(IntEnum):
    """AITER's aiter.QuantType values."""
    No = 0
    per_Tensor = 1
    per_Token = 2
    per_1x32 = 3
    per_1x128 = 4
    per_128x128 = 5


# AITER activation -> the moe_gemm1 activation choice (Swiglu: gpt-oss's, alpha 1.702, limit 7).
_ACTIVATIONS = {ActivationType.Silu: "silu", ActivationType.Gelu: "gelu", ActivationType.Swiglu: "swiglu_oai"}


def _unsupported(what, supported):
    return Error("ASMK_ERROR_INVALID_ARGUMENT", 1, f"{what} is not supported by asmk; supported: {supported}")


def enum_value(value, enum, role):
    """An AITER enum member, an int or a name -> our enum member."""
    try:
        if isinstance(value, str):
            return enum[value]
        return enum(int(getattr(value, "value", value)))
    except (KeyError, ValueError):
        raise Error("ASMK_ERROR_INVALID_ARGUMENT", 1,
                    f"{role}={value!r}: not one of {[m.name for m in enum]}") from None


def activation_choice(activation):
    act = enum_value(activation, ActivationType, "activation")
    if act not in _ACTIVATIONS:
        raise _unsupported(f"activation={act.name}", ", ".join(a.name for a in _ACTIVATIONS))
    return _ACTIVATIONS[act]


def _int32(t):
    return t if t.dtype == torch.int32 else t.to(torch.int32)


def _float32(t):
    return t if t.dtype == torch.float32 else t.to(torch.float32)


def expert_map_of(expert_mask):
    """AITER's expert_mask [E] (nonzero: this rank's experts) -> asmk's expert_map (global -> local id, -1)."""
    local = expert_mask != 0
    return torch.where(local, torch.cumsum(local.to(torch.int32), 0, dtype=torch.int32) - 1,
                       torch.full_like(expert_mask, -1, dtype=torch.int32)).to(torch.int32)


def sort_capacity(tokens, k, local_experts, block_m):
    """Entries and blocks of the sorted layout (moe_sort's op spec)."""
    blocks = -(-tokens * k // block_m) + local_experts
    return blocks * block_m, blocks


# ------------------------------------------------------------------------------------------ routing

def fused_topk_kernel(gating_output, topk: int, renormalize: bool):
    """(topk_weights [M, topk] float32, topk_ids [M, topk] int32) of softmax(gating_output)."""
    tokens, experts = gating_output.shape
    weights = torch.empty((tokens, topk), dtype=torch.float32, device=gating_output.device)
    ids = torch.empty((tokens, topk), dtype=torch.int32, device=gating_output.device)
    ops.run_op("moe_topk_softmax", tokens=tokens, experts=experts, k=topk, renormalize=int(bool(renormalize)),
               logits=_float32(gating_output).contiguous(), topk_ids=ids, topk_weights=weights)
    return weights, ids


def fused_topk_fake(gating_output, topk, renormalize):
    tokens = gating_output.shape[0]
    return (gating_output.new_empty((tokens, topk), dtype=torch.float32),
            gating_output.new_empty((tokens, topk), dtype=torch.int32))


def grouped_topk_kernel(gating_output, correction_bias, topk: int, num_expert_group: int, topk_group: int,
                        need_renorm: bool, routed_scaling_factor: float):
    tokens, experts = gating_output.shape
    weights = torch.empty((tokens, topk), dtype=torch.float32, device=gating_output.device)
    ids = torch.empty((tokens, topk), dtype=torch.int32, device=gating_output.device)
    ops.run_op("moe_grouped_topk", tokens=tokens, experts=experts, k=topk, n_group=num_expert_group,
               topk_group=topk_group, renormalize=int(bool(need_renorm)), routed_scaling_factor=routed_scaling_factor,
               logits=_float32(gating_output).contiguous(),
               correction_bias=None if correction_bias is None else _float32(correction_bias).contiguous(),
               topk_ids=ids, topk_weights=weights)
    return weights, ids


def grouped_topk_fake(gating_output, correction_bias, topk, num_expert_group, topk_group, need_renorm,
                      routed_scaling_factor):
    return fused_topk_fake(gating_output, topk, need_renorm)


# ------------------------------------------------------------------------------------------ sorting

def moe_sorting_kernel(topk_ids, topk_weights, num_experts: int, model_dim: int, moebuf_dtype: torch.dtype,
                       block_size: int, expert_mask=None):
    """(sorted_ids, sorted_weights, sorted_expert_ids, num_valid_ids [1], moe_buf [M, model_dim] zeros) at the
    capacity of num_experts local experts (entries past the padded total: the sentinel, 0, -1)."""
    tokens, k = topk_ids.shape
    entries, blocks = sort_capacity(tokens, k, num_experts, block_size)
    device = topk_ids.device
    sorted_ids = torch.empty(entries, dtype=torch.int32, device=device)
    sorted_weights = torch.empty(entries, dtype=torch.float32, device=device)
    block_expert = torch.empty(blocks, dtype=torch.int32, device=device)
    total = torch.empty(1, dtype=torch.int32, device=device)
    ops.run_op("moe_sort", tokens=tokens, k=k, experts=num_experts, local_experts=num_experts, block_m=block_size,
               topk_ids=_int32(topk_ids).contiguous(), topk_weights=_float32(topk_weights).contiguous(),
               expert_map=None if expert_mask is None else expert_map_of(expert_mask), sorted_ids=sorted_ids,
               sorted_weights=sorted_weights, block_expert=block_expert, total_padded=total)
    moe_buf = torch.zeros((tokens, model_dim), dtype=moebuf_dtype, device=device)
    return sorted_ids, sorted_weights, block_expert, total, moe_buf


def moe_sorting_fake(topk_ids, topk_weights, num_experts, model_dim, moebuf_dtype, block_size, expert_mask=None):
    tokens, k = topk_ids.shape
    entries, blocks = sort_capacity(tokens, k, num_experts, block_size)
    new = topk_ids.new_empty
    return (new(entries, dtype=torch.int32), new(entries, dtype=torch.float32), new(blocks, dtype=torch.int32),
            new(1, dtype=torch.int32), new((tokens, model_dim), dtype=moebuf_dtype))


# ------------------------------------------------------------------------------------------ the layer

def default_block_m(tokens, k, local_experts):
    """16 for decode-sized batches (few slots per expert), 64 otherwise."""
    return 16 if tokens * k <= 16 * local_experts else 64


def fused_moe_kernel(hidden_states, w1, w2, topk_weight, topk_ids, expert_mask, activation: str, quant_type: int,
                     w1_scale, w2_scale, block_size_M: int, bias1, bias2):
    """out [M, hidden] bfloat16 of the routed experts: moe_sort, stage 1, stage 2, moe_sum (bf16), or with
    quant_type per_Token the fp8 stages with activations quantized per token (quant_fp8) in between."""
    tokens, hidden = hidden_states.shape
    local_experts, two_inter, _ = w1.shape
    inter, k = two_inter // 2, topk_ids.shape[1]
    experts = expert_mask.shape[0] if expert_mask is not None else local_experts
    block_m = block_size_M if block_size_M > 0 else default_block_m(tokens, k, local_experts)
    device = hidden_states.device
    ids = _int32(topk_ids).contiguous()
    expert_map = None if expert_mask is None else expert_map_of(expert_mask)

    entries, blocks = sort_capacity(tokens, k, local_experts, block_m)
    layout = dict(sorted_ids=torch.empty(entries, dtype=torch.int32, device=device),
                  block_expert=torch.empty(blocks, dtype=torch.int32, device=device),
                  total_padded=torch.empty(1, dtype=torch.int32, device=device))
    sorted_weights = torch.empty(entries, dtype=torch.float32, device=device)
    ops.run_op("moe_sort", tokens=tokens, k=k, experts=experts, local_experts=local_experts, block_m=block_m,
               topk_ids=ids, topk_weights=_float32(topk_weight).contiguous(), expert_map=expert_map,
               sorted_weights=sorted_weights, **layout)

    sizes = dict(tokens=tokens, k=k, experts=local_experts, hidden=hidden, inter=inter, block_m=block_m)
    inter_rows = torch.zeros((tokens * k, inter), dtype=torch.bfloat16, device=device)  # remote slots stay 0
    partial = torch.empty((tokens * k, hidden), dtype=torch.float32, device=device)
    bias1 = None if bias1 is None else _float32(bias1).contiguous()
    bias2 = None if bias2 is None else _float32(bias2).contiguous()
    if quant_type == QuantType.per_Token:
        xq, x_scale = ops.quant_fp8(hidden_states)
        ops.run_op("moe_gemm1_fp8", activation=activation, a=xq, w=w1, scale_a=x_scale.reshape(tokens),
                   scale_w=_float32(w1_scale).reshape(local_experts, two_inter), bias=bias1, out=inter_rows,
                   **sizes, **layout)
        iq, i_scale = ops.quant_fp8(inter_rows)
        ops.run_op("moe_gemm2_fp8", a=iq, w=w2, scale_a=i_scale.reshape(tokens * k),
                   scale_w=_float32(w2_scale).reshape(local_experts, hidden), bias=bias2, out=partial,
                   sorted_weights=sorted_weights, **sizes, **layout)
    else:
        ops.run_op("moe_gemm1", activation=activation, a=hidden_states, w=w1, bias=bias1, out=inter_rows, **sizes,
                   **layout)
        ops.run_op("moe_gemm2", a=inter_rows, w=w2, bias=bias2, out=partial, sorted_weights=sorted_weights, **sizes,
                   **layout)
    out = torch.empty((tokens, hidden), dtype=torch.bfloat16, device=device)
    ops.run_op("moe_sum", tokens=tokens, k=k, experts=experts, local_experts=local_experts, hidden=hidden,
               partial=partial, topk_ids=ids, expert_map=expert_map, out=out)
    return out


def fused_moe_fake(hidden_states, w1, w2, topk_weight, topk_ids, expert_mask, activation, quant_type, w1_scale,
                   w2_scale, block_size_M, bias1, bias2):
    return hidden_states.new_empty(hidden_states.shape, dtype=torch.bfloat16)


def check_fused_moe_arguments(hidden_states, w1, w2, quant_type, doweight_stage1, w1_scale, w2_scale, a1_scale,
                              a2_scale, num_local_tokens, moe_sorting_dispatch_policy, dtype, hidden_pad,
                              intermediate_pad, splitk, swiglu_limit, gate_mode, activation):
    """Refuses what asmk's MoE stages cannot do, naming what they can. Returns the quant type."""
    quant = enum_value(quant_type, QuantType, "quant_type")
    if quant not in (QuantType.No, QuantType.per_Token):
        raise _unsupported(f"quant_type={quant.name}", "QuantType.No (bf16) and QuantType.per_Token "
                           "(fp8 weights with per-channel w1_scale / w2_scale, activations quantized per token)")
    if quant == QuantType.No and hidden_states.dtype != torch.bfloat16:
        raise Error("ASMK_ERROR_UNSUPPORTED_DTYPE", 9,
                    f"hidden_states: {hidden_states.dtype}; asmk's MoE takes torch.bfloat16 (QuantType.No)")
    if quant == QuantType.No and (w1.dtype != torch.bfloat16 or w2.dtype != torch.bfloat16):
        raise Error("ASMK_ERROR_UNSUPPORTED_DTYPE", 9,
                    f"w1 {w1.dtype}, w2 {w2.dtype}: QuantType.No takes torch.bfloat16 weights")
    if quant == QuantType.per_Token:
        if w1.element_size() != 1 or w2.element_size() != 1 or w1_scale is None or w2_scale is None:
            raise _unsupported("QuantType.per_Token without fp8 w1/w2 and both w1_scale, w2_scale",
                               "fp8 w1, w2 with float32 w1_scale [E, 2·inter(, 1)] and w2_scale [E, hidden(, 1)]")
        if w1.shape[1] // 2 % 128 or hidden_states.shape[1] % 128:
            raise _unsupported(f"QuantType.per_Token with hidden {hidden_states.shape[1]}, inter {w1.shape[1] // 2}",
                               "hidden and inter multiples of 128 (per-token quantization in 1x128 groups)")
    if a1_scale is not None or a2_scale is not None:
        raise _unsupported("static activation scales (a1_scale, a2_scale)", "None: dynamic per-token scales")
    if doweight_stage1:
        raise _unsupported("doweight_stage1=True", "False (the routing weights are applied in stage 2)")
    if num_local_tokens is not None or moe_sorting_dispatch_policy != 0:
        raise _unsupported("num_local_tokens / moe_sorting_dispatch_policy", "None / 0")
    if dtype not in (None, torch.bfloat16):
        raise _unsupported(f"dtype={dtype}", "torch.bfloat16 (the output)")
    if hidden_pad or intermediate_pad or splitk:
        raise _unsupported("hidden_pad / intermediate_pad / splitk", "0")
    if gate_mode not in (None, "separated"):
        raise _unsupported(f"gate_mode={gate_mode!r}", "'separated' (w1's gate rows, then its up rows)")
    act = enum_value(activation, ActivationType, "activation")
    if act == ActivationType.Swiglu and swiglu_limit not in (None, 7.0):
        raise _unsupported(f"swiglu_limit={swiglu_limit}", "7.0 (gpt-oss's SwiGLU, alpha 1.702)")
    return quant
