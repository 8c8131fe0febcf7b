"""The asmgen command line: build, list, show, clean. All printing of asmgen happens here."""

import argparse
import json
import sys
import time
from pathlib import Path

from . import grouping, manifest
from .archs import ARCHS, DEFAULT_ARCHS
from .build import BUILT, FAILED, REJECTED, BuildOptions, Builder, clean, default_jobs
from .errors import AsmgenError
from .toolchain import Toolchain

REPO_ROOT = Path(__file__).resolve().parents[2]


def _archs(text: str) -> list:
    archs = [a.strip() for a in text.split(",") if a.strip()]
    unknown = [a for a in archs if a not in ARCHS]
    if unknown or not archs:
        raise argparse.ArgumentTypeError(f"unknown arch {', '.join(unknown) or text!r} (known: {', '.join(ARCHS)})")
    return archs


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive count")
    return int(text)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="asmgen", description="Kernel generator: templates -> code objects + manifest.")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--out", type=Path, default=REPO_ROOT / "hsaco", help="output folder (default: <repo>/hsaco)")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", parents=[common], help="expand, assemble and link every variant")
    b.add_argument("--arch", type=_archs, default=list(DEFAULT_ARCHS), help="comma-separated (default: gfx942,gfx950)")
    b.add_argument("--family", action="append", nargs="+", default=None, help="only these families (repeatable)")
    b.add_argument("-j", "--jobs", type=int, default=default_jobs(), help="parallel assembler runs (default: nproc)")
    b.add_argument("--llvm-bin", default=None, help="LLVM 22 bin folder (default: $ASMK_LLVM_BIN or /usr/lib/llvm-22/bin)")
    b.add_argument("--per-object", type=_positive, default=grouping.DEFAULT_PER_OBJECT, metavar="N",
                   help=f"kernels per code object, at most (default: {grouping.DEFAULT_PER_OBJECT})")
    b.add_argument("--templates", type=Path, default=REPO_ROOT / "templates", help="templates folder")
    b.add_argument("--asm-src", type=Path, default=REPO_ROOT / "asm_src", help="shared assembly folder")

    ls = sub.add_parser("list", parents=[common], help="list the built kernels")
    ls.add_argument("--arch", type=_archs, default=list(DEFAULT_ARCHS))
    ls.add_argument("--family", default=None)
    ls.add_argument("--json", action="store_true", help="the manifest entries as a JSON list")

    sh = sub.add_parser("show", parents=[common], help="parameters, resources, kernargs and disassembly of a kernel")
    sh.add_argument("name")
    sh.add_argument("--no-disasm", action="store_true", help="skip the disassembly")
    sh.add_argument("--llvm-bin", default=None)

    sub.add_parser("clean", parents=[common], help="remove the generated code objects, manifests and caches")
    return p


class _Progress:
    """One self-overwriting status line on a terminal; silent otherwise."""

    def __init__(self, stream):
        self.stream = stream
        self.live = stream.isatty()

    def __call__(self, done: int, total: int, outcome):
        if self.live:
            self.stream.write(f"\r\033[K[{done}/{max(total, done)}] {outcome.status}: {outcome.name}")
            self.stream.flush()

    def close(self):
        if self.live:
            self.stream.write("\r\033[K")
            self.stream.flush()


