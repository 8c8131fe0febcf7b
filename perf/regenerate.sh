#!/bin/sh
# Regenerates the committed modeled baselines (perf/results/<machine>/<family>-<machine>.csv and
# .html) and/or the tuned tables (perf/tuned/<arch>-<cus>.csv). Run from the repository root after
# building the CLI and generating the kernels:
#
#   perf/regenerate.sh all          # both from one sweep per family and machine (asmk perf --tuned-out)
#   perf/regenerate.sh results      # baselines for every family preset on MI300X and MI355X
#   perf/regenerate.sh tuned        # tuned tables for MI300X (gfx942-304) and MI355X (gfx950-256)
#                                     (all and tuned also tune gemm_a8w8's int8 rows)
#
# `all` starts the two tuned tables from their header (a sweep merges into a table and keeps rows
# of kernels it did not compare), writes them where the selector reads them ($REPO/tuned, so the
# reports' "selector's pick" is the new table's) and copies them to perf/tuned at the end.
# ASMK (default build/tools/asmk) and REPO (default hsaco) choose the CLI and the kernels;
# REFERENCE (default perf/validation/aiter_reference.csv, when it exists) adds AITER's figures
# beside ours in the reports.
set -eu
ASMK=${ASMK:-build/tools/asmk}
REPO=${REPO:-hsaco}
REFERENCE=${REFERENCE:-perf/validation/aiter_reference.csv}
what=${1:-results}

families_for() {  # the families a machine's arch has kernels for
  case $1 in
    MI355X) echo gemm_bf16 gemm_a8w8 gemm_a8w8_blockscale gemm_a4w4 quant_fp8 ;;
    *) echo gemm_bf16 gemm_a8w8 gemm_a8w8_blockscale quant_fp8 ;;
  esac
}
table_for() {  # the tuned table of a machine
  case $1 in
    MI355X) echo gfx950-256.csv ;;
    *) echo gfx942-304.csv ;;
  esac
}
reference=""
[ -f "$REFERENCE" ] && reference="--reference $REFERENCE"

if [ "$what" = all ]; then
  for table in gfx942-304.csv gfx950-256.csv; do
    echo "family,m,n,k,kernel,k_splits" > "$REPO/tuned/$table"
  done
fi
for machine in MI300X MI355X; do
  for family in $(families_for $machine); do
    case $what in
      results) "$ASMK" perf "$family" --machine "$machine" --repo "$REPO" -o "perf/results/$machine" -q $reference ;;
      all) "$ASMK" perf "$family" --machine "$machine" --repo "$REPO" -o "perf/results/$machine" -q $reference \
             --tuned-out "$REPO/tuned/$(table_for $machine)" ;;
      tuned) "$ASMK" tune "$family" --machine "$machine" --repo "$REPO" -q ;;
      *) echo "usage: perf/regenerate.sh all|results|tuned" >&2; exit 2 ;;
    esac
  done
done
# gemm_a8w8's int8 rows: the sweeps above take the op's default dtypes (fp8); a tuned row matches only
# its own dtypes, so without these an int8 GEMM falls back to the cost estimate.
if [ "$what" = all ] || [ "$what" = tuned ]; then
  for machine in MI300X MI355X; do
    "$ASMK" tune gemm_a8w8 --machine "$machine" --repo "$REPO" -q --where in_dtype=int8 \
      -o "$REPO/tuned/$(table_for $machine)"
  done
fi
if [ "$what" = all ]; then
  cp "$REPO/tuned/gfx942-304.csv" "$REPO/tuned/gfx950-256.csv" perf/tuned/
fi
