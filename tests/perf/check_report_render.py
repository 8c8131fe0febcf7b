"""The `asmk perf` report as a reader sees it: rendered by headless Chromium (Debian's `chromium`).

A GEMM sweep with a split-K shape writes the report; a copy of it gets a probe script appended
(the report itself has none) and Chromium renders it at a common window width and prints the DOM
(--dump-dom), in which the probe left its measurements. Checked:
- every chart uses the page width (the roofline at least 90 % of the body, a chart of a pair at
  least 45 %), and no text of any chart (titles, axis labels, ticks, legends, category labels)
  lies outside its chart's box: nothing is clipped;
- every plotted point is a row of the "every kernel and shape" table, and the roofline has one
  point per CSV row; split-K rows are drawn with their own marker and the marker legend is there;
- the per-shape table shows, for every shape, the fastest kernel with its k_splits beside the
  selector's pick;
- a --reference figure is shown beside ours at its shape (and only there);
- the "Produced by" command, run as printed (the CLI's path for `asmk`, another output folder),
  writes the same CSV.

usage: check_report_render.py ASMK DEFAULT_REPO OUT_DIR
exit 77 (skipped) when chromium is not installed (apt-get install chromium) or there are no kernels.
"""
import csv
import json
import os
import re
import shlex
import shutil
import subprocess
import sys

SHAPES = "m,n,k\n1,4096,4096\n64,4096,4096\n2048,4096,4096\n"

