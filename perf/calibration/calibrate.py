"""The performance model against AITER's measurements: how far is a modeled time from a real one?

    /usr/bin/python3 perf/calibration/calibrate.py --asmk build/tools/asmk \\
        --data ../shared/data/aiter-measured --aiter AITER_CHECKOUT [--per-group 12] [--machines DIR] \\
        [--before DIR] > perf/calibration/report.md

--data is a folder of AITER's tuned tables (aiter/configs/*.csv: per shape, the kernel AITER's tuner
picked and its time measured on a real GPU). Two comparisons, per family and machine:

1. AITER's kernels, modeled (needs --aiter, a checkout of github.com/ROCm/aiter with its `hsa/`
   code objects): every sampled row's own kernel is launched with `asmk run --model MACHINE` (the
   same model `asmk perf` uses) with AITER's argument layout and grid (aiter_launch.py), and its
   modeled time is divided by the row's measured time. Same kernel on both sides: the ratio is the
   model's error.
2. Our kernels, modeled: `asmk perf FAMILY` over the same shapes; our fastest kernel's modeled time
   over AITER's measured time. The kernels differ: this mixes model error and kernel quality.

--machines points the model at other machine files (e.g. the previous calibration's) for a
before/after comparison. Nothing here runs in CI; nothing of AITER is committed.
"""
import argparse
import concurrent.futures
import csv
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import aiter_launch  # noqa: E402

# AITER's (gfx, cu_num) -> our machine model. 304 CUs is MI300X or MI325X (same clock and CUs;
# MI325X has more HBM bandwidth): the tables do not say which, MI300X is assumed.
MACHINES = {("gfx942", "304"): "MI300X", ("gfx942", "80"): "MI308X", ("gfx950", "256"): "MI355X"}

# Our families against AITER's tables: (family, table, row filter, --where for our sweep).
def _a8w8_where(row):
    return ["in_dtype=int8"] if "int8" in row.get("q_dtype_w", "torch.int8") else ["in_dtype=fp8"]


OURS = [
    ("gemm_bf16", "bf16_tuned_gemm.csv", lambda r: r["outdtype"] == "torch.float32", lambda r: ["out_dtype=f32"]),
    ("gemm_bf16", "bf16_tuned_gemm.csv", lambda r: r["outdtype"] == "torch.bfloat16", lambda r: []),
    ("gemm_a8w8", "a8w8_tuned_gemm.csv", lambda r: True, _a8w8_where),
    ("gemm_a8w8", "a8w8_bpreshuffle_tuned_gemm.csv", lambda r: True, _a8w8_where),
    ("gemm_a8w8_blockscale", "a8w8_blockscale_tuned_gemm.csv", lambda r: True, lambda r: []),
    ("gemm_a8w8_blockscale", "a8w8_blockscale_bpreshuffle_tuned_gemm.csv", lambda r: True, lambda r: []),
    ("gemm_a4w4", "a4w4_blockscale_tuned_gemm.csv", lambda r: True, lambda r: []),
]


def read_table(data, name):
    with open(os.path.join(data, name)) as f:
        return list(csv.DictReader(f))


def sample(rows, count):
    """`count` rows spread evenly over the distinct shapes sorted by (M, N, K): deterministic."""
    by_shape = {}
    for r in rows:
        by_shape.setdefault((int(r["M"]), int(r["N"]), int(r["K"])), r)
    shapes = sorted(by_shape)
    if len(shapes) <= count:
        return [by_shape[s] for s in shapes]
    return [by_shape[shapes[round(i * (len(shapes) - 1) / (count - 1))]] for i in range(count)]


