"""MFMA facts for templates, from one source: the emulator's MFMA table (emu/mfma), dumped by
gen/mfma_facts/dump.cpp into mfma_facts.json next to this file (a test keeps the two in step).

    {% set op = mfma("bf16", 32, arch) %}           the single-block 32x32 bf16 MFMA with the largest K
    {% set op = mfma("fp8", 16, arch, max_a_regs=4) %}   ... whose A operand fits in 4 VGPRs per lane
    op.mnemonic, op.m, op.n, op.k, op.a_regs, op.b_regs, op.cd_regs, op.passes
    op.acc(i, j)        (register within the accumulator tuple, lane) of D element (i, j)
    op.row(i)           the same for the first element of row i: row i is in one register, lanes
                        lane .. lane + n - 1 (i: a row of the instruction's A operand, src0)

Input types: bf16, f16 (fp16), fp8, bf8, i8 (int8), f32, xf32; `fp8` also matches the gfx950 f8f6f4
instructions (their A/B formats come from cbsz/blgp, fp8 when 0). Scaled (v_mfma_scale_*) forms are
picked only with scaled=True.
"""

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .registers import TemplateAbort

FACTS = Path(__file__).resolve().parent / "mfma_facts.json"
ALIASES = {"fp16": "f16", "int8": "i8"}


@dataclass(frozen=True)
class MfmaOp:
    mnemonic: str
    m: int
    n: int
    k: int
    blocks: int
    a_type: str
    b_type: str
    out_type: str
    f8f6f4: bool
    scaled: bool
    a_regs: int
    b_regs: int
    cd_regs: int
    passes: int
    row_reg: tuple = ()
    row_lane: tuple = ()

    def row(self, i: int) -> tuple:
        """(register, first lane) of row i of the accumulator."""
        if not self.row_reg:
            raise TemplateAbort(f"{self.mnemonic}: no accumulator layout (only single-block, non-f64 MFMAs have one)")
        if not 0 <= i < self.m:
            raise TemplateAbort(f"{self.mnemonic}: row {i} is outside 0..{self.m - 1}")
        return self.row_reg[i], self.row_lane[i]

    def acc(self, i: int, j: int) -> tuple:
        """(register, lane) of accumulator element (i, j)."""
        reg, lane = self.row(i)
        if not 0 <= j < self.n:
            raise TemplateAbort(f"{self.mnemonic}: column {j} is outside 0..{self.n - 1}")
        return reg, lane + j


@lru_cache(maxsize=None)
def table() -> dict:
    """arch -> list of MfmaOp."""
    doc = json.loads(FACTS.read_text())
    return {arch: [MfmaOp(**{**op, "row_reg": tuple(op.get("row_reg", ())), "row_lane": tuple(op.get("row_lane", ()))})
                   for op in ops] for arch, ops in doc["archs"].items()}


def mfma(dtype: str, block: int, arch: str, max_a_regs: int | None = None, scaled: bool = False) -> MfmaOp:
    """The single-block block x block MFMA of `arch` with A and B of `dtype` and the largest K (whose A
    operand fits in max_a_regs VGPRs per lane, if given)."""
    want = ALIASES.get(dtype, dtype)
    ops = table().get(arch)
    if ops is None:
        raise TemplateAbort(f"mfma: no MFMA table for arch {arch!r} (archs: {', '.join(table())})")
    fits = [op for op in ops if op.blocks == 1 and op.m == block and op.n == block and op.scaled == scaled
            and op.a_type == want and op.b_type == want and (max_a_regs is None or op.a_regs <= max_a_regs)]
    if not fits:
        shapes = sorted({f"{op.m}x{op.n} {op.a_type}" for op in ops if op.blocks == 1 and op.a_type == op.b_type})
        raise TemplateAbort(f"mfma({dtype!r}, {block}, {arch!r}" + (f", max_a_regs={max_a_regs}" if max_a_regs else "")
                            + f"): no such MFMA (single-block shapes on {arch}: {', '.join(shapes)})")
    return max(fits, key=lambda op: (op.k, not op.f8f6f4))
