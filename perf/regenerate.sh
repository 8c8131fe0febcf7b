#!/bin/sh
# Regenerates the committed modeled baselines (perf/results/<machine>/<family>-<machine>.csv and
# .html) or the tuned tables (perf/tuned/<arch>-<cus>.csv). Run from the repository root after
# building the CLI and generating the kernels:
#
#   perf/regenerate.sh results      # baselines for every family preset on MI300X and MI355X
#   perf/regenerate.sh tuned        # tuned tables for MI300X (gfx942-304) and MI355X (gfx950-256)
#
# ASMK (default build/tools/asmk) and REPO (default hsaco) choose the CLI and the kernels.
set -eu
ASMK=${ASMK:-build/tools/asmk}
REPO=${REPO:-hsaco}
what=${1:-results}

families_for() {  # the families a machine's arch has kernels for
  case $1 in
    MI355X) echo gemm_bf16 gemm_a8w8 gemm_a8w8_blockscale gemm_a4w4 quant_fp8 ;;
    *) echo gemm_bf16 gemm_a8w8 gemm_a8w8_blockscale quant_fp8 ;;
  esac
}

for machine in MI300X MI355X; do
  for family in $(families_for $machine); do
    case $what in
      results) "$ASMK" perf "$family" --machine "$machine" --repo "$REPO" -o "perf/results/$machine" -q ;;
      tuned) "$ASMK" tune "$family" --machine "$machine" --repo "$REPO" -q ;;
      *) echo "usage: perf/regenerate.sh results|tuned" >&2; exit 2 ;;
    esac
  done
done