def percentile(values, q):
    values = sorted(values)
    at = q * (len(values) - 1)
    lo = int(at)
    hi = min(lo + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (at - lo)


def model_aiter_row(asmk, env, machine, launch, tmp):
    blob = os.path.join(tmp, "kernarg-%d.bin" % id(launch))
    cmd = [asmk, "run"] + launch.asmk_args(blob) + ["--model", machine, "--json", "--bytes",
                                                     str(launch.compulsory_bytes), "--flops", "%d" % launch.flops,
                                                     "--max-wave-instructions", "20000000"]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        faults = [line for line in done.stdout.splitlines() if line.startswith("fault:")]
        lines = faults[:1] or (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:]
        return None, (lines[0] if lines else "exit %d" % done.returncode)[:200]
    return json.loads(done.stdout.strip().splitlines()[-1]), None


def aiter_kernels(args, env, tmp):
    """Part 1: AITER's own kernels, modeled, against their measured times."""
    results, failures, jobs = [], [], []
    for family, (table_name, folder, keep, build) in aiter_launch.FAMILIES.items():
        rows = [r for r in read_table(args.data, table_name) if keep(r)]
        groups = {}
        for r in rows:
            machine = MACHINES.get((r.get("gfx"), r.get("cu_num")))
            if machine:
                groups.setdefault((r["gfx"], machine), []).append(r)
        for (arch, machine), group in sorted(groups.items()):
            kernels = aiter_launch.KernelTable(args.aiter, arch, folder)
            for r in sample(group, args.per_group):
                launch = build(kernels, r)
                if launch is None:
                    failures.append((family, machine, r, "kernel not in the checkout's hsa/%s/%s" % (arch, folder)))
                    continue
                jobs.append((family, machine, r, launch))
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = [pool.submit(model_aiter_row, args.asmk, env, machine, launch, tmp)
                   for (family, machine, r, launch) in jobs]
        for (family, machine, r, launch), future in zip(jobs, futures):
            modeled, error = future.result()
            if error:
                failures.append((family, machine, r, error))
            else:
                results.append((family, machine, r, modeled))
    return results, failures


def our_kernels(args, env, tmp):
    """Part 2: our fastest kernel per shape, modeled, against AITER's measured time."""
    results, failures = [], []
    for family, table_name, keep, where_of in OURS:
        groups = {}
        for r in read_table(args.data, table_name):
            machine = MACHINES.get((r.get("gfx"), r.get("cu_num")))
            if machine and keep(r) and not (family == "gemm_a4w4" and machine != "MI355X"):
                groups.setdefault((machine, tuple(where_of(r))), []).append(r)
        for (machine, where), group in sorted(groups.items()):
            rows = sample(group, args.per_group)
            shapes = os.path.join(tmp, "shapes.csv")
            with open(shapes, "w") as f:
                f.write("m,n,k\n" + "".join("%s,%s,%s\n" % (r["M"], r["N"], r["K"]) for r in rows))
            out = os.path.join(tmp, "ours")
            cmd = [args.asmk, "perf", family, "--machine", machine, "--shapes", shapes, "-o", out, "-q"]
            for w in where:
                cmd += ["--where", w]
            if args.repo:
                cmd += ["--repo", args.repo]
            done = subprocess.run(cmd, capture_output=True, text=True, env=env)
            if done.returncode != 0:
                failures.append((family, machine, table_name, done.stderr.strip()[:160]))
                continue
            with open(os.path.join(out, "%s-%s.csv" % (family, machine))) as f:
                best = {(b["m"], b["n"], b["k"]): b for b in csv.DictReader(f) if b["best"] == "1"}
            for r in rows:
                b = best.get((r["M"], r["N"], r["K"]))
                if b is None:
                    failures.append((family, machine, table_name, "no kernel of ours for M=%s N=%s K=%s" % (
                        r["M"], r["N"], r["K"])))
                    continue
                results.append((family, machine, table_name, r, b))
    return results, failures


def aiter_modeled_beside(args, env, tmp, results):
    """AITER's own kernel of each row of part 2, modeled like ours (rows naming an asm kernel)."""
    modeled = {}
    if not args.aiter:
        return modeled
    tables = {}
    for family, machine, table, r, b in results:
        for table_name, folder, keep, build in aiter_launch.FAMILIES.values():
            if table_name != table or not keep(r):
                continue
            key = (r["gfx"], folder)
            if key not in tables:
                tables[key] = aiter_launch.KernelTable(args.aiter, r["gfx"], folder)
            launch = build(tables[key], r)
            if launch is not None:
                figures, _ = model_aiter_row(args.asmk, env, machine, launch, tmp)
                if figures:
                    modeled[id(r)] = figures["time_us"]
    return modeled


def summary_table(groups):
    """groups: (family, machine) -> [modeled/measured]."""
    lines = ["| family | machine | shapes | median modeled/measured | p10 | p90 | median abs error |",
             "|---|---|---|---|---|---|---|"]
    everything = []
    for (family, machine), ratios in sorted(groups.items()):
        everything += ratios
        lines.append("| %s | %s | %d | %.2f | %.2f | %.2f | %.0f%% |" % (
            family, machine, len(ratios), statistics.median(ratios), percentile(ratios, 0.1),
            percentile(ratios, 0.9), 100 * statistics.median(abs(x - 1) for x in ratios)))
    if everything:
        lines.append("| **all** | | %d | %.2f | %.2f | %.2f | **%.0f%%** |" % (
            len(everything), statistics.median(everything), percentile(everything, 0.1),
            percentile(everything, 0.9), 100 * statistics.median(abs(x - 1) for x in everything)))
    return lines


def write_band(path, groups):
    """modeled/measured percentiles of AITER's kernels per family and machine, for the reports."""
    with open(path, "w") as f:
        f.write("# The performance model's error per family and machine: modeled / measured of AITER's own asm\n"
                "# kernels at the shapes of its tuned tables (perf/calibration/report.md, part 1). Written by\n"
                "# perf/calibration/calibrate.py --band; read by asmk perf for the reports' error band.\n"
                "family,machine,rows,p10,median,p90,source\n")
        for (family, machine), ratios in sorted(groups.items()):
            f.write("%s,%s,%d,%.3f,%.3f,%.3f,perf/calibration/report.md part 1\n" % (
                family, machine, len(ratios), percentile(ratios, 0.1), statistics.median(ratios),
                percentile(ratios, 0.9)))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--asmk", required=True, help="the asmk CLI (build/tools/asmk)")
    parser.add_argument("--data", required=True, help="folder of AITER's tuned tables (aiter/configs)")
    parser.add_argument("--aiter", help="an AITER checkout (its hsa/ code objects): models AITER's kernels")
    parser.add_argument("--repo", help="our kernels (default: the CLI's)")
    parser.add_argument("--machines", help="machine files for the model (default: the CLI's perf/machines)")
    parser.add_argument("--before", help="machine files of a previous calibration: part 1 is also modeled with "
                                         "them and their summary printed first (before / after)")
    parser.add_argument("--per-group", type=int, default=12, help="shapes sampled per table, family and machine")
    parser.add_argument("--jobs", type=int, default=2, help="asmk processes at once")
    parser.add_argument("--skip-ours", action="store_true", help="only AITER's kernels")
    parser.add_argument("--band", help="write part 1's modeled/measured percentiles per family and machine to this "
                                       "CSV (perf/machines/model_error.csv: the error band `asmk perf` reports show)")
    args = parser.parse_args()
    env = dict(os.environ)
    if args.machines:
        env["ASMK_PERF_MACHINES"] = os.path.abspath(args.machines)

    out = ["# The performance model against AITER's measured times", "",
           "All `modeled` times come from asmk's machine model (perf/MODEL.md); all `measured` times are",
           "AITER's, from its tuned tables (`us` column, measured by AITER's tuner on the GPU the row names).",
           "Regenerate with:", "", "```sh",
           "/usr/bin/python3 perf/calibration/calibrate.py " + " ".join(
               shlex.quote(a) for a in sys.argv[1:]), "```", ""]
    with tempfile.TemporaryDirectory() as tmp:
        if args.aiter:
            out += ["## 1. AITER's kernels: modeled vs measured (the model's error)", "",
                    "Each row's own AITER kernel, launched on the emulator with AITER's arguments and grid and",
                    "modeled by `asmk run --model` (its first and last workgroup traced); ratio = modeled / measured.",
                    ""]
            if args.before:
                before_env = dict(env, ASMK_PERF_MACHINES=os.path.abspath(args.before))
                results, _ = aiter_kernels(args, before_env, tmp)
                groups = {}
                for family, machine, r, m in results:
                    groups.setdefault((family, machine), []).append(m["time_us"] / float(r["us"]))
                out += ["Before (machine files `%s`):" % args.before, ""] + summary_table(groups)
                out += ["", "After (machine files `%s`):" % (args.machines or "perf/machines"), ""]
            results, failures = aiter_kernels(args, env, tmp)
            groups = {}
            for family, machine, r, m in results:
                groups.setdefault((family, machine), []).append(m["time_us"] / float(r["us"]))
            out += summary_table(groups)
            if args.band:
                write_band(args.band, groups)
            out += ["", "<details><summary>every shape</summary>", "",
                    "| family | machine | M | N | K | AITER kernel | split | measured us | modeled us | modeled/measured | limiter |",
                    "|---|---|---|---|---|---|---|---|---|---|---|"]
            for family, machine, r, m in sorted(results, key=lambda x: (x[0], x[1], int(x[2]["M"]), int(x[2]["N"]), int(x[2]["K"]))):
                kernel = r["kernelName"].replace("_ZN5aiter", "").rstrip("E").lstrip("0123456789")
                out.append("| %s | %s | %s | %s | %s | %s | %s | %.2f | %.2f | %.2f | %s |" % (
                    family, machine, r["M"], r["N"], r["K"], kernel, r["splitK"], float(r["us"]), m["time_us"],
                    m["time_us"] / float(r["us"]), m["limiter"]))
            out += ["", "</details>", ""]
            if failures:
                out += ["Not modeled (%d rows):" % len(failures), ""]
                out += ["- %s %s M=%s N=%s K=%s `%s`: %s" % (f, mc, r["M"], r["N"], r["K"], r["kernelName"], why)
                        for f, mc, r, why in failures]
                out.append("")
        if not args.skip_ours:
            results, failures = our_kernels(args, env, tmp)
            theirs_modeled = aiter_modeled_beside(args, env, tmp, results)
            groups, both_modeled = {}, {}
            for family, machine, table, r, b in results:
                groups.setdefault((family, machine), []).append(float(b["time_us"]) / float(r["us"]))
                if id(r) in theirs_modeled:
                    both_modeled.setdefault((family, machine), []).append(float(b["time_us"]) / theirs_modeled[id(r)])
            out += ["## 2. Our fastest kernel (modeled) vs AITER's tuned kernel", "",
                    "Ours modeled against AITER's measured time (different kernels: the ratio mixes the model's error",
                    "with the kernels' difference):", ""]
            out += summary_table(groups)
            if both_modeled:
                out += ["", "Ours against AITER's kernel, both modeled by the same model (rows naming an AITER asm "
                        "kernel; below 1: ours is modeled faster):", ""]
                out += summary_table(both_modeled)
            out += ["", "<details><summary>every shape</summary>", "",
                    "| family | machine | table | M | N | K | AITER measured us | AITER modeled us | our modeled us | ours/theirs (measured) | our kernel | limiter |",
                    "|---|---|---|---|---|---|---|---|---|---|---|---|"]
            for family, machine, table, r, b in results:
                kernel = b["kernel"] + (" k_splits=" + b["k_splits"] if b["k_splits"] != "1" else "")
                theirs = "%.2f" % theirs_modeled[id(r)] if id(r) in theirs_modeled else "-"
                out.append("| %s | %s | %s | %s | %s | %s | %.2f | %s | %.2f | %.2f | %s | %s |" % (
                    family, machine, table, r["M"], r["N"], r["K"], float(r["us"]), theirs, float(b["time_us"]),
                    float(b["time_us"]) / float(r["us"]), kernel, b["limiter"]))
            out += ["", "</details>", ""]
            slower = [(family, machine, r, b, theirs_modeled[id(r)]) for family, machine, table, r, b in results
                      if id(r) in theirs_modeled and float(b["time_us"]) > 1.1 * theirs_modeled[id(r)]]
            if slower:
                out += ["### To do: shapes where our kernel is modeled more than 10% slower than AITER's", "",
                        "| family | machine | M | N | K | ours / AITER (both modeled) | our kernel | our limiter |",
                        "|---|---|---|---|---|---|---|---|"]
                for family, machine, r, b, theirs in sorted(slower, key=lambda x: -float(x[3]["time_us"]) / x[4]):
                    kernel = b["kernel"] + (" k_splits=" + b["k_splits"] if b["k_splits"] != "1" else "")
                    out.append("| %s | %s | %s | %s | %s | %.2f | %s | %s |" % (
                        family, machine, r["M"], r["N"], r["K"], float(b["time_us"]) / theirs, kernel, b["limiter"]))
                out.append("")
            if failures:
                out += ["Not compared (%d):" % len(failures), ""]
                out += ["- %s %s %s: %s" % f for f in failures]
                out.append("")
    print("\n".join(out))


if __name__ == "__main__":
    sys.exit(main())
