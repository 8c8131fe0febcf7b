"""Kernel-argument layout: each declared argument gets its concrete type (axis placeholders filled
in), size, alignment, offset and code-object value kind. The layout follows the HSA kernarg
segment rules: each argument at the next offset aligned to its alignment; the segment alignment
is the largest argument alignment (at least 8) and its size the end of the last argument rounded up
to that alignment."""

import re
from dataclasses import dataclass

from .errors import SpaceError
from .registers import TemplateAbort
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


SMEM_LOAD_DWORDS = (16, 8, 4, 2, 1)


def load_plan(size_bytes: int) -> list:
    """The scalar loads that read a kernarg segment of `size_bytes` into consecutive SGPRs starting at
    a 4-aligned one: [(first dword, dwords)], widest first. An SMEM destination of 2 SGPRs must be
    even, of 4 or more a multiple of 4, which the dword index decides (the block is 4-aligned)."""
    plan, first, total = [], 0, (size_bytes + 3) // 4
    while first < total:
        width = next(w for w in SMEM_LOAD_DWORDS if w <= total - first and first % min(w, 4) == 0)
        plan.append((first, width))
        first += width
    return plan


class ArgLoads:
    """The template variable `args`: `{{ args.load(S) }}` emits the s_load instructions that bring the
    whole kernarg segment into SGPRs and binds each argument's registers to its name (`S.m`, `S.a` as
    a pair for a pointer). Wait (`s_waitcnt lgkmcnt(0)`) before the first use. `args.offset(name)`
    gives an argument's byte offset."""

    def __init__(self, layout: KernArgLayout, kernarg_pointer: str = "kernarg"):
        self.layout = layout
        self.kernarg_pointer = kernarg_pointer
        self.loaded = False

    def offset(self, name: str) -> int:
        for a in self.layout.args:
            if a.name == name:
                return a.offset
        raise TemplateAbort(f"no kernel argument '{name}' (arguments: {', '.join(a.name for a in self.layout.args)})")

    def load(self, S) -> str:
        if self.loaded:
            raise TemplateAbort("args.load(S) called twice")
        self.loaded = True
        block = S.alloc((self.layout.size + 3) // 4, align=4, name="kernargs")
        for a in self.layout.args:
            S.bind(a.name, block.slice(a.offset // 4, a.size // 4))
        lines = []
        for first, width in load_plan(self.layout.size):
            names = [a.name for a in self.layout.args if first * 4 <= a.offset < (first + width) * 4]
            op = "s_load_dword" if width == 1 else f"s_load_dwordx{width}"
            lines.append(f"  {op} {block.slice(first, width)}, {S[self.kernarg_pointer]}, {4 * first}"
                         f"  // {', '.join(names) or 'padding'}")
        return "\n".join(lines)
