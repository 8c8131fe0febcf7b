#!/usr/bin/env python3
"""How much of a causal fmha launch's modeled time is the dispatch tail, and what another order would give.

asmk_fmha_model (fmha_model.cpp) models a launch as its workgroups, each with a CU time linear in its keys
(c0 + slope · keys), list-scheduled over CUs × resident slots in the grid's dispatch order. This script asks
the model itself for c0 and slope (one-workgroup launches of R query rows, causal, at the model's two fit lengths;
the model's compute time of one workgroup is its CU time), checks that replaying the model's own order gives the
model's compute time for the whole problem, then replays the orders fmha_model.cpp knows and the lower bound of any
order:

  heads-heaviest-first   per sequence, query tiles from the last, heads fastest (the 4-wave kernels' grid)
  tiles-heaviest-first   every (sequence, head) workgroup of the heaviest tile first, then the next tile, ... (the
                         8-wave kernels' grid since 2026-12-08)
  perfect_packing        the average CU load: no order does better with these workgroups

Every figure is modeled (perf/MODEL.md). Usage:
  python3 perf/fmha/dispatch_bound.py --model build/perf/fmha/asmk_fmha_model --repo hsaco --machine MI300X \
      --kernel fmha_fwd_gfx942_bf16_bf16_d192x128_window_w8 --batch 4 --heads 16 --seqlen 4096
"""
import argparse
import heapq
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def model(args, batch, heads, seqlen_q, seqlen_k, causal=True):
    cmd = [args.model, "--repo", args.repo, "--machine", args.machine, "--kernel", args.kernel, "--batch", str(batch),
           "--heads-q", str(heads), "--heads-k", str(heads), "--seqlen-q", str(seqlen_q), "--seqlen-k", str(seqlen_k),
           "--inputs", "zeros"]  # as its notes so far (asmk_fmha_model's default: random)
    if causal:
        cmd.append("--causal")
    env = dict(os.environ, ASMK_PERF_MACHINES=os.environ.get("ASMK_PERF_MACHINES", os.path.join(ROOT, "perf", "machines")))
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout)


def list_schedule(durations, slots):
    """Greedy list scheduling in dispatch order (perf/src/launch_estimate.cpp's list_schedule)."""
    free_at = [0.0] * slots
    for d in durations:
        heapq.heapreplace(free_at, free_at[0] + d)
    return max(free_at)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True, help="the asmk_fmha_model binary")
    ap.add_argument("--repo", default="hsaco")
    ap.add_argument("--machine", default="MI300X")
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--batch", type=int, required=True)
    ap.add_argument("--heads", type=int, required=True)
    ap.add_argument("--seqlen", type=int, required=True, help="seqlen_q = seqlen_k (causal)")
    args = ap.parse_args()

    with open(os.path.join(ROOT, "perf", "machines", args.machine + ".json")) as f:
        fig = {k: v["value"] for k, v in json.load(f)["figures"].items()}
    mhz = fig["sustained_clock_ghz"] * 1e3  # cycles per µs (the model's cycles_to_us)

    whole = model(args, args.batch, args.heads, args.seqlen, args.seqlen)
    rows = whole["fits"][0]["rows"]  # R: query rows of a workgroup
    slots = fig["compute_units"] * whole["occupancy"]["resident_per_cu"]
    a, b = whole["fits"][0]["keys_traced"]  # the model's fit points (one-tile launches of a and b keys)
    wa = model(args, 1, 1, rows, a)["compute_us"] * mhz
    wb = model(args, 1, 1, rows, b)["compute_us"] * mhz
    slope = (wb - wa) / (b - a)  # cycles per key
    c0 = wa - slope * a  # fixed cycles per workgroup
    tiles = -(-args.seqlen // rows)
    work = lambda y: c0 + slope * min(args.seqlen, rows * (y + 1))  # tile y's keys: R·(y + 1)

    orders = {
        "heads-heaviest-first": [work(y) for _ in range(args.batch) for y in reversed(range(tiles)) for _ in range(args.heads)],
        "tiles-heaviest-first": [work(y) for y in reversed(range(tiles)) for _ in range(args.batch * args.heads)],
    }
    ours = orders[whole["problem"]["dispatch"]]
    us = lambda cycles: cycles / mhz
    out = {
        "label": "modeled",
        "kernel": args.kernel, "machine": args.machine,
        "problem": {"batch": args.batch, "heads": args.heads, "seqlen": args.seqlen, "causal": True},
        "rows_per_workgroup": rows, "slots": slots, "workgroups": len(ours),
        "workgroup_cycles": {"fixed": round(c0), "per_key": slope, "per_32_keys": 32 * slope},
        "model_compute_us": whole["compute_us"], "model_time_us": whole["time_us"],
        "model_dispatch": whole["problem"]["dispatch"],
        "compute_us": {name: us(list_schedule(w, slots)) for name, w in orders.items()},
        "perfect_packing_us": us(sum(ours) / slots),
        "fixed_cost_share": len(ours) * c0 / sum(ours),
        "launch_overhead_us": whole["overhead_us"],
    }
    if abs(out["compute_us"][out["model_dispatch"]] - whole["compute_us"]) > 1e-3 * whole["compute_us"]:
        sys.exit("dispatch_bound: the replayed order does not reproduce the model's compute time: %s" % json.dumps(out))
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