PROBE = r"""
<script>
(function () {
  const out = {charts: [], clipped: [], narrow: [], points: {}, markers: {}};
  const body = document.body.getBoundingClientRect().width;
  for (const svg of document.querySelectorAll("svg.chart")) {
    const box = svg.getBoundingClientRect();
    const pair = svg.parentElement.classList.contains("pair");
    out.charts.push({id: svg.id, width: box.width, body: body, pair: pair});
    if (box.width < (pair ? 0.45 : 0.9) * body) out.narrow.push(svg.id + " " + box.width + " of " + body);
    for (const text of svg.querySelectorAll("text")) {
      const t = text.getBoundingClientRect();
      if (t.width === 0 && text.textContent.trim() !== "") out.clipped.push(svg.id + ": '" + text.textContent + "' not laid out");
      if (t.left < box.left - 1 || t.right > box.right + 1 || t.top < box.top - 1 || t.bottom > box.bottom + 1)
        out.clipped.push(svg.id + ": '" + text.textContent + "' [" + [t.left, t.top, t.right, t.bottom].map(Math.round) +
                         "] outside [" + [box.left, box.top, box.right, box.bottom].map(Math.round) + "]");
    }
    out.points[svg.id] = svg.querySelectorAll(".point").length;
    out.markers[svg.id] = Array.from(svg.querySelectorAll(".marker-key")).length;
  }
  const rows = (id) => Array.from(document.querySelectorAll("#" + id + " tr")).slice(1)
      .map((tr) => Array.from(tr.children).map((td) => td.textContent));
  out.every_row = rows("every-row");
  out.per_shape = rows("per-shape");
  const produced = Array.from(document.querySelectorAll("p")).find((p) => p.textContent.startsWith("Produced by"));
  out.command = produced ? produced.querySelector("code").textContent : "";
  const pre = document.createElement("pre");
  pre.id = "render-probe";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>
"""


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def sweep(args, out):
    done = subprocess.run(args + ["-o", out, "-q"], capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        fail("%s failed:\n%s%s" % (" ".join(args), done.stdout, done.stderr))
    return done


def main():
    asmk, default_repo, out = sys.argv[1:4]
    browser = chromium()
    if browser is None:
        print("SKIP: chromium is not installed (Debian: apt-get install chromium); the report was not rendered")
        sys.exit(77)
    repo = os.environ.get("ASMK_HSACO_DIR") or default_repo
    if not os.path.exists(os.path.join(repo, "gfx942", "manifest.json")):
        print("SKIP: no code objects in", repo)
        sys.exit(77)
    os.makedirs(out, exist_ok=True)
    shapes = os.path.join(out, "shapes.csv")
    with open(shapes, "w") as f:
        f.write(SHAPES)
    reference = os.path.join(out, "reference.csv")
    with open(reference, "w") as f:
        f.write("family,machine,m,n,k,name,label,time_us,source\n"
                "gemm_bf16,MI300X,64,4096,4096,other kernel,measured,12.345,a test's figure\n"
                "gemm_bf16,MI355X,64,4096,4096,another part,measured,1.0,not this machine\n")
    first = os.path.join(out, "first")
    sweep([asmk, "perf", "gemm_bf16", "--machine", "MI300X", "--shapes", shapes, "--repo", repo,
           "--reference", reference], first)
    with open(os.path.join(first, "gemm_bf16-MI300X.csv")) as f:
        csv_text = f.read()
    rows = list(csv.DictReader(csv_text.splitlines()))
    if not any(int(r["k_splits"]) > 1 for r in rows):
        fail("the sweep has no split-K row (M=1 on N=K=4096 should offer some); the check needs one")

    html = open(os.path.join(first, "gemm_bf16-MI300X.html")).read()
    probed = os.path.join(out, "probed.html")
    with open(probed, "w") as f:
        f.write(html.replace("</body>", PROBE + "</body>"))
    done = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000",
                           "--virtual-time-budget=10000", "--dump-dom", "file://" + os.path.abspath(probed)],
                          capture_output=True, text=True, timeout=180)
    found = re.search(r'<pre id="render-probe">(.*?)</pre>', done.stdout, re.S)
    if not found:
        fail("chromium printed no probe result (exit %d):\n%s" % (done.returncode, (done.stderr or done.stdout)[-2000:]))
    probe = json.loads(found.group(1).replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))

    if len(probe["charts"]) < 4:
        fail("%d charts rendered: %s" % (len(probe["charts"]), probe["charts"]))
    if probe["narrow"]:
        fail("charts not using the page width: %s" % probe["narrow"])
    if probe["clipped"]:
        fail("text outside its chart (clipped): %s" % probe["clipped"][:10])
    if probe["points"].get("roofline") != len(rows):
        fail("the roofline has %s points for %d CSV rows" % (probe["points"].get("roofline"), len(rows)))
    if probe["markers"].get("roofline") != 4:
        fail("the roofline has no k_splits marker legend (%s)" % probe["markers"])
    table = {(r[0], r[1], r[2], r[3], r[4]) for r in probe["every_row"]}
    missing = [r for r in rows if (r["m"], r["n"], r["k"], r["kernel"], r["k_splits"]) not in table]
    if missing or len(probe["every_row"]) != len(rows):
        fail("the every-row table lacks plotted rows: %s" % missing[:3])
    shapes_seen = {(r["m"], r["n"], r["k"]) for r in rows}
    if len(probe["per_shape"]) != len(shapes_seen):
        fail("per-shape table has %d rows for %d shapes" % (len(probe["per_shape"]), len(shapes_seen)))
    for r in probe["per_shape"]:
        best = next(x for x in rows if (x["m"], x["n"], x["k"]) == (r[0], r[1], r[2]) and x["best"] == "1")
        if (r[3], r[4]) != (best["kernel"], best["k_splits"]):
            fail("per-shape row %s does not show the fastest %s k_splits=%s" % (r, best["kernel"], best["k_splits"]))
        if len(r) < 15 or r[10] in ("", "-"):
            fail("per-shape row without the selector's pick: %s" % r)
        beside = r[-1]
        want = "other kernel: 12.35 us (measured, a test's figure)" if r[0] == "64" else "-"
        if beside != want:
            fail("beside M=%s: %r, expected %r" % (r[0], beside, want))

    # The printed command, run as printed.
    command = shlex.split(probe["command"])
    if not command or command[0] != "asmk":
        fail("the report's command is %r" % probe["command"])
    again = os.path.join(out, "again")
    sweep([asmk] + command[1:], again)
    if open(os.path.join(again, "gemm_bf16-MI300X.csv")).read() != csv_text:
        fail("the report's command %r wrote a different CSV" % probe["command"])
    print("ok: %d charts, %d points, %d rows, %d shapes rendered by %s" % (
        len(probe["charts"]), sum(probe["points"].values()), len(rows), len(shapes_seen), browser))


if __name__ == "__main__":
    main()
