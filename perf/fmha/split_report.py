"""Split-KV for short queries, modeled: decode-like and chunked-prefill-tail shapes (h_q 32 / h_k 8, hd 128 bf16,
causal bottom-right, batch 1 and 8, seqlen_q 1 / 16 / 64, seqlen_k 8K / 32K / 128K) on MI300X and MI355X, before
(the one launch, fmha_fwd_single) and after (the split pass with the op's split count, then attn_lse_combine).
Every figure is modeled (perf/MODEL.md's CU model through asmk_fmha_model), none measured.

    /usr/bin/python3 perf/fmha/split_report.py --build build [--repo hsaco] > perf/fmha/split_kv.md

The split count is the one `asmk op fmha_fwd_varlen ... --explain` plans with a workspace offered (the batch-mode op
fmha_fwd plans the same, but packs the query heads of a kv head for short queries with GQA: its own sections below,
batch > 1 with seqlen_q > 1, and head packing for real models' heads, hd 64, 128 and 256). A few minutes on two cores;
not run in CI.
"""
import argparse
import concurrent.futures
import json
import os
import re
import subprocess
import sys

MACHINES = [("MI300X", "gfx942"), ("MI355X", "gfx950")]
HEADS_Q, HEADS_K = 32, 8


def shapes():
    return [(b, s_q, s_k) for b in (1, 8) for s_q in (1, 16, 64) for s_k in (8192, 32768, 131072)]


def explain(asmk, repo, machine, op, b, s_q, s_k, heads=(HEADS_Q, HEADS_K), head_dims="128"):
    """`asmk op OP ... --explain` (the selection only): its stdout, or exits with its error."""
    args = [asmk, "op", op, "--repo", repo, "--device", machine, "--batch", str(b), "--seqlen-q", str(s_q),
            "--seqlen-k", str(s_k), "--num-heads-q", str(heads[0]), "--num-heads-k", str(heads[1]), "--head-dims", head_dims,
            "--mask", "window", "--window-right", "0", "--bottom-right", "1", "--scale", "0.088", "--explain"]
    if op.startswith("fmha_fwd_varlen"):
        args += ["--total-q", str(b * s_q), "--total-k", str(b * s_k)]
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(args)}: {r.stderr.strip()}")
    return r.stdout


def model(tool, repo, machine, kernel, b, s_q, s_k, splits, heads=(HEADS_Q, HEADS_K), causal=True):
    args = [tool, "--repo", repo, "--machine", machine, "--kernel", kernel, "--batch", str(b), "--heads-q",
            str(heads[0]), "--heads-k", str(heads[1]), "--seqlen-q", str(s_q), "--seqlen-k", str(s_k),
            "--splits", str(splits), "--inputs", "zeros"] + (["--causal"] if causal else [])  # as split_kv.md so far
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(args)}: {r.stderr.strip()}")
    return json.loads(r.stdout)


