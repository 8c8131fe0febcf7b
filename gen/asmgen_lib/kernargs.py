"""Kernel-argument layout: each declared argument gets its concrete type (axis placeholders filled
in), size, alignment, offset and code-object value kind. The layout follows the HSA kernarg
segment rules: each argument at the next offset aligned to its alignment; the segment alignment
is the largest argument alignment (at least 8) and its size the end of the last argument rounded up
to that alignment."""

import re
from dataclasses import dataclass

from .errors import SpaceError
from .space import FamilySpace

SCALAR_SIZES = {"u32": 4, "i32": 4, "f32": 4, "u64": 8, "i64": 8}
POINTER_RE = re.compile(r"^(const )?([A-Za-z_][A-Za-z0-9_]*)\*$")
SEGMENT_ALIGN = 8


@dataclass(frozen=True)
class KernArg:
    name: str
    type: str         # concrete, e.g. "const bf16*"
    offset: int
    size: int
    align: int
    kind: str         # "global_buffer" or "by_value"
    access: str | None  # for pointers: read_only / write_only / read_write

    def manifest_entry(self) -> dict:
        return {"name": self.name, "offset": self.offset, "size": self.size, "kind": self.kind, "type": self.type}


@dataclass(frozen=True)
class KernArgLayout:
    args: tuple
    size: int         # kernarg segment size in bytes
    align: int        # kernarg segment alignment

    def offsets(self) -> dict:
        return {a.name: a.offset for a in self.args}


def layout(space: FamilySpace, params: dict) -> KernArgLayout:
    """The kernarg segment of one variant."""
    args, offset = [], 0
    for i, decl in enumerate(space.args):
        where = f"{space.path}: args[{i}] ({decl.name})"
        try:
            concrete = decl.type.format(**params)
        except (KeyError, IndexError, ValueError) as err:
            raise SpaceError(f"{where}: type {decl.type!r} names {err} which is not an axis") from None
        pointer = POINTER_RE.match(concrete)
        if pointer:
            size, kind = 8, "global_buffer"
            access = decl.access or ("read_only" if pointer.group(1) else "read_write")
        elif concrete in SCALAR_SIZES:
            size, kind, access = SCALAR_SIZES[concrete], "by_value", None
            if decl.access:
                raise SpaceError(f"{where}: 'access' applies to pointers only")
        else:
            raise SpaceError(f"{where}: unknown type {concrete!r} (scalars: {', '.join(SCALAR_SIZES)}; "
                             "pointers: '[const ]<dtype>*')")
        align = decl.align or size
        if align < size:
            raise SpaceError(f"{where}: align {align} is smaller than the size {size}")
        offset = (offset + align - 1) // align * align
        args.append(KernArg(decl.name, concrete, offset, size, align, kind, access))
        offset += size
    align = max([SEGMENT_ALIGN] + [a.align for a in args])
    return KernArgLayout(tuple(args), (offset + align - 1) // align * align, align)
