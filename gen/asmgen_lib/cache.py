"""The incremental-build cache: one JSON file per arch (<out>/<arch>/.asmgen/cache.json) mapping
each variant name to the key of the inputs it was built from and the outcome (its manifest entry
or its rejection). A variant whose key matches and whose .co still has the recorded sha256 is up
to date. The key covers the complete generated source (so templates, macros and includes), the
parameters, the budget, the asm_src/ files the assembler may .include, the toolchain version and
asmgen's own version.

Before rendering, a variant is checked against its *inputs*: asmgen's own code, the toolchain, asm_src/,
the family's space.yaml, the parameters and the digests of the template files its last render
loaded. When they match and the code object is the recorded one (its size and mtime, else its
sha256), the variant is up to date without being rendered, so a no-op build renders nothing."""

import hashlib
import json
import os
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


def input_base(generator: str, toolchain: str, asm_src_digest: str, space_digest: str, name: str, params: dict) -> str:
    """Everything a variant's render depends on except the template files (see input_key)."""
    h = hashlib.sha256()
    for part in (VERSION, generator, toolchain, asm_src_digest, space_digest, name, json.dumps(params, sort_keys=True)):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()


def input_key(base: str, deps: list, files: "FileDigests") -> str:
    """base + the current digests of the template files a render loaded (None for a missing one)."""
    h = hashlib.sha256(base.encode())
    for path in deps:
        h.update(b"\0" + path.encode() + b"\0" + (files.digest(path) or "-").encode())
    return h.hexdigest()


class FileDigests:
    """sha256 of files, each read once per build; a relative path is one under root (the checkout)."""

    def __init__(self, root: Path = Path(".")):
        self._root = Path(root)
        self._known = {}

    def digest(self, path) -> str | None:
        path = str(path)
        if path not in self._known:
            try:
                self._known[path] = hashlib.sha256((self._root / path).read_bytes()).hexdigest()
            except OSError:
                self._known[path] = None
        return self._known[path]


def generator_digest() -> str:
    """asmgen's own code and data (mfma_facts.json): its package and the entry script next to it."""
    package = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(package.glob("*.py")) + sorted(package.glob("*.json")) + [package.parent / "asmgen"]:
        if path.is_file():
            h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def file_stamp(path: Path) -> list:
    st = os.stat(path)
    return [st.st_size, st.st_mtime_ns]


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
        self.dirty = False               # anything recorded, forgotten or restamped since loading

    def lookup_inputs(self, name: str, key: str) -> dict | None:
        entry = self.entries.get(name)
        return entry if entry and entry.get("inputs") == key else None

    def note_inputs(self, name: str, inputs: str, deps: list, stamp: list | None):
        """Records what the variant's outcome was made from (see input_key) and its .co's stamp."""
        entry = self.entries.get(name)
        if entry is not None:
            entry.update({"inputs": inputs, "deps": deps, "stamp": stamp})
            self.dirty = True

    def lookup(self, name: str, key: str) -> dict | None:
        entry = self.entries.get(name)
        return entry if entry and entry.get("key") == key else None

    def record(self, name: str, key: str, outcome: dict, group: str | None = None):
        """outcome: {"kernel": manifest entry} or {"rejected": rejected entry}; group: the key of the
        group its code object was built with (grouping.group_key), None when it was not the planned one."""
        self.entries[name] = {"key": key, **outcome, **({"group": group} if group else {})}
        self.dirty = True

    def forget(self, name: str):
        if self.entries.pop(name, None) is not None:
            self.dirty = True

    def save(self):
        if not self.dirty and self.path.is_file():
            return
        # names sorted for a stable file; entries keep their key order (params follow the axes)
        text = json.dumps({name: self.entries[name] for name in sorted(self.entries)}, indent=1) + "\n"
        if self.path.is_file() and self.path.read_text() == text:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(text)
        tmp.replace(self.path)
