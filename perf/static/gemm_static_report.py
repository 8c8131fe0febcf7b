#!/usr/bin/python3
"""Static quality report of the GEMM kernels (a report, not a test; nothing here is a hardware measurement).

For every GEMM variant asmgen built it lists, on gfx942 (MI300X) and gfx950 (MI355X):
  - the main loop's MFMA pipe utilization, modeled with llvm-mca on the steady-state loop body,
  - the width of the global loads in that loop,
  - LDS bank-conflict cycles, counted by the CDNA emulator (`asmk run --stats`) on a small problem,
  - registers and LDS from the manifest, and the occupancy (waves per SIMD) they allow;
and for the canonical problem shapes the kernel libasmk selects (`asmk op FAMILY --explain`).

Usage (from the repository root; see perf/static/README.md):
  /usr/bin/python3 perf/static/gemm_static_report.py --hsaco hsaco --asmk build/tools/asmk
Writes perf/results/gemm_static.md and perf/results/gemm_static.csv. Standard library only.
"""
import argparse
import csv
import json
import math
import re
import subprocess
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FAMILIES = ["gemm_a8w8", "gemm_bf16", "gemm_a8w8_blockscale", "gemm_a4w4"]
COMMAND = "/usr/bin/python3 perf/static/gemm_static_report.py --hsaco hsaco --asmk build/tools/asmk"

# Targets of the GEMM issue.
TARGET_MFMA_BOUND = 0.90
TARGET_LOAD_BYTES = 16


@dataclass(frozen=True)
class Arch:
    name: str
    device: str
    compute_units: int
    lds_per_cu: int      # bytes (cdna.md: 64 KiB on MI300X, 160 KiB on MI355X)
    lds_granule: int     # bytes of one LDS allocation block (AMDGPUUsage: GFX9 128 dwords, GFX950 320 dwords)


ARCHS = [Arch("gfx942", "MI300X", 304, 65536, 512), Arch("gfx950", "MI355X", 256, 163840, 1280)]

# Occupancy inputs. cdna.md: 512 registers per lane per SIMD (VGPRs + AccVGPRs, one file), at most
# 8 waves per SIMD on CDNA3, 4 SIMDs per CU. LLVM AMDGPUBaseInfo (gfx90a+): a wave's register count
# is align(VGPRs, 4) + AGPRs (the AGPRs start at accum_offset), allocated in granules of 8;
# GFX9 SIMDs have 800 SGPRs, allocated in granules of 16.
REGS_PER_SIMD, REG_GRANULE, MAX_WAVES_PER_SIMD, SIMDS_PER_CU = 512, 8, 8, 4
SGPRS_PER_SIMD, SGPR_GRANULE = 800, 16

# The canonical shapes (M, N, K) of the GEMM issue.
LLM_M = [1, 32, 256, 4096]
SHAPES = ([("square", 8192, 8192, 8192)]
          + [("DeepSeek-V3", m, n, k) for (n, k) in [(7168, 2048), (2112, 7168), (24576, 1536), (7168, 16384)]
             for m in LLM_M]
          + [("Llama-70B", m, n, k) for (n, k) in [(8192, 8192), (28672, 8192), (8192, 28672)] for m in LLM_M])

# MFMA issue cost in clocks per instruction on one SIMD (cdna.md "MFMA issue cost"; the CDNA4 entries are
# derived there from the peak rates: a 32x32x64 f8f6f4 takes 64 clocks with an 8-bit operand, 32 with
# 4/6-bit ones). llvm-mca counts in 4-clock passes.
MFMA_CLOCKS = {
    "gfx942": [(r"v_mfma_f32_32x32x8_(bf16|f16)$", 32), (r"v_mfma_f32_16x16x16_(bf16|f16)$", 16),
               (r"v_mfma_f32_32x32x16_(fp8|bf8)_(fp8|bf8)$", 32), (r"v_mfma_f32_16x16x32_(fp8|bf8)_(fp8|bf8)$", 16),
               (r"v_mfma_i32_32x32x16_i8$", 32), (r"v_mfma_i32_16x16x32_i8$", 16),
               (r"v_mfma_f32_32x32x4_xf32$", 32), (r"v_mfma_f32_16x16x8_xf32$", 16),
               (r"v_mfma_f32_32x32x2_f32$", 64), (r"v_mfma_f32_16x16x4_f32$", 32)],
    "gfx950": [(r"v_mfma_f32_32x32x16_(bf16|f16)$", 32), (r"v_mfma_f32_16x16x32_(bf16|f16)$", 16),
               (r"v_mfma_(scale_)?f32_32x32x64_f8f6f4$", "f8f6f4:64:32"),
               (r"v_mfma_(scale_)?f32_16x16x128_f8f6f4$", "f8f6f4:32:16"),
               (r"v_mfma_i32_32x32x32_i8$", 32), (r"v_mfma_i32_16x16x64_i8$", 16),
               (r"v_mfma_f32_32x32x2_f32$", 64), (r"v_mfma_f32_16x16x4_f32$", 32)],
}
# (gfx950 i8: cdna.md "INT8 dense equals FP8 dense", 2048 FLOP per SIMD per clock on MI355X.)
CLOCKS_PER_PASS = 4
# Stand-ins with the same accumulator width whose llvm-mca cost is the ISA cost, keyed by (accumulator
# registers, passes); used only where llvm-mca's cost for the real instruction differs from the ISA's.
STAND_INS = {(16, 16): "v_mfma_f32_32x32x2_f32", (16, 8): "v_mfma_f32_32x32x8_bf16",
             (4, 8): "v_mfma_f32_16x16x4_f32", (4, 4): "v_mfma_f32_16x16x16_bf16"}
