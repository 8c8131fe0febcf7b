#!/usr/bin/env bash
# The README's first command: install dependencies, build everything (Release), generate the
# default kernel set into hsaco/ and run the main job (the demo) on the emulator.
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$(nproc)"
build/tools/asmk demo --repo hsaco
