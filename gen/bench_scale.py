#!/usr/bin/python3
"""Build-time benchmark of asmgen at scale (a benchmark, not a test: it only reports figures).

Copies templates/, asm_src/ and asmgen into a temporary folder, gives every family an extra axis `copy` (values 0..C-1,
unused by the templates, so each copy is a real kernel with its own name and symbol) so that the
kernel set reaches --per-arch kernels per arch, then times, as separate `gen/asmgen build` runs:
  cold   an empty output folder
  no-op  the same build again (nothing changed)
  touch  after a template comment change in one family (that family re-renders, nothing is assembled)
  one    after a template change that alters one variant's code (its code object is rebuilt)

    gen/bench_scale.py [--per-arch 1000] [-j N] [--per-object N] [--llvm-bin DIR] [--keep]
"""

import argparse
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

GEN = Path(__file__).resolve().parent
REPO = GEN.parent
sys.path.insert(0, str(GEN))

from asmgen_lib.expand import expand  # noqa: E402
from asmgen_lib.space import discover_families, load_space  # noqa: E402

ARCHS = ("gfx942", "gfx950")


def kernels_per_arch(templates: Path) -> dict:
    spaces = [load_space(templates / f / "space.yaml") for f in discover_families(templates)]
    return {arch: sum(len(expand(s, [arch])) for s in spaces) for arch in ARCHS}


def multiply(templates: Path, copies: int):
    for space_file in templates.glob("*/space.yaml"):
        doc = yaml.safe_load(space_file.read_text())
        doc["axes"].append({"name": "copy", "values": list(range(copies)), "format": "c{}",
                            "doc": "benchmark copies"})
        space_file.write_text(yaml.safe_dump(doc, sort_keys=False))


def timed_build(templates: Path, out: Path, jobs, llvm_bin, per_object=None) -> tuple[float, float, str]:
    cmd = [sys.executable, str(templates.parent / "gen" / "asmgen"), "build", "--arch", ",".join(ARCHS), "--templates", str(templates),
           "--asm-src", str(templates.parent / "asm_src"), "--out", str(out)]
    cmd += ["-j", str(jobs)] if jobs else []
    cmd += ["--llvm-bin", llvm_bin] if llvm_bin else []
    cmd += ["--per-object", str(per_object)] if per_object else []
    start, cpu_start = time.monotonic(), _children_cpu()
    done = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.monotonic() - start
    cpu = _children_cpu() - cpu_start
    summary = [line for line in done.stdout.splitlines() if " built, " in line]
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-2000:] + done.stderr[-2000:])
    return seconds, cpu, summary[-1] if summary else f"exit {done.returncode}"


def _children_cpu() -> float:
    """User + system CPU seconds of the finished child processes (asmgen and the LLVM tools it ran)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-arch", type=int, default=1000)
    parser.add_argument("-j", "--jobs", type=int, default=None)
    parser.add_argument("--per-object", type=int, default=None, help="kernels per code object (asmgen's default)")
    parser.add_argument("--llvm-bin", default=None)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="asmgen-bench-"))
    try:
        templates = work / "templates"
        shutil.copytree(REPO / "templates", templates)
        shutil.copytree(REPO / "asm_src", work / "asm_src")      # snapshots: edits during the run do not leak in
        shutil.copytree(GEN / "asmgen_lib", work / "gen" / "asmgen_lib", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy2(GEN / "asmgen", work / "gen" / "asmgen")
        base = kernels_per_arch(templates)
        copies = math.ceil(args.per_arch / min(base.values()))
        multiply(templates, copies)
        counts = kernels_per_arch(templates)
        print(f"kernels per arch: {counts} ({copies} copies of {base}); {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)
        out = work / "hsaco"
        template = templates / "quant_fp8" / "quant_fp8.s.j2"
        first = expand(load_space(templates / "quant_fp8" / "space.yaml"), ["gfx942"])[0].name
        for label, prepare in (("cold", None), ("no-op", None),
                               ("touch", lambda: template.open("a").write("{# touched #}\n")),
                               ("one", lambda: template.open("a").write(f"{{% if name == '{first}' %}}\n  s_nop 0\n"
                                                                          "{% endif %}\n"))):
            if prepare:
                prepare()
            seconds, cpu, summary = timed_build(templates, out, args.jobs, args.llvm_bin, args.per_object)
            print(f"{label:6s} {seconds:7.2f} s wall {cpu:7.2f} s CPU   {summary}", flush=True)
        if args.keep:
            print(f"kept {work}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
