"""Our FMHA forward against AITER's assembly `fmha_v3_fwd`, both modeled by the same model, at issue 12's
canonical shapes and fp8 hd 256 (AITER's gfx950 `fwd_hd256_fp8*`: the same launch as its fp8 hd 128 kernels). Every figure is **modeled** (no GPU here, and AITER publishes no measured attention table
beside its code objects); the point is one yardstick for both.

    /usr/bin/python3 perf/fmha/aiter_compare.py --aiter AITER_CHECKOUT --build build --repo hsaco \
        > perf/fmha/aiter_comparison.md

AITER_CHECKOUT is a clone of github.com/ROCm/aiter (its `hsa/<arch>/fmha_v3_fwd/` code objects and CSV are
read there; nothing of AITER is copied or committed). Ours: `asmk_fmha_model` on the kernel the `fmha_fwd` op
selects (report.py's method). AITER's: `asmk run CO --model MACHINE`, which traces the launch's first and last
workgroups on the emulator and models the grid from them; AITER's causal launches pair a head and a tail query
tile per workgroup, so every workgroup does the same work and two traces stand for all. Not so gfx942's hd 192/128
causal launch (grid (heads, query tiles, batch), tile x sees (x + 1)·128 keys): there launches small enough to
run in one round give the cycles and L2 bytes of tile 0, the middle tile and the last one, and the grid is
list-scheduled in dispatch order with each tile's time on the line through them (unpaired_model; asmk_fmha_model's
method for ours). Not run in CI.

AITER's launch, restated from its host code (csrc/cpp_itfs/mha_fwd.cu, csrc/include/mha_fwd.h; MIT): one
packed argument struct of 16-byte slots (perf/calibration/aiter_launch.py), strides in bytes, 512 work-items
(256 for hd 192/128), grid (query tiles [÷ 2 when causal], heads, batch) — on gfx942 hd 192/128 (heads, query
tiles, batch) without pairing.
"""
import argparse
import csv
import io
import json
import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "calibration"))
import report  # noqa: E402  (the canonical shapes and our model)
from aiter_launch import Launch, ceil_div, decode_fp8, random_bf16, random_fp8  # noqa: E402

MAX_AITER_TOKENS = 32768  # the emulator holds q, k, v and o at full size: 1 GiB at 32K tokens x 32 heads
SLACK_ROWS = 256  # rows (tokens) of slack after each input tensor


def shapes(quick):
    """report.py's canonical shapes, then fp8 hd 256 (AITER's gfx950 `fwd_hd256_fp8*`; gfx942 has none): h 16 and 32
    (h_k = h_q), 16K tokens (s=4K b=4, s=8K b=2), causal and not. (group, label, dtype, head_dims, batch, heads_q,
    heads_k, s, causal), as report.shapes."""
    rows = report.shapes(quick)
    if quick:
        return rows
    for causal in (True, False):
        for hq in (16, 32):
            for s in (4096, 8192):
                rows.append((f"fp8 hd256 {'causal' if causal else 'non-causal'} (h_k = h_q, 16K tokens)",
                             f"h={hq} s={s // 1024}K b={report.TOKENS // s}", "fp8", "256", report.TOKENS // s, hq, hq, s,
                             causal))
    return rows


def aiter_table(aiter, arch):
    """(dtype, hdim_q, hdim_v, causal) -> (code object path, kernel, query tile) from AITER's fmha_fwd.csv
    (batch mode, round-to-nearest-even bf16 output)."""
    folder = os.path.join(aiter, "hsa", arch, "fmha_v3_fwd")
    table = {}
    with open(os.path.join(folder, "fmha_fwd.csv")) as f:
        for row in csv.DictReader(f):
            if row["mode"] != "0" or (row["dtype"] == "bf16" and row["bf16_cvt"] != "0"):
                continue
            key = ("fp8" if row["dtype"] == "fp8bf16" else row["dtype"], int(row["hdim_q"]), int(row["hdim_v"]),
                   row["mask"] != "0")
            sub = "MI300" if arch == "gfx942" else ""
            table[key] = (os.path.join(folder, sub, row["co_name"]), row["knl_name"], int(row["ts_qo"]))
    return table


