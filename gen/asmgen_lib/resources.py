"""Resources read back from a built code object: the metadata note (as llvm-readelf prints it)
and the kernel descriptor bytes (for what only the descriptor holds, e.g. the AccVGPR split)."""

import struct
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import ToolchainError

KD_SIZE = 64


@dataclass(frozen=True)
class Resources:
    vgpr: int
    agpr: int
    accum_offset: int
    sgpr: int
    lds_bytes: int
    scratch_bytes: int
    kernarg_bytes: int
    wavefront_size: int

    def as_dict(self) -> dict:
        return {"vgpr": self.vgpr, "agpr": self.agpr, "accum_offset": self.accum_offset, "sgpr": self.sgpr,
                "lds_bytes": self.lds_bytes, "scratch_bytes": self.scratch_bytes,
                "kernarg_bytes": self.kernarg_bytes, "wavefront_size": self.wavefront_size}


@dataclass(frozen=True)
class Descriptor:
    group_segment_fixed_size: int
    private_segment_fixed_size: int
    kernarg_size: int
    accum_offset: int
    rsrc1: int
    rsrc2: int


def metadata_from_notes(notes_text: str) -> dict:
    """The AMDGPU metadata document inside `llvm-readelf --notes` output."""
    lines = notes_text.split("\n")
    starts = [i for i, line in enumerate(lines) if line.strip() == "---"]
    ends = [i for i, line in enumerate(lines) if line.strip() == "..." and starts and i > starts[0]]
    if not starts or not ends:
        raise ToolchainError("no AMDGPU metadata note in the code object")
    return yaml.safe_load("\n".join(lines[starts[0] + 1:ends[0]]))


def read_descriptor(code_object: Path, symbol: str) -> Descriptor:
    """The 64-byte kernel descriptor `<symbol>.kd` from an ELF64 code object."""
    data = Path(code_object).read_bytes()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        raise ToolchainError(f"{code_object}: not an ELF64 file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    for _name, kind, _flags, _addr, offset, size, link, _info, _align, entsize in sections:
        if kind not in (2, 11):           # SHT_SYMTAB, SHT_DYNSYM
            continue
        strtab = sections[link]
        for pos in range(offset, offset + size, entsize):
            st_name, _st_info, _st_other, st_shndx, st_value, _st_size = struct.unpack_from("<IBBHQQ", data, pos)
            name_at = strtab[4] + st_name
            name = data[name_at:data.index(b"\0", name_at)].decode()
            if name == f"{symbol}.kd":
                home = sections[st_shndx]
                kd = data[home[4] + st_value - home[3]:][:KD_SIZE]
                group, private, kernarg = struct.unpack_from("<III", kd, 0)
                rsrc3, rsrc1, rsrc2 = struct.unpack_from("<III", kd, 44)
                return Descriptor(group, private, kernarg, ((rsrc3 & 0x3F) + 1) * 4, rsrc1, rsrc2)
    raise ToolchainError(f"{code_object}: no kernel descriptor symbol {symbol}.kd")


def read_resources(notes_text: str, code_object: Path, symbol: str) -> tuple[Resources, dict]:
    """(resources, the kernel's metadata map) of a one-kernel code object."""
    meta = metadata_from_notes(notes_text)
    kernels = [k for k in meta.get("amdhsa.kernels", []) if k.get(".name") == symbol]
    if len(kernels) != 1:
        raise ToolchainError(f"{code_object}: expected one kernel named {symbol} in the metadata")
    k = kernels[0]
    kd = read_descriptor(code_object, symbol)
    if (kd.group_segment_fixed_size, kd.kernarg_size) != (k[".group_segment_fixed_size"], k[".kernarg_segment_size"]):
        raise ToolchainError(f"{code_object}: descriptor and metadata disagree on LDS or kernarg size")
    res = Resources(vgpr=k[".vgpr_count"], agpr=k.get(".agpr_count", 0), accum_offset=kd.accum_offset,
                    sgpr=k[".sgpr_count"], lds_bytes=kd.group_segment_fixed_size,
                    scratch_bytes=max(kd.private_segment_fixed_size, k[".private_segment_fixed_size"]),
                    kernarg_bytes=kd.kernarg_size, wavefront_size=k[".wavefront_size"])
    return res, k


def budget_violations(res: Resources, budget: dict) -> list[str]:
    """Why a variant must be rejected (empty when it fits)."""
    reasons = []
    if res.scratch_bytes:
        reasons.append(f"uses {res.scratch_bytes} bytes of scratch (spills are not allowed)")
    for key, label in (("vgpr", "VGPRs"), ("agpr", "AccVGPRs"), ("sgpr", "SGPRs"), ("lds_bytes", "bytes of LDS")):
        if getattr(res, key) > budget[key]:
            reasons.append(f"needs {getattr(res, key)} {label}, budget is {budget[key]}")
    return reasons
