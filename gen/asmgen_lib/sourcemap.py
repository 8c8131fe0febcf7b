"""Line mapping from generated assembly back to template source.

While a template's source is loaded, every line that can produce output gets an invisible marker
`\x02<file id>:<line>\x03` at its start (lines that start with a block tag `{% %}` or a comment
produce no text of their own and get none; neither do lines inside a multi-line Jinja tag, nor
lines that start with a whitespace-control tag such as `{%-`, whose meaning a marker would change).
Markers survive rendering wherever the text goes — including into macro expansions and includes —
so after rendering, each output line's origin is the last marker seen at or before its first
character of content. The markers are then removed.

Macro calls are bracketed too (see render.MarkingContext): `\x02c<file id>:<line>\x03` before a
macro's output names the call site and `\x02e\x03` after it closes it, so an origin inside a macro
also knows the chain of call sites that led there ("macros.j2:3, called from main.s.j2:12").
"""

import re
from dataclasses import dataclass

MARK_START, MARK_END = "\x02", "\x03"   # STX/ETX: not whitespace to Jinja's trimming
_MARK_RE = re.compile("\x02(?:(c?)(\\d+):(\\d+)|e)\x03")
_OPENERS = {"{{": "}}", "{%": "%}", "{#": "#}"}
_RAW_START = re.compile(r"{%-?\s*raw\s*-?%}")
_RAW_END = re.compile(r"{%-?\s*endraw\s*-?%}")


@dataclass(frozen=True)
class Origin:
    file: str
    line: int
    called_from: tuple = ()      # call sites of the enclosing macros, innermost first

    def __str__(self):
        chain = "".join(f", called from {site.file}:{site.line}" for site in self.called_from)
        return f"{self.file}:{self.line}{chain}"


def line_marker(file_id: int, line: int) -> str:
    return f"{MARK_START}{file_id}:{line}{MARK_END}"


def call_markers(file_id: int, line: int) -> tuple[str, str]:
    """(text before, text after) a macro's output called from file:line."""
    return f"{MARK_START}c{file_id}:{line}{MARK_END}", f"{MARK_START}e{MARK_END}"


class FileTable:
    """Ids for the template files seen while rendering (ids are what markers carry)."""

    def __init__(self):
        self._files: list[str] = []

    def id_of(self, display_name: str) -> int:
        if display_name not in self._files:
            self._files.append(display_name)
        return self._files.index(display_name)

    def name(self, file_id: int) -> str:
        return self._files[file_id]


def add_markers(source: str, file_id: int) -> str:
    """The template source with a marker at the start of every line that may produce output."""
    out = []
    closer = None          # the delimiter that closes a Jinja tag still open at the line start
    in_raw = False
    for number, line in enumerate(source.split("\n"), 1):
        head = line.lstrip()
        if closer is None and not in_raw and head and not head.startswith(("{%", "{#", "{{-")):
            line = line_marker(file_id, number) + line
        closer, in_raw = _scan(line, closer, in_raw)
        out.append(line)
    return "\n".join(out)


def _scan(line: str, closer, in_raw):
    """Tracks Jinja delimiters across a line: returns the closer still open at its end and
    whether a {% raw %} block is open."""
    pos = 0
    while pos < len(line):
        if in_raw:
            end = _RAW_END.search(line, pos)
            if not end:
                return None, True
            in_raw, pos = False, end.end()
        elif closer is None:
            starts = [(line.find(o, pos), o) for o in _OPENERS if line.find(o, pos) >= 0]
            if not starts:
                return None, False
            start, opener = min(starts)
            raw = _RAW_START.match(line, start)
            if raw:
                in_raw, pos = True, raw.end()
            else:
                closer, pos = _OPENERS[opener], start + 2
        else:
            end = line.find(closer, pos)
            if end < 0:
                return closer, False
            closer, pos = None, end + 2
    return closer, in_raw


def strip_markers(text: str, files: FileTable) -> tuple[str, list]:
    """(text without markers, origin of each output line or None for lines without content)."""
    clean_lines, origins = [], []
    current = None
    calls = []                   # open macro call sites, outermost first
    made = {}                    # (file id, line, calls) -> Origin: one object per distinct origin
    for line in text.split("\n"):
        if "\x02" not in line:   # most generated lines: no marker, the current origin
            clean_lines.append(line)
            origins.append(current if line.strip() else None)
            continue
        origin, pos = None, 0
        for mark in _MARK_RE.finditer(line):
            if origin is None and line[pos:mark.start()].strip():
                origin = current
            if mark.group(2) is None:          # end of a macro's output
                if calls:
                    calls.pop()
            else:
                file_id, number = int(mark.group(2)), int(mark.group(3))
                if mark.group(1):              # start of a macro's output
                    calls.append(Origin(files.name(file_id), number))
                else:
                    key = (file_id, number, tuple(calls))
                    current = made.get(key)
                    if current is None:
                        current = made[key] = Origin(files.name(file_id), number, tuple(reversed(calls)))
            pos = mark.end()
        if origin is None and line[pos:].strip():
            origin = current
        clean_lines.append(_MARK_RE.sub("", line))
        origins.append(origin)
    return "\n".join(clean_lines), origins
