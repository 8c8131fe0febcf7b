"""Split-KV for short queries, modeled: decode-like and chunked-prefill-tail shapes (h_q 32 / h_k 8, hd 128 bf16,
causal bottom-right, batch 1 and 8, seqlen_q 1 / 16 / 64, seqlen_k 8K / 32K / 128K) on MI300X and MI355X, before
(the one launch, fmha_fwd_single) and after (the split pass with the op's split count, then attn_lse_combine).
Every figure is modeled (perf/MODEL.md's CU model through asmk_fmha_model), none measured.

    /usr/bin/python3 perf/fmha/split_report.py --build build [--repo hsaco] > perf/fmha/split_kv.md

The split count is the one `asmk op fmha_fwd_varlen ... --explain` plans with a workspace offered (the batch-mode op
fmha_fwd plans the same when batch = 1 or seqlen_q = 1; otherwise its combine cannot reach o's rows and it keeps one
launch: templates/fmha_fwd/README.md). A few minutes on two cores; not run in CI.
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


def explain(asmk, repo, machine, op, b, s_q, s_k):
    """`asmk op OP ... --explain` (the selection only): its stdout, or exits with its error."""
    args = [asmk, "op", op, "--repo", repo, "--device", machine, "--batch", str(b), "--seqlen-q", str(s_q),
            "--seqlen-k", str(s_k), "--num-heads-q", str(HEADS_Q), "--num-heads-k", str(HEADS_K), "--head-dims", "128",
            "--mask", "window", "--window-right", "0", "--bottom-right", "1", "--scale", "0.088", "--explain"]
    if op.startswith("fmha_fwd_varlen"):
        args += ["--total-q", str(b * s_q), "--total-k", str(b * s_k)]
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(args)}: {r.stderr.strip()}")
    return r.stdout


def model(tool, repo, machine, kernel, b, s_q, s_k, splits):
    args = [tool, "--repo", repo, "--machine", machine, "--kernel", kernel, "--batch", str(b), "--heads-q",
            str(HEADS_Q), "--heads-k", str(HEADS_K), "--seqlen-q", str(s_q), "--seqlen-k", str(s_k), "--causal",
            "--splits", str(splits)]
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(args)}: {r.stderr.strip()}")
    return json.loads(r.stdout)


def row(asmk, tool, repo, machine, shape):
    b, s_q, s_k = shape
    before_kernel = re.search(r"^kernel +(\S+)", explain(asmk, repo, machine, "fmha_fwd_single", b, s_q, s_k), re.M)[1]
    plan = explain(asmk, repo, machine, "fmha_fwd_varlen", b, s_q, s_k)
    m = re.search(r"^fmha_fwd_varlen_split: .*\bnum_splits=(\d+)", plan, re.M)
    splits = int(m[1]) if m else 1
    after_kernel = re.search(r"^kernel +(\S+)", plan, re.M)[1]
    before = model(tool, repo, machine, before_kernel, b, s_q, s_k, 1)
    after = model(tool, repo, machine, after_kernel, b, s_q, s_k, splits) if splits > 1 else before
    return shape, before_kernel, before, splits, after


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
          "plans (`asmk op fmha_fwd_varlen ... --explain`, workspace offered) and attn_lse_combine, both launches' "
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


if __name__ == "__main__":
    main()
