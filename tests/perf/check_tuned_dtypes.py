#!/usr/bin/env python3
"""The committed tuned tables decide gemm_a8w8 for both of its input dtypes at the canonical shapes.

Usage: check_tuned_dtypes.py ASMK PRESET

A tuned row matches only its own dtypes (a sweep never mixes them), so a table with only the default
(fp8) rows leaves every int8 GEMM to the cost estimate. For MI300X and MI355X, every shape of PRESET
(perf/presets/gemm.csv) and in_dtype fp8 and int8, `asmk op gemm_a8w8 ... --json` with the default
repository (the installed tree: perf/tuned) must give "rule: tuned table" and a kernel of that dtype.
"""
import csv
import json
import subprocess
import sys


def main() -> int:
    asmk, preset = sys.argv[1], sys.argv[2]
    with open(preset) as f:
        shapes = [(int(r["m"]), int(r["n"]), int(r["k"])) for r in csv.DictReader(l for l in f if not l.startswith("#"))]
    failures = []
    for machine in ("MI300X", "MI355X"):
        for dtype in ("fp8", "int8"):
            for m, n, k in shapes:
                cmd = [asmk, "op", "gemm_a8w8", "--m", str(m), "--n", str(n), "--k", str(k), "--dtype", dtype,
                       "--device", machine, "--json"]
                done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
                if done.returncode != 0:
                    failures.append("%s: %s" % (" ".join(cmd[1:]), done.stderr.strip()[-200:]))
                    continue
                j = json.loads(done.stdout)
                if "rule: tuned table" not in j["reason"] or ("_%s_" % dtype) not in j["kernel"]:
                    failures.append("%s %s M=%d N=%d K=%d: %s (%s)" % (machine, dtype, m, n, k, j["kernel"],
                                                                       j["reason"][-160:]))
    for f in failures:
        print("FAIL", f)
    print("%d selections checked, %d not from the tuned table" % (4 * len(shapes), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
