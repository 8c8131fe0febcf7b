"""hsaco/<arch>/manifest.json, exactly as docs/contracts.md describes it."""

import json
from pathlib import Path

SCHEMA = 1
FILE_NAME = "manifest.json"


def manifest_path(out_dir: Path, arch: str) -> Path:
    return Path(out_dir) / arch / FILE_NAME


def kernel_entry(variant, file: str, sha256: str, workgroup_size, resources: dict, kernargs: list,
                 rules: dict | None = None) -> dict:
    """file: the code object holding the kernel's symbol (several kernels may share one), relative to
    the arch folder; sha256: that file's; rules: the variant's "launch" and "requires"
    (problem_rules.resolve), when it has them."""
    entry = {
        "name": variant.name,
        "family": variant.family,
        "arch": variant.arch,
        "params": dict(variant.params),
        "symbol": variant.name,
        "file": file,
        "sha256": sha256,
        "workgroup_size": list(workgroup_size),
        "resources": resources,
        "kernargs": kernargs,
    }
    entry.update(rules or {})
    return entry


def rejected_entry(variant, reason: str) -> dict:
    return {"name": variant.name, "family": variant.family, "params": dict(variant.params), "reason": reason}


def document(arch: str, toolchain: str, kernels: list, rejected: list, ops: dict | None = None) -> dict:
    """ops: the op specs (gen/asmgen_lib/op_spec.py) by name; the same in every arch's manifest."""
    return {"schema": SCHEMA, "arch": arch, "toolchain": toolchain,
            "ops": dict(sorted((ops or {}).items())),
            "kernels": sorted(kernels, key=lambda k: k["name"]),
            "rejected": sorted(rejected, key=lambda r: r["name"])}


def render(arch: str, toolchain: str, kernels: list, rejected: list, ops: dict | None = None) -> str:
    return json.dumps(document(arch, toolchain, kernels, rejected, ops), indent=2) + "\n"


def load(out_dir: Path, arch: str) -> dict | None:
    """The manifest of an arch, or None when there is none (or it is unreadable)."""
    path = manifest_path(out_dir, arch)
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) and doc.get("schema") == SCHEMA else None


def write_if_changed(out_dir: Path, arch: str, text: str) -> bool:
    """Writes the manifest unless it already has this content (a no-op build leaves it untouched)."""
    path = manifest_path(out_dir, arch)
    if path.is_file() and path.read_text() == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(text)
    tmp.replace(path)
    return True
