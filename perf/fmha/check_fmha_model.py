"""asmk_fmha_model on small problems (ctest perf.fmha_model; no timing target asserted): the figures are labelled
modeled; a workgroup time extrapolated from short traces (--trace-limit 1024) agrees with the one interpolated
between traces of the real lengths (the default limit, 2048 keys) within 3% (short traces still carry start-up effects), and a causal problem costs less
than the same problem without the mask (its workgroups see fewer keys), and the 8-wave ping-pong's main loop has no LDS
bank conflicts (issue 12's target; a structural count of the trace, not a timing): bf16 hd 128 on both archs, fp8 hd
128 on both, and gfx950's bf16 192x128; the packed rows' kernel is modeled per kv head with its mask (causal above
unmasked). Traced inputs: random (the default) and `--inputs zeros` are labelled; the same seed gives the same figures,
and the gfx942 fp8 ping-pong models slower on random q, k, v than on zeros (its kept maximum moves: the lane-half
exchange runs after the first tile).

    check_fmha_model.py TOOL HSACO_DIR MACHINES_DIR     (exit 77 without generated kernels)
"""
import json
import os
import subprocess
import sys


def model(tool, repo, machine, kernel, s, causal, limit=None, extra=()):
    args = [tool, "--repo", repo, "--machine", machine, "--kernel", kernel, "--batch", "1", "--heads-q", "64",
            "--heads-k", "8", "--seqlen-q", str(s), "--seqlen-k", str(s)]
    args += ["--causal"] if causal else []
    args += list(extra)
    args += ["--trace-limit", str(limit)] if limit else []
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(args)} failed: {r.stderr}")
    return json.loads(r.stdout)


