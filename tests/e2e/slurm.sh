#!/usr/bin/env bash
# End-to-end tests of `trine sweep --backend slurm` on a one-node Slurm cluster brought up on
# this machine (scripts/slurm-local): a 64-point sweep as a job array collects into results
# byte-identical to a local -j 1 run; an array cancelled halfway (scancel) and resubmitted
# completes without recomputing finished points; a point that fails on a node is recorded with
# its error and the node's name. Exits 77 (CTest: skipped) only when Slurm cannot start here.
# Usage: slurm.sh TRINE SOURCE_DIR
set -u
TRINE=$(realpath "$1") SRC=$(realpath "$2")
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"  # counters, expect, $work
cd "$work"
cluster=$work/cluster
if ! started=$("$SRC/scripts/slurm-local" start "$cluster" 2>&1); then
  status=$?
  if ((status == 77)); then echo "SKIP: $started"; exit 77; fi
  echo "FAIL: scripts/slurm-local start: $started"; exit 1
fi
trap '"$SRC/scripts/slurm-local" stop "$cluster"; rm -rf "$work"' EXIT
export SLURM_CONF=$cluster/slurm.conf
node=$(hostname -s)
wait_job() {  # until the job has left the queue (at most 3 minutes)
  for _ in $(seq 900); do
    squeue -h -j "$1" 2> /dev/null | grep -q . || return 0
    sleep 0.2
  done
  return 1
}
rows() { ls "$1"/points/*.row 2> /dev/null | wc -l; }
spec=$SRC/configs/sweeps/array-x-actbits.yaml
"$TRINE" sweep "$spec" -j 1 -q -o local 2> /dev/null || bad "the local reference sweep failed"

# The whole sweep as a job array, collected: the same bytes as the local run.
expect 0 "submitted job" -- "$TRINE" sweep "$spec" -o s1 --backend slurm --chunk 8
wait_job "$(cat s1/slurm/submit-1.job)" && ok || bad "the job array did not finish"
expect 0 "64 points, 64 done, 0 failed, 0 missing" -- "$TRINE" sweep --collect s1
cmp -s local/results.csv s1/results.csv && cmp -s local/results.jsonl s1/results.jsonl && ok \
  || bad "collected results differ from the local -j 1 run"
expect 0 "every point is done" -- "$TRINE" sweep "$spec" -o s1 --backend slurm
[[ ! -e s1/slurm/submit-2.sbatch ]] && ok || bad "a finished sweep was submitted again"

# Cancelled halfway, then resubmitted: only the rest runs.
expect 0 "64 points in 32 array tasks of 2" -- "$TRINE" sweep "$spec" -o s2 --backend slurm --chunk 2
job=$(cat s2/slurm/submit-1.job)
for _ in $(seq 600); do (($(rows s2) >= 12)) && break; sleep 0.05; done
scancel "$job"
wait_job "$job" && ok || bad "the cancelled job did not leave the queue"
done_before=$(rows s2)
((done_before >= 12 && done_before < 64)) && ok || bad "$done_before points done at the cancel"
stat -c '%n %Y %s' s2/points/*.row > before.txt
expect 3 "$done_before done" -- "$TRINE" sweep --status s2
expect 0 "$((64 - done_before)) points in" -- "$TRINE" sweep "$spec" -o s2 --backend slurm --chunk 8
wait_job "$(cat s2/slurm/submit-2.job)" && ok || bad "the resubmitted job did not finish"
expect 0 "64 done, 0 failed, 0 missing" -- "$TRINE" sweep --collect s2
stat -c '%n %Y %s' $(cut -d' ' -f1 before.txt) > after.txt
cmp -s before.txt after.txt && ok || bad "finished points were computed again"
cmp -s local/results.csv s2/results.csv && ok || bad "resumed results differ from the local run"

# A point that fails on a node: its error and the node's name; the others succeed.
cat > bad.yaml <<'YAML'
version: 1
name: too-small
axes:
  buffers.input.size: [64 B, 64 KiB]
  array.rows: [8, 16]
YAML
expect 0 "submitted job" -- "$TRINE" sweep bad.yaml -o s3 --backend slurm --chunk 1
wait_job "$(cat s3/slurm/submit-1.job)" && ok || bad "the failing sweep did not finish"
expect 3 "2 done, 2 failed, 0 missing" -- "$TRINE" sweep --collect s3
[[ $(grep -c ",failed,.*one band of its input .*\[node $node\]" s3/results.csv) == 2 ]] && ok \
  || bad "failed rows lack the error or the node: $(cat s3/results.csv)"
expect 0 "" -- "$TRINE" sweep bad.yaml -o s4 --backend slurm --dry-run
[[ -x s4/slurm/submit-1.sbatch && ! -e s4/slurm/submit-1.job ]] && ok || bad "--dry-run submitted"
grep -q '^#SBATCH --array=0-0$' s4/slurm/submit-1.sbatch && ok || bad "dry-run script: $(cat s4/slurm/submit-1.sbatch)"

echo "slurm: $passed passed, $failed failed"
((failed == 0))
