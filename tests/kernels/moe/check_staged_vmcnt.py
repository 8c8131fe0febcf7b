#!/usr/bin/env python3
"""Strict mode catches a staged main loop's s_waitcnt vmcnt that is one too high (asm_src/gemm_nt_mainloop.inc.j2,
STAGING_SETS 3 and 4): each staged wait of a moe_gemm stage-1 kernel's generated assembly is raised by one in
turn (the wait then leaves the staged set's last load in flight when its registers are written to LDS), the
kernel is assembled again and run on the emulator in strict mode, which must report the read as
missing_waitcnt; the unmodified kernel must run clean. Every wait listed below is exact (raising it is a real
bug on the hardware); the waits that are not exact, and why, are said where they are left out.

    check_staged_vmcnt.py ASMK_CLI HSACO_DIR LLVM_BIN

The masked decode tiles (M tile 16: the A loads of waves 1-3 run with EXEC = 0) are exact only because the
emulator does not count a load with no active lane in VM_CNT (departure vmem-exec-zero-vmcnt): the ISA does
not say whether the hardware counts it, and the template's wait is written to be right either way.
"""

import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "perf" / "moe"))
import moe_report as mr  # noqa: E402  (the stage launches' layout helpers: routing, sorted layout, grid)

STAGED = re.compile(r"^(\s*s_waitcnt vmcnt\()(\d+)(\)\s*// the staged step.*)$")

# (kernel, in_dtype, scales, hidden, steps whose staged wait is exact; None: all of them)
CASES = [
    ("moe_gemm_gfx950_s1_silu_bf16_m16_inbf16_none", "bf16", "none", 512, None),    # 3 sets, masked A
    ("moe_gemm_gfx942_s1_silu_bf16_m16_inbf16_none", "bf16", "none", 512, None),    # 3 sets, masked A
    ("moe_gemm_gfx950_s1_silu_bf16_m64_inbf16_none", "bf16", "none", 512, None),    # 3 sets, no mask
    ("moe_gemm_gfx950_s1_silu_bf16_m16_ina16w4_mx32", "a16w4", "mx32", 512, None),  # 4 sets, B_LOADS
    # K-blocks: the odd step's wait also leaves the K-block's scale loads of the step before in flight, one
    # more than it needs to (they were issued before that step's loads): only the even steps' waits are exact
    ("moe_gemm_gfx950_s1_silu_bf16_m16_infp8_block128", "fp8", "block128", 1024, [0, 2, 4]),
]


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def main():
    asmk, hsaco, llvm = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for kernel, in_dtype, scales, hidden, exact_steps in CASES:
            arch = kernel.split("_")[2]
            source = hsaco / arch / ".asmgen" / "src" / "moe_gemm" / f"{kernel}.s"
            lines = source.read_text().splitlines()
            waits = [i for i, line in enumerate(lines) if STAGED.match(line)]
            if not waits:
                failures.append(f"{kernel}: no staged s_waitcnt vmcnt in {source}")
                continue
            # a small stage-1 launch: 4 tokens, k 2 over 2 experts, inter 64; K = hidden, 16 steps of 64 bytes
            tokens, k, experts, inter = 4, 2, 2, 64
            block_m = int(re.search(r"_m(\d+)_", kernel).group(1))
            ids = mr.routing(tokens, k, experts, seed=7)
            sorted_ids, block_expert, total, _ = mr.sorted_layout(ids, tokens, k, experts, block_m)
            files = {"sorted_ids": mr.write_i32(folder, "sorted_ids", sorted_ids),
                     "block_expert": mr.write_i32(folder, "block_expert", block_expert),
                     "total_padded": mr.write_i32(folder, "total", [total])}
            elt = {"bf16": 2, "a16w4": 2, "fp8": 1}[in_dtype]
            w_elt = {"bf16": 2, "a16w4": 0.5, "fp8": 1}[in_dtype]
            slots = tokens * k
            args = {"tokens": tokens, "k": k, "experts": experts, "hidden": hidden, "inter": inter,
                    "block_m": block_m, "bias": 0, "out_scale": 0}
            buffers = {"a": f"zeros:{tokens * hidden * elt}", "w": f"zeros:{int(experts * 2 * inter * hidden * w_elt)}",
                       "out": f"zeros:{slots * inter * 2}", "sorted_weights": f"zeros:{len(sorted_ids) * 4}",
                       "scale_a": f"zeros:{max(4, tokens * hidden // 128 * 4)}",
                       "scale_w": f"zeros:{max(4, experts * 2 * inter * hidden // 32 * 4)}", **files}
            if in_dtype == "bf16":
                args.update({"scale_a": 0, "scale_w": 0})
                del buffers["scale_a"], buffers["scale_w"]
            elif in_dtype == "a16w4":
                args["scale_a"] = 0
                del buffers["scale_a"]
            grid = [mr.stage_grid_x(1, block_m, hidden, inter, arch, "a16w4" if in_dtype == "a16w4" else in_dtype,
                                    scales, "bf16"), total // block_m, 1]

            def strict_run(text, tag):
                s = folder / f"{tag}.s"
                s.write_text(text)
                obj, co = folder / f"{tag}.o", folder / f"{tag}.co"
                asm = run([str(llvm / "llvm-mc"), "-triple=amdgcn-amd-amdhsa", f"-mcpu={arch}", "-filetype=obj",
                           str(s), "-o", str(obj)])
                if asm.returncode != 0:
                    return None, asm.stderr
                link = run([str(llvm / "ld.lld"), "-shared", str(obj), "-o", str(co)])
                if link.returncode != 0:
                    return None, link.stderr
                cmd = [asmk, "run", str(co), "--kernel", kernel, "--grid", ",".join(map(str, grid)), "--strict"]
                cmd += [f"--arg={n}={v}" for n, v in args.items()] + [f"--buffer={n}={v}" for n, v in buffers.items()]
                r = run(cmd)
                return r.returncode, r.stdout + r.stderr

            code, out = strict_run("\n".join(lines) + "\n", "clean")
            if code != 0:
                failures.append(f"{kernel}: the unmodified kernel is not clean in strict mode:\n{out[-2000:]}")
                continue
            steps = range(len(waits)) if exact_steps is None else exact_steps
            for step in steps:
                mutated = list(lines)
                m = STAGED.match(mutated[waits[step]])
                mutated[waits[step]] = f"{m.group(1)}{int(m.group(2)) + 1}{m.group(3)}"
                code, out = strict_run("\n".join(mutated) + "\n", f"step{step}")
                if code is None:
                    failures.append(f"{kernel} step {step}: did not assemble: {out[-500:]}")
                elif code == 0 or "missing_waitcnt" not in out:
                    failures.append(f"{kernel}: vmcnt({m.group(2)}) -> ({int(m.group(2)) + 1}) at the staged wait of "
                                    f"unrolled step {step} (line {waits[step] + 1}) was not reported (exit {code})")
            print(f"{kernel}: {len(list(steps))} raised waits reported", flush=True)
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
