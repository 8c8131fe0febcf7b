#!/usr/bin/env python3
"""Every GEMM kernel's LDS layout is free of bank conflicts on its arch (32 banks on gfx942, 64 on gfx950).

Usage: check_gemm_lds_conflicts.py ASMK HSACO

Runs one kernel per (family, arch, tile) — the dtype and layout variants of a tile share its LDS layout — on
a small problem on the emulator (`asmk run --stats`, the problem of perf/static/gemm_static_report.py) and
asserts 0 bank-conflict cycles and, for the families that stage operands in LDS, that LDS was used at all.
Exit 77 (skip) when the code objects are missing.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "perf" / "static"))
import gemm_static_report as report  # noqa: E402

# families whose K loop stages A and B through LDS (gemm_a4w4 loads its operands straight to registers)
LDS_FAMILIES = {"gemm_bf16", "gemm_a8w8", "gemm_a8w8_blockscale"}


def main() -> int:
    asmk, hsaco = Path(sys.argv[1]), Path(sys.argv[2])
    kernels = [k for arch in ("gfx942", "gfx950") for k in report.load_kernels(hsaco, arch)]
    if not kernels:
        print(f"no GEMM code objects under {hsaco}: skipped")
        return 77
    seen, failures, checked = set(), [], 0
    for entry in kernels:
        tile = (entry["family"], entry["arch"], entry["params"].get("m_tile"), entry["params"].get("n_tile"),
                entry["params"].get("k_waves"))
        if tile in seen:
            continue
        seen.add(tile)
        stats = report.emulator_stats(asmk, hsaco, entry)
        checked += 1
        if "error" in stats:
            failures.append(f"{entry['name']}: {stats['error']}")
        elif stats["conflict_cycles"] != 0:
            failures.append(f"{entry['name']}: {stats['conflict_cycles']} LDS bank-conflict cycles "
                            f"over {stats['lds_instructions']} LDS instructions (M x N x K {stats['problem']})")
        elif entry["family"] in LDS_FAMILIES and stats["lds_instructions"] == 0:
            failures.append(f"{entry['name']}: no LDS instruction ran (the check would prove nothing)")
    for f in failures:
        print("FAIL", f)
    print(f"{checked} tiles checked, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
