"""Resources read back from a built code object: the metadata note (read from the ELF here, or as
llvm-readelf prints it) and the kernel descriptor bytes (for what only the descriptor holds, e.g. the
AccVGPR split)."""

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


NT_AMDGPU_METADATA = 32     # the note type of the code-object-v3+ MessagePack metadata (LLVM AMDGPUUsage)


def metadata_from_elf(code_object: Path) -> dict:
    """The AMDGPU metadata note ("AMDGPU", type 32, MessagePack) of an ELF64 code object, decoded
    here: reading it back costs no llvm-readelf run (~0.1 s per start)."""
    data = Path(code_object).read_bytes()
    for _name, kind, _flags, _addr, offset, size, *_ in _sections(data, code_object):
        pos, end = offset, offset + size
        while kind == 7 and pos + 12 <= end:                        # SHT_NOTE
            namesz, descsz, note_type = struct.unpack_from("<III", data, pos)
            name_at = pos + 12
            desc_at = name_at + (namesz + 3) // 4 * 4
            if data[name_at:name_at + namesz].rstrip(b"\0") == b"AMDGPU" and note_type == NT_AMDGPU_METADATA:
                value, _ = _msgpack(data, desc_at)
                return value
            pos = desc_at + (descsz + 3) // 4 * 4
    raise ToolchainError(f"{code_object}: no AMDGPU metadata note in the code object")


def _msgpack(data: bytes, pos: int):
    """(value, next position) of the MessagePack object at pos (the subset the metadata uses, and the rest
    of the format's scalar and container kinds)."""
    b = data[pos]
    pos += 1
    if b <= 0x7F:
        return b, pos
    if b >= 0xE0:
        return b - 0x100, pos
    if 0x80 <= b <= 0x8F or b in (0xDE, 0xDF):
        n, pos = (b & 0x0F, pos) if b <= 0x8F else _length(data, pos, 2 if b == 0xDE else 4)
        out = {}
        for _ in range(n):
            key, pos = _msgpack(data, pos)
            out[key], pos = _msgpack(data, pos)
        return out, pos
    if 0x90 <= b <= 0x9F or b in (0xDC, 0xDD):
        n, pos = (b & 0x0F, pos) if b <= 0x9F else _length(data, pos, 2 if b == 0xDC else 4)
        out = []
        for _ in range(n):
            item, pos = _msgpack(data, pos)
            out.append(item)
        return out, pos
    if 0xA0 <= b <= 0xBF or b in (0xD9, 0xDA, 0xDB, 0xC4, 0xC5, 0xC6):
        if b <= 0xBF:
            n = b & 0x1F
        else:
            n, pos = _length(data, pos, {0xD9: 1, 0xDA: 2, 0xDB: 4, 0xC4: 1, 0xC5: 2, 0xC6: 4}[b])
        raw = data[pos:pos + n]
        return (bytes(raw) if b in (0xC4, 0xC5, 0xC6) else raw.decode()), pos + n
    fixed = {0xC0: None, 0xC2: False, 0xC3: True}
    if b in fixed:
        return fixed[b], pos
    formats = {0xCC: "<B", 0xCD: ">H", 0xCE: ">I", 0xCF: ">Q", 0xD0: ">b", 0xD1: ">h", 0xD2: ">i", 0xD3: ">q",
               0xCA: ">f", 0xCB: ">d"}
    if b in formats:
        value, = struct.unpack_from(formats[b], data, pos)
        return value, pos + struct.calcsize(formats[b])
    raise ToolchainError(f"unsupported MessagePack byte 0x{b:02x} in the metadata note")


def _length(data: bytes, pos: int, size: int):
    return int.from_bytes(data[pos:pos + size], "big"), pos + size


def _sections(data: bytes, code_object) -> list:
    if data[:4] != b"\x7fELF" or data[4] != 2:
        raise ToolchainError(f"{code_object}: not an ELF64 file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    return [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]


def read_descriptor(code_object: Path, symbol: str) -> Descriptor:
    """The 64-byte kernel descriptor `<symbol>.kd` from an ELF64 code object."""
    data = Path(code_object).read_bytes()
    sections = _sections(data, code_object)
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


def read_resources(notes_text: str | None, code_object: Path, symbol: str,
                   metadata: dict | None = None) -> tuple[Resources, dict]:
    """(resources, the kernel's metadata map) of the kernel `symbol` of a code object; notes_text:
    llvm-readelf's output, or None to read the note from the ELF here (metadata: that note, decoded
    already)."""
    meta = metadata if metadata is not None else (
        metadata_from_notes(notes_text) if notes_text is not None else metadata_from_elf(code_object))
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
