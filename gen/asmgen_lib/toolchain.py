"""The LLVM tools asmgen drives: llvm-mc (assemble), ld.lld (link), llvm-readelf (metadata notes),
llvm-objdump (disassembly). Each call returns its result or raises ToolchainError with the tool's
own message; nothing here prints."""

import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .errors import ToolchainError

DEFAULT_LLVM_BIN = "/usr/lib/llvm-22/bin"
TOOLS = ("llvm-mc", "ld.lld", "llvm-readelf", "llvm-objdump")
TRIPLE = "amdgcn-amd-amdhsa"
_DIAG_RE = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+):(?P<col>\d+): (?P<kind>error|warning|note): (?P<msg>.*)$",
                      re.MULTILINE)


@dataclass(frozen=True)
class Diagnostic:
    file: str
    line: int
    column: int
    kind: str          # error / warning / note
    message: str


def parse_diagnostics(stderr: str) -> list[Diagnostic]:
    return [Diagnostic(m["file"], int(m["line"]), int(m["col"]), m["kind"], m["msg"])
            for m in _DIAG_RE.finditer(stderr)]


class Toolchain:
    def __init__(self, llvm_bin: str | None = None):
        self.bin = Path(llvm_bin or os.environ.get("ASMK_LLVM_BIN") or DEFAULT_LLVM_BIN)
        missing = [t for t in TOOLS if not (self.bin / t).is_file()]
        if missing:
            raise ToolchainError(f"{', '.join(missing)} not found in {self.bin} "
                                 "(set --llvm-bin or ASMK_LLVM_BIN to LLVM 22's bin folder)")
        self._version = None
        self._fingerprint = None

    def tool(self, name: str) -> str:
        return str(self.bin / name)

    def _run(self, args: list, what: str) -> subprocess.CompletedProcess:
        try:
            return subprocess.run(args, capture_output=True, text=True, check=False)
        except OSError as err:
            raise ToolchainError(f"{what}: cannot run {args[0]}: {err.strerror}") from None

    def remember_versions(self, state_file: Path):
        """Takes the version strings from `state_file` when the tools' files are the ones they were read
        from (path, size, mtime), else asks the tools and writes them there: a no-op build then runs no
        LLVM tool at all (each start costs ~0.1 s)."""
        stamp = []
        for tool in ("llvm-mc", "ld.lld"):
            st = os.stat(self.tool(tool))
            stamp.append([os.path.realpath(self.tool(tool)), st.st_size, st.st_mtime_ns])
        try:
            saved = json.loads(Path(state_file).read_text())
            if saved.get("stamp") == stamp:
                self._version, self._fingerprint = saved["version"], saved["fingerprint"]
                return
        except (OSError, ValueError, KeyError, AttributeError):
            pass
        text = json.dumps({"stamp": stamp, "version": self.version, "fingerprint": self.fingerprint}, indent=1) + "\n"
        Path(state_file).parent.mkdir(parents=True, exist_ok=True)
        Path(state_file).write_text(text)

    @property
    def version(self) -> str:
        """'LLVM 22.1.8' from `llvm-mc --version` (the linker's version is checked to match)."""
        if self._version is None:
            out = self._run([self.tool("llvm-mc"), "--version"], "llvm-mc --version").stdout
            found = re.search(r"LLVM version (\S+)", out)
            if not found:
                raise ToolchainError(f"cannot read the version from `{self.tool('llvm-mc')} --version`")
            self._version = f"LLVM {found.group(1)}"
        return self._version

    @property
    def fingerprint(self) -> str:
        """What identifies the toolchain for the incremental cache: both tools' version lines."""
        if self._fingerprint is None:
            lines = []
            for tool in ("llvm-mc", "ld.lld"):
                out = self._run([self.tool(tool), "--version"], f"{tool} --version").stdout.strip()
                lines.append(f"{self.tool(tool)}: {out.splitlines()[0] if out else '?'}")
            self._fingerprint = "; ".join(lines)
        return self._fingerprint

    def assemble(self, source: Path, obj: Path, arch: str, include_dirs=()) -> subprocess.CompletedProcess:
        args = [self.tool("llvm-mc"), f"-triple={TRIPLE}", f"-mcpu={arch}", "-filetype=obj"]
        args += [f"-I{d}" for d in include_dirs]
        return self._run(args + [str(source), "-o", str(obj)], "assemble")

    def link(self, obj: Path, code_object: Path) -> subprocess.CompletedProcess:
        return self._run([self.tool("ld.lld"), "-shared", "--no-undefined", str(obj), "-o", str(code_object)], "link")

    def notes(self, code_object: Path) -> str:
        """The metadata note of a code object as YAML text."""
        done = self._run([self.tool("llvm-readelf"), "--notes", str(code_object)], "llvm-readelf")
        if done.returncode != 0:
            raise ToolchainError(f"llvm-readelf --notes {code_object}: {done.stderr.strip()}")
        return done.stdout

    def disassemble(self, code_object: Path, arch: str, symbol: str | None = None) -> str:
        """symbol: only that kernel of the code object (several may share it)."""
        only = [f"--disassemble-symbols={symbol}"] if symbol else []
        done = self._run([self.tool("llvm-objdump"), "-d", f"--mcpu={arch}", *only, str(code_object)], "llvm-objdump")
        if done.returncode != 0:
            raise ToolchainError(f"llvm-objdump -d {code_object}: {done.stderr.strip()}")
        return done.stdout
