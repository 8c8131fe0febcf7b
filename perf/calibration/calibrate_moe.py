"""The performance model against AITER's measured fused-MoE stage 1: how far is a modeled time from a real one?

    /usr/bin/python3 perf/calibration/calibrate_moe.py --asmk build/tools/asmk \\
        --data ../shared/data/aiter-measured --aiter AITER_CHECKOUT [--per-group 40] > perf/calibration/moe.md

AITER's tuned MoE table (tuned_fmoe.csv: MI308X, 80 CUs) gives, per model shape and token count, the stage-1
kernel its tuner picked and the time it measured. Where that kernel is one of AITER's assembly code objects
(`hsa/gfx942/fmoe_2stages/`, fp8 per-token or per-tensor activations × per-channel weights, two-stage, no K
split), this launches it on the emulator with `asmk run --model MI308X` — the model `asmk perf` uses — and
divides the modeled time by the measured one: the model's error on a memory- and MFMA-bound grouped GEMM.

The launch restates AITER's host code (csrc/py_itfs_cu/asm_moe_2stage.cu `moe_stage1_g1u1`, aiter/fused_moe.py
`asm_stage1` and `moe_sorting`; MIT): a 16-byte-slot argument struct, grid (inter_dim / tile_n, M blocks, 1),
256 work-items; the sorted layout packs (top-k slot << 24 | token) per row, each expert's rows padded to the
M tile, one expert id per M block, the padded row count in num_valid_ids[0]. Routing: uniform random top-k
(seeded), as a tuner's random router gives. AITER launches the worst-case block count and the surplus blocks
exit after a few dozen instructions (81 per wave for the 32x64 kernel): they are modeled as a second launch of
those blocks alone (num_valid_ids 0), its launch overhead taken off. Nothing of AITER is copied or committed;
not run in CI.

Each distinct kernel is first checked on a small problem whose inputs are constant (x = 1/16, weights 1,
scales 1): every one of the token's top-k output rows must equal act(g)·u with g = u = model_dim / 16 — a
check of dimensions, strides and coverage that does not depend on the weights' pre-shuffled order.
"""
import argparse
import concurrent.futures
import csv
import io
import math
import os
import random
import statistics
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from aiter_launch import Launch, ceil_div  # noqa: E402
from calibrate import model_aiter_row, percentile  # noqa: E402

MACHINE = "MI308X"  # tuned_fmoe.csv: cu_num 80
ACTIVATION = {"ActivationType.Silu": 0, "ActivationType.Gelu": 1}
FP8_ONE, FP8_SIXTEENTH = 0x40, 0x20  # e4m3 FNUZ (bias 8): 1.0 = 0 1000 000, 1/16 = 0 0100 000


def stage1_kernels(aiter):
    """knl_name -> (code object, tile_m, tile_n) over the fmoe_2stages stage-1 CSVs of gfx942."""
    folder = os.path.join(aiter, "hsa", "gfx942", "fmoe_2stages")
    kernels = {}
    for entry in sorted(os.listdir(folder)):
        if entry.startswith("fmoe_stage1_") and entry.endswith(".csv"):
            with open(os.path.join(folder, entry)) as f:
                for row in csv.DictReader(f):
                    kernels[row["knl_name"]] = (os.path.join(folder, row["co_name"]), int(row["tile_m"]),
                                                int(row["tile_n"]))
    return kernels


def routing(tokens, experts, topk, seed):
    """Uniform random top-k experts per token (distinct), seeded."""
    rng = random.Random(seed)
    return [rng.sample(range(experts), topk) for _ in range(tokens)]