STAND_IN_OPERAND_REGS = {"v_mfma_f32_32x32x2_f32": 1, "v_mfma_f32_32x32x8_bf16": 2,
                         "v_mfma_f32_16x16x4_f32": 1, "v_mfma_f32_16x16x16_bf16": 2}

LOAD_BYTES = {"ubyte": 1, "sbyte": 1, "ushort": 2, "sshort": 2, "short_d16": 2, "dword": 4, "dwordx2": 8,
              "dwordx3": 12, "dwordx4": 16}
LOAD_RE = re.compile(r"^(buffer|global)_load_(lds_)?(\w+?)(_d16_hi|_d16)?$")
REG_RE = re.compile(r"([va])(?:\[(\d+):(\d+)\]|(\d+))")


# ---------------------------------------------------------------- kernels and their main loops

def family_archs(family: str):
    """The archs templates/<family>/space.yaml offers (its `archs: [...]` line), None when unknown."""
    space = REPO / "templates" / family / "space.yaml"
    found = re.search(r"^archs:\s*\[([^\]]*)\]", space.read_text(), re.MULTILINE) if space.exists() else None
    return [a.strip() for a in found.group(1).split(",")] if found else None


def load_kernels(hsaco: Path, arch: str) -> list:
    """The manifest entries of the GEMM families for one arch ([] when the arch was not built)."""
    manifest = hsaco / arch / "manifest.json"
    if not manifest.exists():
        return []
    kernels = json.loads(manifest.read_text())["kernels"]
    return [k for k in kernels if k["family"] in FAMILIES]


def kernel_source(hsaco: Path, entry: dict) -> Path:
    """The generated assembly asmgen keeps for a variant."""
    return hsaco / entry["arch"] / ".asmgen" / "src" / entry["family"] / (entry["name"] + ".s")


def code_lines(text: str) -> list:
    """Labels and instructions, without comments, blank lines and assembler directives."""
    lines = []
    for raw in text.splitlines():
        line = raw.split("//")[0].split(";")[0].strip()
        if line and not line.startswith("."):
            lines.append(line)
        elif re.match(r"^\.L[\w.]+:$", line):
            lines.append(line)
    return lines


def find_main_loop(lines: list):
    """The body of the loop with the most MFMAs: from a label to the last branch back to it."""
    labels = {line[:-1]: i for i, line in enumerate(lines) if line.endswith(":")}
    best = None
    for end, line in enumerate(lines):
        m = re.match(r"^s_cbranch_\w+\s+(\S+)$", line) or re.match(r"^s_branch\s+(\S+)$", line)
        if not m or m.group(1) not in labels or labels[m.group(1)] >= end:
            continue
        body = [x for x in lines[labels[m.group(1)] + 1:end + 1] if not x.endswith(":")]
        mfmas = sum(1 for x in body if x.startswith("v_mfma"))
        if best is None or mfmas > best[0]:
            best = (mfmas, body)
    return best[1] if best and best[0] > 0 else None


def mnemonic(line: str) -> str:
    return line.split()[0]


# ---------------------------------------------------------------- what the loop body contains

def mfma_clocks(arch: str, line: str):
    """ISA issue cost of one MFMA in clocks, None when cdna.md has no figure for it."""
    name = mnemonic(line)
    for pattern, cost in MFMA_CLOCKS[arch]:
        if not re.match(pattern, name):
            continue
        if isinstance(cost, int):
            return cost
        _, eight_bit, narrow = cost.split(":")
        fmt_a = re.search(r"cbsz:(\d)", line)
        fmt_b = re.search(r"blgp:(\d)", line)
        formats = [int(f.group(1)) if f else 0 for f in (fmt_a, fmt_b)]   # 0 fp8, 1 bf8, 2/3 fp6/bf6, 4 fp4
        return int(eight_bit) if any(f <= 1 for f in formats) else int(narrow)
    return None


def load_width(line: str):
    """Bytes per lane of a global/buffer load, None for other instructions."""
    m = LOAD_RE.match(mnemonic(line))
    return LOAD_BYTES.get(m.group(3)) if m else None


@dataclass
class LoopProfile:
    instructions: int
    mfmas: int
    mfma_names: str        # MFMAs without an ISA figure
    loads: dict               # bytes per lane -> count
    lds: dict                 # mnemonic -> count


