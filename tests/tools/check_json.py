"""`asmk list --json`, `asmk info NAME --json` and `asmk op OP ... --json` hold the same facts as
their text forms (op: as --explain prints them).

usage: check_json.py ASMK REPO GEMM_REPO
"""
import json
import re
import subprocess
import sys


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def run(args):
    done = subprocess.run(args, capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        fail("%s failed: %s%s" % (" ".join(args), done.stdout, done.stderr))
    return done.stdout


def check_op(asmk, gemm_repo):
    # A split-K choice: two launches, a reduce kernel and a workspace (tests/loader/test_gemm_ops.cpp).
    call = [asmk, "op", "gemm_a8w8", "--m", "128", "--n", "128", "--k", "65536", "--repo", gemm_repo]
    op = json.loads(run(call + ["--json"]))
    text = run(call + ["--explain"])
    if op["op"] != "gemm_a8w8" or op["problem"] != {"m": "128", "n": "128", "k": "65536"}:
        fail("op --json names %s %s" % (op["op"], op["problem"]))
    expected = [
        r"^kernel +%s$" % re.escape(op["kernel"]),
        r"^grid +%d x %d x %d workgroups$" % tuple(op["grid"]),
        r"^block +%d x %d x %d work-items$" % tuple(op["block"]),
        r"^k_splits +%d$" % op["k_splits"],
        r"^split-K +%s then %s, workspace %d bytes$" % (re.escape(op["kernel"]), re.escape(op["reduce_kernel"]),
                                                        op["workspace_bytes"]),
        r"^reason +%s$" % re.escape(op["reason"]),
        r"^device +" + re.escape("%s (%s, %d CUs" % (op["device"]["name"], op["device"]["arch"],
                                                     op["device"]["compute_units"])),
    ] + [r"^%s$" % re.escape(line) for line in op["candidates"]]
    for regex in expected:
        if not re.search(regex, text, re.M):
            fail("op --json: %r not in the --explain text:\n%s" % (regex, text))
    if op["k_splits"] < 2 or [l["kernel"] for l in op["launches"]] != [op["kernel"], op["reduce_kernel"]]:
        fail("op --json: a split-K choice with launches %s" % op["launches"])
    if len(op["candidates"]) < 2 or not op["candidates"][0].startswith("* "):
        fail("op --json candidates: %s" % op["candidates"])
    if "a" not in op["arguments"] or "<a: 128x65536" not in op["arguments"]["a"]:
        fail("op --json arguments: %s" % op["arguments"])
    return op


def main():
    asmk, repo, gemm_repo = sys.argv[1:4]
    op = check_op(asmk, gemm_repo)
    kernels = json.loads(run([asmk, "list", "--repo", repo, "--json"]))
    text = run([asmk, "list", "--repo", repo]).splitlines()
    names = [line.split()[0] for line in text[1:-1]]
    if [k["name"] for k in kernels] != names:
        fail("list --json names %s, the text lists %s" % ([k["name"] for k in kernels], names))
    for k, line in zip(kernels, text[1:-1]):
        fields = line.split()
        expected = [k["name"], k["arch"], k["family"], str(k["resources"]["vgpr"]), str(k["resources"]["sgpr"]),
                    str(k["resources"]["lds_bytes"])]
        if fields[:6] != expected:
            fail("list --json %s vs the text %s" % (expected, fields[:6]))
        params = " ".join("%s=%s" % (n, str(v).lower() if isinstance(v, bool) else v)
                          for n, v in k["parameters"].items())
        if " ".join(fields[6:]) != params:
            fail("parameters %r vs the text %r" % (params, " ".join(fields[6:])))

    name = "quant_fp8_gfx942_bf16_group_n256"
    info = json.loads(run([asmk, "info", "--repo", repo, name, "--json"]))
    if info["name"] != name or info["parameters"].get("n_per_wg") != 256:
        fail("info --json: %s" % info)
    text = run([asmk, "info", "--repo", repo, name])
    for arg in info["kernel_arguments"]:
        # the text's kernel-argument table: name, offset, size, kind
        if not re.search(r"^  %s +%d +%d  %s" % (re.escape(arg["name"]), arg["offset"], arg["size"], arg["kind"]),
                         text, re.M):
            fail("argument %s not in the text form:\n%s" % (arg, text))
    if len(info["kernel_arguments"]) < 4:
        fail("info --json lists %d kernel arguments" % len(info["kernel_arguments"]))
    print("ok: %d kernels, %s with %d arguments, op %s with %d candidates" % (
        len(kernels), name, len(info["kernel_arguments"]), op["kernel"], len(op["candidates"])))


if __name__ == "__main__":
    main()