def sorted_layout(ids, experts, topk, block_m):
    """AITER's moe_sorting layout: (sorted packed ids, expert id per block, padded row count)."""
    tokens = len(ids)
    per_expert = [[] for _ in range(experts)]
    for t, chosen in enumerate(ids):
        for slot, e in enumerate(chosen):
            per_expert[e].append((slot << 24) | t)
    rows, blocks = [], []
    for e, entries in enumerate(per_expert):
        if not entries:
            continue
        padded = ceil_div(len(entries), block_m) * block_m
        rows += entries + [(topk << 24) | tokens] * (padded - len(entries))
        blocks += [e] * (padded // block_m)
    return rows, blocks, len(rows)


def max_blocks(tokens, experts, topk, block_m):
    """The M blocks AITER allocates and launches: room for every expert's padding (aiter/fused_moe.py)."""
    return ceil_div(tokens * topk + experts * block_m - topk, block_m)


def stage1_launch(kernel, found, row, constant=False, seed=1, surplus=False):
    """The Launch of one measured row's stage-1 kernel (ksplit 0): the used M blocks, or with `surplus` the
    blocks past them (num_valid_ids 0: every block sees itself past the end and exits, as they do)."""
    co, tile_m, tile_n = found
    tokens, model_dim, inter = int(row["token"]), int(row["model_dim"]), int(row["inter_dim"])
    experts, topk = int(row["expert"]), int(row["topk"])
    do_weight = row["doweight_stage1"] == "1"
    rows, blocks, padded = sorted_layout(routing(tokens, experts, topk, seed), experts, topk, tile_m)
    used_experts = len(set(blocks))
    flops = 2.0 * tokens * topk * model_dim * 2 * inter
    weight_bytes = used_experts * 2 * inter * model_dim
    launch = Launch(co, kernel, (inter // tile_n, len(blocks), 1), flops,
                    weight_bytes + tokens * model_dim + tokens * topk * inter * 2)
    if surplus:
        extra = max_blocks(tokens, experts, topk, tile_m) - len(blocks)
        if extra <= 0:
            return None
        # bytes that must cross HBM: the blocks' expert ids (0 would mean "every buffer once")
        launch = Launch(co, kernel, (inter // tile_n, extra, 1), 0, 4 * extra)
        padded = 0
    i32 = lambda values: struct.pack(f"<{len(values)}i", *values)  # noqa: E731
    f32 = lambda count, value: struct.pack("<f", value) * count  # noqa: E731
    x_size, w_size = tokens * model_dim, experts * 2 * inter * model_dim
    launch.pointer("O", tokens * topk * inter * 2)
    launch.pointer("X", x_size, bytes([FP8_SIXTEENTH]) * x_size if constant else None)
    launch.pointer("GU", w_size, bytes([FP8_ONE]) * w_size if constant else None)
    launch.pointer("XC", 8, i32([padded, tokens]))  # num_valid_ids
    launch.pointer("XQ", tokens * 4, f32(tokens, 1.0))  # a1_scale [tokens, 1]
    launch.pointer("GUQ", experts * 2 * inter * 4, f32(experts * 2 * inter, 1.0))  # w1_scale [E, 2·inter, 1]
    launch.pointer("SMQ", 0)
    launch.pointer("STP", len(rows) * 4, i32(rows))
    launch.pointer("SEP", len(blocks) * 4, i32(blocks))
    for value in (model_dim,  # dim (w2.size(1))
                  inter,  # hidden_dim
                  tokens, experts,
                  model_dim,  # Xs: a row of x, bytes
                  model_dim,  # GUs: a row of w1, bytes
                  topk * inter * 2,  # Os: a token's rows of out, bytes
                  2 * inter * model_dim,  # eGUs: an expert of w1 (gate and up), bytes
                  2 * inter * 4,  # eGUQs: an expert of w1_scale, bytes
                  inter * 4,  # eSMQs
                  topk,
                  0,  # splitk (log2)
                  ACTIVATION[row["act_type"]]):
        launch.u32(value)
    launch.pointer("SW", len(rows) * 4 if do_weight else 0, f32(len(rows), 1.0) if do_weight else None)
    return launch


def check_kernel(asmk, kernel, found, row, tmp):
    """Constant inputs on a small problem (16 tokens, the row's model and expert shape): every output row must
    be act(g)·g with g = model_dim / 16. Returns the largest relative error over all rows, or a failure."""
    small = dict(row, token="16")
    launch = stage1_launch(kernel, found, small, constant=True)
    out = os.path.join(tmp, f"check-{kernel}.bin")
    blob = os.path.join(tmp, f"check-{kernel}.kernarg")
    args = launch.asmk_args(blob)  # 256 work-items: 4 waves
    done = subprocess.run([asmk, "run"] + args + ["--out", "O=" + out], capture_output=True, text=True)
    if done.returncode != 0:
        return None, ((done.stderr.strip() or done.stdout.strip()).splitlines() or ["failed"])[-1][:200]
    with open(out, "rb") as f:
        raw = f.read()
    values = [struct.unpack("<f", b"\0\0" + raw[i:i + 2])[0] for i in range(0, len(raw), 2)]
    g = int(row["model_dim"]) / 16.0
    act = g / (1.0 + math.exp(-g)) if row["act_type"].endswith("Silu") else g  # gelu(g) = g here
    expected = act * g
    return max(abs(v - expected) / expected for v in values), None


def model_with_surplus(asmk, env, used, surplus, tmp):
    """The used blocks' modeled launch plus the surplus blocks' (one launch overhead taken off)."""
    modeled, error = model_aiter_row(asmk, env, MACHINE, used, tmp)
    if error or surplus is None:
        return modeled, error
    extra, error = model_aiter_row(asmk, env, MACHINE, surplus, tmp)
    if error:
        return None, "surplus blocks: " + error
    return dict(modeled, time_us=modeled["time_us"] + extra["time_us"] - extra["overhead_us"],
                surplus_us=extra["time_us"] - extra["overhead_us"]), None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--asmk", default="build/tools/asmk")
    ap.add_argument("--data", required=True)
    ap.add_argument("--aiter", required=True)
    ap.add_argument("--per-group", type=int, default=40, help="rows per quantization (spread over the shapes)")
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()
    env = dict(os.environ)
    env.setdefault("ASMK_PERF_MACHINES", os.path.join(os.path.dirname(os.path.dirname(HERE)), "perf", "machines"))
    kernels = stage1_kernels(a.aiter)
    with open(os.path.join(a.data, "tuned_fmoe.csv")) as f:
        rows = [r for r in csv.DictReader(f)
                if r["kernelName1"] in kernels and r["run_1stage"] == "0" and r["ksplit"] == "0"
                and r["q_type"] in ("QuantType.per_Token", "QuantType.per_Tensor") and r["cu_num"] == "80"]
    picked = []
    for quant in ("QuantType.per_Token", "QuantType.per_Tensor"):
        group = sorted((r for r in rows if r["q_type"] == quant),
                       key=lambda r: (int(r["model_dim"]), int(r["inter_dim"]), int(r["expert"]), int(r["token"])))
        step = max(1, len(group) / a.per_group)
        picked += [group[int(i * step)] for i in range(min(a.per_group, len(group)))]
    out = io.StringIO()
    w = lambda line="": print(line, file=out)  # noqa: E731
    with tempfile.TemporaryDirectory() as tmp:
        checks = {}
        for r in picked:
            if r["kernelName1"] not in checks:
                checks[r["kernelName1"]] = check_kernel(a.asmk, r["kernelName1"], kernels[r["kernelName1"]], r, tmp)
        usable = [r for r in picked if checks[r["kernelName1"]][0] is not None and checks[r["kernelName1"]][0] < 0.02]
        jobs = [(r, stage1_launch(r["kernelName1"], kernels[r["kernelName1"]], r),
                 stage1_launch(r["kernelName1"], kernels[r["kernelName1"]], r, surplus=True)) for r in usable]
        with concurrent.futures.ThreadPoolExecutor(a.jobs) as pool:
            results = list(pool.map(lambda job: (job[0], model_with_surplus(a.asmk, env, job[1], job[2], tmp)), jobs))

    w("# The model against AITER's measured fused-MoE stage 1 (MI308X)")
    w()
    w("Modeled: AITER's own stage-1 assembly kernel of each row, launched on the emulator as AITER's host code")
    w("launches it and modeled by `asmk run --model MI308X`. Measured: the row's `us1` in AITER's tuned table")
    w("(tuned_fmoe.csv, measured by AITER's tuner on an MI308X). Regenerate with")
    w()
    w("```sh")
    w("/usr/bin/python3 perf/calibration/calibrate_moe.py --asmk build/tools/asmk --data ../shared/data/aiter-measured \\")
    w(f"    --aiter AITER_CHECKOUT --per-group {a.per_group} > perf/calibration/moe.md")
    w("```")
    w()
    w("## Kernels checked first")
    w()
    w("Constant inputs (x = 1/16, weights 1, scales 1) on 16 tokens: every output row must be act(g)·g with")
    w("g = model_dim / 16. Kernels that fail stay out.")
    w()
    w("| kernel | largest relative error | used |")
    w("|---|---|---|")
    for kernel, (error, failure) in sorted(checks.items()):
        w(f"| `{kernel}` | {failure or f'{error:.1e}'} | {'yes' if error is not None and error < 0.02 else '**no**'} |")
    w()
    w("## Rows")
    w()
    w("| quant | model_dim | inter_dim | experts | top-k | tokens | kernel | measured µs | modeled µs (surplus blocks) | limiter | modeled / measured |")
    w("|---|---|---|---|---|---|---|---|---|---|---|")
    ratios = {}
    for r, (modeled, error) in results:
        lead = (f"| {r['q_type'][10:]} | {r['model_dim']} | {r['inter_dim']} | {r['expert']} | {r['topk']} | {r['token']} "
                f"| `{r['kernelName1']}` | {float(r['us1']):.1f} |")
        if error:
            w(f"{lead} failed: {error} | | |")
            continue
        ratio = modeled["time_us"] / float(r["us1"])
        ratios.setdefault(r["q_type"][10:], []).append(ratio)
        ratios.setdefault("all", []).append(ratio)
        w(f"{lead} {modeled['time_us']:.1f} ({modeled.get('surplus_us', 0):.1f}) | {modeled['limiter']} | {ratio:.2f} |")
    w()
    w("## Summary")
    w()
    w("| rows | count | median modeled / measured | median abs(error) | 10th-90th percentile |")
    w("|---|---|---|---|---|")
    for key, values in sorted(ratios.items()):
        errors = [abs(v - 1) for v in values]
        w(f"| {key} | {len(values)} | {statistics.median(values):.2f} | {100 * statistics.median(errors):.0f}% | "
          f"{percentile(values, 0.1):.2f}-{percentile(values, 0.9):.2f} |")
    sys.stdout.write(out.getvalue())


if __name__ == "__main__":
    main()
