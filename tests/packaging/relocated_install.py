"""The relocatable install (issue 15): `cmake --install` into a fresh prefix, the prefix moved
elsewhere, then with no ASMK_REPO, no LD_LIBRARY_PATH and nothing pointing at the build tree:
  - no installed file contains the source/build tree's path (what `strings | grep` would find);
  - libasmk.so does not need libLLVM (readelf -d), the emu module does;
  - a C program (installed_emu.c) built against the moved prefix does not need libLLVM (ldd), and
    runs quant_fp8 on the emulator through asmk_open(NULL), loading libLLVM only when it opens
    the emulator;
  - a Python program (installed_python.py) imports the installed package and matches NumPy;
  - the installed CLI lists the installed kernels and runs an op checked against the reference.

usage: relocated_install.py --build BUILD --source SOURCE --python PYTHON [--cc CC] [--cmake CMAKE]
"""

import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile


def run(command, env=None, **kwargs):
    result = subprocess.run([str(c) for c in command], env=env, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        sys.exit(f"FAILED ({result.returncode}): {' '.join(map(str, command))}\n{result.stdout}\n{result.stderr}")
    return result.stdout


def clean_environment(**extra):
    """The caller's environment without anything that could lead asmk to the build tree."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("ASMK_") and k not in ("LD_LIBRARY_PATH", "PYTHONPATH", "LD_PRELOAD")}
    env.update(extra)
    return env


def files_mentioning(root, needle):
    """Installed files whose bytes contain `needle` (as `grep -rl` would)."""
    data = needle.encode()
    return [p for p in root.rglob("*") if p.is_file() and not p.is_symlink() and data in p.read_bytes()]


def needed_libraries(library):
    dynamic = run(["readelf", "-d", library])
    return [line.split("[", 1)[1].rstrip("]") for line in dynamic.splitlines() if "(NEEDED)" in line]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", required=True, type=pathlib.Path)
    parser.add_argument("--source", required=True, type=pathlib.Path)
    parser.add_argument("--python", required=True)
    parser.add_argument("--cc", default="cc")
    parser.add_argument("--cmake", default="cmake")
    args = parser.parse_args()
    here = pathlib.Path(__file__).resolve().parent
    source_root = str(args.source.resolve())

    with tempfile.TemporaryDirectory(prefix="asmk-relocated-") as temp:
        temp = pathlib.Path(temp)
        staged, prefix = temp / "staged", temp / "moved" / "asmk-prefix"
        for component in ("asmk", "python"):
            run([args.cmake, "--install", args.build, "--component", component, "--prefix", staged])
        prefix.parent.mkdir()
        staged.rename(prefix)  # relocated: nothing may remember where it was installed
        lib = next(p.parent for p in prefix.rglob("libasmk.so"))
        print(f"installed and moved to {prefix} (libraries in {lib.relative_to(prefix)})")

        for required in ("bin/asmk", "include/asmk.h", "share/asmk/gfx942/manifest.json", "share/asmk/gfx950/manifest.json",
                         "share/asmk/tuned/gfx942-304.csv", "share/asmk/machines/MI300X.json"):
            if not (prefix / required).is_file():
                sys.exit(f"not installed: {required}")
        if not any((prefix / "share/asmk/gfx942").rglob("*.co")):
            sys.exit("no code objects installed under share/asmk/gfx942")

        baked = files_mentioning(prefix, source_root)
        if baked:
            sys.exit(f"installed files contain the source/build tree's path {source_root}: {baked}")
        print(f"no installed file mentions {source_root}")

        needed = needed_libraries(lib / "libasmk.so")
        if any("LLVM" in n for n in needed):
            sys.exit(f"libasmk.so needs libLLVM: {needed}")
        if not any("LLVM" in n for n in needed_libraries(lib / "libasmk_emu_backend.so")):
            sys.exit("libasmk_emu_backend.so does not need libLLVM: is the emulator still in libasmk?")
        print(f"libasmk.so NEEDED: {', '.join(needed)}")

        program = temp / "installed_emu"
        run([args.cc, "-std=c99", "-Wall", "-Werror", here / "installed_emu.c", f"-I{prefix / 'include'}",
             f"-L{lib}", "-lasmk", "-lm", f"-Wl,-rpath,{lib}", "-o", program])
        linked = run(["ldd", program])
        if "libasmk.so" not in linked or "LLVM" in linked:
            sys.exit(f"a program linked to libasmk should not need libLLVM; ldd:\n{linked}")
        print(run([program, prefix, source_root], env=clean_environment()), end="")

        site_packages = next(p.parent.parent for p in prefix.rglob("asmk/__init__.py"))
        print(run([args.python, here / "installed_python.py", prefix, source_root],
                  env=clean_environment(PYTHONPATH=str(site_packages), PYTHONDONTWRITEBYTECODE="1")), end="")

        listing = run([prefix / "bin/asmk", "list"], env=clean_environment())
        # several kernels share a code object: count the installed manifests' kernels
        installed_kernels = sum(len(json.loads(m.read_text())["kernels"]) for m in (prefix / "share/asmk").glob("*/manifest.json"))
        if "quant_fp8_gfx942" not in listing or f"\n{installed_kernels} kernels" not in listing:
            sys.exit(f"installed asmk list (expected the {installed_kernels} installed kernels) printed:\n{listing}")
        checked = run([prefix / "bin/asmk", "op", "gemm_a8w8", "--m", "16", "--n", "128", "--k", "256",
                       "--device", "MI300X", "--check"], env=clean_environment())
        if "within tolerance" not in checked:
            sys.exit(f"installed asmk op --check printed:\n{checked}")
        # The machine model and the sweep shapes come from share/asmk too.
        shapes = temp / "shapes.csv"
        shapes.write_text("m,n\n4,1024\n")
        modeled = run([prefix / "bin/asmk", "perf", "quant_fp8", "--machine", "MI300X", "--shapes", shapes,
                       "-o", temp / "perf-out", "-q"], env=clean_environment())
        if "modeled by the machine model" not in modeled:
            sys.exit(f"installed asmk perf printed:\n{modeled}")
        print(f"installed asmk: {listing.strip().splitlines()[-1]}; op --check: within tolerance; perf: modeled")


if __name__ == "__main__":
    main()
