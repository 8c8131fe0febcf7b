"""Runs our modeled sweeps for the shapes of aiter_published.csv and reports the error of the
model's fastest kernel per shape against the published time of AITER's kernel.

    /usr/bin/python3 perf/validation/compare.py ASMK [--repo DIR] > perf/validation/comparison.md

The kernels differ (ours vs theirs): the ratio measures our modeled kernel against their measured
one, i.e. model error and kernel quality together (perf/MODEL.md explains how to read it).
"""
import argparse
import csv
import math
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("asmk")
    parser.add_argument("--repo", default=None)
    args = parser.parse_args()
    with open(os.path.join(HERE, "aiter_published.csv")) as f:
        published = list(csv.DictReader(line for line in f if not line.startswith("#")))
    groups = {}
    for row in published:
        groups.setdefault((row["family"], row["where"], row["machine"]), []).append(row)

    print("| family | machine | M | N | K | published us (AITER, measured) | ours us (modeled) | ours/theirs | our kernel | limiter |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    log_ratios = []
    with tempfile.TemporaryDirectory() as tmp:
        for (family, where, machine), rows in groups.items():
            shapes = os.path.join(tmp, "shapes.csv")
            with open(shapes, "w") as f:
                f.write("m,n,k\n" + "".join("%s,%s,%s\n" % (r["m"], r["n"], r["k"]) for r in rows))
            out = os.path.join(tmp, family + machine)
            cmd = [args.asmk, "perf", family, "--machine", machine, "--shapes", shapes, "--where", where, "-o", out, "-q"]
            if args.repo:
                cmd += ["--repo", args.repo]
            subprocess.run(cmd, check=True, capture_output=True)
            with open(os.path.join(out, "%s-%s.csv" % (family, machine))) as f:
                modeled = [r for r in csv.DictReader(f) if r["best"] == "1"]
            for r in rows:
                ours = next(m for m in modeled if (m["m"], m["n"], m["k"]) == (r["m"], r["n"], r["k"]))
                ratio = float(ours["time_us"]) / float(r["published_us"])
                log_ratios.append(math.log(ratio))
                kernel = ours["kernel"] + (" k_splits=" + ours["k_splits"] if ours["k_splits"] != "1" else "")
                print("| %s | %s | %s | %s | %s | %.1f | %.1f | %.2f | %s | %s |" % (
                    family, machine, r["m"], r["n"], r["k"], float(r["published_us"]), float(ours["time_us"]), ratio,
                    kernel, ours["limiter"]))
    geo = math.exp(sum(log_ratios) / len(log_ratios))
    spread = math.exp(math.sqrt(sum((x - math.log(geo)) ** 2 for x in log_ratios) / len(log_ratios)))
    print()
    print("%d shapes: geometric mean of ours/theirs %.2f, geometric standard deviation %.2f, range %.2f .. %.2f" % (
        len(log_ratios), geo, spread, math.exp(min(log_ratios)), math.exp(max(log_ratios))))


if __name__ == "__main__":
    sys.exit(main())
