"""Bounds on one variant's render: templates are programs (Jinja loops, recursive macros), and a
mistake such as `range(10**9)` must end as an error naming the template line, not as a build that
never finishes.

Two limits: `range()` in templates and space.yaml expressions refuses more than MAX_RANGE items (the
common mistake, reported at once), and a wall-clock budget per render (RENDER_SECONDS, or
$ASMGEN_RENDER_SECONDS) stops anything else — nested loops, recursion, huge strings — with
RenderBudgetExceeded raised inside the template code. The timer is SIGALRM-based, so it applies
where renders run: the main thread of asmgen or of its forked render workers.
"""

import os
import signal
import threading
from contextlib import contextmanager

from .errors import TemplateError

MAX_RANGE = 1_000_000             # items one range() may have (the templates use a few hundred)
RENDER_SECONDS = 120.0            # one variant's render (the largest GEMM variant takes well under 1 s)


class RenderBudgetExceeded(TemplateError):
    """A render ran past its time budget or asked for a range past MAX_RANGE."""


def bounded_range(*args):
    """range() for templates and expressions, refusing more than MAX_RANGE items."""
    items = range(*args)
    if len(items) > MAX_RANGE:
        raise RenderBudgetExceeded(f"range({', '.join(map(str, args))}) has {len(items)} items, more than the "
                                   f"{MAX_RANGE} a template loop may run (asmgen's render budget)")
    return items


def render_seconds() -> float:
    """The time budget of one render: $ASMGEN_RENDER_SECONDS when set (a positive number), else RENDER_SECONDS."""
    text = os.environ.get("ASMGEN_RENDER_SECONDS", "")
    try:
        value = float(text)
    except ValueError:
        return RENDER_SECONDS
    return value if value > 0 else RENDER_SECONDS


def _template_line(frame) -> str:
    """'file:line' of the innermost template code on the stack from `frame`, or ''."""
    while frame is not None:
        template = frame.f_globals.get("__jinja_template__")
        if template is not None and template.filename:
            return f"{template.filename}:{template.get_corresponding_lineno(frame.f_lineno)}"
        frame = frame.f_back
    return ""


@contextmanager
def time_limit(seconds: float, what: str):
    """Raises RenderBudgetExceeded inside the guarded code after `seconds` (main thread only;
    elsewhere the code runs unguarded, as signals reach only the main thread)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(_signum, frame):
        where = _template_line(frame)
        raise RenderBudgetExceeded(f"{what} ran longer than its {seconds:g} s budget"
                                   f"{f' (at {where})' if where else ''}: an unbounded loop or recursion? "
                                   "(ASMGEN_RENDER_SECONDS raises the budget)")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


__all__ = ["MAX_RANGE", "RENDER_SECONDS", "RenderBudgetExceeded", "bounded_range", "render_seconds", "time_limit"]