def main():
    tool, repo, machines = sys.argv[1:4]
    if not os.path.exists(os.path.join(repo, "gfx942", "manifest.json")):
        print("no generated kernels: skipped")
        sys.exit(77)
    os.environ["ASMK_PERF_MACHINES"] = machines
    failures = []
    for (machine, arch), waves in ((m, w) for m in (("MI300X", "gfx942"), ("MI355X", "gfx950")) for w in ("w4", "w8")):
        window = f"fmha_fwd_{arch}_bf16_bf16_d128_window_{waves}"
        near = model(tool, repo, machine, window, 1536, True)
        far = model(tool, repo, machine, window, 1536, True, limit=1024)
        plain = model(tool, repo, machine, f"fmha_fwd_{arch}_bf16_bf16_d128_none_{waves}", 1536, False)
        for r in (near, far, plain):
            if r["label"] != "modeled":
                failures.append(f"{machine} {waves}: label {r['label']!r}")
            if not r["time_us"] > 0 or not r["tflops"] > 0:
                failures.append(f"{machine} {waves}: no time: {r}")
        if near["fits"][0]["keys_traced"] == far["fits"][0]["keys_traced"]:
            failures.append(f"{machine} {waves}: --trace-limit 1024 traced the same lengths {near['fits'][0]['keys_traced']}")
        if abs(far["time_us"] - near["time_us"]) > 0.03 * near["time_us"]:
            failures.append(f"{machine} {waves}: extrapolated {far['time_us']:.1f} us vs interpolated {near['time_us']:.1f} us")
        if not near["time_us"] < plain["time_us"]:
            failures.append(f"{machine} {waves}: causal {near['time_us']:.1f} us not below non-causal {plain['time_us']:.1f} us")
        # issue 12: no LDS bank conflicts (the ping-pong's K and V row paddings; gfx950's V rows are read transposed,
        # 64 banks: with K's 272-byte stride there they cost 96 cycles per tile)
        conflicts = near["main_loop"]["lds_conflict_cycles_per_tile"]
        if waves == "w8" and conflicts != 0:
            failures.append(f"{machine} {waves}: {conflicts} LDS bank-conflict cycles per tile in the main loop")
        if near["fit_error"] > 0.02:
            failures.append(f"{machine} {waves}: linear fit off by {near['fit_error']:.3f} at the check length")
        print(f"{machine} {waves}: causal {near['time_us']:.1f} us (extrapolated {far['time_us']:.1f}), "
              f"non-causal {plain['time_us']:.1f} us, main-loop MFMA busy {near['main_loop']['mfma_busy']:.3f} (modeled)")
    # the other 8-wave kernels: gfx950 fp8 hd 128 (128-byte K and V rows landing in pairs, V read by the transposing
    # ds_read_b64_tr_b8) and bf16 192x128 (400-byte K rows), gfx942 bf16 192x128 (V read element by element): no LDS
    # bank conflicts either
    for machine, kernel in (("MI355X", "fmha_fwd_gfx950_fp8_bf16_d128_window_w8"),
                            ("MI355X", "fmha_fwd_gfx950_bf16_bf16_d192x128_window_w8"),
                            ("MI300X", "fmha_fwd_gfx942_bf16_bf16_d192x128_window_w8")):
        r = model(tool, repo, machine, kernel, 1536, True)
        conflicts = r["main_loop"]["lds_conflict_cycles_per_tile"]
        if r["label"] != "modeled" or conflicts != 0:
            failures.append(f"{machine} {kernel}: {conflicts} LDS bank-conflict cycles per tile in the main loop ({r['label']})")
        print(f"{machine} {kernel}: causal {r['time_us']:.1f} us, main-loop MFMA busy {r['main_loop']['mfma_busy']:.3f}, "
              f"{conflicts} LDS bank-conflict cycles per tile (modeled)")
    # gfx942's fp8 hd 128 ping-pong: K lanes holding key σ(i) (a K pair's rows share banks on 32 banks) and the Vᵀ
    # writes swizzled (templates/fmha_fwd/pp942_fp8.inc.j2): no LDS bank conflicts either (12 per tile unswizzled)
    kernel = "fmha_fwd_gfx942_fp8_bf16_d128_window_w8"
    r = model(tool, repo, "MI300X", kernel, 1536, True)
    conflicts = r["main_loop"]["lds_conflict_cycles_per_tile"]
    if r["label"] != "modeled" or conflicts != 0:
        failures.append(f"MI300X {kernel}: {conflicts} LDS bank-conflict cycles per tile in the main loop ({r['label']})")
    print(f"MI300X {kernel}: causal {r['time_us']:.1f} us, main-loop MFMA busy {r['main_loop']['mfma_busy']:.3f}, "
          f"{conflicts} LDS bank-conflict cycles per tile (modeled)")
    # traced inputs: r above is the default (random, seed 1); the same seed again, another seed, and zeros
    again = model(tool, repo, "MI300X", kernel, 1536, True, extra=("--seed", "1"))
    zeros = model(tool, repo, "MI300X", kernel, 1536, True, extra=("--inputs", "zeros"))
    if r["inputs"] != "random N(0, 1) e4m3fnuz, seed 1" or zeros["inputs"] != "zeros":
        failures.append(f"MI300X {kernel}: inputs labelled {r['inputs']!r} / {zeros['inputs']!r}")
    if again["time_us"] != r["time_us"] or again["fits"] != r["fits"]:
        failures.append(f"MI300X {kernel}: seed 1 twice: {r['time_us']} / {again['time_us']} us")
    if not r["time_us"] > zeros["time_us"]:
        failures.append(f"MI300X {kernel}: random inputs {r['time_us']:.1f} us not above zeros {zeros['time_us']:.1f} us")
    print(f"MI300X {kernel}: causal on random inputs {r['time_us']:.1f} us (again {again['time_us']:.1f}), "
          f"on zeros {zeros['time_us']:.1f} us (modeled)")
    # the packed rows (mask "packed"): workgroups per kv head (G·s_q rows: Llama-3-70B's 8 query heads x 20 tokens = 160
    # rows, two tiles of 128 and 32), traced with the mask: the causal rows cost more than the same rows unmasked
    packed = []
    for causal in (True, False):
        args = [tool, "--repo", repo, "--machine", "MI300X", "--kernel", "fmha_fwd_gfx942_bf16_bf16_d128_packed_w4",
                "--batch", "1", "--heads-q", "64", "--heads-k", "8", "--seqlen-q", "20", "--seqlen-k", "1024"]
        r = subprocess.run(args + (["--causal"] if causal else []), capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"{' '.join(args)} failed: {r.stderr}")
        packed.append(json.loads(r.stdout))
    if [p["workgroups"] for p in packed] != [16, 16] or sorted(f["rows"] for f in packed[0]["fits"]) != [32, 128]:
        failures.append(f"packed: workgroups {[p['workgroups'] for p in packed]}, tile rows {packed[0]['fits']}")
    if not packed[0]["time_us"] > packed[1]["time_us"]:
        failures.append(f"packed: causal {packed[0]['time_us']:.2f} us not above unmasked {packed[1]['time_us']:.2f} us")
    print(f"MI300X packed rows (8 heads x 20 tokens per kv head): causal {packed[0]['time_us']:.2f} us, unmasked "
          f"{packed[1]['time_us']:.2f} us (modeled)")
    if failures:
        sys.exit("\n".join(failures))


if __name__ == "__main__":
    main()
