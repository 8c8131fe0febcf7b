"""MLA decode speed report (modeled): the canonical shapes of issue 13 on MI300X and MI355X.

    /usr/bin/python3 perf/mla/mla_report.py --asmk build/tools/asmk --repo hsaco [--before DIR] \\
        [--machines MI300X,MI355X] [--sample] [--only h128q4,...] [-j 2] > perf/mla/report.md

Per shape (heads 16 / 128, q length 1 / 4, batch 1 / 16 / 64 / 128, context 1k / 8k / 32k, cache bf16 / fp8
with q of the same type, page size 64, every sequence of the batch the same length): what libasmk plans for the
pipeline op mla_decode on the machine with an ample workspace (`asmk op mla_decode --json --device MACHINE`: the
split slots and the stage-1 kernel, whose rows per workgroup are the op specs' `prefer` rule, read through the
library rather than copied here; op.yaml's `derived` work_target for the plan), then each launch modeled by
`asmk run --model MACHINE` (the machine model of perf/MODEL.md: the first and the last workgroup traced on the
emulator, the rest assumed alike): mla_decode_plan (run on the emulator for its plan), mla_decode_split (or
mla_decode_single for one split) and attn_lse_combine. Every time is **modeled**, not
measured. Reported: the compulsory bytes (q, the cache rows, the page table, o; the partials' write and
read are stage 2's overhead), the modeled time, the fraction of HBM bandwidth (bytes / time) and of MFMA peak
(2·tokens·heads·context·(576 + 512) useful FLOP / time, at the bf16 or fp8 peak of the scores' MFMAs), the
stage-2 share of the total. --before DIR models the same launches (the same op.yaml rule and plan) with an older
build's code objects.

Only two workgroups run per launch, so a full report takes minutes; nothing here runs in CI except the
labelled `--sample` (one small shape per machine, to keep the script working).
"""
import argparse
import concurrent.futures
import ctypes
import json
import math
import os
import re
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
D, DV, PAGE = 576, 512, 64
ARCH = {"MI300X": "gfx942", "MI355X": "gfx950"}
SELECT_REPO = None  # the repository whose op specs plan the shapes (--repo); None: asmk's default
COMBINE = None  # the pipeline's `combine` choice (--combine launch / fused); None: the op's default
WORKSPACE = 1 << 62  # an ample workspace (asmk op offers one without bound): the split count is then the device's and the lengths' choice


def canonical_shapes():
    for kv in ("bf16", "fp8"):
        for heads in (16, 128):
            for qlen in (1, 4):
                for batch in (1, 16, 64, 128):
                    for ctx in (1024, 8192, 32768):
                        yield {"kv": kv, "heads": heads, "qlen": qlen, "batch": batch, "ctx": ctx}


def sample_shapes():
    yield {"kv": "bf16", "heads": 16, "qlen": 1, "batch": 1, "ctx": 1024}


def machine_figures(name):
    with open(os.path.join(ROOT, "perf", "machines", name + ".json")) as f:
        fig = json.load(f)["figures"]
    return {k: fig[k]["value"] for k in ("compute_units", "hbm_tbps", "peak_tflops_bf16", "peak_tflops_fp8")}