def profile_loop(body: list) -> LoopProfile:
    """MFMAs, global loads by width and LDS instructions of one loop iteration."""
    mfmas = [x for x in body if x.startswith("v_mfma")]
    loads, lds = {}, {}
    for line in body:
        width = load_width(line)
        if width is not None:
            loads[width] = loads.get(width, 0) + 1
        if mnemonic(line).startswith("ds_"):
            lds[mnemonic(line)] = lds.get(mnemonic(line), 0) + 1
    return LoopProfile(len(body), len(mfmas), ", ".join(sorted({mnemonic(x) for x in mfmas})), loads, lds)


# ---------------------------------------------------------------- llvm-mca model of the loop

def mca_output(llvm_bin: Path, arch: str, body: list, iterations: int) -> str:
    """llvm-mca's text report for `iterations` runs of the body."""
    proc = subprocess.run([str(llvm_bin / "llvm-mca"), "-mtriple=amdgcn-amd-amdhsa", f"-mcpu={arch}",
                           f"-iterations={iterations}", "-"], input="\n".join(body) + "\n",
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"llvm-mca failed: {proc.stderr.strip().splitlines()[:1]}")
    return proc.stdout


def total_cycles(out: str) -> int:
    return int(re.search(r"Total Cycles:\s+(\d+)", out).group(1))


def mca_costs(llvm_bin: Path, arch: str, body: list) -> list:
    """llvm-mca's reciprocal throughput (passes) of each line of the body, from its Instruction Info table."""
    out = mca_output(llvm_bin, arch, body, 1)
    info = out.split("Instructions:")[2].split("\n\n")[0].splitlines()[1:]
    return [float(row.split()[2]) for row in info if row.strip()]


def mca_steady_state(llvm_bin: Path, arch: str, body: list, iterations: int = 50) -> dict:
    """Cycles (passes) per iteration in steady state, Block RThroughput and XDL-pipe pressure per iteration.

    Steady state = the difference between runs of 2N and N iterations, divided by N: the pipeline fill of the
    first iteration and the drain after the last (the final s_barrier's modeled latency) cancel out."""
    out = mca_output(llvm_bin, arch, body, iterations)
    cycles = total_cycles(mca_output(llvm_bin, arch, body, 2 * iterations)) - total_cycles(out)
    block = float(re.search(r"Block RThroughput:\s+([\d.]+)", out).group(1))
    resources = dict((name, int(i)) for i, name in re.findall(r"\[(\d+)\]\s+- (\w+)", out))
    pressure = out.split("Resource pressure per iteration:")[1].splitlines()[2].split()
    xdl = pressure[resources["HWXDL"]]
    return {"cycles": cycles / iterations, "block_rthroughput": block, "xdl": 0.0 if xdl == "-" else float(xdl)}


def mfma_operands(line: str) -> list:
    """D, A, B, C of an MFMA line as written (C may be an inline constant such as 0)."""
    items = [x.strip() for x in line.split(None, 1)[1].split(",")][:4]
    return [x.split()[0] for x in items] if len(items) == 4 else []


def register_span(operand: str):
    """("v", first, count) of a register operand, None for a constant."""
    m = REG_RE.fullmatch(operand)
    if not m:
        return None
    kind, first, last, single = m.groups()
    return kind, int(first or single), int(last or single) - int(first or single) + 1


def stand_in(line: str, passes: int):
    """The line with its MFMA replaced by one of `passes` llvm-mca passes that keeps the accumulator and
    the first registers of the operands (None when there is no stand-in for this accumulator width)."""
    operands = mfma_operands(line)
    spans = [register_span(x) for x in operands]
    if len(operands) != 4 or not all(spans[:3]):
        return None
    name = STAND_INS.get((spans[0][2], passes))
    if not name:
        return None
    width = STAND_IN_OPERAND_REGS[name]
    def narrowed(span):
        kind, first, _ = span
        return f"{kind}{first}" if width == 1 else f"{kind}[{first}:{first + width - 1}]"
    return f"{name} {operands[0]}, {narrowed(spans[1])}, {narrowed(spans[2])}, {operands[3]}"


