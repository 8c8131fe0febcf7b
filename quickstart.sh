#!/usr/bin/env bash
# The README's first command: install dependencies, build everything (Release), generate the
# default kernel set into hsaco/ and run the main job (the demo) on the emulator.
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-deps.sh
# A first build compiles the C++ sources in batches (CMake's unity build: about half the compile time of
# one file at a time); a build/ configured before keeps its setting (-DCMAKE_UNITY_BUILD=OFF there makes
# rebuilding after a one-file edit quicker).
unity=()
[[ -f build/CMakeCache.txt ]] || unity=(-DCMAKE_UNITY_BUILD=ON)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "${unity[@]}"
cmake --build build -j "$(nproc)"
build/tools/asmk demo --repo hsaco
