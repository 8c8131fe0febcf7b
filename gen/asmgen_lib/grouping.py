"""Which kernels share a code object. Starting an LLVM tool costs ~0.1 s here (loading libLLVM), more
than assembling a kernel, so asmgen assembles and links the kernels of a family in groups: one
llvm-mc and one ld.lld run per group, one .co file holding each member's symbol `<name>` and
descriptor `<name>.kd`. A loader finds a kernel in its file by that symbol.

A family's kernels (in expansion order, rejected variants left out) are cut into consecutive groups
of at most `per_object`; group i of family F on arch A is the file `F/F_A.<i>.co`. Neighbours in
expansion order differ in the last axes, so a change to one variant rebuilds only its group, and a
group's key (below) changes exactly when one of its members' sources or its membership does."""

import hashlib
from dataclasses import dataclass

from . import VERSION

DEFAULT_PER_OBJECT = 32      # a code object stays small (a few hundred KB) and two cores get many groups


@dataclass(frozen=True)
class Group:
    arch: str
    family: str
    file: str                 # relative to <out>/<arch>/
    members: tuple            # kernel names, in the order they appear in the code object


def plan(arch: str, family: str, names: list, per_object: int) -> list:
    """The groups of one family's kernels (names in expansion order)."""
    size = max(1, per_object)
    return [Group(arch, family, f"{family}/{family}_{arch}.{i // size:03d}.co", tuple(names[i:i + size]))
            for i in range(0, len(names), size)]


def group_key(group: Group, member_keys: list) -> str:
    """Identifies what a group's code object is built from: its file name and each member's name and
    key (cache.variant_key: the complete source, parameters, toolchain, ...), in order."""
    h = hashlib.sha256(f"{VERSION}\0{group.file}".encode())
    for name, key in zip(group.members, member_keys):
        h.update(f"\0{name}\0{key}".encode())
    return h.hexdigest()