def model_loop(llvm_bin: Path, arch: str, body: list) -> dict:
    """MFMA pipe utilization = ISA MFMA passes / llvm-mca cycles (4-clock passes) per iteration.

    Where llvm-mca's cost for an MFMA differs from the ISA figure, the MFMA is modeled by a stand-in
    with the ISA's cost (same accumulator and operand registers, so the dependences stay). An MFMA
    without an ISA figure in cdna.md keeps llvm-mca's cost, and a note says so."""
    costs = mca_costs(llvm_bin, arch, body)
    modeled, notes, replaced, mfma_passes = list(body), set(), 0, 0.0
    for i, line in enumerate(body):
        if not line.startswith("v_mfma"):
            continue
        mca_passes = costs[i]
        clocks = mfma_clocks(arch, line)
        if clocks is None:
            mfma_passes += mca_passes
            notes.add(f"no ISA figure in cdna.md for {mnemonic(line)} on {arch}: llvm-mca's {mca_passes:g} passes used")
            continue
        passes = clocks // CLOCKS_PER_PASS
        mfma_passes += passes
        if abs(mca_passes - passes) < 0.1:
            continue
        substitute = stand_in(line, passes)
        if substitute:
            modeled[i] = substitute
            replaced += 1
            notes.add(f"llvm-mca costs {mnemonic(line)} {mca_passes:g} passes, the ISA {passes}: "
                      f"modeled with a stand-in MFMA of {passes} passes")
        else:
            notes.add(f"llvm-mca costs {mnemonic(line)} {mca_passes:g} passes, the ISA {passes}, "
                      "and there is no stand-in")
    result = mca_steady_state(llvm_bin, arch, modeled)
    return {"cycles": result["cycles"], "xdl": result["xdl"], "isa_passes": mfma_passes,
            "utilization": mfma_passes / result["cycles"] if result["cycles"] else 0.0,
            "latency_hidden": mfma_passes / result["block_rthroughput"] if result["block_rthroughput"] else 0.0,
            "stand_ins": replaced, "notes": sorted(notes),
            "model_agrees": abs(result["xdl"] - mfma_passes) < 0.5}


# ---------------------------------------------------------------- occupancy