def _cmd_build(ns) -> int:
    families = [f for group in ns.family for f in group] if ns.family else None
    opts = BuildOptions(archs=ns.arch, families=families, jobs=ns.jobs, out_dir=ns.out.resolve(),
                        templates_dir=ns.templates.resolve(), asm_src_dir=ns.asm_src.resolve(),
                        repo_root=REPO_ROOT, llvm_bin=ns.llvm_bin, per_object=ns.per_object)
    started = time.monotonic()
    progress = _Progress(sys.stderr)
    try:
        report = Builder(opts, progress).run()
    finally:
        progress.close()
    for outcome in report.outcomes:
        for warning in outcome.warnings:
            print(f"asmgen: {outcome.arch} {outcome.name}: {warning}", file=sys.stderr)
        if outcome.status == FAILED:
            print(f"asmgen: FAILED {outcome.arch} {outcome.name}: {outcome.message}", file=sys.stderr)
    for error in report.errors:
        print(f"asmgen: error: {error}", file=sys.stderr)
    for arch, family in report.kept:
        print(f"asmgen: {arch} {family}: not replaced (a variant failed); its previous code objects and manifest "
              "entries stay", file=sys.stderr)
    rejected = [o for o in report.outcomes if o.status == REJECTED]
    for outcome in rejected:
        print(f"asmgen: rejected {outcome.arch} {outcome.name}: {outcome.message}")
    print(f"asmgen: {report.summary()} ({', '.join(ns.arch)}; {time.monotonic() - started:.1f}s)")
    if report.count(BUILT):
        print(f"asmgen: manifests in {', '.join(str(manifest.manifest_path(opts.out_dir, a)) for a in ns.arch)}")
    return 0 if report.ok else 1


def _value(value) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _load_kernels(out: Path, archs) -> list:
    kernels = []
    for arch in archs:
        doc = manifest.load(out, arch)
        if doc:
            kernels += doc.get("kernels", [])
    return kernels


def _cmd_list(ns) -> int:
    kernels = [k for k in _load_kernels(ns.out, ns.arch) if ns.family in (None, k["family"])]
    if ns.json:
        print(json.dumps(kernels, indent=2))
        return 0
    if not kernels:
        print(f"asmgen: no kernels in {ns.out} (run `asmgen build`)", file=sys.stderr)
        return 1
    width = max(len(k["name"]) for k in kernels)
    print(f"{'name':<{width}}  {'arch':<6}  vgpr agpr sgpr   lds  params")
    for k in kernels:
        r = k["resources"]
        params = " ".join(f"{key}={_value(value)}" for key, value in k["params"].items())
        print(f"{k['name']:<{width}}  {k['arch']:<6}  {r['vgpr']:>4} {r['agpr']:>4} {r['sgpr']:>4} "
              f"{r['lds_bytes']:>5}  {params}")
    return 0


def _cmd_show(ns) -> int:
    found = [k for k in _load_kernels(ns.out, list(ARCHS)) if k["name"] == ns.name]
    if not found:
        names = sorted(k["name"] for k in _load_kernels(ns.out, list(ARCHS)))
        near = [n for n in names if n.split("_")[0] == ns.name.split("_")[0]][:8] or names[:8]
        print(f"asmgen: no kernel named {ns.name} in {ns.out}"
              + (f"; some that exist: {', '.join(near)}" if near else " (run `asmgen build`)"), file=sys.stderr)
        return 1
    k = found[0]
    print(f"{k['name']}  ({k['family']}, {k['arch']})")
    print(f"  file      {ns.out / k['arch'] / k['file']}")
    print(f"  sha256    {k['sha256']}")
    print("  params    " + ", ".join(f"{key}={_value(value)}" for key, value in k["params"].items()))
    print(f"  workgroup {k['workgroup_size']}")
    print("  resources " + ", ".join(f"{key}={value}" for key, value in k["resources"].items()))
    print("  kernargs")
    for a in k["kernargs"]:
        print(f"    {a['offset']:>4}  {a['size']:>2}  {a['name']:<12} {a['type']:<14} {a['kind']}")
    if not ns.no_disasm:
        print("  disassembly")
        text = Toolchain(ns.llvm_bin).disassemble(ns.out / k["arch"] / k["file"], k["arch"], k["symbol"])
        print(text.split("Disassembly of section .text:", 1)[-1].strip("\n"))
    return 0


def _cmd_clean(ns) -> int:
    for path in clean(ns.out, list(ARCHS)):
        print(f"asmgen: removed {path}")
    return 0


def main(argv=None) -> int:
    ns = _parser().parse_args(argv)
    try:
        return {"build": _cmd_build, "list": _cmd_list, "show": _cmd_show, "clean": _cmd_clean}[ns.command](ns)
    except AsmgenError as err:
        print(f"asmgen: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