def ceil_div(a, b):
    return -(-a // b)


def derived(shape, cus):
    """The `derived` values of templates/mla_decode/op.yaml, evaluated as libasmk does, in order."""
    text = open(os.path.join(ROOT, "templates", "mla_decode", "op.yaml")).read()
    block = text[text.index("derived:"):text.index("temporaries:")]
    exprs = dict(re.findall(r'^\s+(\w+): "(.*)"$', block, re.M))
    env = {"batch": shape["batch"], "heads": shape["heads"], "max_qlen": shape["qlen"],
           "total_q": shape["batch"] * shape["qlen"], "page_size": PAGE,
           "num_indices": shape["batch"] * ceil_div(shape["ctx"], PAGE), "workspace_budget": WORKSPACE,
           "compute_units": cus, "ceil_div": ceil_div, "min": min, "max": max, "combine": COMBINE or "launch"}
    for name, expr in exprs.items():
        env[name] = eval(expr, {"__builtins__": {}}, env)  # the spec's own arithmetic
    return env


def code_object(repo, arch, kernel):
    with open(os.path.join(repo, arch, "manifest.json")) as f:
        manifest = json.load(f)
    for k in manifest["kernels"]:
        if k["name"] == kernel:
            return os.path.join(repo, arch, k.get("code_object") or k.get("file"))
    raise SystemExit(f"{kernel}: not in {repo}/{arch}/manifest.json")


def op_selection(asmk, machine, shape):
    """What libasmk plans for the pipeline op mla_decode on `machine` (`asmk op mla_decode --json`, an ample
    workspace): the split slots (num_splits, the split pass's grid.y; 1 without a split pass) and the stage-1
    kernel, whose rows per workgroup are the op specs' `prefer` rule — read through the library, not copied."""
    b, h, n, ctx = shape["batch"], shape["heads"], shape["qlen"], shape["ctx"]
    pages = b * ceil_div(ctx, PAGE)
    cmd = [asmk, "op", "mla_decode", "--json", "--device", machine] + (["--repo", SELECT_REPO] if SELECT_REPO else [])
    cmd += ["--batch", str(b), "--heads", str(h),
           "--max-qlen", str(n), "--total-q", str(b * n), "--num-pages", str(pages), "--page-size", str(PAGE),
           "--num-indices", str(pages), "--scale", "0.0722", "--q-dtype", shape["kv"], "--kv-dtype", shape["kv"]]
    cmd += ["--combine", COMBINE] if COMBINE else []
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(" ".join(cmd) + "\n" + done.stderr + done.stdout)
    launches = json.loads(done.stdout)["launches"]
    # plan, split pass with the fused combine; plan, split pass, combine (combine=launch); or the one launch
    stage1 = launches[1] if len(launches) > 1 else launches[0]
    return stage1["grid"][1], stage1["kernel"], len(launches) == 2


def combine_kernel(asmk, machine, shape, splits):
    """The attn_lse_combine kernel the pipeline's stage 2 picks (its `slots` axis, templates/attn_lse_combine/op.yaml)."""
    cmd = [asmk, "op", "attn_lse_combine", "--json", "--device", machine] + (["--repo", SELECT_REPO] if SELECT_REPO else [])
    cmd += ["--tokens", str(shape["batch"] * shape["qlen"]), "--heads", str(shape["heads"]),
            "--num-splits", str(splits), "--dv", str(DV)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(" ".join(cmd) + "\n" + done.stderr + done.stdout)
    return json.loads(done.stdout)["launches"][0]["kernel"]


def stage1_kernel(repo, arch, selected):
    """(kernel, rows per workgroup): the op's choice if `repo` has it; a build from before the wg_rows axis has
    32-row kernels only."""
    with open(os.path.join(repo, arch, "manifest.json")) as f:
        names = {k["name"] for k in json.load(f)["kernels"]}
    if selected in names:
        return selected, int(selected.rsplit("_r", 1)[1])
    return selected.rsplit("_r", 1)[0], 32


def declared_args(repo, arch, kernel):
    """The argument names `kernel` declares in `repo`'s manifest."""
    with open(os.path.join(repo, arch, "manifest.json")) as f:
        return {a["name"] for k in json.load(f)["kernels"] if k["name"] == kernel for a in k["kernargs"]}


def write_i32(path, values):
    with open(path, "wb") as f:
        f.write(struct.pack(f"<{len(values)}i", *values))


def model(asmk, co, kernel, grid, args, buffers, machine, nbytes, flops, out=None):
    """The launch modeled on `machine` (asmk run --model); with `out` (NAME=FILE) run on the emulator instead
    and that buffer written back."""
    cmd = [asmk, "run", co, "--kernel", kernel, "--grid", ",".join(map(str, grid))]
    cmd += ["--out", out] if out else ["--model", machine, "--json", "--bytes", str(int(nbytes))]
    if flops and not out:
        cmd += ["--flops", str(int(flops))]
    for k, v in args.items():
        cmd += ["--arg", f"{k}={v}"]
    for k, v in buffers.items():
        cmd += ["--buffer", f"{k}={v}"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(" ".join(cmd) + "\n" + done.stderr + done.stdout)
    return None if out else json.loads(done.stdout.strip().splitlines()[-1])


def run_shape(asmk, repo, machine, shape, tmp, before=False):
    arch, fig = ARCH[machine], machine_figures(machine)
    b, h, n, ctx, kv = shape["batch"], shape["heads"], shape["qlen"], shape["ctx"], shape["kv"]
    eb = 1 if kv == "fp8" else 2
    tokens, pages_per_seq = b * n, ceil_div(ctx, PAGE)
    env = derived(shape, fig["compute_units"])  # the plan's work_target
    splits, selected, fused = op_selection(asmk, machine, shape)
    if splits != env["num_splits"]:
        raise RuntimeError(f"{machine} {shape}: libasmk plans {splits} split slots, op.yaml's derived {env['num_splits']}")
    tag = f"{machine}-{kv}-h{h}-q{n}-b{b}-c{ctx}" + ("-before" if before else "")
    files = {}
    for name, values in (("qo_indptr", [i * n for i in range(b + 1)]),
                         ("kv_indptr", [i * pages_per_seq for i in range(b + 1)]),
                         ("kv_last_page_len", [ctx - (pages_per_seq - 1) * PAGE] * b),
                         ("kv_indices", list(range(b * pages_per_seq)))):
        files[name] = os.path.join(tmp, f"{tag}-{name}.bin")
        write_i32(files[name], values)
    cache_bytes = b * pages_per_seq * PAGE * D * eb
    q_bytes, o_bytes = tokens * h * D * eb, tokens * h * DV * 2
    table_bytes = b * pages_per_seq * 4
    flops = 2.0 * tokens * h * ctx * (D + DV)
    kernel, wg_rows = stage1_kernel(repo, arch, selected)
    args = {"batch": b, "heads": h, "max_qlen": n, "page_size": PAGE, "block_table_stride": 0, "num_splits": splits,
            "q_stride_token": h * D, "q_stride_head": D, "o_stride_token": h * DV, "o_stride_head": DV,
            "scale": 0.0722, "q_scale": 1.0, "kv_scale": 1.0, "softcap": 0.0, "lse": 0, "block_table": 0,
            "seq_lens": 0, "work": 0, "work_groups": 0}  # work_groups 0: the grid form
    declared = declared_args(repo, arch, kernel)
    fused = fused and "counters" in declared  # a build from before the fused combine: the two launches
    args["counters"] = 0
    args = {k: v for k, v in args.items() if k in declared}  # an older build lacks `work`, `counters`
    buffers = {"q": f"zeros:{q_bytes}", "kv": f"zeros:{cache_bytes}",
               **{k: "@" + v for k, v in files.items()}}
    if splits > 1:
        args.update({"o": 0})
        buffers.update({"partial_o": f"zeros:{tokens * h * splits * DV * 4}",
                        "partial_lse": f"zeros:{tokens * h * splits * 4}"})
    else:
        args.update({"partial_o": 0, "partial_lse": 0})
        buffers.update({"o": f"zeros:{o_bytes}"})
    plan = None
    if splits > 1:
        # the metadata step: run on the emulator for its plan, modeled for its time
        pk = f"mla_decode_plan_{arch}"
        plan_file = os.path.join(tmp, f"{tag}-split_plan.bin")
        pargs = {"batch": b, "page_size": PAGE, "num_splits": splits, "work_target": env["work_target"],
                 "min_tiles": 8, "seq_lens": 0, "counters": 0, "counter_count": 0}
        pargs = {k: v for k, v in pargs.items() if k in declared_args(repo, arch, pk)}  # an older build: no counters
        pbufs = {"kv_indptr": "@" + files["kv_indptr"], "split_plan": "zeros:4"}
        model(asmk, code_object(repo, arch, pk), pk, (1, 1, 1), pargs, pbufs, machine, 0, 0, out=f"split_plan={plan_file}")
        plan = model(asmk, code_object(repo, arch, pk), pk, (1, 1, 1), pargs, pbufs, machine, (b + 2) * 4, 0)
        with open(plan_file, "rb") as f:
            plan["tiles"] = struct.unpack("<i", f.read(4))[0]
        buffers["split_plan"] = "@" + plan_file
    else:
        args["split_plan"] = 0
    # The model takes the first workgroup for all but the last: the (row block, split) workgroups whose split
    # holds keys (y < used: every sequence has the same length) and those of empty splits (a prologue and an
    # lse store) are modeled as two launches, one launch overhead taken off.
    tiles = ceil_div(ctx, 32)
    used = min(splits, ceil_div(tiles, plan["tiles"])) if plan else min(splits, tiles)
    # the partials stage 1 writes and stage 2 reads: o_s of the splits with keys, every slot's lse
    partial_bytes = tokens * h * (used * DV + splits) * 4 if splits > 1 else 0
    stage1_bytes = q_bytes + cache_bytes + table_bytes + (partial_bytes if splits > 1 else o_bytes)
    co = code_object(repo, arch, kernel)
    row_blocks = ceil_div(h * n, wg_rows)
    if fused:  # o written by the last split of each row block; counters zero: the traced workgroups are not last
        counters = b * ceil_div(h * n, 32)
        lse_file = os.path.join(tmp, f"{tag}-partial_lse.bin")
        with open(lse_file, "wb") as f:  # the partial lse as stage 1 leaves them, for the merges below
            f.write(struct.pack(f"<{splits}f", *([0.0] * used + [-math.inf] * (splits - used))) * (tokens * h))
        args.pop("o", None)
        args.pop("counters", None)
        buffers.update({"o": f"zeros:{o_bytes}", "counters": f"zeros:{counters * 4}", "partial_lse": "@" + lse_file})
        # o once more; the partials the merges read back were written by this launch: re-reads, which the model
        # takes from L2 / the Infinity Cache (perf/MODEL.md, "HBM"), not compulsory bytes as in a launch of their own
        stage1_bytes += o_bytes
    s1 = model(asmk, co, kernel, (ceil_div(h * n, wg_rows), used, b), args, buffers, machine, stage1_bytes, flops)
    if used < splits:
        empty = os.path.join(tmp, f"{tag}-no_pages.bin")
        write_i32(empty, [0] * (b + 1))
        s1e = model(asmk, co, kernel, (ceil_div(h * n, wg_rows), splits - used, b), args,
                    {**buffers, "kv_indptr": "@" + empty}, machine, tokens * h * (splits - used) * 4, 0)
        s1 = {**s1, "time_us": s1["time_us"] + s1e["time_us"] - s1e["overhead_us"]}
    s2 = None
    if fused:
        # stage 2 = the merge's own time: one workgroup per (sequence, row block) arrives last and merges after the
        # others have finished (the partials' HBM bytes are in the launch's above). Modeled as the difference of the
        # CU time of two launches of grid (row blocks, 1, batch): every workgroup last (counters at splits - 1) and
        # none last (counters 0) — the merging workgroups' tail, in as many rounds as those workgroups take on the
        # CUs (one for every canonical shape but the largest grids: an upper bound there).
        last = os.path.join(tmp, f"{tag}-counters-last.bin")
        write_i32(last, [splits - 1] * counters)
        tail = []
        for cfile in ("@" + last, f"zeros:{counters * 4}"):
            tail.append(model(asmk, co, kernel, (row_blocks, 1, b), args, {**buffers, "counters": cfile}, machine, 1, 0))
        s2 = {"time_us": tail[0]["compute_us"] - tail[1]["compute_us"]}
    elif splits > 1:
        comb = combine_kernel(asmk, machine, shape, splits)
        with open(os.path.join(repo, arch, "manifest.json")) as f:
            if comb not in {k["name"] for k in json.load(f)["kernels"]}:
                comb = f"attn_lse_combine_{arch}_bf16"  # a build from before the slots axis
        # the partial lse as stage 1 leaves them: 0 for the `used` splits with keys, -inf for the empty ones
        # (the combine does not read an empty split's o_s)
        lse_file = os.path.join(tmp, f"{tag}-partial_lse.bin")
        with open(lse_file, "wb") as f:
            f.write(struct.pack(f"<{splits}f", *([0.0] * used + [-math.inf] * (splits - used))) * (tokens * h))
        s2 = model(asmk, code_object(repo, arch, comb), comb, (ceil_div(tokens * h, 4), 1, 1),
                   {"tokens": tokens, "heads": h, "num_splits": splits, "dv": DV, "o_stride_token": h * DV,
                    "o_stride_head": DV, "lse": 0},
                   {"partial_o": f"zeros:{tokens * h * splits * DV * 4}",
                    "partial_lse": "@" + lse_file, "o": f"zeros:{o_bytes}"},
                   machine, partial_bytes + o_bytes, 0)
    extra = s2["time_us"] if s2 else 0.0
    plan_us = plan["time_us"] if plan else 0.0  # once per batch, shared by every layer: reported apart
    total = s1["time_us"] + extra
    useful = q_bytes + cache_bytes + table_bytes + o_bytes
    peak = fig["peak_tflops_fp8"] if kv == "fp8" else fig["peak_tflops_bf16"]
    return {**shape, "machine": machine, "wg_rows": wg_rows, "fused": fused, "splits": splits, "used": used, "bytes": useful, "stage1_us": s1["time_us"],
            "stage2_us": extra, "plan_us": plan_us, "total_us": total, "limiter": s1["limiter"],
            "hbm_frac": useful / (total * 1e-6) / (fig["hbm_tbps"] * 1e12),
            "mfma_frac": flops / (total * 1e-6) / (peak * 1e12)}


# ---- persistent mode (op mla_decode_persistent): the metadata from libasmk itself, the pass and the row combine

class MetadataArgs(ctypes.Structure):  # asmk_mla_metadata_args (asmk.h)
    _fields_ = [("struct_size", ctypes.c_size_t)] + [(n, ctypes.c_uint32) for n in (
        "batch", "heads", "max_qlen", "total_q", "page_size", "wg_rows", "max_splits", "work_groups")] + [
        (n, ctypes.POINTER(ctypes.c_int32)) for n in ("qo_indptr", "kv_indptr", "kv_last_page_len", "seq_lens")]


class MetadataInfo(ctypes.Structure):  # asmk_mla_metadata_info (asmk.h)
    _fields_ = [("struct_size", ctypes.c_size_t), ("work_bytes", ctypes.c_size_t), ("row_splits_bytes", ctypes.c_size_t),
                ("work_groups", ctypes.c_uint32), ("work_items", ctypes.c_uint32), ("num_splits", ctypes.c_uint32)]


def libasmk(asmk):
    build = os.path.dirname(os.path.dirname(os.path.abspath(asmk)))
    lib = ctypes.CDLL(os.path.join(build, "loader", "libasmk.so"))
    lib.asmk_last_error.restype = ctypes.c_char_p
    return lib


def metadata(asmk, repo, machine, heads, wg_rows, q_lens, k_lens, max_splits=0):
    """asmk_mla_decode_metadata on `machine` (its CUs; the default grid) for these lengths (CSR, page size 64):
    (work int32 list, row_splits int32 list, info)."""
    lib = libasmk(asmk)
    opts = ctypes.create_string_buffer(256)
    lib.asmk_open_options_init(opts)
    dev = ctypes.c_char_p(machine.encode())
    ctypes.memmove(ctypes.addressof(opts) + 8, ctypes.byref(dev), 8)  # asmk_open_options.device
    ctx = ctypes.c_void_p()
    if lib.asmk_open(repo.encode(), opts, ctypes.byref(ctx)) != 0:
        raise RuntimeError("asmk_open: " + lib.asmk_last_error().decode())
    try:
        b = len(q_lens)
        ints = lambda v: (ctypes.c_int32 * len(v))(*v)
        qo = ints([sum(q_lens[:i]) for i in range(b + 1)])
        pages = [ceil_div(k, PAGE) for k in k_lens]
        kvi = ints([sum(pages[:i]) for i in range(b + 1)])
        last = ints([k - (p - 1) * PAGE if p else 0 for k, p in zip(k_lens, pages)])
        a = MetadataArgs(ctypes.sizeof(MetadataArgs), b, heads, max(q_lens), sum(q_lens), PAGE, wg_rows, max_splits, 0,
                         qo, kvi, last, None)
        info = MetadataInfo(ctypes.sizeof(MetadataInfo))
        if lib.asmk_mla_decode_metadata_size(ctx, ctypes.byref(a), ctypes.byref(info)) != 0:
            raise RuntimeError("metadata size: " + lib.asmk_last_error().decode())
        work = (ctypes.c_int32 * (info.work_bytes // 4))()
        rows = (ctypes.c_int32 * (info.row_splits_bytes // 4))()
        if lib.asmk_mla_decode_metadata(ctx, ctypes.byref(a), work, info.work_bytes, rows, info.row_splits_bytes,
                                        ctypes.byref(info)) != 0:
            raise RuntimeError("metadata: " + lib.asmk_last_error().decode())
        return list(work), list(rows), info
    finally:
        lib.asmk_close(ctx)


def model_order(work, groups):
    """The work list as modeled: its busy workgroups only, renumbered — the median busy one first, the most loaded
    last. The model traces a launch's first and last workgroup and takes every other one as the first, and places
    as many workgroups per CU as the grid fills; a workgroup without items reads two work_indptr entries and exits,
    so counting it as busy would put two busy workgroups on CUs where the metadata leaves one (a batch of one
    sequence: 16 pieces, 592 of 608 workgroups idle). The grid is one round, so the last one's time is the launch's.
    Returns (the list, the modeled grid)."""
    lists = [[work[groups + 1 + 4 * i: groups + 5 + 4 * i] for i in range(work[g], work[g + 1])] for g in range(groups)]
    load = [sum(it[3] + 2 for it in l) for l in lists]
    busy = sorted((g for g in range(groups) if load[g] > 0), key=lambda g: load[g]) or [0]
    heaviest, median = busy[-1], busy[len(busy) // 2]
    order = ([median] if median != heaviest else []) + [g for g in busy if g not in (median, heaviest)] + [heaviest]
    out, items = [0], []
    for g in order:
        items += [v for it in lists[g] for v in it]
        out.append(out[-1] + len(lists[g]))
    return out + items + [0] * max(0, len(work) - len(out) - len(items)), len(order)


def run_persistent(asmk, repo, machine, shape, tmp, q_lens=None, k_lens=None):
    max_splits = shape.get("max_splits", 0)
    """The op mla_decode_persistent on `machine`: the metadata (libasmk), its pass on the fixed grid and, when it cut
    rows, attn_lse_combine_rows — each launch modeled as run_shape's, the pass's workgroups in model_order."""
    arch, fig = ARCH[machine], machine_figures(machine)
    b, h, n, ctx, kv = shape["batch"], shape["heads"], shape["qlen"], shape["ctx"], shape["kv"]
    q_lens = q_lens or [n] * b
    k_lens = k_lens or [ctx] * b
    eb = 1 if kv == "fp8" else 2
    tokens = sum(q_lens)
    _, selected, _ = op_selection(asmk, machine, {**shape, "qlen": max(q_lens)})
    kernel, wg_rows = stage1_kernel(repo, arch, selected)
    work, row_splits, info = metadata(asmk, repo, machine, h, wg_rows, q_lens, k_lens, max_splits)
    work, modeled_groups = model_order(work, info.work_groups)
    tag = f"P{machine}-{kv}-h{h}-q{n}-b{b}-c{ctx}-{len(set(k_lens))}-{max_splits}"
    pages = [ceil_div(k, PAGE) for k in k_lens]
    files = {}
    for name, values in (("qo_indptr", [sum(q_lens[:i]) for i in range(b + 1)]),
                         ("kv_indptr", [sum(pages[:i]) for i in range(b + 1)]),
                         ("kv_last_page_len", [k - (p - 1) * PAGE if p else 0 for k, p in zip(k_lens, pages)]),
                         ("kv_indices", list(range(max(1, sum(pages))))), ("work", work), ("split_counts", row_splits)):
        files[name] = os.path.join(tmp, f"{tag}-{name}.bin")
        write_i32(files[name], values)
    ns = info.num_splits
    cache_bytes = sum(pages) * PAGE * D * eb
    q_bytes, o_bytes, table_bytes = tokens * h * D * eb, tokens * h * DV * 2, sum(pages) * 4
    cut_rows = sum(1 for r in row_splits if r > 0)
    partial_bytes = sum(row_splits) * (DV + 1) * 4  # the pieces' o_s and lse: stage 1 writes them, stage 2 reads them
    flops = 2.0 * h * sum(q * k for q, k in zip(q_lens, k_lens)) * (D + DV)
    args = {"batch": b, "heads": h, "max_qlen": max(q_lens), "page_size": PAGE, "block_table_stride": 0,
            "num_splits": ns, "q_stride_token": h * D, "q_stride_head": D, "o_stride_token": h * DV,
            "o_stride_head": DV, "scale": 0.0722, "q_scale": 1.0, "kv_scale": 1.0, "softcap": 0.0, "lse": 0,
            "block_table": 0, "seq_lens": 0, "split_plan": 0, "work_groups": modeled_groups, "counters": 0}
    args = {k: v for k, v in args.items() if k in declared_args(repo, arch, kernel)}  # an older build: no counters
    buffers = {"q": f"zeros:{q_bytes}", "kv": f"zeros:{max(cache_bytes, 64)}", "o": f"zeros:{o_bytes}",
               "partial_o": f"zeros:{max(4, tokens * h * ns * DV * 4)}", "partial_lse": f"zeros:{max(4, tokens * h * ns * 4)}",
               **{k: "@" + v for k, v in files.items() if k != "split_counts"}}
    useful = q_bytes + cache_bytes + table_bytes + o_bytes
    s1 = model(asmk, code_object(repo, arch, kernel), kernel, (modeled_groups, 1, 1), args, buffers, machine,
               useful + partial_bytes, flops)
    s2 = None
    if ns > 1:
        comb = f"attn_lse_combine_rows_{arch}_bf16"
        s2 = model(asmk, code_object(repo, arch, comb), comb, (ceil_div(tokens * h, 4), 1, 1),
                   {"tokens": tokens, "heads": h, "num_splits": ns, "dv": DV, "o_stride_token": h * DV,
                    "o_stride_head": DV, "lse": 0},
                   {"partial_o": f"zeros:{tokens * h * ns * DV * 4}", "partial_lse": f"zeros:{tokens * h * ns * 4}",
                    "split_counts": "@" + files["split_counts"], "o": f"zeros:{o_bytes}"},
                   machine, partial_bytes + cut_rows * DV * 2, 0)
    extra = s2["time_us"] if s2 else 0.0
    total = s1["time_us"] + extra
    peak = fig["peak_tflops_fp8"] if kv == "fp8" else fig["peak_tflops_bf16"]
    return {**shape, "machine": machine, "wg_rows": wg_rows, "work_groups": info.work_groups, "items": info.work_items,
            "pieces": ns, "cut_rows": cut_rows, "bytes": useful, "stage1_us": s1["time_us"], "stage2_us": extra,
            "total_us": total, "limiter": s1["limiter"], "hbm_frac": useful / (total * 1e-6) / (fig["hbm_tbps"] * 1e12),
            "mfma_frac": flops / (total * 1e-6) / (peak * 1e12), "mixed": len(set(k_lens)) > 1,
            "workspace": tokens * h * ns * (DV + 1) * 4 if ns > 1 else 0}


def mixed_shapes():
    """One 32k sequence among 63 of 1k (h 16, q 1): the persistent mode's case; the metadata's default of at most 16
    pieces per row (as the split pipeline's 16 splits), and 64 (asmk_mla_metadata_args.max_splits)."""
    for kv in ("bf16", "fp8"):
        for most in (0, 64):
            yield ({"kv": kv, "heads": 16, "qlen": 1, "batch": 64, "ctx": 1024, "max_splits": most}, [1] * 64,
                   [32768] + [1024] * 63)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--asmk", default=os.path.join(ROOT, "build", "tools", "asmk"))
    ap.add_argument("--repo", default=os.path.join(ROOT, "hsaco"))
    ap.add_argument("--before", help="an older build's code objects, modeled beside")
    ap.add_argument("--machines", default="MI300X,MI355X")
    ap.add_argument("--sample", action="store_true", help="one small shape per machine (a smoke test)")
    ap.add_argument("--only", help="only these shapes, e.g. h128q4 (heads and q length)")
    ap.add_argument("--persistent", action="store_true",
                    help="also the op mla_decode_persistent (its own metadata) for the shapes, and a mixed batch")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--combine", choices=["launch", "fused"],
                    help="the pipeline's combine choice (op.yaml; default: the op's): fused = the merge in the split pass")
    a = ap.parse_args()
    global SELECT_REPO, COMBINE
    COMBINE = a.combine
    SELECT_REPO = a.repo  # --before's code objects run the same plan as --repo's
    shapes = list(sample_shapes() if a.sample else canonical_shapes())
    if a.only:
        shapes = [s for s in shapes if f"h{s['heads']}q{s['qlen']}" in a.only.split(",") or
                  f"h{s['heads']}q{s['qlen']}b{s['batch']}c{s['ctx'] // 1024}k" in a.only.split(",")]
    machines = a.machines.split(",")
    jobs = [(m, s) for m in machines for s in shapes]
    with tempfile.TemporaryDirectory() as tmp, concurrent.futures.ThreadPoolExecutor(a.jobs) as pool:
        now = list(pool.map(lambda ms: run_shape(a.asmk, a.repo, ms[0], ms[1], tmp), jobs))
        before = list(pool.map(lambda ms: run_shape(a.asmk, a.before, ms[0], ms[1], tmp, True), jobs)) if a.before else None
        persistent = None
        if a.persistent:
            pjobs = [(m, s, None, None) for m, s in jobs] + [(m, s, q, k) for m in machines for s, q, k in mixed_shapes()
                                                             if not a.only or "mixed" in a.only.split(",")]
            persistent = list(pool.map(lambda j: run_persistent(a.asmk, a.repo, j[0], j[1], tmp, j[2], j[3]), pjobs))
            # the split pipeline of the same mixed batches (uniform shapes: `now`)
            mixed = [(m, s, q, k) for m, s, q, k in pjobs if k is not None]
            for r, (m, s, q, k) in zip(persistent[len(jobs):], mixed):
                r["pipeline_us"] = None
            for r, n in zip(persistent, now):
                r["pipeline_us"] = n["total_us"]
    print(render(now, before, a) + (render_persistent(persistent, a) if persistent else ""))


def render(rows, before, a):
    cmd = "/usr/bin/python3 perf/mla/mla_report.py --asmk build/tools/asmk --repo hsaco" + (
        " --before OLD_HSACO" if before else "") + (" --sample" if a.sample else "") + (
        f" --only {a.only}" if a.only else "") + (f" --combine {a.combine}" if a.combine else "") + " > perf/mla/report.md"
    out = ["# MLA decode — modeled speed (not measured)", "",
           "Generated by `" + cmd + "` (perf/mla/mla_report.py says what is modeled and how). Every time is **modeled**"
           " by asmk's machine model (perf/MODEL.md: the traced first and last workgroup of each launch, a sustained"
           " clock, peak HBM and L2 bandwidth); none is a measurement. Page size 64, q of the cache's type, every"
           " sequence of a batch the same length, no LSE output. `rows/wg` = the (token, head) rows per stage-1 workgroup the"
           " ops pick (the mla_decode kernels' wg_rows; a build from before that axis has 32 only);"
           " `bytes` = q + cache rows + page table + o once;"
           " `HBM` = bytes / total time over the machine's HBM bandwidth; `MFMA` = 2·tokens·heads·ctx·1088 FLOP /"
           " total time over the bf16 (or fp8) peak; `splits` = splits with keys / split slots per row (the pipeline"
           " op's num_splits, op.yaml; the plan's tiles per split decide how many hold keys); `stage 1` ="
           " mla_decode_split (or mla_decode_single for one split), `stage 2` = attn_lse_combine, each with the"
           " model's fixed 2 µs launch overhead (with `--combine fused`: stage 1 = mla_decode_split_fused's launch, its"
           " merges left out, and stage 2 = the merging workgroups' tail, no launch of its own); `total` = stage 1 + stage 2; `plan` = the mla_decode_plan launch,"
           " computed once per batch and shared by every layer, so not in the total; `stage 2 %` = stage 2 / total;"
           " `limiter` = the model's limiter of stage 1."
           + (" `before` = the same shape and pipeline with the code objects of `--before` (report.md: the"
              " commit before this work, see perf/mla/README.md); `speed-up` = before / total." if before else ""),
           ""]
    for machine in dict.fromkeys(r["machine"] for r in rows):
        out += [f"## {machine}", "",
                "| kv | h | qlen | batch | ctx | rows/wg | splits | MB | stage 1 µs | stage 2 µs | total µs | stage 2 % | plan µs | HBM | MFMA | limiter |"
                + (" before µs | before stage 2 µs | speed-up |" if before else ""),
                "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|" + ("---|---|---|" if before else "")]
        for i, r in enumerate(rows):
            if r["machine"] != machine:
                continue
            line = (f"| {r['kv']} | {r['heads']} | {r['qlen']} | {r['batch']} | {r['ctx'] // 1024}k | {r['wg_rows']} | {r['used']}/{r['splits']} | "
                    f"{r['bytes'] / 1e6:.1f} | {r['stage1_us']:.1f} | {r['stage2_us']:.1f} | {r['total_us']:.1f} | "
                    f"{100 * r['stage2_us'] / r['total_us']:.1f}% | {r['plan_us']:.1f} | {100 * r['hbm_frac']:.0f}% | "
                    f"{100 * r['mfma_frac']:.0f}% | {r['limiter']} |")
            if before:
                b = before[i]
                line += f" {b['total_us']:.1f} | {b['stage2_us']:.1f} | {b['total_us'] / r['total_us']:.2f}× |"
            out.append(line)
        out.append("")
    return "\n".join(out)


def render_persistent(rows, a):
    out = ["## Persistent mode (op mla_decode_persistent)", "",
           "The same shapes through the op mla_decode_persistent: the work list of libasmk's own"
           " asmk_mla_decode_metadata (called through ctypes; the device's grid: CUs × 2 workgroups for 32 rows, × 1"
           " for 64), the pass (`stage 1`: mla_decode_persistent_pass on that grid) and, when the metadata cut rows,"
           " attn_lse_combine_rows (`stage 2`); the metadata is host code computed once per batch for every layer"
           " (no plan launch). `wgs` = the grid; `pieces` = the most pieces of a row (num_splits; 1: nothing cut, no"
           " partials, no combine); `cut rows` = rows merged by stage 2; `pipeline µs` = the split pipeline's total"
           " above (mla_decode); `gain` = pipeline / persistent; `workspace` = the partials (stride: pieces). The mixed"
           " batch (one 32k sequence among 63 of 1k, h 16, q 1) has no pipeline row (the table above models uniform"
           " batches only; its plan gives the 32k sequence 16 splits of 2,048 keys, as the metadata's default);"
           " `(max 64)` = asmk_mla_metadata_args.max_splits 64. The model traces the first and the last workgroup of a"
           " launch: the work list's busy workgroups are renumbered for it (median one first, the most loaded last) and"
           " the idle ones (no item: two loads and an exit) left out of the modeled grid (mla_report.py's model_order).",
           ""]
    for machine in dict.fromkeys(r["machine"] for r in rows):
        out += [f"### {machine}", "",
                "| kv | h | qlen | batch | ctx | rows/wg | wgs | pieces | cut rows | workspace MB | stage 1 µs | stage 2 µs | total µs | HBM | MFMA | limiter | pipeline µs | gain |",
                "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in rows:
            if r["machine"] != machine:
                continue
            ctx = "1×32k + 63×1k" if r["mixed"] else f"{r['ctx'] // 1024}k"
            pipe = r.get("pipeline_us")
            out.append(f"| {r['kv']} | {r['heads']} | {r['qlen']} | {r['batch']} | {ctx} | {r['wg_rows']} | {r['work_groups']} | "
                       f"{r['pieces']}" + (f" (max {r['max_splits']})" if r.get("max_splits") else "") +
                       f" | {r['cut_rows']} | {r['workspace'] / 1e6:.1f} | {r['stage1_us']:.1f} | {r['stage2_us']:.1f} | {r['total_us']:.1f} | "
                       f"{100 * r['hbm_frac']:.0f}% | {100 * r['mfma_frac']:.0f}% | {r['limiter']} | "
                       + (f"{pipe:.1f} | {pipe / r['total_us']:.2f}× |" if pipe else "— | — |"))
        out.append("")
    return "\n" + "\n".join(out)


if __name__ == "__main__":
    main()
