"""Shared helpers of the asmgen tests: paths, the CLI as a subprocess, the toolchain location."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
ASMGEN = REPO / "gen" / "asmgen"
FAMILIES = HERE / "families"           # test-only template folders
TEMPLATES = REPO / "templates"          # the real kernel families
LLVM_BIN = Path(os.environ.get("ASMK_LLVM_BIN") or "/usr/lib/llvm-22/bin")

sys.path.insert(0, str(REPO / "gen"))

HAVE_TOOLCHAIN = all((LLVM_BIN / t).is_file() for t in ("llvm-mc", "ld.lld", "llvm-readelf", "llvm-objdump"))
needs_toolchain = unittest.skipUnless(HAVE_TOOLCHAIN, f"LLVM 22 tools not found in {LLVM_BIN}")


def run_asmgen(*args, check=None) -> subprocess.CompletedProcess:
    """Runs gen/asmgen with the interpreter running the tests; check=0/1 asserts the exit code."""
    done = subprocess.run([sys.executable, str(ASMGEN), *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, "ASMK_LLVM_BIN": str(LLVM_BIN)})
    if check is not None and done.returncode != check:
        raise AssertionError(f"asmgen {' '.join(map(str, args))} exited {done.returncode}, expected {check}\n"
                             f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}")
    return done


def readelf_metadata(code_object: Path) -> dict:
    """The AMDGPU metadata of a code object, parsed here (independently of asmgen) from llvm-readelf."""
    import yaml
    text = subprocess.run([str(LLVM_BIN / "llvm-readelf"), "--notes", str(code_object)], capture_output=True,
                          text=True, check=True).stdout
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "---")
    end = next(i for i, line in enumerate(lines) if line.strip() == "..." and i > start)
    return yaml.safe_load("\n".join(lines[start + 1:end]))


def descriptor_text(code_object: Path, symbol: str | None = None) -> str:
    """The kernel descriptors as llvm-objdump disassembles them (.amdhsa_* directives); symbol: only
    that kernel's (a code object may hold several)."""
    only = [f"--disassemble-symbols={symbol}.kd"] if symbol else []
    return subprocess.run([str(LLVM_BIN / "llvm-objdump"), "-D", "-j", ".rodata", *only, str(code_object)],
                          capture_output=True, text=True, check=True).stdout


class TempDirTest(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="asmgen-test-"))

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)
