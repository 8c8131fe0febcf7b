"""`asmk run FILE.co --model MACHINE` is the model `asmk perf` uses, for a launch given by hand.

One gemm_bf16 kernel, one shape whose tiles are all alike (no ragged tile, no split): `asmk perf`
models it from its launch plan; `asmk run --model` from the code object alone (grid, buffers and
arguments on the command line, the first and last workgroups traced). Both must give the same time,
limiter and occupancy (the comparison is between two paths, never against a fixed timing). Then the
errors: a machine of another arch, --json without --model; the CU timeline (busy units, waits) of both outputs. Also `asmk perf --json` against its CSV.

usage: check_run_model.py ASMK DEFAULT_REPO OUT_DIR   (exit 77 = skipped: no code objects)
"""
import csv
import json
import os
import subprocess
import sys

KERNEL = "gemm_bf16_gfx942_bf16_m64_n128"
M, N, K = 256, 512, 512  # 4 x 4 tiles of 64 x 128
MACHINE = "MI300X"


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def run(args):
    return subprocess.run(args, capture_output=True, text=True, timeout=300)


def main():
    asmk, default_repo, out = sys.argv[1:4]
    repo = os.environ.get("ASMK_HSACO_DIR") or default_repo
    co, symbol = None, None
    manifest = os.path.join(repo, "gfx942", "manifest.json")
    if os.path.exists(manifest):  # code objects hold groups of kernels: the manifest names the file
        with open(manifest) as f:
            doc = json.load(f)
        for k in doc["kernels"] if isinstance(doc, dict) else doc:
            if k["name"] == KERNEL:
                co, symbol = os.path.join(repo, "gfx942", k["file"]), k["symbol"]
    if co is None or not os.path.exists(co):
        print("SKIP: no code object", co)
        sys.exit(77)
    os.makedirs(out, exist_ok=True)
    shapes = os.path.join(out, "shapes.csv")
    with open(shapes, "w") as f:
        f.write("m,n,k\n%d,%d,%d\n" % (M, N, K))
    swept = run([asmk, "perf", "gemm_bf16", "--machine", MACHINE, "--shapes", shapes, "--repo", repo,
                 "--where", "m_tile=64", "--where", "n_tile=128", "-o", out, "-q"])
    if swept.returncode != 0:
        fail("asmk perf failed: " + swept.stdout + swept.stderr)
    with open(os.path.join(out, "gemm_bf16-%s.csv" % MACHINE)) as f:
        rows = [r for r in csv.DictReader(f) if r["kernel"] == KERNEL and r["k_splits"] == "1"]
    if len(rows) != 1:
        fail("expected one unsplit row of %s, got %d" % (KERNEL, len(rows)))
    plan = rows[0]
    # --json: the CSV's rows, the same figures.
    as_json = run([asmk, "perf", "gemm_bf16", "--machine", MACHINE, "--shapes", shapes, "--repo", repo,
                   "--where", "m_tile=64", "--where", "n_tile=128", "-o", out, "-q", "--json"])
    if as_json.returncode != 0:
        fail("asmk perf --json failed: " + as_json.stdout + as_json.stderr)
    doc = json.loads(as_json.stdout)
    with open(os.path.join(out, "gemm_bf16-%s.csv" % MACHINE)) as f:
        csv_rows = list(csv.DictReader(f))
    if doc["label"] != "modeled" or len(doc["rows"]) != len(csv_rows):
        fail("perf --json: label %s, %d rows; the CSV has %d" % (doc["label"], len(doc["rows"]), len(csv_rows)))
    for j, c in zip(doc["rows"], csv_rows):
        if (j["kernel"], str(j["k_splits"]), j["limiter"]) != (c["kernel"], c["k_splits"], c["limiter"]) or \
                abs(j["time_us"] - float(c["time_us"])) > 1e-3 * float(c["time_us"]):
            fail("perf --json row %s vs the CSV's %s" % (j, c))

    launch = [asmk, "run", co, "--kernel", symbol, "--grid", "%d,%d,1" % (N // 128, M // 64),
              "--buffer", "a=zeros:%d" % (M * K * 2), "--buffer", "b=zeros:%d" % (N * K * 2),
              "--buffer", "c=zeros:%d" % (M * N * 2), "--arg", "m=%d" % M, "--arg", "n=%d" % N, "--arg", "k=%d" % K,
              "--arg", "stride_a=%d" % K, "--arg", "stride_b=%d" % K, "--arg", "stride_c=%d" % N,
              "--arg", "workspace=0", "--arg", "k_splits=1"]
    modeled = run(launch + ["--model", MACHINE, "--json", "--flops", str(2 * M * N * K)])
    if modeled.returncode != 0:
        fail("asmk run --model failed: " + modeled.stdout + modeled.stderr)
    figures = json.loads(modeled.stdout)
    if figures["label"] != "modeled" or figures["machine"] != MACHINE:
        fail("not labelled modeled on %s: %s" % (MACHINE, figures))
    # Same model, same launch: the same time (to the CSV's printed precision), limiter and occupancy.
    if abs(figures["time_us"] - float(plan["time_us"])) > 1e-3 * float(plan["time_us"]):
        fail("asmk run --model: %.4f us, asmk perf: %s us" % (figures["time_us"], plan["time_us"]))
    if figures["limiter"] != plan["limiter"]:
        fail("limiter %r vs asmk perf's %r" % (figures["limiter"], plan["limiter"]))
    if figures["workgroups"] != int(plan["workgroups"]) or figures["workgroups_per_cu"] != int(plan["workgroups_per_cu"]):
        fail("workgroups %s / per CU %s vs asmk perf's %s / %s" % (
            figures["workgroups"], figures["workgroups_per_cu"], plan["workgroups"], plan["workgroups_per_cu"]))

    # Where the time goes: the CU timeline of the (only) class — units busy at most its cycles, the MFMA GEMM's matrix
    # cores busy, the waves of its resident workgroups, a CU limiter named by a unit busy >= 60 % of the cycles.
    cu = figures["cu"]
    busy = {"mfma": cu["mfma_busy"], "valu": cu["valu_busy"], "salu": cu["salu_busy"], "lds": cu["lds_busy"],
            "vmem issue": cu["vmem_busy"]}
    if not (cu["cycles"] > 0 and cu["mfma_busy"] > 0 and cu["instructions"] > 0 and
            all(0 <= b <= cu["cycles"] for b in busy.values()) and
            min(cu["wait_vm"], cu["wait_lgkm"], cu["wait_barrier"], cu["wait_dependency"]) >= 0):
        fail("--model cu timeline: %s" % cu)
    if cu["waves"] != 4 * figures["resident_per_cu"]:
        fail("--model cu: %d waves for %d resident 4-wave workgroups" % (cu["waves"], figures["resident_per_cu"]))
    if figures["limiter"] in busy and busy[figures["limiter"]] < 0.6 * cu["cycles"]:
        fail("limiter %s, but that unit is busy %d of %d cycles" % (figures["limiter"], busy[figures["limiter"]], cu["cycles"]))

    text = run(launch + ["--model", MACHINE])
    if text.returncode != 0 or "modeled on MI300X" not in text.stdout or "not a measurement" not in text.stdout:
        fail("the text output does not say modeled on MI300X:\n" + text.stdout + text.stderr)
    if "CU (the class with the most CU time, %d resident): %d cycles; busy MFMA %d," % (
            figures["resident_per_cu"], cu["cycles"], cu["mfma_busy"]) not in text.stdout:
        fail("the text output does not give the JSON's CU timeline %s:\n%s" % (cu, text.stdout))

    wrong_arch = run(launch + ["--model", "MI355X"])
    if wrong_arch.returncode == 0 or "the machine is gfx950, the code object is gfx942" not in wrong_arch.stderr:
        fail("--model MI355X on a gfx942 code object: " + wrong_arch.stdout + wrong_arch.stderr)
    no_model = run(launch + ["--json"])
    if no_model.returncode == 0 or "apply to --model" not in no_model.stderr:
        fail("--json without --model: " + no_model.stdout + no_model.stderr)
    print("ok: asmk run --model = asmk perf (%.3f us modeled, %s)" % (figures["time_us"], figures["limiter"]))


if __name__ == "__main__":
    main()
