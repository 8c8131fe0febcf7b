"""Which registers a piece of generated assembly uses.

asmgen writes the descriptor's register counts itself (templates name registers, they do not
count them). The scan covers the literal register operands `v7`, `v[4:7]`, `s[0:1]`, `a3`, ...;
the generated source also asks the assembler (`.amdgcn.next_free_vgpr/sgpr`) to confirm the
counts, so a register the scan missed fails the build instead of producing a bad descriptor.
"""

import re
from dataclasses import dataclass

_RANGE_RE = re.compile(r"(?<![\w.$])([vsa])\[(\d+)(?::(\d+))?\]")
_SINGLE_RE = re.compile(r"(?<![\w.$])([vsa])(\d+)(?![\w$])")
_SCRATCH_RE = re.compile(r"^\s*scratch_\w+", re.MULTILINE)


@dataclass(frozen=True)
class RegisterUse:
    vgpr: int          # 1 + highest architectural VGPR used (0 if none)
    agpr: int          # 1 + highest AccVGPR used (0 if none)
    sgpr: int          # 1 + highest SGPR used (0 if none)
    uses_scratch: bool  # scratch_* instructions present


def strip_comments(line: str) -> str:
    for mark in ("//", ";"):
        cut = line.find(mark)
        if cut >= 0:
            line = line[:cut]
    return line


_COMMENT_RE = re.compile(r"(?://|;)[^\n]*")
_DIRECTIVE_RE = re.compile(r"^[ \t]*\..*$", re.MULTILINE)


def scan(code: str) -> RegisterUse:
    # comments and directive lines (labels' names, .set, ...) hold no operands
    code_only = _DIRECTIVE_RE.sub("", _COMMENT_RE.sub("", code))
    top = {"v": 0, "a": 0, "s": 0}
    for kind, first, last in _RANGE_RE.findall(code_only):
        top[kind] = max(top[kind], int(last or first) + 1)
    for kind, index in _SINGLE_RE.findall(_RANGE_RE.sub(" ", code_only)):
        top[kind] = max(top[kind], int(index) + 1)
    return RegisterUse(top["v"], top["a"], top["s"], bool(_SCRATCH_RE.search(code)))