def flops(batch, hq, s, dqk, dv, causal):
    pairs = s * (s + 1) // 2 if causal else s * s
    return 2.0 * (dqk + dv) * pairs * batch * hq


def aiter_launch(entry, arch, dtype, dqk, dv, batch, hq, hk, s, causal):
    """The Launch of AITER's kernel for a batch-mode problem, [b, s, h, d] tensors."""
    co, kernel, ts_qo = entry
    hd192 = dqk == 192
    in_bpe = 1 if dtype == "fp8" else 2
    tiles = ceil_div(s, ts_qo)
    grid = (ceil_div(tiles, 2 if causal else 1), hq, batch)
    if arch == "gfx942" and hd192:
        grid = (hq, tiles, batch)
    q_bytes, k_bytes, v_bytes, o_bytes = (batch * s * hq * dqk * in_bpe, batch * s * hk * dqk * in_bpe,
                                          batch * s * hk * dv * in_bpe, batch * s * hq * dv * 2)
    launch = Launch(co, kernel, grid, flops(batch, hq, s, dqk, dv, causal), q_bytes + k_bytes + v_bytes + o_bytes)
    launch.block = 256 if hd192 else 512
    tune_opt = 5
    if causal and (hq % 8 != 0 or s > 16384):
        tune_opt -= 2
    if hd192 and arch == "gfx942":
        tune_opt = 0
    q_row, k_row, v_row, o_row = hq * dqk * in_bpe, hk * dqk * in_bpe, hk * dv * in_bpe, hq * dv * 2
    launch.pointer("o", o_bytes)
    # AITER's kernels prefetch up to a key tile past the end of k and v (through buffers whose range does not
    # stop them: gfx950 hd 192/128 reads 16 KB past a 512-key k); a framework's caching allocator leaves slack
    # there, so do we: SLACK_ROWS rows after each input.
    launch.pointer("q", q_bytes + SLACK_ROWS * q_row)
    launch.pointer("k", k_bytes + SLACK_ROWS * k_row)
    launch.pointer("v", v_bytes + SLACK_ROWS * v_row)
    launch.pointer("lse", batch * hq * s * 4)
    launch.f32(dqk ** -0.5)
    for value in (s, q_row, ts_qo * q_row, dqk * in_bpe, s * q_row,  # seq_len Seqs Ts Hs Bs
                  hq // hk, k_row, dqk * in_bpe, s * k_row,  # gqa k_Seqs k_Hs k_Bs
                  tune_opt, 1, s, dqk, dv, hq,  # opt lse kv_seq_len qk_head_dim v_head_dim q_head_num
                  v_row, dv * in_bpe, s * v_row, o_row, dv * 2, s * o_row):  # v_Seqs v_Hs v_Bs o_Seqs o_Hs o_Bs
        launch.u32(value)
    launch.pointer("qseq", 0)
    launch.pointer("kseq", 0)
    launch.u32(s * 4)  # lse_Hs
    launch.pointer("qseq_padding", 0)
    launch.pointer("kseq_padding", 0)
    one = struct.pack("<f", 1.0)
    for name in ("q_descale", "k_descale", "v_descale"):  # per-tensor: strides 0
        launch.pointer(name, 4 if dtype == "fp8" else 0, contents=one if dtype == "fp8" else None)
    for _ in range(6):
        launch.u32(0)
    return launch


