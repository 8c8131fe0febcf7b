"""End-to-end structure check of `asmk perf` and `asmk tune` (model backend, quant_fp8 on MI300X).

Checks what a reader of the outputs relies on, never a timing value: the CSV header is exactly the
documented one and every row is labelled "modeled"; the HTML report parses as XML, is self-contained
(no script, no external reference) and holds the charts, with one roofline point per CSV row; a
second identical sweep writes the same CSV (the model is deterministic); the tuned table has the contract's header and one row per shape naming a kernel of the sweep, and a second tune merges into it.

usage: check_perf_cli.py ASMK DEFAULT_REPO SHAPES OUT_DIR   (exit 77 = skipped: no code objects)
"""
import csv
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

CSV_HEADER = ("family,machine,label,m,n,k,kernel,variant,best,k_splits,time_us,tflops,tbps,roofline_fraction,"
              "limiter,workgroups,waves_per_simd,workgroups_per_cu,flops,bytes")
TUNED_HEADER = "family,m,n,k,kernel,k_splits"
SVG = "{http://www.w3.org/2000/svg}"


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def main():
    asmk, default_repo, shapes, out = sys.argv[1:5]
    repo = os.environ.get("ASMK_HSACO_DIR") or default_repo
    if not os.path.exists(os.path.join(repo, "gfx942", "manifest.json")):
        print("SKIP: no code objects in", repo)
        sys.exit(77)
    run = subprocess.run([asmk, "perf", "quant_fp8", "--machine", "MI300X", "--shapes", shapes, "--repo", repo,
                          "-o", out, "-q"], capture_output=True, text=True)
    if run.returncode != 0:
        fail("asmk perf failed: " + run.stdout + run.stderr)
    if "modeled" not in run.stdout:
        fail("the printed table does not say the times are modeled:\n" + run.stdout)

    with open(os.path.join(out, "quant_fp8-MI300X.csv")) as f:
        lines = f.read().splitlines()
    if lines[0] != CSV_HEADER:
        fail("CSV header is\n  %s\nexpected\n  %s" % (lines[0], CSV_HEADER))
    rows = list(csv.DictReader(lines))
    if not rows:
        fail("no rows")
    for row in rows:
        if row["label"] != "modeled":
            fail("row not labelled modeled: %s" % row)
        if float(row["time_us"]) <= 0:
            fail("non-positive time: %s" % row)
    shapes_seen = {(r["m"], r["n"]) for r in rows}
    if shapes_seen != {("3", "1024"), ("5", "1152")}:
        fail("shapes in the CSV: %s" % sorted(shapes_seen))
    for shape in shapes_seen:
        best = [r for r in rows if (r["m"], r["n"]) == shape and r["best"] == "1"]
        if len(best) != 1:
            fail("shape %s has %d rows marked best" % (shape, len(best)))

    html_path = os.path.join(out, "quant_fp8-MI300X.html")
    text = open(html_path).read()
    if "<script" in text or "http://" in text.replace("http://www.w3.org/", ""):
        fail("the report is not self-contained (script or external reference)")
    root = ET.parse(html_path).getroot()
    charts = {svg.get("id"): svg for svg in root.iter(SVG + "svg")}
    for wanted in ("roofline", "limiters"):
        if wanted not in charts:
            fail("chart %s missing; charts: %s" % (wanted, sorted(charts)))
    points = [c for c in charts["roofline"].iter() if c.get("class") == "point"]
    if len(points) != len(rows):
        fail("roofline has %d points for %d rows" % (len(points), len(rows)))
    bars = [r for r in charts["limiters"].iter(SVG + "rect") if r.get("class") == "bar"]
    if not bars:
        fail("the limiter chart has no bars")
    if "modeled" not in (root.find("{http://www.w3.org/1999/xhtml}head/{http://www.w3.org/1999/xhtml}title").text or ""):
        fail("the report title does not say modeled")

    # The model is deterministic: a second sweep of the same kernels and shapes writes the same CSV.
    again = out + "_again"
    run = subprocess.run([asmk, "perf", "quant_fp8", "--machine", "MI300X", "--shapes", shapes, "--repo", repo,
                          "-o", again, "-q"], capture_output=True, text=True)
    if run.returncode != 0 or open(os.path.join(again, "quant_fp8-MI300X.csv")).read().splitlines() != lines:
        fail("a second identical sweep wrote a different CSV")

    tuned = os.path.join(out, "tuned.csv")
    if os.path.exists(tuned):
        os.remove(tuned)  # `asmk tune` merges into an existing table: start from none (a rerun in the same build)
    run = subprocess.run([asmk, "tune", "quant_fp8", "--machine", "MI300X", "--shapes", shapes, "--repo", repo,
                          "-o", tuned, "-q"], capture_output=True, text=True)
    if run.returncode != 0:
        fail("asmk tune failed: " + run.stdout + run.stderr)
    with open(tuned) as f:
        lines = f.read().splitlines()
    if lines[0] != TUNED_HEADER:
        fail("tuned header is %s" % lines[0])
    kernels = {r["kernel"] for r in rows}
    tuned_rows = list(csv.DictReader(lines))
    if len(tuned_rows) != 2 or any(r["family"] != "quant_fp8" or r["kernel"] not in kernels or r["k_splits"] != "1"
                                   for r in tuned_rows):
        fail("tuned rows: %s" % tuned_rows)

    # `asmk tune` merges: rows of other families, and rows of this family whose kernel the run did not
    # compare (another dtype), stay; the run's shapes are replaced, not duplicated.
    first = tuned_rows[0]
    foreign = ["gemm_bf16,1,2,3,some_gemm_kernel,1",
               "quant_fp8,%s,%s,%s,quant_fp8_gfx942_fp16_group_n512,1" % (first["m"], first["n"], first["k"])]
    with open(tuned, "a") as f:
        f.write("\n".join(foreign) + "\n")
    run = subprocess.run([asmk, "tune", "quant_fp8", "--machine", "MI300X", "--shapes", shapes, "--repo", repo,
                          "-o", tuned, "-q"], capture_output=True, text=True)
    if run.returncode != 0:
        fail("asmk tune (merge) failed: " + run.stdout + run.stderr)
    with open(tuned) as f:
        merged = f.read().splitlines()
    if sorted(merged[1:]) != sorted(lines[1:] + foreign):
        fail("merged table: %s, expected the first run's rows plus %s" % (merged, foreign))
    print("ok: %d rows, %d charts, %d roofline points" % (len(rows), len(charts), len(points)))


if __name__ == "__main__":
    main()
