"""`asmk tune --backend hsa|hip` end to end on the emulator-backed runtimes (emu/hsa_runtime and
emu/hip_runtime, test doubles of libhsa-runtime64 and libamdhip64): the measuring path runs through
each backend, the tuned table gets one row per shape naming a kernel and split of the family's sweep,
rows already in the table for other families are kept (a merge), and the output says the choice was
measured. The times are host times of the emulation and are not checked. A backend that cannot be
opened fails with an error naming it.

usage: check_tune_measured.py ASMK DEFAULT_REPO OUT_DIR
       (ASMK_HSA_LIBRARY and ASMK_HIP_LIBRARY set by ctest; exit 77 = skipped)
"""
import csv
import os
import subprocess
import sys

HEADER = "family,m,n,k,kernel,k_splits"
# One small problem: the sweep runs every matching gemm_a8w8 tile and split on the emulator.
SHAPES = "m,n,k\n16,256,256\n"
KEPT = "gemm_bf16,4096,4096,4096,gemm_bf16_gfx942_bf16_m128_n128,1"


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def tune(asmk, repo, shapes, table, backend, env=None):
    return subprocess.run([asmk, "tune", "gemm_a8w8", "--machine", "MI300X", "--backend", backend, "--warmup", "0",
                           "--repeats", "1", "--shapes", shapes, "--repo", repo, "-o", table, "-q"],
                          capture_output=True, text=True, env=env)


def main():
    asmk, default_repo, out = sys.argv[1:4]
    repo = os.environ.get("ASMK_HSACO_DIR") or default_repo
    if not os.path.exists(os.path.join(repo, "gfx942", "manifest.json")):
        print("SKIP: no code objects in", repo)
        sys.exit(77)
    os.makedirs(out, exist_ok=True)
    shapes = os.path.join(out, "shapes.csv")
    with open(shapes, "w") as f:
        f.write(SHAPES)
    listed = subprocess.run([asmk, "list", "--repo", repo], capture_output=True, text=True).stdout
    kernels = {line.split()[0] for line in listed.splitlines()
               if line.startswith("gemm_a8w8_gfx942_fp8_bf16_row_")}
    if not kernels:
        fail("asmk list names no gemm_a8w8_gfx942_fp8_bf16_row_* kernel:\n" + listed)

    for backend in ("hsa", "hip"):
        table = os.path.join(out, "tuned-%s.csv" % backend)
        with open(table, "w") as f:
            f.write(HEADER + "\n" + KEPT + "\n")
        run = tune(asmk, repo, shapes, table, backend)
        if run.returncode != 0:
            fail("asmk tune --backend %s failed: %s%s" % (backend, run.stdout, run.stderr))
        if "measured on " + backend not in run.stdout or "choices by measured time" not in run.stdout:
            fail("the output does not say the choice was measured on %s:\n%s" % (backend, run.stdout))
        if "modeled" in run.stdout:
            fail("a measured tune prints a modeled figure:\n" + run.stdout)
        with open(table) as f:
            lines = f.read().splitlines()
        if lines[0] != HEADER:
            fail("%s: header %s" % (table, lines[0]))
        if KEPT not in lines:
            fail("%s: the gemm_bf16 row was not kept (no merge): %s" % (table, lines))
        rows = [r for r in csv.DictReader(lines) if r["family"] == "gemm_a8w8"]
        if len(rows) != 1:
            fail("%s: expected one gemm_a8w8 row, got %s" % (table, rows))
        row = rows[0]
        if (row["m"], row["n"], row["k"]) != ("16", "256", "256") or row["kernel"] not in kernels or \
                row["k_splits"] not in ("1", "2", "4", "8"):
            fail("%s: bad tuned row %s" % (table, row))
        print("ok: %s measured, tuned %s k_splits=%s" % (backend, row["kernel"], row["k_splits"]))

    # A backend that cannot be opened: the error names it (and nothing is written).
    env = dict(os.environ, ASMK_HIP_LIBRARY=os.path.join(out, "no-such-libamdhip64.so"))
    table = os.path.join(out, "tuned-missing.csv")
    if os.path.exists(table):
        os.remove(table)
    run = tune(asmk, repo, shapes, table, "hip", env)
    if run.returncode == 0 or "hip backend is not available" not in run.stdout + run.stderr:
        fail("tune on a missing HIP runtime: exit %d, %s%s" % (run.returncode, run.stdout, run.stderr))
    if os.path.exists(table):
        fail("tune on a missing HIP runtime wrote " + table)
    run = tune(asmk, repo, shapes, table, "cuda")
    if run.returncode == 0 or "--backend must be" not in run.stdout + run.stderr:
        fail("tune --backend cuda: exit %d, %s%s" % (run.returncode, run.stdout, run.stderr))
    print("ok: a missing runtime and an unknown backend are refused")


if __name__ == "__main__":
    main()