def check_aiter_launch(asmk, entry, arch, dtype, dqk, dv, causal, workdir):
    """Runs AITER's kernel on a small random problem (b 2, h 4/2, s 512) and returns the largest |error| of o
    against a float64 reference, relative to max |o|: proof that the restated launch is the kernel's contract."""
    import numpy as np
    b, hq, hk, s = 2, 4, 2, 512
    launch = aiter_launch(entry, arch, dtype, dqk, dv, b, hq, hk, s, causal)
    rng = np.random.default_rng(7)
    tensors = {}
    for name, heads, d in (("q", hq, dqk), ("k", hk, dqk), ("v", hk, dv)):
        if dtype == "fp8":  # exponent fields 6..9: magnitudes 0.25..4
            tensors[name], raw = random_fp8(rng, (b, s, heads, d), arch, (6, 10))
        else:
            tensors[name], raw = random_bf16(rng, (b, s, heads, d))
        launch.contents[name] = raw + bytes(launch.buffers[name] - len(raw))
    out = os.path.join(workdir, "o.bin")
    args = launch.asmk_args(os.path.join(workdir, "check.bin"))
    args[args.index("--block") + 1] = str(launch.block)
    r = subprocess.run([asmk, "run"] + args + ["--out", "o=" + out], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"AITER's {entry[1]} failed on the emulator: {r.stderr.strip()[-400:]}")
    o = (np.fromfile(out, dtype=np.uint16)[:b * s * hq * dv].astype(np.uint32) << 16).view(np.float32)
    o = o.reshape(b, s, hq, dv).astype(np.float64)
    q, k, v = tensors["q"], tensors["k"], tensors["v"]
    worst = 0.0
    for bi in range(b):
        for h in range(hq):
            scores = q[bi, :, h] @ k[bi, :, h // (hq // hk)].T * dqk ** -0.5
            if causal:
                scores = np.where(np.tril(np.ones((s, s))) > 0, scores, -np.inf)
            p = np.exp(scores - scores.max(1, keepdims=True))
            ref = (p / p.sum(1, keepdims=True)) @ v[bi, :, h // (hq // hk)]
            worst = max(worst, np.abs(o[bi, :, h] - ref).max() / np.abs(ref).max())
    return worst


def fill_random(launch, arch, dtype, seed=1):
    """--inputs random for AITER's launch: q, k and v (their slack rows included) N(0, 1) in the input type, each
    value the nearest of the format's (bf16: rounded to nearest even; fp8: the nearest finite e4m3 value of the
    arch's form, ties to the lower code), as asmk_fmha_model's traced inputs (its own generator: the same
    distribution, not the same values)."""
    import numpy as np
    rng = np.random.default_rng(seed)
    for name in ("q", "k", "v"):
        size = launch.buffers[name]
        x = rng.standard_normal(size if dtype == "fp8" else size // 2).astype(np.float32)
        if dtype == "fp8":
            codes = np.array([c for c in range(256) if c != 0x80 and (arch == "gfx942" or c & 0x7F != 0x7F)],
                             dtype=np.uint8)
            values = np.where(codes & 0x78, decode_fp8(codes, arch),  # normals; exponent 0: subnormals
                              np.where(codes & 0x80, -1.0, 1.0) * (codes & 7) / 8.0 * 2.0 ** (1 - (8 if arch == "gfx942" else 7)))
            order = np.argsort(values)
            values, codes = values[order], codes[order]
            i = np.clip(np.searchsorted(values, x), 1, len(values) - 1)
            nearer = np.where(np.abs(values[i - 1] - x) <= np.abs(values[i] - x), i - 1, i)
            launch.contents[name] = codes[nearer].tobytes()
        else:
            bits = x.view(np.uint32).astype(np.uint64)
            bits = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16  # round to nearest even (no NaN or Inf in x)
            launch.contents[name] = bits.astype(np.uint16).tobytes() + bytes(size % 2)


def model_aiter(asmk, launch, machine, workdir):
    args = launch.asmk_args(os.path.join(workdir, "kernarg.bin"))
    args[args.index("--block") + 1] = str(launch.block)
    cmd = [asmk, "run"] + args + ["--model", machine, "--json", "--flops", str(int(launch.flops)),
                                  "--bytes", str(int(launch.compulsory_bytes))]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        return None, (r.stderr.strip() or r.stdout.strip()).splitlines()[-1]
    return json.loads(r.stdout), None


def unpaired(arch, dqk, causal):
    """True when AITER's causal grid does not pair head and tail tiles (gfx942 hd 192/128: (heads, tiles, batch)),
    so the first and the last workgroup do not stand for the rest."""
    return causal and arch == "gfx942" and dqk == 192


def machine_figures(machine):
    with open(os.path.join(os.environ["ASMK_PERF_MACHINES"], machine + ".json")) as f:
        fig = {k: v["value"] for k, v in json.load(f)["figures"].items()}
    return fig["compute_units"], fig.get("sustained_clock_ghz") or fig["clock_ghz"]


def list_schedule(durations, slots):
    """perf/src/launch_estimate.cpp's greedy list schedule: each workgroup, in dispatch order, to the slot that
    frees first."""
    import heapq
    free = [0.0] * slots
    for d in durations:
        heapq.heapreplace(free, free[0] + d)
    return max(free)


def unpaired_model(asmk, entry, arch, dtype, dqk, dv, batch, hq, hk, s, causal, machine, workdir, inputs="zeros"):
    """AITER's unpaired causal grid (heads, tiles, batch), modeled: (figures as model_aiter's, None) or (None, why).
    `asmk run --model` traces a launch's first and last workgroups, the first standing for all but the last. A
    launch whose N workgroups all fit the CUs at once (resident 1, as the full launch's) has the compute time of
    the heavier of the two, and L2 bytes (N - 1)·b_first + b_last. So: tile 0's cycles and bytes from a one-tile
    launch, the last tile's cycles from launches of s tokens with 1 and with k kv heads (N = G·T and k·G·T, both
    within the CUs; their two L2 figures solve for b_first and b_last, which also tell which end of the tiles the
    first workgroup takes), the middle tile's from a half-length one (the check of the line through the other two).
    Then every workgroup of the real grid, in dispatch order, gets its tile's cycles on that line."""
    ts = entry[2]
    tiles = ceil_div(s, ts)
    group = hq // hk
    cus, clock = machine_figures(machine)
    to_cycles = clock * 1e3

    def run(b, heads_k, length):
        launch = aiter_launch(entry, arch, dtype, dqk, dv, b, heads_k * group, heads_k, length, causal)
        if inputs == "random":
            fill_random(launch, arch, dtype)
        figures, error = model_aiter(asmk, launch, machine, workdir)
        return figures, error, launch.grid[0] * launch.grid[1] * launch.grid[2]

    full, error, _ = run(batch, hk, s)
    if full is None:
        return None, error
    if full["resident_per_cu"] != 1:
        return None, f"{full['resident_per_cu']} workgroups per CU: the single-round launches would not run as the full one"
    wide = cus // (group * tiles)  # kv heads of a launch of s tokens that fits the CUs
    if wide < 2:
        return None, f"{group * tiles} workgroups of one kv head's {tiles} tiles do not fit {cus} CUs twice"
    light, error, n_light = run(1, 1, ts)
    heavy1, error1, n1 = run(1, 1, s)
    heavy2, error2, n2 = run(1, wide, s)
    half_tiles = max(1, tiles // 2)
    mid, error3, _ = run(1, 1, half_tiles * ts)
    for figures, why in ((light, error), (heavy1, error1), (heavy2, error2), (mid, error3)):
        if figures is None:
            return None, why
    c0 = light["compute_us"] * to_cycles  # one workgroup (G = 1) or G alike at once
    c_last = heavy1["compute_us"] * to_cycles
    c_half = mid["compute_us"] * to_cycles
    l2_0 = light["l2_us"] / n_light
    l2_first = (heavy2["l2_us"] - heavy1["l2_us"]) / (n2 - n1)
    l2_other = heavy1["l2_us"] - (n1 - 1) * l2_first
    reversed_tiles = abs(l2_first - l2_0) > abs(l2_other - l2_0)  # the first workgroup takes the last tile
    l2_last = l2_first if reversed_tiles else l2_other
    x_last = max(1, tiles - 1)
    on_line = lambda x, a, b: a + (b - a) * x / x_last  # noqa: E731
    fit_error = abs(on_line(half_tiles - 1, c0, c_last) - c_half) / c_half
    order = [tiles - 1 - y if reversed_tiles else y for y in range(tiles)]
    durations = [on_line(x, c0, c_last) for _ in range(batch) for x in order for _ in range(hq)]  # heads fastest
    compute_us = list_schedule(durations, cus) / to_cycles
    l2_us = sum(on_line(x, l2_0, l2_last) for x in range(tiles)) * hq * batch
    body = max(compute_us, full["hbm_us"], l2_us)
    limiter = ("hbm bandwidth" if body == full["hbm_us"] else "l2 bandwidth" if body == l2_us else heavy1["limiter"])
    return {"time_us": body + full["overhead_us"], "limiter": limiter, "compute_us": compute_us, "l2_us": l2_us,
            "fit_error": fit_error, "tile_cycles": (c0, c_half, c_last), "reversed": reversed_tiles}, None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--aiter", required=True, help="a checkout of github.com/ROCm/aiter")
    ap.add_argument("--build", default="build")
    ap.add_argument("--repo", default="hsaco")
    ap.add_argument("--quick", action="store_true", help="report.py's two smoke shapes only")
    ap.add_argument("--before", help="a kernel repository built from an earlier commit: its ours / AITER beside")
    ap.add_argument("--before-label", default="before")
    ap.add_argument("--aiter-commit", help="AITER's commit, for a checkout without .git")
    ap.add_argument("--inputs", choices=("zeros", "random"), default="zeros",
                    help="the traced q, k, v of both (asmk_fmha_model --inputs; AITER's: fill_random)")
    ap.add_argument("--only", help="rows of the shape groups whose name contains this only (a partial table, to try a change)")
    a = ap.parse_args()
    root = os.path.dirname(os.path.dirname(HERE))
    os.environ.setdefault("ASMK_PERF_MACHINES", os.path.join(root, "perf", "machines"))
    asmk = os.path.join(a.build, "tools", "asmk")
    tool = os.path.join(a.build, "perf", "fmha", "asmk_fmha_model")
    for path in (asmk, tool):
        if not os.path.exists(path):
            raise SystemExit(f"no {path}: build the targets asmk_cli and asmk_fmha_model first")
    commit = subprocess.run(["git", "-C", a.aiter, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip() or a.aiter_commit or "unknown"
    tables = {arch: aiter_table(a.aiter, arch) for _, arch in report.MACHINES}

    out = io.StringIO()
    w = lambda line="": print(line, file=out)  # noqa: E731
    w("# FMHA forward: ours against AITER's `fmha_v3_fwd`, both modeled")
    w()
    w("**Every figure here is modeled, none measured**: both kernels run on the emulator and go through the same")
    w("CU model (perf/MODEL.md). Regenerate with")
    w()
    w("```sh")
    w("cmake --build build --target asmk_fmha_model asmk_cli kernels")
    w("/usr/bin/python3 perf/fmha/aiter_compare.py --aiter AITER_CHECKOUT --build build --repo hsaco" +
      (f" --before BEFORE_REPO --before-label {a.before_label}" if a.before else "") +
      (" --inputs random" if a.inputs == "random" else "") + " > perf/fmha/aiter_comparison.md")
    w("```")
    w()
    if a.before:
        w(f"`{a.before_label} →` figures: ours / AITER with our kernels of {a.before_label} (`BEFORE_REPO`, asmgen's output of")
        w("that commit, the same kernel names; AITER's times are the same), as report.py's `--before`.")
        w()
    w(f"AITER at commit `{commit}` (its `hsa/<arch>/fmha_v3_fwd/` code objects: batch mode, bf16 output rounded to")
    w("nearest even as ours). Ours: the kernel `asmk op fmha_fwd` selects, modeled by `asmk_fmha_model`; AITER's:")
    w("`asmk run CO --model MACHINE` over its launch as its host code builds it (aiter_compare.py). The traced")
    w("inputs are zeros for both. ours/AITER < 1: ours is modeled faster." if a.inputs == "zeros" else
      "inputs are random for both (`--inputs random`): q, k, v N(0, 1) in the input type, seed 1 (ours: asmk_fmha_model's"
      " generator, AITER's: numpy's; the same distribution). ours/AITER < 1: ours is modeled faster.")
    w()
    w("| shape | machine | ours: kernel | ours: time, TFLOP/s, limiter | AITER: kernel | AITER: time, TFLOP/s, limiter | ours / AITER |")
    w("|---|---|---|---|---|---|---|")
    ratios = {}
    ratios_before = {}
    checks = {}
    slower = []
    unpaired_notes = []
    with tempfile.TemporaryDirectory() as workdir:
        for group, label, dtype, dims, batch, hq, hk, s, causal in shapes(a.quick):
            if a.only and a.only not in group:
                continue
            dqk, dv = (int(x) for x in (dims.split("x") if "x" in dims else (dims, dims)))
            for machine, arch in report.MACHINES:
                kernel = report.selected_kernel(asmk, a.repo, machine, dtype, dims, batch, hq, hk, s, causal)
                kernel = kernel or report.kernel_name(arch, dtype, dims, causal)
                ours = report.model(tool, a.repo, machine, kernel, batch, hq, hk, s, causal, a.inputs)
                ours_time = ours["time_us"]
                ours_cell = f"{ours_time:.0f} us, {flops(batch, hq, s, dqk, dv, causal) / ours_time / 1e6:.0f}, {ours['limiter']}"
                entry = tables[arch].get((dtype, dqk, dv, causal))
                shape = f"{group.split(' (')[0]}: {label}"
                if entry is None:
                    w(f"| {shape} | {machine} | `{kernel}` | {ours_cell} | none (AITER has no asm kernel) | | |")
                    continue
                launch = aiter_launch(entry, arch, dtype, dqk, dv, batch, hq, hk, s, causal)
                if batch * s > MAX_AITER_TOKENS:
                    w(f"| {shape} | {machine} | `{kernel}` | {ours_cell} | `{entry[1]}` | not modeled: over "
                      f"{MAX_AITER_TOKENS} tokens the emulator's full-size tensors exceed this machine's memory | |")
                    continue
                if entry not in checks:
                    checks[entry] = (machine, dtype, dims, causal,
                                     check_aiter_launch(asmk, entry, arch, dtype, dqk, dv, causal, workdir))
                if unpaired(arch, dqk, causal):
                    theirs, error = unpaired_model(asmk, entry, arch, dtype, dqk, dv, batch, hq, hk, s, causal, machine,
                                                   workdir, a.inputs)
                    if theirs is not None:
                        tiles = ceil_div(s, entry[2])
                        unpaired_notes.append(
                            f"{shape} on {machine}: tiles 0 / {max(1, tiles // 2) - 1} / {tiles - 1} " +
                            " / ".join(f"{c:.0f}" for c in theirs["tile_cycles"]) + " cycles, the middle one "
                            f"{theirs['fit_error']:.1%} off the line; the first workgroup takes the " +
                            ("last tile (heaviest first)" if theirs["reversed"] else "first tile"))
                else:
                    if a.inputs == "random":
                        fill_random(launch, arch, dtype)
                    theirs, error = model_aiter(asmk, launch, machine, workdir)
                if theirs is None:
                    w(f"| {shape} | {machine} | `{kernel}` | {ours_cell} | `{entry[1]}` | failed: {error} | |")
                    continue
                ratio = ours_time / theirs["time_us"]
                ratios.setdefault((machine, dtype, dims), []).append(ratio)
                was = ""
                if a.before:
                    old = report.model(tool, a.before, machine, report.kernel_in(a.before, arch, kernel), batch, hq, hk, s,
                                       causal, a.inputs)
                    ratios_before.setdefault((machine, dtype, dims), []).append(old["time_us"] / theirs["time_us"])
                    was = f"{old['time_us'] / theirs['time_us']:.2f} → "
                if ratio > 1.05:
                    slower.append(f"{shape} on {machine}: ours {ratio:.2f}x AITER's time; ours limited by "
                                  f"{ours['limiter']}, AITER's by {theirs['limiter']}")
                w(f"| {shape} | {machine} | `{kernel}` | {ours_cell} | `{entry[1]}` | {theirs['time_us']:.0f} us, "
                  f"{launch.flops / theirs['time_us'] / 1e6:.0f}, {theirs['limiter']} | {was}**{ratio:.2f}** |")
                print(f"{machine} {label} {dtype} {dims}: ours {ours_time:.0f} us, AITER {theirs['time_us']:.0f} us",
                      file=sys.stderr)
    w()
    w("TFLOP/s count the useful math only, the same for both: 2·(d_qk + d_v) FLOP per visible (query, key) pair.")
    w()
    if unpaired_notes:
        w("AITER's gfx942 hd 192/128 causal grid (heads, query tiles, batch) does not pair head and tail tiles: its time")
        w("is the list schedule of every workgroup, in dispatch order, with its tile's cycles on the line through tile 0")
        w("and the last tile, checked at the middle one, each from a launch that fits the CUs in one round (its time is")
        w("its heavier traced workgroup's); as `asmk_fmha_model` does for ours (aiter_compare.py, unpaired_model):")
        w()
        for line in unpaired_notes:
            w(f"- {line}")
        w()
    w("## AITER's launches checked")
    w()
    w("Before it is timed, each AITER kernel runs once on a small random problem (batch 2, heads 4/2, 512 tokens)")
    w("with the launch above and its o is compared with a float64 reference: the restated arguments are its contract.")
    w("(Its kernels break the emulator's strict-mode wait-state rules at many places, e.g. a VALU reading an MFMA")
    w("result after 5 independent instructions, one a taken branch, where LLVM's hazard recognizer inserts 11; they")
    w("run in the default mode, which executes in order.)")
    w()
    w("| kernel | machine | dtype | head dims | causal | max abs error / max abs o |")
    w("|---|---|---|---|---|---|")
    for entry, (machine, dtype, dims, causal, worst) in checks.items():
        w(f"| `{entry[1]}` | {machine} | {dtype} | {dims} | {'yes' if causal else 'no'} | {worst:.1e} |")
    w()
    w("## Summary (median ours / AITER per machine, dtype and head dims)")
    w()
    w("| machine | dtype | head dims | shapes | median ours / AITER" + (f" ({a.before_label} → now)" if a.before else "") + " |")
    w("|---|---|---|---|---|")

    def median(values):
        values = sorted(values)
        return values[len(values) // 2] if len(values) % 2 else (values[len(values) // 2 - 1] + values[len(values) // 2]) / 2

    for key, values in sorted(ratios.items()):
        was = f"{median(ratios_before[key]):.2f} → " if key in ratios_before else ""
        w(f"| {key[0]} | {key[1]} | {key[2]} | {len(values)} | {was}{median(values):.2f} |")
    w()
    w("## To do: where ours is modeled slower (over 5%)")
    w()
    for line in slower or ["nowhere"]:
        w(f"- {line}")
    sys.stdout.write(out.getvalue())


if __name__ == "__main__":
    main()