def unpacked_splits(machine, b, s_q, s_k, heads):
    """The split count of the plan without packing: op.yaml's rule for ceil(s_q / 128) · h_q · b workgroups."""
    cus = {"MI300X": 304, "MI355X": 256}[machine]
    n = min(256, s_k // 256, 2 * cus // (-(-s_q // 128) * heads[0] * b))
    return n if n >= 2 and s_k >= 512 else 1


def row(asmk, tool, repo, machine, shape):
    b, s_q, s_k = shape
    before_kernel = re.search(r"^kernel +(\S+)", explain(asmk, repo, machine, "fmha_fwd_single", b, s_q, s_k), re.M)[1]
    plan = explain(asmk, repo, machine, "fmha_fwd_varlen", b, s_q, s_k)
    m = re.search(r"^fmha_fwd_varlen_split: .*\bnum_splits=(\d+)", plan, re.M)
    splits = int(m[1]) if m else 1
    after_kernel = re.search(r"^kernel +(\S+)", plan, re.M)[1]
    before = model(tool, repo, machine, before_kernel, b, s_q, s_k, 1)
    after = model(tool, repo, machine, after_kernel, b, s_q, s_k, splits) if splits > 1 or "_packed_" in after_kernel else before
    return shape, before_kernel, before, splits, after


def plan_of(text, stage):
    """(kernel, num_splits) of an --explain plan whose stage 1 is `stage` (1 split: the one launch)."""
    m = re.search(rf"^{stage}: .*\bnum_splits=(\d+)", text, re.M)
    return re.search(r"^kernel +(\S+)", text, re.M)[1], int(m[1]) if m else 1


# Batch mode with batch > 1 and seqlen_q > 1 (decode batches of a few tokens, chunked-prefill tails): before, the
# batch-mode op kept one launch there (its combine could not reach o's rows); now split pass + attn_lse_combine_grouped.
def batch_shapes():
    return [(4, 4, 8192), (4, 4, 32768), (16, 4, 8192), (2, 200, 8192), (2, 200, 32768), (4, 300, 16384)]


def batch_row(asmk, tool, repo, machine, shape):
    b, s_q, s_k = shape
    before_kernel, _ = plan_of(explain(asmk, repo, machine, "fmha_fwd_single", b, s_q, s_k), "fmha_fwd_single")
    after_kernel, splits = plan_of(explain(asmk, repo, machine, "fmha_fwd", b, s_q, s_k), "fmha_fwd_split")
    before = model(tool, repo, machine, before_kernel, b, s_q, s_k, 1)
    after = model(tool, repo, machine, after_kernel, b, s_q, s_k, splits) if splits > 1 or "_packed_" in after_kernel else before
    return shape, before, splits, after


# Head packing for short queries with GQA: before, one query head per wave (s_q of its 32 rows busy; the split count
# from h_q · batch workgroups, as the op planned before packing); after, the plan of `asmk op fmha_fwd` (varlen:
# fmha_fwd_varlen) — s_q = 1 in batch mode: the group's query heads as one kv head's rows through a view (the kernel
# without a mask, seqlen_q G, h_k heads); otherwise the kernel's packed rows (mask "packed": the G query heads × s_q
# tokens of a kv head as one wave's rows, each row's causal limit from its token; asmk_fmha_model traces it with its
# mask). Real models' heads: Llama-3-70B (64 / 8, hd 128), gpt-oss-120b (64 / 8, hd 64), Qwen3-Next-80B (16 / 2, hd
# 256), Gemma-3-12B (16 / 8, hd 256). DeepSeek's 192x128 (MLA prefill) has h_q = h_k: nothing to pack.
PACK_MODELS = [("Llama-3-70B", 64, 8, "128"), ("gpt-oss-120b", 64, 8, "64"), ("Qwen3-Next-80B", 16, 2, "256"),
               ("Gemma-3-12B", 16, 8, "256")]


def pack_shapes():
    """(model, batch, s_q, s_k, varlen): hd 128 as before (decode through the view, MTP s_q 2 and 4, batch 1 / 8 / 32); the
    other head dims, whose packed rows are new: s_q 2 and 4 and a varlen decode batch (s_q 1 each), batch 1 and 8."""
    out = []
    for m in PACK_MODELS:
        if m[3] == "128":
            out += [(m, b, s_q, s_k, False) for s_q in (1, 2, 4) for b in (1, 8, 32) for s_k in (8192, 32768)]
        else:
            out += [(m, b, s_q, s_k, s_q == 1) for s_q in (1, 2, 4) for b in (1, 8) for s_k in (8192, 32768)]
    return out


def pack_row(asmk, tool, repo, machine, shape):
    (name, h_q, h_k, hd), b, s_q, s_k, varlen = shape
    heads = (h_q, h_k)
    op = "fmha_fwd_varlen" if varlen else "fmha_fwd"
    before_kernel, _ = plan_of(explain(asmk, repo, machine, op + "_single", b, s_q, s_k, heads, hd), op + "_single")
    before_splits = unpacked_splits(machine, b, s_q, s_k, heads)
    after_kernel, after_splits = plan_of(explain(asmk, repo, machine, op, b, s_q, s_k, heads, hd), op + "_split")
    before = model(tool, repo, machine, before_kernel, b, s_q, s_k, before_splits, heads)
    if "_packed_" in after_kernel:  # the kernel's packed rows, traced with its mask
        after = model(tool, repo, machine, after_kernel, b, s_q, s_k, after_splits, heads)
    else:  # decode through the view: seqlen_q = G rows of h_k heads, every key visible
        after = model(tool, repo, machine, after_kernel, b, h_q // h_k, s_k, after_splits, (h_k, h_k), causal=False)
    return shape, before_splits, before, after_kernel, after_splits, after


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--repo", default="hsaco")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    a = ap.parse_args()
    asmk = os.path.join(a.build, "tools", "asmk")
    tool = os.path.join(a.build, "perf", "fmha", "asmk_fmha_model")
    os.environ.setdefault("ASMK_PERF_MACHINES", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "machines"))
    print("# Split-KV for short queries (modeled)\n")
    print("Every figure is **modeled** (perf/MODEL.md's CU model via `asmk_fmha_model`), none measured. "
          f"h_q {HEADS_Q} / h_k {HEADS_K}, hd 128 bf16, causal bottom-right. *Before*: the one launch "
          "(`fmha_fwd_single`, the op's kernel without a workspace); *after*: the split pass with the split count the op "
          "plans (`asmk op fmha_fwd_varlen ... --explain`, workspace offered; s_q 1 with the kernel's packed rows) and "
          "attn_lse_combine, both launches' "
          "overhead included. Made by\n")
    print("```sh\n/usr/bin/python3 perf/fmha/split_report.py --build build --repo hsaco > perf/fmha/split_kv.md\n```\n")
    for machine, _ in MACHINES:
        with concurrent.futures.ThreadPoolExecutor(a.jobs) as pool:
            rows = list(pool.map(lambda s: row(asmk, tool, a.repo, machine, s), shapes()))
        print(f"## {machine}\n")
        print("| batch | s_q | s_k | workgroups before | before µs (limiter) | splits | after µs: split + combine | speed-up |")
        print("|---|---|---|---|---|---|---|---|")
        for (b, s_q, s_k), kernel, before, splits, after in rows:
            combine = after["combine"]["time_us"] if splits > 1 else 0.0
            print(f"| {b} | {s_q} | {s_k // 1024}K | {before['workgroups']} | {before['time_us']:.1f} ({before['limiter']}) "
                  f"| {splits} | {after['time_us']:.1f} = {after['time_us'] - combine:.1f} + {combine:.1f} "
                  f"| {before['time_us'] / after['time_us']:.2f}x |")
        print()
    print("## Batch mode, batch > 1 and s_q > 1\n")
    print("Decode batches of a few tokens and chunked-prefill tails in batch mode (`asmk op fmha_fwd`): *before* the "
          "one launch (the batch-mode op kept it: its combine reached o only for batch 1 or s_q 1), *after* the split "
          "pass and attn_lse_combine_grouped (lse's rows (b·h_q + h, i) into o through o_stride_batch). h_q 32 / h_k 8, "
          "hd 128 bf16, causal bottom-right.\n")
    for machine, _ in MACHINES:
        with concurrent.futures.ThreadPoolExecutor(a.jobs) as pool:
            rows = list(pool.map(lambda s: batch_row(asmk, tool, a.repo, machine, s), batch_shapes()))
        print(f"### {machine}\n")
        print("| batch | s_q | s_k | workgroups before | before µs | splits | after µs: split + combine | speed-up |")
        print("|---|---|---|---|---|---|---|---|")
        for (b, s_q, s_k), before, splits, after in rows:
            combine = after["combine"]["time_us"] if splits > 1 else 0.0
            print(f"| {b} | {s_q} | {s_k // 1024}K | {before['workgroups']} | {before['time_us']:.1f} | {splits} "
                  f"| {after['time_us']:.1f} = {after['time_us'] - combine:.1f} + {combine:.1f} "
                  f"| {before['time_us'] / after['time_us']:.2f}x |")
        print()
    print("## Head packing for short queries with GQA\n")
    print("Real models' heads, causal bottom-right, a workspace offered. *Before*: one query head per wave (the kernel of "
          "`asmk op fmha_fwd_single` / `fmha_fwd_varlen_single`, the split count from h_q · batch workgroups as the op "
          "planned before packing); *after*: the plan of `asmk op fmha_fwd` / `fmha_fwd_varlen` — batch-mode decode "
          "(s_q 1) through a view (the group's query heads as one kv head's rows: the kernel without a mask, seqlen_q G, "
          "h_k heads), otherwise the kernel's packed rows (mask `packed`: a kv head's G query heads × s_q tokens are one "
          "wave's rows, each row's causal limit from its token, modeled with that mask), the split count from h_k · batch "
          "workgroups. hd 64 and 256 had no packed rows before (s_q 2, 4 and varlen decode ran unpacked: the *before* "
          "column is what the op ran); DeepSeek's 192x128 (MLA prefill) has h_q = h_k: nothing to pack.\n")
    for machine, _ in MACHINES:
        with concurrent.futures.ThreadPoolExecutor(a.jobs) as pool:
            rows = list(pool.map(lambda s: pack_row(asmk, tool, a.repo, machine, s), pack_shapes()))
        print(f"### {machine}\n")
        print("| model (h_q / h_k, hd) | s_q | batch | s_k | before: workgroups (splits) | before µs | after: kernel "
              "| after: workgroups (splits) | after µs | speed-up |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for ((name, h_q, h_k, hd), b, s_q, s_k, varlen), bs, before, kernel, as_, after in rows:
            print(f"| {name} ({h_q} / {h_k}, {hd}) | {s_q}{' varlen' if varlen else ''} | {b} | {s_k // 1024}K "
                  f"| {before['workgroups']} ({bs}) | {before['time_us']:.1f} | `{kernel}` | {after['workgroups']} ({as_}) "
                  f"| {after['time_us']:.1f} | {before['time_us'] / after['time_us']:.2f}x |")
        print()

if __name__ == "__main__":
    main()
