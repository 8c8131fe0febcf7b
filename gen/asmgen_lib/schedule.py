"""Instruction scheduling helpers for templates: placing memory work between MFMAs, and labels that
stay unique when a macro is expanded more than once.

    {{ interleave(mfmas, items, "spread") }}

mfmas: the MFMA lines of one step, in issue order (an entry may be a list of lines, e.g. a wait and
its MFMA). items: what runs under them, in order; an item is one line or a list of lines that must
stay together (e.g. an EXEC-masked group). Policies:

  spread   the items are spread evenly over the slots after MFMAs 0 .. T-2 (T = MFMAs): item j of n
           goes after MFMA min(j·S // n, S - 1), S = max(T - 1, 1). The last MFMA is left alone, so it
           covers the latency of the last items (e.g. LDS writes before a barrier).
  pairs    two items after each MFMA from MFMA `first` on: item j goes after MFMA min(first + j // 2,
           T - 1) (the block-scale loop's late LDS writes, kept after its last operand wait).
"""

INDENT = "  "


def spread_slots(mfmas: int, items: int) -> list:
    """After which MFMA (index) each item goes, for the `spread` policy."""
    slots = max(mfmas - 1, 1)
    return [min(j * slots // items, slots - 1) for j in range(items)]


def pair_slots(mfmas: int, items: int, first: int = 0) -> list:
    """After which MFMA each item goes, for the `pairs` policy."""
    return [min(first + j // 2, mfmas - 1) for j in range(items)]


POLICIES = {"spread": spread_slots, "pairs": pair_slots}


def _lines(entry) -> list:
    return [entry] if isinstance(entry, str) else list(entry)


def interleave(mfmas: list, items: list, policy: str = "spread", **options) -> str:
    """The lines of one step: each MFMA followed by the items the policy places after it."""
    if policy not in POLICIES:
        raise ValueError(f"interleave: unknown policy {policy!r} (policies: {', '.join(POLICIES)})")
    if not mfmas:
        raise ValueError("interleave: no MFMAs to place the items between")
    after = [[] for _ in mfmas]
    for item, slot in zip(items, POLICIES[policy](len(mfmas), len(items), **options)):
        after[slot].extend(_lines(item))
    lines = []
    for mfma, placed in zip(mfmas, after):
        lines.extend(_lines(mfma))
        lines.extend(placed)
    return "\n".join(INDENT + line.strip() for line in lines)


def emit(items: list) -> str:
    """Items (lines or groups of lines) one after the other, without MFMAs."""
    lines = [line for item in items for line in ([item] if isinstance(item, str) else item)]
    return "\n".join(INDENT + line.strip() for line in lines)


class Labels:
    """`label("k_loop")` gives `.Lk_loop_0`, then `.Lk_loop_1`, ...: one per call and variant, so a macro
    expanded twice defines different labels."""

    def __init__(self):
        self._next = {}

    def restart(self):
        self._next = {}

    def __call__(self, stem: str) -> str:
        n = self._next.get(stem, 0)
        self._next[stem] = n + 1
        return f".L{stem}_{n}"
