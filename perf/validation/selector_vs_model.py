"""Does libasmk's selector pick what the model ranks first? Over the GEMM presets, per family and
machine, the selector's pick (its cost estimate alone: a copy of the repository without tuned
tables; and with the tuned tables) against the model's fastest kernel and split for each shape.

    /usr/bin/python3 perf/validation/selector_vs_model.py --asmk build/tools/asmk --repo hsaco \\
        > perf/validation/selector_vs_model.md

Both sides come from `asmk perf FAMILY --json` (rows: the model's time of every kernel and split;
`best`: the model's fastest; `selected`: what `asmk op` would launch). A shape is an exception when
the pick's modeled time is more than 10% above the fastest; the report lists each with the
selector's estimate of both (its --explain lines), which says why the estimate ranks them apart.
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile

FAMILIES = {"MI300X": ["gemm_bf16", "gemm_a8w8", "gemm_a8w8_blockscale"],
            "MI355X": ["gemm_bf16", "gemm_a8w8", "gemm_a8w8_blockscale", "gemm_a4w4"]}
TOLERANCE = 1.10


def sweep(asmk, repo, family, machine, out):
    cmd = [asmk, "perf", family, "--machine", machine, "--repo", repo, "-o", out, "-q", "--json"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit("%s failed: %s" % (" ".join(cmd), done.stderr[-400:]))
    return json.loads(done.stdout)["rows"]


def estimate_lines(asmk, repo, family, machine, shape, kernels):
    """The selector's --explain lines of the given (kernel, k_splits) candidates."""
    cmd = [asmk, "op", family, "--m", str(shape[0]), "--n", str(shape[1]), "--k", str(shape[2]), "--device", machine,
           "--repo", repo, "--json"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        return ["(asmk op failed: %s)" % done.stderr.strip()[-200:]]
    lines = json.loads(done.stdout)["candidates"]
    wanted = ["%s k_splits=%d:" % k for k in kernels]
    return [line.lstrip("*x ") for line in lines if any(line.lstrip("*x ").startswith(w) for w in wanted)]


def compare(rows):
    """Per shape: (fastest row, selected row or None)."""
    shapes = {}
    for r in rows:
        s = shapes.setdefault((r["m"], r["n"], r["k"]), [None, None])
        if r["best"]:
            s[0] = r
        if r["selected"]:
            s[1] = r
    return shapes


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--asmk", required=True)
    parser.add_argument("--repo", required=True, help="the kernels and their tuned tables (hsaco)")
    args = parser.parse_args()
    out = ["# The selector's pick against the model's fastest kernel (GEMM presets)", "",
           "Every time here is **modeled** (perf/MODEL.md). Regenerate with (from the repository root):", "", "```sh",
           "/usr/bin/python3 perf/validation/selector_vs_model.py " + " ".join(shlex.quote(a) for a in sys.argv[1:]),
           "```", "",
           "pick / fastest = the modeled time of the kernel and split the selector picks over the model's fastest,",
           "per shape of perf/presets/gemm.csv; `estimate only` asks a copy of the repository without tuned tables",
           "(the selector's cost estimate decides), `tuned` the repository as shipped (its tuned tables first).",
           "Exceptions: pick more than 10% slower than the fastest.", "",
           "| family | machine | selector | shapes | pick = fastest | within 10% | exceptions | worst pick / fastest |",
           "|---|---|---|---|---|---|---|---|"]
    exceptions = []
    with tempfile.TemporaryDirectory() as tmp:
        untuned = os.path.join(tmp, "repo")
        os.makedirs(untuned)
        for entry in os.listdir(args.repo):
            if entry != "tuned":
                os.symlink(os.path.abspath(os.path.join(args.repo, entry)), os.path.join(untuned, entry))
        for machine, families in FAMILIES.items():
            for family in families:
                for mode, repo in (("estimate only", untuned), ("tuned", args.repo)):
                    shapes = compare(sweep(args.asmk, repo, family, machine, os.path.join(tmp, "out")))
                    ratios, worst = [], (1.0, None)
                    for shape, (best, pick) in sorted(shapes.items()):
                        if best is None:
                            continue
                        if pick is None:
                            ratio = float("inf")
                        else:
                            ratio = pick["time_us"] / best["time_us"]
                        ratios.append(ratio)
                        worst = max(worst, (ratio, shape), key=lambda x: x[0])
                        if ratio > TOLERANCE:
                            exceptions.append((family, machine, mode, shape, best, pick, repo))
                    out.append("| %s | %s | %s | %d | %d | %d | %d | %s |" % (
                        family, machine, mode, len(ratios), sum(r == 1.0 for r in ratios),
                        sum(r <= TOLERANCE for r in ratios), sum(r > TOLERANCE for r in ratios),
                        "%.2f (M=%d N=%d K=%d)" % ((worst[0],) + worst[1]) if worst[1] else "1.00"))
        out += ["", "## Exceptions", ""]
        if not exceptions:
            out.append("None: over the presets, every pick is within 10% of the model's fastest.")
        for family, machine, mode, shape, best, pick, repo in exceptions:
            name = lambda r: "%s k_splits=%d" % (r["kernel"], r["k_splits"])  # noqa: E731
            out.append("- %s %s (%s) M=%d N=%d K=%d: the model's fastest %s %.2f us (%s); the pick %s" % (
                family, machine, mode, *shape, name(best), best["time_us"], best["limiter"],
                "%s %.2f us (%s), %.2fx" % (name(pick), pick["time_us"], pick["limiter"], pick["time_us"] / best["time_us"])
                if pick else "is not a row of the sweep"))
            kernels = [(best["kernel"], best["k_splits"])] + ([(pick["kernel"], pick["k_splits"])] if pick else [])
            for line in estimate_lines(args.asmk, repo, family, machine, shape, kernels):
                out.append("  - estimate: `%s`" % line)
    print("\n".join(out))


if __name__ == "__main__":
    sys.exit(main())