def occupancy(arch: Arch, entry: dict) -> dict:
    """Waves per SIMD allowed by registers, SGPRs and LDS (the smallest wins)."""
    res = entry["resources"]
    regs = (math.ceil(res["accum_offset"] / 4) * 4 + res["agpr"]) if res["agpr"] else res["vgpr"]
    regs_allocated = math.ceil(max(regs, 1) / REG_GRANULE) * REG_GRANULE
    by_regs = min(MAX_WAVES_PER_SIMD, REGS_PER_SIMD // regs_allocated)
    by_sgprs = min(MAX_WAVES_PER_SIMD, SGPRS_PER_SIMD // (math.ceil(res["sgpr"] / SGPR_GRANULE) * SGPR_GRANULE))
    waves_per_group = math.ceil(math.prod(entry["workgroup_size"]) / res["wavefront_size"])
    if res["lds_bytes"]:
        lds_allocated = math.ceil(res["lds_bytes"] / arch.lds_granule) * arch.lds_granule
        groups_per_cu = arch.lds_per_cu // lds_allocated
        by_lds = min(MAX_WAVES_PER_SIMD, groups_per_cu * waves_per_group // SIMDS_PER_CU)
    else:
        by_lds = MAX_WAVES_PER_SIMD
    limits = {"registers": by_regs, "SGPRs": by_sgprs, "LDS": by_lds}
    waves = min(limits.values())
    limiter = ("hardware maximum" if waves == MAX_WAVES_PER_SIMD
               else "/".join(k for k, v in limits.items() if v == waves))
    return {"regs": regs, "regs_allocated": regs_allocated, "by_regs": by_regs, "by_sgprs": by_sgprs,
            "by_lds": by_lds, "waves": waves, "limiter": limiter, "waves_per_group": waves_per_group}


# ---------------------------------------------------------------- emulator statistics

def k_step(entry: dict) -> int:
    """Elements of K in one K step: the manifest's requires.k_multiple, else the family's known step."""
    for rule in entry.get("requires") or []:
        if rule.get("arg") == "k" and "multiple" in rule:
            return int(rule["multiple"])
    return {"gemm_bf16": 32, "gemm_a8w8": 64}.get(entry["family"], 128)


def emulator_problem(entry: dict) -> tuple:
    """Arguments and buffers of a small problem: M = 2 tiles, N = 2 tiles, K = 4 steps."""
    params = entry["params"]
    m, n = 2 * params.get("m_tile", 64), 2 * params.get("n_tile", 64)
    k = 4 * k_step(entry)
    values = {"m": m, "n": n, "k": k, "stride_a": k, "stride_b": k, "stride_c": n, "k_splits": 1}
    grid = (n // params.get("n_tile", 64), m // params.get("m_tile", 64), 1)
    args, buffers = [], []
    generous = (m + n) * max(k, n) * 4      # bytes: larger than any operand, scale or output of the problem
    for i, arg in enumerate(entry["kernargs"]):
        if arg["kind"] == "global_buffer":
            source = "zeros" if "const" not in arg["type"] else "random"
            buffers.append(f"{arg['name']}={source}:{generous}" + (f":{i + 1}" if source == "random" else ""))
        elif arg["name"] in values:
            args.append(f"{arg['name']}={values[arg['name']]}")
        elif arg["name"].startswith("stride"):      # scale strides and the like: K elements is always enough
            args.append(f"{arg['name']}={k}")
    return grid, args, buffers, (m, n, k)


def emulator_stats(asmk: Path, hsaco: Path, entry: dict) -> dict:
    """Run the kernel once on the emulator; LDS bank-conflict cycles and LDS instructions (all waves)."""
    grid, args, buffers, problem = emulator_problem(entry)
    cmd = [str(asmk), "run", str(hsaco / entry["arch"] / entry["file"]), "--kernel", entry["symbol"],
           "--grid", ",".join(map(str, grid)), "--threads", "1", "--stats"]
    for a in args:
        cmd += ["--arg", a]
    for b in buffers:
        cmd += ["--buffer", b]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return {"error": "asmk run took over 60 s", "problem": problem}
    out = proc.stdout
    conflicts = re.search(r"lds bank conflicts (\d+) extra cycles", out)
    if proc.returncode != 0 or not conflicts:
        reason = (proc.stderr or out).strip().splitlines()
        return {"error": reason[0] if reason else f"asmk run exited {proc.returncode}", "problem": problem}
    lds = re.search(r"\blds (\d+)", out.split("by class")[1].splitlines()[0]) if "by class" in out else None
    return {"conflict_cycles": int(conflicts.group(1)), "lds_instructions": int(lds.group(1)) if lds else 0,
            "problem": problem}


# ---------------------------------------------------------------- selection per shape

@lru_cache(maxsize=None)
def op_families(asmk: Path) -> str:
    """The op families `asmk op --help` lists (the help of its `family` positional ends in ": a, b")."""
    proc = subprocess.run([str(asmk), "op", "--help"], capture_output=True, text=True, timeout=60)
    found = re.search(r"^\s*family\b[^\n]*:\s*([^\n]*)$", proc.stdout, re.MULTILINE)
    return found.group(1).strip() if found else ""


def select_kernel(asmk: Path, hsaco: Path, family: str, arch: Arch, shape: tuple) -> dict:
    """What `asmk op FAMILY --explain` picks: {"kernel", "grid"} or {"pending": why} when it cannot say yet."""
    offered = op_families(asmk)
    if family not in re.split(r"[\s,]+", offered):
        return {"pending": f"asmk op has no {family} yet (it offers: {offered or 'nothing'})"}
    _, m, n, k = shape
    cmd = [str(asmk), "op", family, "--m", str(m), "--n", str(n), "--k", str(k), "--device", arch.device,
           "--repo", str(hsaco), "--explain"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    kernel = re.search(r"^kernel\s+(\S+)", proc.stdout, re.MULTILINE)
    if proc.returncode != 0 or not kernel:
        reason = (proc.stderr or proc.stdout).strip().splitlines()
        return {"pending": reason[0] if reason else f"asmk op exited {proc.returncode}"}
    grid = re.search(r"^grid\s+(\d+)\s*x\s*(\d+)\s*x\s*(\d+)", proc.stdout, re.MULTILINE)
    return {"kernel": kernel.group(1), "grid": tuple(int(g) for g in grid.groups()) if grid else None}


# ---------------------------------------------------------------- one row per variant

@dataclass
class Row:
    arch: Arch
    entry: dict
    loop: LoopProfile = None
    model: dict = None
    occ: dict = None
    emu: dict = None
    problems: list = field(default_factory=list)


def analyse(args, arch: Arch, entry: dict) -> Row:
    """Every static figure of one variant; what could not be derived is recorded in row.problems."""
    row = Row(arch, entry, occ=occupancy(arch, entry))
    source = kernel_source(args.hsaco, entry)
    body = find_main_loop(code_lines(source.read_text())) if source.exists() else None
    if body is None:
        row.problems.append(f"no main loop found in {source}")
    else:
        row.loop = profile_loop(body)
        try:
            row.model = model_loop(args.llvm_bin, arch.name, body)
        except (RuntimeError, AttributeError, IndexError, KeyError) as e:
            row.problems.append(f"llvm-mca: {e}")
    if args.asmk:
        row.emu = emulator_stats(args.asmk, args.hsaco, entry)
    return row


def load_text(loop: LoopProfile) -> str:
    """Global loads of one iteration by width, widest first: "4×128b, 2×16b"."""
    if not loop or not loop.loads:
        return "none"
    return ", ".join(f"{count}×{bytes_ * 8}b" for bytes_, count in sorted(loop.loads.items(), reverse=True))


def load_ok(loop: LoopProfile) -> bool:
    return bool(loop and loop.loads) and all(b >= TARGET_LOAD_BYTES for b in loop.loads)


def csv_record(row: Row) -> dict:
    """The machine-readable row (also the source of the markdown tables)."""
    e, res, occ = row.entry, row.entry["resources"], row.occ
    model, loop, emu = row.model or {}, row.loop, row.emu or {}
    return {
        "arch": row.arch.name, "device": row.arch.device, "family": e["family"], "kernel": e["name"],
        "params": " ".join(f"{k}={v}" for k, v in e["params"].items()),
        "loop_instructions": loop.instructions if loop else "", "loop_mfmas": loop.mfmas if loop else "",
        "mfma": loop.mfma_names if loop else "", "mfma_isa_passes": model.get("isa_passes", ""),
        "mca_cycles_per_iteration": f"{model['cycles']:.1f}" if model else "",
        "mfma_utilization": f"{model['utilization']:.3f}" if model else "",
        "latency_hidden_bound": f"{model['latency_hidden']:.3f}" if model else "",
        "mca_stand_ins": model.get("stand_ins", ""),
        "global_loads": load_text(loop), "loads_all_128b": load_ok(loop),
        "lds_ops": " ".join(f"{k}:{v}" for k, v in sorted(loop.lds.items())) if loop else "",
        "emu_problem_mnk": "x".join(map(str, emu["problem"])) if emu else "",
        "lds_conflict_cycles": emu.get("conflict_cycles", ""), "lds_instructions": emu.get("lds_instructions", ""),
        "emu_error": emu.get("error", ""),
        "vgpr": res["vgpr"], "agpr": res["agpr"], "sgpr": res["sgpr"], "lds_bytes": res["lds_bytes"],
        "waves_per_simd": occ["waves"], "waves_by_regs": occ["by_regs"], "waves_by_lds": occ["by_lds"],
        "waves_by_sgprs": occ["by_sgprs"], "occupancy_limiter": occ["limiter"],
        "problems": "; ".join(row.problems),
    }


# ---------------------------------------------------------------- the report

def pct(x) -> str:
    return f"{100 * x:.0f}%"


def name_pattern(names: list) -> str:
    """Kernel names that differ only in some '_'-separated fields, as brace patterns: a_{x,y}_b.

    A set that is not a full cross product is split on its last varying field and each part is written
    on its own (so a pattern never names a kernel that is not in the set)."""
    parts = [n.split("_") for n in names]
    if len(names) == 1 or len({len(p) for p in parts}) != 1:
        return ", ".join(names)
    columns = [list(dict.fromkeys(column)) for column in zip(*parts)]
    if math.prod(len(values) for values in columns) == len(names):
        return "_".join(values[0] if len(values) == 1 else "{" + ",".join(values) + "}" for values in columns)
    last = max(i for i, values in enumerate(columns) if len(values) > 1)
    return ", ".join(name_pattern([n for n, p in zip(names, parts) if p[last] == value]) for value in columns[last])


def variant_cells(row: Row) -> list:
    """The table cells of one variant after its name."""
    r, model, emu = csv_record(row), row.model, row.emu or {}
    util = (f"{pct(model['utilization'])} {'✅' if model['utilization'] >= TARGET_MFMA_BOUND else '❌'}"
            if model else "n/a")
    loads = f"{r['global_loads']} {'✅' if r['loads_all_128b'] else '❌'}"
    if emu.get("lds_instructions") == 0 and emu.get("conflict_cycles") == 0:
        conflicts = "no LDS ✅"
    elif "conflict_cycles" in emu:
        mark = "✅" if emu["conflict_cycles"] == 0 else "❌"
        conflicts = f"{emu['conflict_cycles']} / {emu['lds_instructions']} {mark}"
    else:
        conflicts = "n/a" + (f" ({emu['error']})" if emu.get("error") else "")
    return [r["mfma"].replace("v_mfma_", ""), str(r["loop_mfmas"]), r["mca_cycles_per_iteration"], util,
            pct(model["latency_hidden"]) if model else "n/a", loads, conflicts,
            f"{r['vgpr']}/{r['agpr']}/{r['sgpr']}", str(r["lds_bytes"]),
            f"{r['waves_per_simd']} ({r['occupancy_limiter']})"]


def variant_table(rows: list) -> list:
    """One line per group of variants whose figures are all equal (they differ only in, e.g., output type)."""
    out = ["| kernels | MFMA | MFMAs/iter | mca cycles/iter | MFMA-bound (≥90%) | latency hidden | "
           "global loads/iter (128b) | LDS conflict cycles / LDS instr | VGPR/AGPR/SGPR | LDS B | waves/SIMD (limit) |",
           "|---|---|---|---|---|---|---|---|---|---|---|"]
    groups = {}
    for row in rows:
        groups.setdefault(tuple(variant_cells(row)), []).append(row.entry["name"])
    for cells, names in groups.items():
        out.append(f"| `{name_pattern(names)}` | " + " | ".join(cells) + " |")
    return out


def select_all(args, rows_by: dict) -> dict:
    """(family, arch) -> [(shape, what asmk op picked)] for every family that has kernels."""
    selections = {}
    for (family, arch_name), rows in rows_by.items():
        arch = next(a for a in ARCHS if a.name == arch_name)
        if rows:
            selections[(family, arch_name)] = [
                (shape, select_kernel(args.asmk, args.hsaco, family, arch, shape) if args.asmk
                 else {"pending": "no --asmk given"}) for shape in SHAPES]
    return selections


def selection_table(args, family: str, arch: Arch, rows: list, picks: list) -> list:
    """One row per canonical shape: the selected kernel, its grid and how many rounds it takes to fill the GPU."""
    by_name = {row.entry["name"]: row for row in rows}
    out = ["| shape | M | N | K | selected kernel | grid | rounds (modeled) | MFMA-bound | waves/SIMD |",
           "|---|---|---|---|---|---|---|---|---|"]
    reasons = []
    for shape, picked in picks:
        head = f"| {shape[0]} | {shape[1]} | {shape[2]} | {shape[3]} |"
        row = by_name.get(picked.get("kernel"))
        if "pending" in picked:
            reasons.append(picked["pending"])
            out.append(f"{head} pending | | | | |")
        elif row is None:
            out.append(f"{head} `{picked['kernel']}` (not in {args.hsaco.name}/) | | | | |")
        else:
            grid = picked["grid"]
            groups = math.prod(grid) if grid else 0
            per_cu = row.occ["waves"] * SIMDS_PER_CU // row.occ["waves_per_group"]
            rounds = math.ceil(groups / (arch.compute_units * per_cu)) if groups and per_cu else "n/a"
            util = pct(row.model["utilization"]) if row.model else "n/a"
            grid_text = "×".join(map(str, grid)) if grid else "n/a"
            out.append(f"{head} `{picked['kernel']}` | {grid_text} | {rounds} | {util} | {row.occ['waves']} |")
    if reasons:
        out += ["", f"Selection pending for {len(reasons)} shapes: `asmk op {family} --explain` answered "
                    + "; ".join(f"\"{r}\"" for r in sorted(set(reasons))[:3]) + "."]
    return out


def no_kernels_reason(family: str, arch: str) -> str:
    """Why a family has no kernels for an arch: not offered there, not written yet, or not built."""
    archs = family_archs(family)
    if archs is None:
        return "family not in templates/ yet"
    if arch not in archs:
        return f"family offered on {', '.join(archs)} only"
    return "none built (run gen/asmgen build)"


def summary_table(rows_by: dict) -> list:
    out = ["| family | arch | variants | MFMA-bound (min–max) | ≥90% | all loads 128-bit | zero LDS conflicts "
           "| waves/SIMD |",
           "|---|---|---|---|---|---|---|---|"]
    for (family, arch), rows in rows_by.items():
        if not rows:
            out.append(f"| {family} | {arch} | 0 | {no_kernels_reason(family, arch)} | | | | |")
            continue
        utils = [r.model["utilization"] for r in rows if r.model]
        span = f"{pct(min(utils))}–{pct(max(utils))}" if utils else "n/a"
        good = sum(1 for u in utils if u >= TARGET_MFMA_BOUND)
        loads = sum(1 for r in rows if load_ok(r.loop))
        zero = [r for r in rows if r.emu and "conflict_cycles" in r.emu]
        zero_text = f"{sum(1 for r in zero if r.emu['conflict_cycles'] == 0)}/{len(zero)}" if zero else "n/a"
        waves = sorted({r.occ["waves"] for r in rows})
        out.append(f"| {family} | {arch} | {len(rows)} | {span} | {good}/{len(rows)} | {loads}/{len(rows)} | "
                   f"{zero_text} | {min(waves)}–{max(waves)} |")
    return out


def model_notes(rows: list) -> list:
    """How the MFMA cost model was applied: stand-ins, llvm-mca fallbacks, what still disagrees."""
    out = []
    for note in sorted({n for r in rows if r.model for n in r.model["notes"]}):
        users = [r.entry["name"] for r in rows if r.model and note in r.model["notes"]]
        out.append(f"- {note} ({len(users)} kernels).")
    mismatches = [r.entry["name"] for r in rows if r.model and not r.model["model_agrees"]]
    if mismatches:
        out.append(f"- llvm-mca's XDL pressure still differs from the MFMA cost used for: {', '.join(mismatches)}.")
    return out


def selection_finding(rows: list, picks: list) -> str:
    """How many canonical shapes get a kernel whose main loop meets the MFMA target."""
    by_name = {r.entry["name"]: r for r in rows}
    chosen = [(shape, by_name.get(p.get("kernel"))) for shape, p in picks]
    chosen = [(shape, r) for shape, r in chosen if r and r.model]
    if not chosen:
        return "selection pending"
    good = sum(1 for _, r in chosen if r.model["utilization"] >= TARGET_MFMA_BOUND)
    large = [(shape, r) for shape, r in chosen if shape[1] >= 4096 and r.model["utilization"] < TARGET_MFMA_BOUND]
    text = (f"{good}/{len(chosen)} canonical shapes select a kernel whose loop is ≥ {pct(TARGET_MFMA_BOUND)} "
            "MFMA-bound")
    if large:
        (_, m, n, k), example = large[0]
        text += (f"; {len(large)} shape{'s' if len(large) != 1 else ''} with M ≥ 4096 select a loop below it "
                 f"(e.g. {m}×{n}×{k} → `{example.entry['name']}` at {pct(example.model['utilization'])})")
    return text


def findings(rows_by: dict, selections: dict) -> list:
    """Where each family stands against the targets, from the rows (no hand-written numbers)."""
    out = []
    for (family, arch), rows in rows_by.items():
        modeled = [r for r in rows if r.model]
        if not modeled:
            continue
        best = max(modeled, key=lambda r: r.model["utilization"])
        passes = sorted({int(r.model["isa_passes"]) for r in modeled})
        out.append(f"- {family} / {arch}: best main loop `{best.entry['name']}` at {pct(best.model['utilization'])} "
                   f"MFMA-bound ({best.model['cycles']:.0f} passes per loop iteration, of which "
                   f"{best.model['isa_passes']:.0f} "
                   f"MFMA; latency-hidden ceiling {pct(best.model['latency_hidden'])}). MFMA work per loop "
                   f"iteration: {passes[0]}–{passes[-1]} passes across the variants. Selection: "
                   f"{selection_finding(rows, selections.get((family, arch), []))}.")
    return out


LIMITS = [
    "Single-wave, in-order llvm-mca model with llvm-mca's latencies (LDS 5 passes, VMEM 80 passes; real LDS "
    "and HBM latencies are longer): no other waves filling the gaps, `s_barrier` not modeled as a wait on the "
    "other waves. 100% means no latency left exposed under that model, not a hardware guarantee.",
    "LDS bank conflicts are the emulator's statistic for the whole launch on a small problem (prologue, main "
    "loop and epilogue together), as good as its bank model.",
    "Occupancy is the static limit from registers, SGPRs and LDS; it ignores the workgroup-slot and "
    "barrier limits of the hardware and the fact that a 1-workgroup grid cannot use it.",
    "No hardware measurement: no achieved TFLOP/s, no memory-bound analysis of the decode shapes (M = 1, 32).",
]


def render(args, rows_by: dict, selections: dict) -> str:
    all_rows = [r for rows in rows_by.values() for r in rows]
    lines = ["# GEMM static quality report (modeled, not measured)", "",
             "Regenerate (from the repository root, after `./quickstart.sh`, which builds the CLI, the kernels "
             "and the tuned tables the selection reads):", "", "```", COMMAND, "```", "",
             "Everything below is static or modeled: llvm-mca on the main-loop body, the CDNA emulator's LDS "
             "statistics, manifest resources. Nothing is a hardware measurement. How each column is derived: "
             "perf/static/README.md.", "",
             f"Targets (GEMM issue): main loop ≥ {pct(TARGET_MFMA_BOUND)} MFMA-bound, zero LDS bank conflicts, "
             "128-bit global loads.", "", "## Summary", ""]
    lines += summary_table(rows_by)
    lines += ["", "Where we stand:", ""] + findings(rows_by, selections)
    notes = model_notes(all_rows)
    if notes:
        lines += ["", "Model notes:", ""] + notes
    for (family, arch_name), rows in rows_by.items():
        arch = next(a for a in ARCHS if a.name == arch_name)
        lines += ["", f"## {family} on {arch.name} ({arch.device}, {arch.compute_units} CUs)", ""]
        if not rows:
            lines.append(f"No {family} kernels for {arch.name} in {args.hsaco.name}/: "
                         f"{no_kernels_reason(family, arch.name)}.")
            continue
        lines += ["### Variants", ""] + variant_table(rows)
        problems = [f"- `{r.entry['name']}`: {'; '.join(r.problems)}" for r in rows if r.problems]
        if problems:
            lines += [""] + problems
        lines += ["", "### Selection per canonical shape", ""] + selection_table(
            args, family, arch, rows, selections[(family, arch_name)])
    lines += ["", "## Limits of this report", ""] + [f"- {x}" for x in LIMITS]
    return "\n".join(lines) + "\n"


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--hsaco", type=Path, required=True, help="asmgen output folder (with <arch>/manifest.json)")
    p.add_argument("--asmk", type=Path, help="the asmk CLI (emulator statistics, selection); omit to skip both")
    p.add_argument("--llvm-bin", type=Path, default=Path("/usr/lib/llvm-22/bin"))
    p.add_argument("--out", type=Path, default=REPO / "perf" / "results" / "gemm_static.md")
    p.add_argument("--csv", type=Path, default=REPO / "perf" / "results" / "gemm_static.csv")
    args = p.parse_args(argv)
    args.hsaco = args.hsaco.resolve()
    if args.asmk:
        if not args.asmk.exists():
            p.error(f"--asmk {args.asmk}: no such file (build the asmk_cli target)")
        args.asmk = args.asmk.resolve()
    return args


def main(argv) -> int:
    args = parse_args(argv)
    rows_by = {}
    for family in FAMILIES:
        for arch in ARCHS:
            entries = [e for e in load_kernels(args.hsaco, arch.name) if e["family"] == family]
            rows_by[(family, arch.name)] = [analyse(args, arch, e) for e in sorted(entries, key=lambda e: e["name"])]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    selections = select_all(args, rows_by)
    args.out.write_text(render(args, rows_by, selections))
    chosen_for = {}
    for picks in selections.values():
        for shape, picked in picks:
            if "kernel" in picked:
                chosen_for.setdefault(picked["kernel"], []).append("x".join(map(str, shape[1:])))
    records = [dict(csv_record(r), selected_for=" ".join(chosen_for.get(r.entry["name"], [])))
               for rows in rows_by.values() for r in rows]
    with args.csv.open("w", newline="") as f:
        if records:
            writer = csv.DictWriter(f, fieldnames=list(records[0]))
            writer.writeheader()
            writer.writerows(records)
    print(f"wrote {args.out} and {args.csv} ({len(records)} kernels)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
