#!/usr/bin/env python3
"""Runs one `asmk` command and checks its exit status and output (stdout + stderr).

usage: check_cli.py [--fails] [--expect REGEX]... [--reject REGEX]... -- COMMAND ARGS...
"""
import argparse
import re
import subprocess
import sys


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fails", action="store_true", help="the command must exit non-zero")
    parser.add_argument("--expect", action="append", default=[], help="a regex the output must match")
    parser.add_argument("--reject", action="append", default=[], help="a regex the output must not match")
    parser.add_argument("--timeout", type=float, default=60, help="seconds before the command counts as hung")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    result = subprocess.run(command, capture_output=True, text=True, timeout=args.timeout)
    output = result.stdout + result.stderr
    problems = []
    if result.returncode < 0:  # a signal (abort, crash) is never an acceptable failure
        problems.append(f"killed by signal {-result.returncode}")
    if args.fails and result.returncode == 0:
        problems.append("exit status 0, expected a failure")
    if not args.fails and result.returncode != 0:
        problems.append(f"exit status {result.returncode}, expected 0")
    problems += [f"output does not match /{r}/" for r in args.expect if not re.search(r, output, re.M)]
    problems += [f"output matches /{r}/" for r in args.reject if re.search(r, output, re.M)]
    if problems:
        print("command:", " ".join(command))
        print("output:\n" + output)
        print("\n".join(problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
