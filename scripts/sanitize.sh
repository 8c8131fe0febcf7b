#!/usr/bin/env bash
# The sanitizer pass (CI runs it after the quick start): builds with AddressSanitizer +
# UndefinedBehaviorSanitizer into build-asan/ and runs tests under them; the first finding stops
# the test that hit it (halt on error, no recovery).
#   scripts/sanitize.sh          the emulator, loader and hsa unit tests (emu_tests, asmk_loader_tests,
#                                asmk_hsa_tests: library, emulator and stand-in HSA runtime instrumented)
#   scripts/sanitize.sh --all    everything, then `ctest -L unit` (much longer: every tool and op test)
# The kernel set is not regenerated here: run the quick start first (it fills hsaco/).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -d hsaco/gfx942 ]]; then
  echo "sanitize.sh: hsaco/ has no kernel set; run ./quickstart.sh first (it generates the kernel set)" >&2
  exit 2
fi
# -O1 -g1: the emulator stays fast enough under instrumentation, stacks stay readable, and the
# build is about half as long as at -O2 -g.
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1" -DASMK_SANITIZE=address,undefined -DASMK_BUILD_KERNELS=OFF
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:strict_string_checks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
if [[ "${1:-}" == "--all" ]]; then
  cmake --build build-asan -j "$(nproc)"
  ctest --test-dir build-asan --output-on-failure -j "$(nproc)" -L unit
  exit
fi
suites=(tests/emu/emu_tests tests/loader/asmk_loader_tests tests/hsa/asmk_hsa_tests)
cmake --build build-asan -j "$(nproc)" --target emu_tests asmk_loader_tests asmk_hsa_tests
for suite in "${suites[@]}"; do
  echo "== $suite"
  # Each suite runs from its own directory, as ctest runs it (tests find their data relative to it).
  (cd "build-asan/$(dirname "$suite")" && "./$(basename "$suite")" --gtest_brief=1)
done
