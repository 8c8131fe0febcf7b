"""`asmk perf` sweeps every GEMM family with its default kernel filter (the family's choices).

For each family and an arch that has its kernels, one small shape: the sweep must succeed and
model, with k_splits 1, exactly the kernels of the family on that arch whose choices (dtypes,
layout) are the op's defaults (`asmk op FAMILY --help`), a kernel without a choice's parameter
counting as having it (nothing about their times). A default filter that names a parameter the
kernels do not carry must not match nothing; a filter that is dropped sweeps other dtypes too.

usage: check_perf_families.py ASMK DEFAULT_REPO OUT_DIR   (exit 77 = skipped: no code objects)
"""
import csv
import json
import os
import re
import subprocess
import sys

CASES = [("gemm_bf16", "MI300X"), ("gemm_a8w8", "MI300X"), ("gemm_a8w8_blockscale", "MI300X"),
         ("gemm_a8w8_blockscale", "MI355X"), ("gemm_a4w4", "MI355X")]


def default_choices(asmk, repo, family):
    """The op's choices and their defaults, from `asmk op FAMILY --help` ("--in-dtype fp8,int8 (default fp8)")."""
    done = subprocess.run([asmk, "op", family, "--help", "--repo", repo], capture_output=True, text=True, timeout=60)
    return {name.replace("-", "_"): default for name, default in
            re.findall(r"^  --([a-z0-9-]+) +[a-z0-9_,]+ \(default ([a-z0-9_]+)\)", done.stdout, re.M)}


def main():
    asmk, default_repo, out = sys.argv[1:4]
    repo = os.environ.get("ASMK_HSACO_DIR") or default_repo
    if not os.path.exists(os.path.join(repo, "gfx950", "manifest.json")):
        print("SKIP: no code objects in", repo)
        sys.exit(77)
    os.makedirs(out, exist_ok=True)
    shapes = os.path.join(out, "shapes.csv")
    with open(shapes, "w") as f:
        f.write("m,n,k\n32,256,512\n")
    problems = []
    for family, machine in CASES:
        arch = "gfx942" if machine == "MI300X" else "gfx950"
        with open(os.path.join(repo, arch, "manifest.json")) as f:
            manifest = json.load(f)
        entries = manifest["kernels"] if isinstance(manifest, dict) else manifest
        defaults = default_choices(asmk, repo, family)
        kernels = {k["name"] for k in entries if k.get("family") == family and
                   all(str(k.get("params", k.get("parameters", {})).get(c, d)) == d for c, d in defaults.items())}
        done = subprocess.run([asmk, "perf", family, "--machine", machine, "--shapes", shapes, "--repo", repo,
                               "-o", out, "-q"], capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            problems.append("%s on %s: %s" % (family, machine, done.stderr.strip()))
            continue
        with open(os.path.join(out, "%s-%s.csv" % (family, machine))) as f:
            swept = {r["kernel"] for r in csv.DictReader(f) if r["k_splits"] == "1"}
        if not swept or swept != kernels:
            problems.append("%s on %s: swept %s, the family's kernels are %s" % (family, machine, swept, kernels))
    if problems:
        print("FAIL:\n  " + "\n  ".join(problems))
        sys.exit(1)
    print("ok: %d family sweeps" % len(CASES))


if __name__ == "__main__":
    main()
