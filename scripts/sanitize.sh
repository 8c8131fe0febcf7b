#!/usr/bin/env bash
# The sanitizer pass (CI runs it after the quick start): builds the library, the emulator, the tools
# and the tests with AddressSanitizer + UndefinedBehaviorSanitizer into build-asan/ and runs the
# tests of one ctest label under them; the first finding stops the test that hit it (halt on error).
# Usage: scripts/sanitize.sh [ctest label regex, default: unit] [extra ctest arguments...]
# The kernel set is not regenerated here: run the quick start first (it fills hsaco/).
set -euo pipefail
cd "$(dirname "$0")/.."
label="${1:-unit}"
shift || true
if [[ ! -d hsaco/gfx942 ]]; then
  echo "sanitize.sh: hsaco/ has no kernel set; run ./quickstart.sh first (it generates the kernel set)" >&2
  exit 2
fi
# RelWithDebInfo keeps the emulator fast enough under instrumentation and gives readable stacks.
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DASMK_SANITIZE=address,undefined \
  -DASMK_BUILD_KERNELS=OFF
cmake --build build-asan -j "$(nproc)"
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=0:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
ctest --test-dir build-asan --output-on-failure -j "$(nproc)" -L "$label" "$@"
