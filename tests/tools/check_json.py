"""`asmk list --json` and `asmk info NAME --json` hold the same facts as their text forms.

usage: check_json.py ASMK REPO
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


def main():
    asmk, repo = sys.argv[1:3]
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
    print("ok: %d kernels, %s with %d arguments" % (len(kernels), name, len(info["kernel_arguments"])))


if __name__ == "__main__":
    main()
