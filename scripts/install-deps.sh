#!/usr/bin/env bash
# Installs asmk's build and run dependencies from Debian 12 packages (nothing else is fetched).
# Idempotent: packages already present are not touched, so a warm machine pays nothing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  llvm-22 llvm-22-dev lld-22 clang-22          # assembler/linker for asmgen, MC disassembler for emu
  python3 python3-jinja2 python3-yaml          # asmgen
  libgtest-dev libgmock-dev libbenchmark-dev   # tests and benchmarks
  libclang-rt-22-dev                           # libFuzzer runtime for the code-object fuzzer
  nlohmann-json3-dev libcli11-dev libfmt-dev   # manifest, CLI, formatting
  libhsa-runtime-dev                           # HSA headers (the runtime itself is dlopen'd)
  python3-dev pybind11-dev libdlpack-dev       # the Python package's extension (python/)
  python3-numpy python3-pytest python3-torch   # its tests (PyTorch 1.13, CPU)
  python3-venv                                 # the pip-install test (python.pip_install)
  chromium                                     # renders the perf report in a test (perf.report_render)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
