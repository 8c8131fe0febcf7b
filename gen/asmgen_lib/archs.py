"""The architectures asmgen builds for and the few facts it needs about each."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Arch:
    name: str
    max_vgpr: int          # architectural VGPRs per lane
    max_agpr: int          # accumulation VGPRs per lane
    max_sgpr: int          # addressable SGPRs (excluding VCC etc.)
    max_lds_bytes: int     # LDS a workgroup may allocate


ARCHS = {
    "gfx942": Arch("gfx942", max_vgpr=256, max_agpr=256, max_sgpr=102, max_lds_bytes=64 * 1024),
    "gfx950": Arch("gfx950", max_vgpr=256, max_agpr=256, max_sgpr=102, max_lds_bytes=160 * 1024),
}

DEFAULT_ARCHS = ("gfx942", "gfx950")

# SGPRs the descriptor reserves beyond the kernel's own: VCC (2) and, because our code objects
# are built for "xnack any", the XNACK mask (2). Counted into the metadata's .sgpr_count.
EXTRA_SGPRS = 4
