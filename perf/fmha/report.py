"""The FMHA forward speed report (issue 12's canonical shapes): per shape and machine the selected kernel,
the main loop's MFMA utilization (llvm-mca on the loop body, and the emulator trace in the CU model), LDS
bank conflicts, occupancy and the modeled time and TFLOP/s. Every figure is modeled, none measured.

    /usr/bin/python3 perf/fmha/report.py --build build [--repo hsaco] [--quick] > perf/fmha/report.md

--build is the build folder (build/perf/fmha/asmk_fmha_model, build/tools/asmk); --repo the kernel repository
(asmgen's output, with its .asmgen/src/<family>/*.s); --quick models two small shapes only (for a smoke test).
Needs llvm-mca (LLVM 22: $ASMK_LLVM_BIN or /usr/lib/llvm-22/bin). Takes a few minutes; not run in CI.
"""
import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys

MACHINES = [("MI300X", "gfx942"), ("MI355X", "gfx950")]
TOKENS = 16384  # prefill batches hold 16K tokens (batch = 16K / s)


def shapes(quick):
    """(group, label, dtype, head_dims, batch, heads_q, heads_k, s, causal)."""
    if quick:
        return [("smoke", "bf16 hd128 causal s=512", "bf16", "128", 1, 4, 1, 512, True),
                ("smoke", "bf16 hd128 s=1K", "bf16", "128", 1, 4, 4, 1024, False)]
    rows = []
    for s in (1024, 4096, 8192, 16384):
        rows.append(("Llama-3-70B prefill (h 64/8, d 128, causal, 16K tokens)", f"s={s // 1024}K b={TOKENS // s}",
                     "bf16", "128", TOKENS // s, 64, 8, s, True))
    for s in (4096, 8192):
        rows.append(("DeepSeek-V3 prefill TP8 (h 16, d 192/128, causal, 16K tokens)", f"s={s // 1024}K b={TOKENS // s}",
                     "bf16", "192x128", TOKENS // s, 16, 16, s, True))
    for s in (8192, 16384, 32768, 65536, 131072):
        rows.append(("non-causal bf16 hd128 (b 1, h 32)", f"s={s // 1024}K", "bf16", "128", 1, 32, 32, s, False))
    for s in (4096, 8192):
        rows.append(("fp8 hd128 (Llama-3-70B shape, causal, 16K tokens)", f"s={s // 1024}K b={TOKENS // s}",
                     "fp8", "128", TOKENS // s, 64, 8, s, True))
    return rows


def kernel_name(arch, dtype, head_dims, causal, waves=4):
    """A kernel of the fmha_fwd op's choices (causal needs the window mask); the op picks the waves by the problem
    (op.yaml `prefer`), so the report asks it (selected_kernel) and falls back to 4 waves without the CLI."""
    out = "bf16" if dtype == "fp8" else dtype
    return f"fmha_fwd_{arch}_{dtype}_{out}_d{head_dims}_{'window' if causal else 'none'}_w{waves}"


def kernel_in(repo, arch, kernel):
    """The kernel's name in another repository: as it is, else its 4-wave kernel (repositories without this
    ping-pong), else without the waves suffix (repositories built before the waves axis)."""
    with open(os.path.join(repo, arch, "manifest.json")) as f:
        names = {k["name"] for k in json.load(f)["kernels"]}
    for candidate in (kernel, re.sub(r"_w\d+$", "_w4", kernel), re.sub(r"_w\d+$", "", kernel)):
        if candidate in names:
            return candidate
    return kernel


def selected_kernel(asmk, repo, machine, dtype, head_dims, batch, hq, hk, s, causal):
    """The kernel the op selects (`asmk op fmha_fwd ... --explain`: the selection, nothing runs), or None when
    the command fails."""
    args = [asmk, "op", "fmha_fwd", "--repo", repo, "--device", machine, "--batch", str(batch), "--seqlen-q", str(s),
            "--seqlen-k", str(s), "--num-heads-q", str(hq), "--num-heads-k", str(hk), "--head-dims", head_dims,
            "--dtype", dtype, "--out-dtype", "bf16" if dtype == "fp8" else dtype, "--scale", "0.088", "--explain"]
    if causal:
        args += ["--mask", "window", "--window-right", "0", "--bottom-right", "1"]
    r = subprocess.run(args, capture_output=True, text=True)
    m = re.search(r"\b(fmha_fwd_gfx9\d\d_\w+)", r.stdout)
    return m.group(1) if r.returncode == 0 and m else None


# ---------------------------------------------------------------------------------------------- llvm-mca
def loop_body(asm_text, kernel, skip_rescale):
    """The steady-state main loop of the generated assembly: from .kv_loop to its back branch, without the
    soft-cap and mask blocks (a steady-state tile skips both) and, when skip_rescale, without the O rescale
    (skipped when no row's maximum moved). Branches and labels go; 16/8-bit d16 loads are written as plain
    ushort / ubyte loads (llvm-mca 22 crashes on them; same unit, same cost class)."""
    lab = f".L{kernel}."
    out, inside, skip = [], False, None
    for line in asm_text.splitlines():
        code = line.split("//")[0].rstrip()
        if code.startswith(lab + "kv_loop:"):
            inside = True
            continue
        if not inside:
            continue
        if re.search(r"s_cbranch_scc1 " + re.escape(lab) + r"kv_loop$", code):
            break
        if skip:
            if code.startswith(lab + skip + ":"):
                skip = None
            continue
        if re.search(r"s_cbranch_scc1 " + re.escape(lab) + r"no_cap$", code):
            skip = "no_cap"
            continue
        if re.search(r"s_branch " + re.escape(lab) + r"x_end$", code):
            skip = "x_end"  # the ping-pong's MFMA half of a tile outside the wave's key range
            continue
        if code.startswith(lab + "masked:"):
            skip = "unmasked"
            continue
        if re.search(r"s_branch " + re.escape(lab) + r"k_tile_end$", code):
            skip = "k_tile_end"  # the path of a tile outside the wave's key range
            continue
        if skip_rescale and re.search(r"s_cbranch_vccz " + re.escape(lab) + r"no_rescale$", code):
            skip = "no_rescale"
            continue
        if "s_cbranch" in code or code.startswith(".L"):
            continue
        code = re.sub(r"buffer_load_(short|ubyte)_d16(_hi)?", lambda m: "buffer_load_u" + ("short" if m.group(1) == "short" else "byte"), code)
        if code.strip():
            out.append(code)
    if not inside:
        raise SystemExit(f"no .kv_loop in the assembly of {kernel}")
    return "\n".join(out) + "\n"


def mca(llvm_mca, arch, body, iterations=100):
    """(cycles per iteration, MFMA issue cycles per iteration, instructions, vector memory instructions)."""
    r = subprocess.run([llvm_mca, "-mtriple=amdgcn-amd-amdhsa", f"-mcpu={arch}", f"-iterations={iterations}"],
                       input=body, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"llvm-mca failed: {r.stderr.strip()[:400]}")
    cycles = int(re.search(r"Total Cycles:\s+(\d+)", r.stdout).group(1)) / iterations
    mfma = 0.0
    for m in re.finditer(r"^\s*\d+\s+\d+\s+([\d.]+)\s.*?(v_mfma\w*)", r.stdout, re.M):
        mfma += float(m.group(1))
    lines = body.splitlines()
    vmem = sum(1 for l in lines if l.split() and l.split()[0].startswith(("buffer_", "global_")))
    return cycles, mfma, len(lines), vmem


def mca_figures(llvm_mca, repo, arch, kernel):
    path = os.path.join(repo, arch, ".asmgen", "src", "fmha_fwd", kernel + ".s")
    with open(path) as f:
        text = f.read()
    with_rescale = mca(llvm_mca, arch, loop_body(text, kernel, False))
    without = mca(llvm_mca, arch, loop_body(text, kernel, True))
    return {"busy_rescale": with_rescale[1] / with_rescale[0], "busy": without[1] / without[0],
            "cycles": without[0], "instructions": without[2], "vmem": without[3]}


# ---------------------------------------------------------------------------------------------- the model
def model(tool, repo, machine, kernel, batch, hq, hk, s, causal, inputs="zeros"):
    """asmk_fmha_model's JSON; `inputs`: the traced q, k, v ("zeros", or "random": N(0, 1), seed 1)."""
    args = [tool, "--repo", repo, "--machine", machine, "--kernel", kernel, "--batch", str(batch), "--heads-q", str(hq),
            "--heads-k", str(hk), "--seqlen-q", str(s), "--seqlen-k", str(s), "--inputs", inputs] + (["--causal"] if causal else [])
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(args)}: {r.stderr.strip()}")
    return json.loads(r.stdout)


def pct(x):
    return f"{100 * x:.1f}%"


def run_all(tool, repo, jobs, workers, key="kernel", inputs="zeros"):
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda j: model(tool, repo, j["machine"], j[key], j["batch"], j["hq"], j["hk"], j["s"],
                                             j["causal"], inputs), jobs))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--repo", default="hsaco")
    ap.add_argument("--before", help="a kernel repository built from an earlier commit: its figures side by side")
    ap.add_argument("--before-label", default="before")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--inputs", choices=("zeros", "random"), default="zeros",
                    help="the traced q, k, v (asmk_fmha_model --inputs; zeros: the tables committed so far)")
    a = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.environ.setdefault("ASMK_PERF_MACHINES", os.path.join(root, "perf", "machines"))
    tool = os.path.join(a.build, "perf", "fmha", "asmk_fmha_model")
    asmk = os.path.join(a.build, "tools", "asmk")
    llvm_bin = os.environ.get("ASMK_LLVM_BIN", "/usr/lib/llvm-22/bin")
    llvm_mca = os.path.join(llvm_bin, "llvm-mca") if os.path.exists(os.path.join(llvm_bin, "llvm-mca")) else shutil.which("llvm-mca")
    if not os.path.exists(tool):
        raise SystemExit(f"no {tool}: build the target asmk_fmha_model first")

    jobs = []
    for group, label, dtype, dims, batch, hq, hk, s, causal in shapes(a.quick):
        for machine, arch in MACHINES:
            chosen = selected_kernel(asmk, a.repo, machine, dtype, dims, batch, hq, hk, s, causal) if os.path.exists(asmk) else None
            kernel = chosen or kernel_name(arch, dtype, dims, causal)
            jobs.append(dict(group=group, label=label, machine=machine, arch=arch, kernel=kernel, batch=batch, hq=hq,
                             hk=hk, s=s, causal=causal, selected_by_op=chosen is not None,
                             before_kernel=kernel_in(a.before, arch, kernel) if a.before else None))
    results = run_all(tool, a.repo, jobs, a.jobs, inputs=a.inputs)
    before = run_all(tool, a.before, jobs, a.jobs, key="before_kernel", inputs=a.inputs) if a.before else [None] * len(jobs)
    mca_now, mca_before = {}, {}
    for j in jobs:
        mca_now.setdefault(j["kernel"], mca_figures(llvm_mca, a.repo, j["arch"], j["kernel"]))
        if a.before:
            mca_before.setdefault(j["kernel"], mca_figures(llvm_mca, a.before, j["arch"], j["before_kernel"]))

    out = []
    w = out.append
    w("# FMHA forward: modeled speed of issue 12's canonical shapes")
    w("")
    w("**Every figure here is modeled, none measured** (there is no GPU here): perf/MODEL.md's CU model over the")
    w("emulator's traces of each kernel (`perf/fmha/fmha_model.cpp`: one workgroup per query tile, its time linear in")
    w("its keys, fitted from two traced lengths) and llvm-mca's static model of the main loop. Regenerate with")
    w("")
    w("```sh")
    w("cmake --build build --target asmk_fmha_model asmk_cli kernels")
    w("/usr/bin/python3 perf/fmha/report.py --build build --repo hsaco" +
      (f" --before BEFORE_REPO --before-label {a.before_label}" if a.before else "") +
      (" --inputs random" if a.inputs == "random" else "") + " > perf/fmha/report.md")
    w("```")
    if a.before:
        w("")
        w(f"`{a.before_label}` columns: the same model over `BEFORE_REPO`, the kernels of {a.before_label} (asmgen's output")
        w("of that commit: `mkdir /tmp/b && git archive COMMIT | tar -x -C /tmp/b && /tmp/b/gen/asmgen build --family fmha_fwd")
        w("--out BEFORE_REPO`).")
    if all(j["selected_by_op"] for j in jobs):
        w("")
        w("Kernels: the ones `asmk op fmha_fwd ... --explain` selects for each shape (checked while the report is made).")
    w("")
    w("## Against issue 12's targets")
    w("")
    for machine, _ in MACHINES:
        hd128 = [(j, r) for j, r in zip(jobs, results) if j["machine"] == machine and "_bf16_bf16_d128_" in j["kernel"]]
        if not hd128:
            continue
        busy = max(r["main_loop"].get("mfma_busy", 0) for _, r in hd128)
        conflicts = max(r["main_loop"].get("lds_conflict_cycles_per_tile", 0) for _, r in hd128)
        limiters = sorted({r["limiter"] for _, r in hd128})
        w(f"- {machine}, bf16 hd 128: main-loop MFMA busy at most {pct(busy)} in the trace model (target ≥ 85%: "
          f"{'met' if busy >= 0.85 else 'not met'}); LDS bank-conflict cycles {conflicts:.0f} per tile; launch limiters: "
          f"{', '.join(limiters)}.")
    w("- The main loop's loads: 4-wave kernels (`_w4`) K 128-bit per wave (`buffer_load_dwordx4`), V one load per key")
    w("  (hd 128: `buffer_load_dwordx2` for 16-bit, `buffer_load_dword` for fp8); the 8-wave ping-pong (`_w8`, 16-bit")
    w("  hd 128 and 192x128, on gfx950 also fp8 hd 128) K and V once per workgroup by buffer→LDS DMA (256 bytes per")
    w("  `buffer_load_dword … lds`: a 16-bit row, or two 128-byte fp8 rows), each wave's K fragments by `ds_read_b128`, its V")
    w("  by `ds_read_b64` per key (gfx942; 192x128: `ds_read_u16_d16` per element) or by the transposing `ds_read_b64_tr_b16` /")
    w("  `_tr_b8`, four / eight keys of a dv per lane (gfx950). The ping-pong runs two groups of four")
    w("  waves half an iteration apart (two barriers per tile): one group's P·V and Sᵀ MFMAs beside the other's softmax")
    w("  (templates/fmha_fwd/README.md). llvm-mca sees one wave's stream only, not the other group beside it.")
    w("- AITER comparison: perf/fmha/aiter_comparison.md (same kernels; its command regenerates it).")
    w("")
    w("## Main loop (one 32-key tile per wave, steady state)")
    w("")
    b = f" ({a.before_label} → now)" if a.before else ""
    w(f"| kernel | llvm-mca XDL busy, rescale skipped / with the O rescale{b} | llvm-mca cycles, instructions, VMEM per tile | "
      f"traced MFMA busy{b} | traced VALU busy | SIMD cycles per tile{b} | LDS ops / bank-conflict cycles per tile | "
      "occupancy: waves/SIMD, VGPRs, LDS |")
    w("|---|---|---|---|---|---|---|---|")

    def arrow(old, new, fmt):
        return f"{fmt(old)} → **{fmt(new)}**" if old is not None and fmt(old) != fmt(new) else fmt(new)

    seen = set()
    for j, r, rb in zip(jobs, results, before):
        key = (j["machine"], j["kernel"])
        if key in seen:
            continue
        seen.add(key)
        m, loop, occ = mca_now[j["kernel"]], r["main_loop"], r["occupancy"]
        mb = mca_before.get(j["kernel"])
        lb = rb["main_loop"] if rb else {}
        w(f"| `{j['kernel']}` on {j['machine']} | {arrow(mb and mb['busy'], m['busy'], pct)} / "
          f"{arrow(mb and mb['busy_rescale'], m['busy_rescale'], pct)} | {m['cycles']:.0f}, {m['instructions']}, {m['vmem']} | "
          f"{arrow(lb.get('mfma_busy'), loop.get('mfma_busy', 0), pct)} | {pct(loop.get('valu_busy', 0))} | "
          f"{arrow(lb.get('simd_cycles_per_tile'), loop.get('simd_cycles_per_tile', 0), lambda x: f'{x:.0f}')} | "
          f"{loop.get('lds_ops_per_tile', 0):.0f} / {loop.get('lds_conflict_cycles_per_tile', 0):.0f} | "
          f"{occ['waves_per_simd']}, {occ['unified_vgprs']}, {occ['lds_bytes']} B |")
    w("")
    w("llvm-mca: `llvm-mca -mtriple=amdgcn-amd-amdhsa -mcpu=<arch> -iterations=100` on the `.kv_loop` body of the generated")
    w("assembly (`hsaco/<arch>/.asmgen/src/fmha_fwd/<kernel>.s`; the soft-cap and mask blocks left out, as a steady-state")
    w("tile skips them); XDL busy = MFMA issue cycles / cycles per iteration in LLVM's scheduling model: one wave, no")
    w("latency hiding, no memory system. Traced: the CU model's matrix-core busy fraction on the busiest SIMD between the")
    if a.inputs == "zeros":
        w("two traced lengths, every resident wave included (the traced inputs are zeros: no row maximum moves after the first")
        w("tile, so the O rescale is skipped). SIMD cycles per tile: per 32-key tile of each wave on a SIMD; the MFMA work of")
    else:
        w("two traced lengths, every resident wave included (the traced q, k, v are seeded N(0, 1) values, seed 1, in the")
        w("kernel's element type). SIMD cycles per tile: per 32-key tile of each wave on a SIMD; the MFMA work of")
    w("a tile is 32 MFMAs (hd 128: 16 for Sᵀ, 16 for Oᵀ) × the machine's cycles per MFMA. LDS bank conflicts: the")
    w("emulator's count (banks of 4 bytes, 32 on gfx942 and 64 on gfx950; passes of 32 / 16 / 8 lanes on gfx942, 64 / 32 / 16 on gfx950, for 32 / 64 / 128-bit accesses).")
    w("")
    w("## Launches")
    group = None
    for j, r, rb in zip(jobs, results, before):
        if j["group"] != group:
            group = j["group"]
            w("")
            w(f"### {group}")
            w("")
            extra = f" | {a.before_label}: time, TFLOP/s" if a.before else ""
            w(f"| shape | machine | kernel | workgroups (resident / CU) | modeled time | modeled TFLOP/s (% of peak) | limiter{extra} |")
            w("|---|---|---|---|---|---|---|" + ("---|" if a.before else ""))
        extra = f" | {rb['time_us']:.0f} us, {rb['tflops']:.0f} |" if rb else " |"
        w(f"| {j['label']} | {j['machine']} | `{j['kernel']}` | {r['workgroups']} ({r['occupancy']['resident_per_cu']}) | "
          f"{r['time_us']:.0f} us | {r['tflops']:.0f} ({pct(r['tflops'] / r['peak_tflops'])}) | {r['limiter']}" + extra)
    w("")
    fit = max(r["fit_error"] for r in results)
    w("TFLOP/s count the useful math only: 2·(d_qk + d_v) FLOP per visible (query, key) pair (causal: the lower triangle")
    w("with its diagonal). Peak: the machine file's dense bf16 / fp8 figure at the peak clock; the model counts cycles at")
    w("the calibrated sustained clock (perf/MODEL.md), so 100% is out of reach by construction. Causal shapes are")
    w("bottom-right with s_q = s_k (the same as top-left). Workgroup time: linear in its keys (every 32-key tile runs the")
    w(f"same instructions); checked against a third traced length between the fitted two: largest error {pct(fit)}.")
    w("Not modeled: data-dependent timing (a moving row maximum rescales O), L2 misses beyond the compulsory bytes, the")
    w("clock under load beyond the calibrated one (perf/MODEL.md, \"What it ignores\").")
    print("\n".join(out))


if __name__ == "__main__":
    main()
