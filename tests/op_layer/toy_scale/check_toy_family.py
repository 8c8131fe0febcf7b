#!/usr/bin/env python3
"""A new family is a template folder + op spec + reference: build a repository holding only
toy_scale (tests/op_layer/toy_scale/templates) with asmgen into a temporary folder, then run
`asmk op toy_scale --check`, `asmk op --help`, `asmk demo`, `asmk perf` and the family's kernel test
against it.
`asmk` gets the reference from the plugin ($ASMK_REF_PLUGINS); without it, --check says so."""
import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile


def run(command, env, expect_ok=True, expect=(), reject=()):
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
    output = result.stdout + result.stderr
    problems = []
    if expect_ok != (result.returncode == 0):
        problems.append(f"exit status {result.returncode}, expected {'0' if expect_ok else 'a failure'}")
    problems += [f"output does not match /{r}/" for r in expect if not re.search(r, output, re.M)]
    problems += [f"output matches /{r}/" for r in reject if re.search(r, output, re.M)]
    if problems:
        print("command:", " ".join(command))
        print("output:\n" + output)
        print("\n".join(problems))
    return not problems


def perf_rows(csv_file):
    """The sweep modeled every shape on the toy's kernel (one row per shape, labelled modeled)."""
    with open(csv_file) as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    shapes = {(r["m"], r["n"]) for r in rows if r["kernel"] == "toy_scale_gfx942_n256"}
    if shapes != {("3", "1000"), ("64", "4096")}:
        print(f"perf rows: {rows}")
        return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser()
    for option in ("asmgen", "python", "llvm-bin", "templates", "asmk", "plugin", "kernel-test"):
        parser.add_argument("--" + option, required=True)
    a = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="asmk-toy-") as tmp:
        repo = os.path.join(tmp, "hsaco")
        base = dict(os.environ, ASMK_EMU_STRICT="1")
        base.pop("ASMK_REF_PLUGINS", None)
        base.pop("ASMK_REPO", None)
        if not run([a.python, a.asmgen, "build", "--arch", "gfx942,gfx950", "--templates", a.templates, "--out", repo,
                    "--llvm-bin", a.llvm_bin, "-j", "1"], base):
            return 1
        for arch in ("gfx942", "gfx950"):
            with open(os.path.join(repo, arch, "manifest.json")) as f:
                manifest = json.load(f)
            families = {k["family"] for k in manifest["kernels"]}
            if families != {"toy_scale"} or set(manifest["ops"]) != {"toy_scale", "toy_scale_twice", "toy_scale_indexed"}:
                print(f"{arch}: expected only toy_scale, got families {families}, ops {set(manifest['ops'])}")
                return 1
        with_plugin = dict(base, ASMK_REF_PLUGINS=a.plugin)
        shapes = os.path.join(tmp, "shapes.csv")
        with open(shapes, "w") as f:
            f.write("m,n\n3,1000\n64,4096\n")
        R = ["--repo", repo]
        ok = all([
            # 3 x 1000 elements: ceil(3000 / 256) = 12 workgroups.
            run([a.asmk, "op", "toy_scale", "--m", "3", "--n", "1000", "--alpha", "2.5", "--check", *R], with_plugin,
                expect=[r"^toy_scale_gfx942_n256 grid \(12, 1, 1\) block \(256, 1, 1\)$",
                        r"^check +m=3 n=1000 alpha=2.5 on the emulator vs ref/: y identical \(3000 elements\)$"]),
            run([a.asmk, "op", "toy_scale", "--m", "1", "--n", "300", "--device", "MI355X", "--explain", "--check", *R],
                with_plugin,
                expect=[r"^kernel +toy_scale_gfx950_n256$", r"^grid +2 x 1 x 1 workgroups$",
                        r"^  n +20 +4  by_value +u32 +300$", r"^  x +0 +8 .*<x: 1x300 f32>$",
                        r"^check .*: y identical \(300 elements\)$"]),
            # The reference comes from the plugin: without it there is none, and --check says so.
            run([a.asmk, "op", "toy_scale", "--m", "1", "--n", "64", "--check", *R], base, expect_ok=False,
                expect=[r"ref/ has no reference for op toy_scale .*ASMK_REF_PLUGINS"]),
            run([a.asmk, "op", "toy_scale", "--help", *R], base,
                expect=[r"--alpha +default 1.*the scale", r"--n +size \(required\)"]),
            run([a.asmk, "op", "toy_scale", "--m", "1", "--n", "64", "--alpha", "x", *R], base, expect_ok=False,
                expect=[r"toy_scale: alpha=x is not a number"]),
            run([a.asmk, "op", "toy_scale", "--m", "1", "--n", "64", "--shift", "-4", "--alpha", "3", "--check", *R],
                with_plugin, expect=[r"^check +m=1 n=64 shift=-4 alpha=3 on the emulator vs ref/: y identical"]),
            # A pipeline op (op.twice.yaml): two toy_scale launches through a temporary in the
            # workspace, or one when its `when` says so — checked against its own reference.
            run([a.asmk, "op", "toy_scale_twice", "--m", "3", "--n", "1000", "--alpha", "2.5", "--beta", "-0.75",
                 "--explain", "--check", *R], with_plugin,
                expect=[r"^launch 1 +toy_scale_gfx942_n256 grid \(12, 1, 1\)", r"^launch 2 +toy_scale_gfx942_n256",
                        r"^workspace +12000 bytes$", r"^toy_scale: skipped \(passes == 1 is false\)$",
                        r"^check .* on the emulator vs ref/: y identical \(3000 elements\)$"]),
            run([a.asmk, "op", "toy_scale_twice", "--m", "2", "--n", "256", "--passes", "1", "--check", *R],
                with_plugin, expect=[r"^toy_scale_gfx942_n256 grid \(2, 1, 1\) block \(256, 1, 1\)$",
                                     r"^check .*: y identical \(512 elements\)$"], reject=[r"^launch"]),
            run([a.asmk, "op", "toy_scale_twice", "--m", "2", "--n", "256", "--passes", "0", *R], with_plugin,
                expect_ok=False, expect=[r"passes=0 is outside its range"]),
            run([a.asmk, "demo", *R], with_plugin,
                expect=[r"^== MI300X \(gfx942", r"^== MI355X \(gfx950",
                        r"^MI300X +toy_scale_gfx942_n256 +m=3 n=1000 alpha=2.5 +\[.*\]  y 3000/3000 identical$",
                        r"^MI355X +toy_scale_gfx950_n256 +m=1 n=256 shift=-3 +\[.*\]  y 256/256 identical$",
                        r"^MI300X +toy_scale_gfx942_n256.* +m=3 n=1000 alpha=2.5 beta=-0.75 +\[.*\]  y 3000/3000 identical$",
                        r"^MI355X +toy_scale_gfx950_n256.* +m=3 n=1000 alpha=2.5 mask +\[.*\]  y 3000/3000 identical$",
                        r"^all demo launches match the reference$"],
                reject=["FAILED", "MISMATCH"]),
            run([a.kernel_test], dict(base, ASMK_TOY_REPO=repo), expect=[r"\[  PASSED  \] 4 tests"]),
            # asmk perf: the op's family from its op spec, its launches from the kernel's launch rule
            # (modeled; the f32 and i32 scalars' defaults reach the traced kernel).
            run([a.asmk, "perf", "toy_scale", "--machine", "MI300X", "--shapes", shapes, "-o",
                 os.path.join(tmp, "perf"), "-q", *R], base,
                expect=[r"modeled"], reject=["skipped"]),
        ]) and perf_rows(os.path.join(tmp, "perf", "toy_scale-MI300X.csv"))
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
