"""The incremental-build cache: one JSON file per arch (<out>/<arch>/.asmgen/cache.json) mapping
each variant name to the key of the inputs it was built from and the outcome (its manifest entry
or its rejection). A variant whose key matches and whose .co still has the recorded sha256 is up
to date. The key covers the complete generated source (so templates, macros and includes), the
parameters, the budget, the asm_src/ files the assembler may .include, the toolchain version and
asmgen's own version."""

import hashlib
import json
from pathlib import Path

from . import VERSION

STATE_DIR = ".asmgen"
FILE_NAME = "cache.json"


def state_dir(out_dir: Path, arch: str) -> Path:
    return Path(out_dir) / arch / STATE_DIR


def variant_key(source: str, params: dict, budget: dict, toolchain: str, asm_src_digest: str,
                requires: dict | None = None) -> str:
    """toolchain: Toolchain.fingerprint (the versions of llvm-mc and ld.lld); requires: the manifest's
    `requires` entry, which the cached manifest entry carries too."""
    h = hashlib.sha256()
    for part in (VERSION, toolchain, asm_src_digest, json.dumps(params, sort_keys=True),
                 json.dumps(budget, sort_keys=True), json.dumps(requires or {}, sort_keys=True), source):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()


def directory_digest(folder: Path) -> str:
    """sha256 over the names and contents of the files under a folder (empty if it is absent)."""
    h = hashlib.sha256()
    folder = Path(folder)
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            h.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class Cache:
    def __init__(self, out_dir: Path, arch: str):
        self.path = state_dir(out_dir, arch) / FILE_NAME
        try:
            self.entries = json.loads(self.path.read_text())
            if not isinstance(self.entries, dict):
                self.entries = {}
        except (OSError, ValueError):
            self.entries = {}

    def lookup(self, name: str, key: str) -> dict | None:
        entry = self.entries.get(name)
        return entry if entry and entry.get("key") == key else None

    def record(self, name: str, key: str, outcome: dict):
        """outcome: {"kernel": manifest entry} or {"rejected": rejected entry}."""
        self.entries[name] = {"key": key, **outcome}

    def forget(self, name: str):
        self.entries.pop(name, None)

    def save(self):
        # names sorted for a stable file; entries keep their key order (params follow the axes)
        text = json.dumps({name: self.entries[name] for name in sorted(self.entries)}, indent=1) + "\n"
        if self.path.is_file() and self.path.read_text() == text:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(text)
        tmp.replace(self.path)
