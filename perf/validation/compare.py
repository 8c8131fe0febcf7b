"""Our selected kernel against AITER's tuned kernel at every canonical GEMM shape, both modeled by the
same calibrated model, with AITER's measured time beside them where AITER measured that shape.

    /usr/bin/python3 perf/validation/compare.py --asmk build/tools/asmk \\
        --data ../shared/data/aiter-measured --aiter AITER_CHECKOUT [--repo hsaco] [--jobs 2] \\
        > perf/validation/comparison.md

For every family with AITER assembly kernels (aiter_launch.FAMILIES) and every part AITER's tables
have rows of them for (MI300X and MI355X by default, --machines MI308X too), and for every shape of
perf/presets/gemm.csv:

- AITER's kernel: the assembly kernel AITER's tuner picked for that shape (the fastest asm row of
  its tables, aiter/configs and aiter/configs/model_configs); when the tables do not have the
  shape, the kernel (and split) AITER tuned for the nearest shape (log distance over M, N, K with
  M weighted 3x, the same N and K first at equal distance); the report names the row used. It is launched with
  AITER's argument layout at our shape and modeled by `asmk run --model` (--aiter: an AITER
  checkout, for its hsa/ code objects; nothing of AITER is committed).
- ours: the kernel and split libasmk's selector picks (`asmk op FAMILY ... --json`), its modeled
  time from `asmk perf` over the same shapes (the same model), and its limiter.
- measured: AITER's fastest measured time for exactly that shape and part, any of its kernels
  (asm, CK, ...), with the table it comes from; "-" when AITER did not measure the shape.
"""
import argparse
import concurrent.futures
import csv
import glob
import json
import math
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

# The families compared elsewhere (one line in the summary, so a reader of this report finds them).
OTHER_FAMILIES = (
    "The other families where AITER has assembly kernels are compared in their own reports, by the same "
    "model: FMHA forward in perf/fmha/aiter_comparison.md and MLA decode in perf/mla/aiter_comparison.md "
    "(ours and AITER's both modeled), fused MoE in perf/moe/aiter.md (ours modeled against AITER's "
    "measured layer; AITER's own MoE stage-1 kernels modeled against their measurements in "
    "perf/calibration/moe.md).")

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "calibration"))
import aiter_launch  # noqa: E402
from calibrate import MACHINES, model_aiter_row  # noqa: E402

PRESET = os.path.join(HERE, "..", "presets", "gemm.csv")


def canonical_shapes():
    with open(PRESET) as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        return [(int(r["m"]), int(r["n"]), int(r["k"])) for r in rows]


def family_rows(data, table_name):
    """Every row of AITER's tables of one family: the main table and the per-model ones."""
    stem = table_name[:-len(".csv")]
    rows = []
    for path in sorted(glob.glob(os.path.join(data, "*.csv")) + glob.glob(os.path.join(data, "model_configs", "*.csv"))):
        if stem not in os.path.basename(path):
            continue
        with open(path) as f:
            for r in csv.DictReader(f):
                if r.get("M") and r.get("N") and r.get("K") and r.get("us"):
                    r["_table"] = os.path.relpath(path, data)
                    rows.append(r)
    return rows


def shape_of(r):
    return int(r["M"]), int(r["N"]), int(r["K"])


def distance(a, b):
    """Log distance between shapes, M weighted 3x: the tile and split AITER picks follow M most."""
    return sum(w * abs(math.log(x) - math.log(y)) for w, x, y in zip((3, 1, 1), a, b))


def aiter_row_for(asm_rows, shape):
    """(row, how): the asm row AITER tuned for the shape, else for the nearest shape (same N and K first
    when as near)."""
    exact = [r for r in asm_rows if shape_of(r) == shape]
    if exact:
        return min(exact, key=lambda r: float(r["us"])), "tuned for this shape"
    best = min(asm_rows, key=lambda r: (distance(shape_of(r), shape), shape_of(r)[1:] != shape[1:], float(r["us"])))
    return best, "tuned for M=%s N=%s K=%s" % best_shape(best)


