#!/usr/bin/env python3
"""Issue 17: the `asmk` CLI's argument parsers on random command lines.

Each command line is a subcommand (list, info, op, run) with options drawn from that subcommand's
own --help (so new options are fuzzed without editing this file), given values from a pool of
hostile ones: negative and huge numbers, sizes that wrap, empty and very long strings, paths that
are directories, FIFOs, /dev/zero or missing, `@FILE` forms, `NAME=VALUE` forms, real op, kernel
and device names. Every launch is bounded (ASMK_EMU_TIMEOUT_MS, ASMK_EMU_MAX_INSTRUCTIONS).

Passing means, for every command line: the process ends by itself within the time limit (no
hang), is not killed by a signal (no abort, no segfault), exits 0, 1 or CLI11's parse-error codes
(100..120), leaves no sanitizer report, and explains any failure on stderr.

    cli_fuzz.py ASMK_BINARY REPOSITORY [--runs N] [--seed S]

Deterministic for a seed; a failure prints the command line to replay.
"""
import argparse
import json
import os
import random
import re
import shlex
import subprocess
import sys
import tempfile

SUBCOMMANDS = ["list", "info", "op", "run"]  # demo, perf and tune run whole sweeps: their parsers are shared
TIMEOUT_S = 60


def options_of(asmk, sub, env):
    text = subprocess.run([asmk, sub, "--help"], capture_output=True, text=True, env=env, timeout=30).stdout
    return sorted(set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", text)) - {"--help"})


def value_pool(tmp, repo, names):
    fifo = os.path.join(tmp, "fifo")
    if not os.path.exists(fifo):
        os.mkfifo(fifo)
    small = os.path.join(tmp, "small.bin")
    with open(small, "wb") as f:
        f.write(b"\x01" * 64)
    return ["", "0", "1", "-1", "7", "64", "4096", "4294967295", "4294967296", "18446744073709551615",
            "18446744073709551616", "-9223372036854775808", "1e309", "nan", "0x10", "1k", "99999999999G",
            "x" * 5000, "é", "../../../../etc/passwd", "/", tmp, fifo, "/dev/zero", "/nonexistent",
            "@" + tmp, "@" + fifo, "@/dev/zero", "@" + small, "@/nonexistent", "zeros:18446744073709551615",
            "zeros:4096", "random:64:1", "random:99999999999999:1", "x=@" + tmp, "x=zeros:64", "0=zeros:64",
            "18446744073709551608=x", "8=x", "1,1,1", "4294967295,4294967295,4294967295", "0,0,0", "64,1,1",
            "m=3", "m=4294967296", "n=0", "MI300X", "MI355X", "gfx942", "gfx950", "emu", "record", "hsa", repo,
            "bf16", "fp8", "row"] + names


def names_in(repo):
    """Op, kernel and family names of the repository (values the parsers accept as words)."""
    out = set()
    for arch in ("gfx942", "gfx950"):
        path = os.path.join(repo, arch, "manifest.json")
        if not os.path.exists(path):
            continue
        with open(path) as f:
            manifest = json.load(f)
        out.update(manifest.get("ops", {}).keys())
        kernels = manifest.get("kernels", [])
        out.update(k["family"] for k in kernels)
        out.update(k["name"] for k in kernels[::25])
    return sorted(out)


def code_objects_in(repo):
    out = []
    for arch in ("gfx942", "gfx950"):
        folder = os.path.join(repo, arch)
        for family in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
            path = os.path.join(folder, family)
            if os.path.isdir(path) and not family.startswith("."):
                files = sorted(f for f in os.listdir(path) if f.endswith(".co"))
                if files:
                    out.append(os.path.join(path, files[0]))
    return out


def command_line(rng, sub, options, pool, ops, code_objects, repo):
    argv = [sub]
    if sub == "op":
        argv.append(rng.choice(ops + ["no_such_op", ""]))
    if sub in ("run", "info") and rng.random() < 0.8:
        argv.append(rng.choice(code_objects + pool[20:28]))
    if sub in ("list", "op") and rng.random() < 0.8:
        argv += ["--repo", repo]
    for _ in range(rng.randint(0, 6)):
        option = rng.choice(options)
        argv.append(option)
        if rng.random() < 0.85:
            argv.append(rng.choice(pool))
    if sub == "op" and rng.random() < 0.5:  # problem sizes as the op's own options take them
        argv += [f"--{rng.choice(['m', 'n', 'k', 'tokens', 'heads', 'batch'])}", rng.choice(pool[:16])]
    return argv


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("asmk")
    parser.add_argument("repo")
    parser.add_argument("--runs", type=int, default=120)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    env = dict(os.environ, ASMK_EMU_TIMEOUT_MS="3000", ASMK_EMU_MAX_INSTRUCTIONS="20000000", ASMK_REPO=args.repo)
    rng = random.Random(args.seed)
    failures, outcomes = [], {}
    with tempfile.TemporaryDirectory(prefix="asmk_cli_fuzz_") as tmp:
        names = names_in(args.repo)
        ops = names  # op names, families and kernel names alike: the op parser must refuse the wrong ones
        pool = value_pool(tmp, args.repo, names[:20])
        code_objects = code_objects_in(args.repo)
        options = {sub: options_of(args.asmk, sub, env) for sub in SUBCOMMANDS}
        for sub, found in options.items():
            if not found:
                failures.append(f"`asmk {sub} --help` lists no options")
        for run in range(args.runs):
            sub = SUBCOMMANDS[run % len(SUBCOMMANDS)]
            argv = command_line(rng, sub, options[sub], pool, ops, code_objects, args.repo)
            replay = "asmk " + " ".join(shlex.quote(a if len(a) < 80 else a[:20] + "...") for a in argv)
            try:
                done = subprocess.run([args.asmk] + argv, capture_output=True, env=env, timeout=TIMEOUT_S,
                                      stdin=subprocess.DEVNULL, cwd=tmp)
            except subprocess.TimeoutExpired:
                failures.append(f"run {run}: no end within {TIMEOUT_S} s: {replay}")
                continue
            stderr = done.stderr.decode(errors="replace")
            code = done.returncode
            outcomes[code] = outcomes.get(code, 0) + 1
            if code < 0:
                failures.append(f"run {run}: killed by signal {-code}: {replay}\n{stderr[-2000:]}")
            elif code not in (0, 1) and not 100 <= code <= 120:
                failures.append(f"run {run}: exit status {code}: {replay}\n{stderr[-2000:]}")
            elif "Sanitizer" in stderr or "runtime error:" in stderr:
                failures.append(f"run {run}: sanitizer report: {replay}\n{stderr[-4000:]}")
            elif code != 0 and not stderr.strip():
                failures.append(f"run {run}: exit status {code} without a message: {replay}")
    print(f"cli fuzz: {args.runs} command lines, exit statuses {dict(sorted(outcomes.items()))}")
    # Both outcomes must occur, or the generator tests nothing.
    if outcomes.get(0, 0) == 0 or sum(n for c, n in outcomes.items() if c != 0) == 0:
        failures.append(f"the command lines reached only one outcome: {outcomes}")
    for failure in failures:
        print("FAIL", failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
