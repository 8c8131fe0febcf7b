"""`asmk perf --backend hsa` end to end on the emulator-backed HSA runtime (emu/hsa_runtime, a test
double of libhsa-runtime64): the measured path runs, every row is labelled "measured" with a
positive time, the report says measured, and no modeled column (limiter) is filled in. The times
themselves are host times of the emulation and are not checked.

usage: check_perf_hsa.py ASMK DEFAULT_REPO SHAPES OUT_DIR   (ASMK_HSA_LIBRARY set by ctest; exit 77 = skipped)
"""
import csv
import os
import subprocess
import sys


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def main():
    asmk, default_repo, shapes, out = sys.argv[1:5]
    repo = os.environ.get("ASMK_HSACO_DIR") or default_repo
    if not os.path.exists(os.path.join(repo, "gfx942", "manifest.json")):
        print("SKIP: no code objects in", repo)
        sys.exit(77)
    run = subprocess.run([asmk, "perf", "quant_fp8", "--backend", "hsa", "--machine", "MI300X", "--warmup", "1",
                          "--repeats", "3", "--shapes", shapes, "--repo", repo, "-o", out, "-q"],
                         capture_output=True, text=True)
    if run.returncode != 0:
        fail("asmk perf --backend hsa failed: " + run.stdout + run.stderr)
    if "(all times measured)" not in run.stdout or "modeled" in run.stdout:
        fail("the printed table is not labelled measured only:\n" + run.stdout)
    with open(os.path.join(out, "quant_fp8-MI300X.csv")) as f:
        rows = list(csv.DictReader(f))
    if len(rows) != 6:
        fail("expected 6 rows (3 kernels x 2 shapes), got %d" % len(rows))
    for row in rows:
        if row["label"] != "measured" or float(row["time_us"]) <= 0 or row["limiter"]:
            fail("bad measured row: %s" % row)
    html = open(os.path.join(out, "quant_fp8-MI300X.html")).read()
    if "(measured)" not in html or "(modeled)" in html:
        fail("the report is not labelled measured")
    print("ok: %d measured rows" % len(rows))


if __name__ == "__main__":
    main()