def best_shape(r):
    return r["M"], r["N"], r["K"]


def our_options(family, row):
    """(asmk op options, asmk perf --where) of our problem matching AITER's row's dtypes."""
    if family == "gemm_bf16":
        f32 = row.get("outdtype") == "torch.float32"
        return (["--out-dtype", "f32"], ["out_dtype=f32"]) if f32 else ([], [])
    if family == "gemm_a8w8":
        int8 = "int8" in row.get("q_dtype_w", "torch.int8")
        return (["--dtype", "int8"], ["in_dtype=int8"]) if int8 else ([], [])
    return [], []


def selected(asmk, repo, family, machine, shape, options):
    cmd = [asmk, "op", family, "--m", str(shape[0]), "--n", str(shape[1]), "--k", str(shape[2]), "--device", machine,
           "--json"] + options + (["--repo", repo] if repo else [])
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        return None, (done.stderr.strip() or done.stdout.strip()).splitlines()[-1][:200]
    j = json.loads(done.stdout)
    source = "tuned" if "rule: tuned table" in j["reason"] else "estimate"
    return (j["kernel"], str(j.get("k_splits", 1)), source), None


def sweep(asmk, repo, family, machine, where, shapes, tmp, results=None, cache=None):
    """Our modeled rows per (m, n, k, kernel, k_splits) from `asmk perf` over the shapes (or, for the
    default dtypes, from the committed baseline of the same sweep in `results`)."""
    baseline = os.path.join(results, machine, "%s-%s.csv" % (family, machine)) if results else None
    if baseline and not where and os.path.exists(baseline):
        with open(baseline) as f:
            rows = {(int(r["m"]), int(r["n"]), int(r["k"]), r["kernel"], r["k_splits"]): r for r in csv.DictReader(f)}
        if all(any(key[:3] == s for key in rows) for s in shapes):
            return rows
    if cache:  # a sweep of the same family, machine, filter and shapes done before
        cached = os.path.join(cache, "%s-%s-%s-%d.csv" % (family, machine, "-".join(where) or "default",
                                                         hash(tuple(shapes)) & 0xffffffff))
        if os.path.exists(cached):
            with open(cached) as f:
                return {(int(r["m"]), int(r["n"]), int(r["k"]), r["kernel"], r["k_splits"]): r for r in csv.DictReader(f)}
    path = os.path.join(tmp, "shapes-%s-%s.csv" % (family, machine))
    with open(path, "w") as f:
        f.write("m,n,k\n" + "".join("%d,%d,%d\n" % s for s in shapes))
    out = os.path.join(tmp, "ours-%s-%s-%s" % (family, machine, "-".join(where) or "default"))
    cmd = [asmk, "perf", family, "--machine", machine, "--shapes", path, "-o", out, "-q"]
    for w in where:
        cmd += ["--where", w]
    if repo:
        cmd += ["--repo", repo]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit("%s failed: %s" % (" ".join(cmd), done.stderr.strip()[-400:]))
    written = os.path.join(out, "%s-%s.csv" % (family, machine))
    if cache:
        os.makedirs(cache, exist_ok=True)
        shutil.copy(written, cached)
    with open(written) as f:
        return {(int(r["m"]), int(r["n"]), int(r["k"]), r["kernel"], r["k_splits"]): r for r in csv.DictReader(f)}


def aiter_applies(family, kernels, row, shape):
    """Why AITER's kernel cannot run our shape with its launcher's grid ("" = it can)."""
    found = kernels.find(row["kernelName"])
    if not found:
        return "its code object is not in the checkout"
    _, _, tile_n = found
    if family in ("gemm_a8w8", "gemm_a8w8_blockscale") and shape[1] % tile_n:
        return "its launcher needs N a multiple of the tile's %d" % tile_n
    return ""


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--asmk", required=True)
    parser.add_argument("--data", required=True, help="AITER's tuned tables (aiter/configs)")
    parser.add_argument("--aiter", required=True, help="an AITER checkout (its hsa/ code objects)")
    parser.add_argument("--repo", help="our kernels (default: the CLI's)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--cache", help="a folder keeping the sweeps this script runs, for a rerun")
    parser.add_argument("--results", help="baselines of the default sweeps (perf/results, from perf/regenerate.sh) "
                                          "to take our modeled rows from instead of sweeping again")
    parser.add_argument("--family", action="append", help="only these families (default: every one)")
    parser.add_argument("--machines", default="MI300X,MI355X",
                        help="parts to compare on (default: those of the committed baselines; AITER also has "
                             "MI308X rows)")
    parser.add_argument("--max-shapes", type=int, default=0, help="only the first N canonical shapes (a quick look)")
    parser.add_argument("--reference-out", help="also write AITER's figures per shape as a CSV for `asmk perf "
                                                "--reference` (perf/validation/aiter_reference.csv)")
    args = parser.parse_args()
    env = dict(os.environ)
    shapes = canonical_shapes()[:args.max_shapes or None]

    rows_out, todo, skipped, missing = [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        jobs = []
        for family, (table_name, folder, keep, build) in aiter_launch.FAMILIES.items():
            if args.family and family not in args.family:
                continue
            rows = family_rows(args.data, table_name)
            for (gfx, cus), machine in sorted(MACHINES.items(), key=lambda x: x[1]):
                if machine not in args.machines.split(","):
                    continue
                group = [r for r in rows if (r.get("gfx"), r.get("cu_num")) == (gfx, cus)]
                asm_rows = [r for r in group if keep(r)]
                if not asm_rows:
                    missing.append((family, machine))
                    continue
                kernels = aiter_launch.KernelTable(args.aiter, gfx, folder)
                for shape in shapes:
                    row, how = aiter_row_for(asm_rows, shape)
                    measured = [r for r in group if shape_of(r) == shape]
                    fastest = min(measured, key=lambda r: float(r["us"])) if measured else None
                    jobs.append(dict(family=family, machine=machine, shape=shape, row=row, how=how, fastest=fastest,
                                     kernels=kernels, build=build))
        # Ours: the selector's pick per shape, modeled by one sweep per (family, machine, dtypes).
        sweeps = {}
        for j in jobs:
            options, where = our_options(j["family"], j["row"])
            j["pick"], j["pick_error"] = selected(args.asmk, args.repo, j["family"], j["machine"], j["shape"], options)
            key = (j["family"], j["machine"], tuple(where))
            sweeps.setdefault(key, set()).add(j["shape"])
            j["sweep"] = key
        modeled_ours = {key: sweep(args.asmk, args.repo, key[0], key[1], list(key[2]), sorted(s), tmp, args.results,
                                   args.cache)
                        for key, s in sweeps.items()}
        # AITER's kernel at our shape, modeled.
        def model_theirs(j):
            why = aiter_applies(j["family"], j["kernels"], j["row"], j["shape"])
            if why:
                return None, why
            row = dict(j["row"], M=str(j["shape"][0]), N=str(j["shape"][1]), K=str(j["shape"][2]))
            cached = os.path.join(args.cache, "aiter-%s-%s-%s-%d-%d-%d.json" % (
                j["machine"], row["kernelName"][-80:], row.get("splitK", "0"), *j["shape"])) if args.cache else None
            if cached and os.path.exists(cached):
                with open(cached) as f:
                    return json.load(f), None
            figures, error = model_aiter_row(args.asmk, env, j["machine"], j["build"](j["kernels"], row), tmp)
            if cached and figures:
                os.makedirs(args.cache, exist_ok=True)
                with open(cached, "w") as f:
                    json.dump(figures, f)
            return figures, error
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            for j, (figures, error) in zip(jobs, pool.map(model_theirs, jobs)):
                j["theirs"], j["theirs_error"] = figures, error

    out = ["# Our selected kernel vs AITER's tuned kernel at the canonical GEMM shapes", "",
           "Both kernels **modeled** by the same calibrated model (perf/MODEL.md, machine files perf/machines);",
           "**measured**: AITER's fastest measured time for the same shape and part (AITER's tuned tables,",
           "`us` column, any of its kernels; the table is named), \"-\" where AITER did not measure the shape.",
           "Shapes: perf/presets/gemm.csv. Regenerate with (from the repository root; the AITER checkout at the",
           "commit of `../shared/data/aiter-measured`, e4048607a5):", "", "```sh",
           "/usr/bin/python3 perf/validation/compare.py " + " ".join(shlex.quote(a) for a in sys.argv[1:]), "```", "",
           "AITER's kernel is the assembly kernel (and split) its tuner picked for the shape; where its tables",
           "do not have the shape, the one it picked for the nearest shape (log distance, M weighted 3x), named",
           "in the `AITER row` column, launched at our shape. Ours is libasmk's selector's pick (`asmk op ... --json`),",
           "from its tuned table (`tuned`) or its cost estimate (`estimate`: the tuned tables hold the default",
           "dtypes' rows and gemm_a8w8's int8 rows (perf/regenerate.sh); other dtypes, e.g. gemm_bf16 with f32",
           "output, are picked by the estimate). ratio = ours / AITER's, both modeled",
           "(below 1: ours is modeled faster).",
           ""]
    references = []  # family, machine, m, n, k, name, label, time_us, source
    summary = {}
    table = ["| family | machine | M | N | K | ours (selected) | ours us | AITER kernel | AITER row | AITER us | ours/AITER | measured us (AITER) | our limiter |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for j in jobs:
        m, n, k = j["shape"]
        ours = modeled_ours[j["sweep"]].get((m, n, k) + j["pick"][:2]) if j["pick"] else None
        if ours is None:
            skipped.append((j, "ours: " + (j["pick_error"] or "the sweep has no row for %s k_splits=%s" % j["pick"][:2])))
            continue
        ours_us = float(ours["time_us"])
        name = j["pick"][0] + (" k_splits=" + j["pick"][1] if j["pick"][1] != "1" else "") + " (%s)" % j["pick"][2]
        aiter_kernel = j["row"]["kernelName"].replace("_ZN5aiter", "").rstrip("E").lstrip("0123456789")
        split = j["row"].get("splitK", "0")
        aiter_kernel += " split=%s" % split if split not in ("0", "1", "") else ""
        measured = "-"
        if j["fastest"]:
            measured = "%.2f (%s, %s)" % (float(j["fastest"]["us"]), j["fastest"].get("libtype") or "asm",
                                           j["fastest"]["_table"])
        if j["fastest"]:
            references.append((j["family"], j["machine"], m, n, k, "AITER " + (j["fastest"]["kernelName"].replace(
                "_ZN5aiter", "").rstrip("E").lstrip("0123456789") or j["fastest"].get("libtype", "")), "measured",
                float(j["fastest"]["us"]), "AITER's tuned table " + j["fastest"]["_table"]))
        if j["theirs"] is not None:
            references.append((j["family"], j["machine"], m, n, k, "AITER " + aiter_kernel, "modeled",
                               j["theirs"]["time_us"], "perf/validation/comparison.md (%s)" % j["how"]))
        if j["theirs"] is None:
            skipped.append((j, "AITER's %s: %s" % (aiter_kernel, j["theirs_error"])))
            theirs, ratio = "-", "-"
        else:
            theirs_us = j["theirs"]["time_us"]
            theirs, ratio = "%.2f" % theirs_us, "%.2f" % (ours_us / theirs_us)
            summary.setdefault((j["family"], j["machine"]), []).append(ours_us / theirs_us)
            if ours_us > 1.1 * theirs_us:
                todo.append((j, name, ours, ours_us / theirs_us))
        table.append("| %s | %s | %d | %d | %d | %s | %.2f | %s | %s | %s | %s | %s | %s |" % (
            j["family"], j["machine"], m, n, k, name, ours_us, aiter_kernel, j["how"], theirs, ratio, measured,
            ours["limiter"]))

    out += ["## Summary (ours / AITER's, both modeled)", "",
            "| family | machine | shapes | median | min | max | ours faster | ours > 10% slower |", "|---|---|---|---|---|---|---|---|"]
    for (family, machine), ratios in sorted(summary.items()):
        ratios.sort()
        out.append("| %s | %s | %d | %.2f | %.2f | %.2f | %d | %d |" % (
            family, machine, len(ratios), ratios[len(ratios) // 2], ratios[0], ratios[-1],
            sum(r < 1 for r in ratios), sum(r > 1.1 for r in ratios)))
    if missing:
        out += ["", "No AITER assembly kernel in its tables for: " + ", ".join("%s on %s" % x for x in missing) + "."]
    out += ["", OTHER_FAMILIES]
    out += ["", "## Every shape", ""] + table + [""]
    if todo:
        out += ["## To do: shapes where our selected kernel is modeled more than 10% slower than AITER's", "",
                "| family | machine | M | N | K | ours / AITER | our kernel | our limiter | to do |", "|---|---|---|---|---|---|---|---|---|"]
        for j, name, ours, ratio in sorted(todo, key=lambda x: -x[3]):
            out.append("| %s | %s | %d | %d | %d | %.2f | %s | %s | %s |" % (
                j["family"], j["machine"], *j["shape"], ratio, name, ours["limiter"], to_do(ours, j)))
        out.append("")
    if skipped:
        out += ["## Not compared (%d)" % len(skipped), ""]
        out += ["- %s %s M=%d N=%d K=%d: %s" % (j["family"], j["machine"], *j["shape"], why) for j, why in skipped]
        out.append("")
    print("\n".join(out))
    if args.reference_out:
        with open(args.reference_out, "w") as f:
            f.write("# AITER's kernels at the canonical GEMM shapes, modeled by asmk's model and measured by AITER\n"
                    "# (written by perf/validation/compare.py --reference-out; asmk perf --reference shows them)\n")
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(["family", "machine", "m", "n", "k", "name", "label", "time_us", "source"])
            for r in references:
                writer.writerow(list(r[:7]) + ["%.3f" % r[7], r[8]])


def to_do(ours, j):
    """A line of what to work on, from our limiter and occupancy."""
    limiter = ours["limiter"]
    if limiter.startswith("split-K"):
        return "the split-K reduce dominates: a split-K epilogue without the second launch (atomics or in-kernel reduce)"
    if limiter == "memory latency":
        return "latency-bound K loop at %s waves/SIMD: deeper prefetch (more K steps in flight) or more workgroups" % ours["waves_per_simd"]
    if limiter == "barrier":
        return "barrier waits: double-buffered LDS with one barrier per K step, or waves that do not wait on each other"
    if limiter == "lds":
        return "LDS-bound: fewer LDS bytes per MFMA (larger register tiles, direct-to-LDS loads, conflict-free swizzle)"
    if limiter == "vmem issue":
        return "vector-memory issue bound: wider loads (dwordx4) and operands shared through LDS"
    if limiter == "hbm bandwidth":
        return "HBM-bound in the model: at the roofline; AITER's is modeled faster only by its fixed costs"
    if limiter == "mfma":
        return "MFMA-bound: larger tiles (fewer rounds and tail) or a denser MFMA form"
    return "limiter %s: compare the two traces (asmk run --model --json)" % limiter


if __name__ == "__main__":
    sys.exit(main())
