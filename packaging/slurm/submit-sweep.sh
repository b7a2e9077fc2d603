#!/bin/bash
# Submits a latentlens-cli analyze sweep to Slurm: an array of N shard tasks, then the merge
# job, which runs only if every task succeeded (--dependency=afterok). Prints the two job ids.
#
#   submit-sweep.sh N OUT ANALYSIS [FLAGS...]
#
# Extra sbatch options (a partition, an account, a time limit) go in SBATCH_OPTIONS, e.g.
#   SBATCH_OPTIONS="--partition=cpu --time=02:00:00 --cpus-per-task=4" submit-sweep.sh 16 out prompts ...
# Slurm's logs go to OUT/slurm-JOBID_TASK.out.
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: submit-sweep.sh N OUT ANALYSIS [FLAGS...]" >&2
  exit 2
fi
tasks=$1
out=$2
shift 2
case "$tasks" in
  '' | *[!0-9]* | 0) echo "submit-sweep.sh: N must be a positive number of shards (got '$tasks')" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
# shellcheck disable=SC2086  # SBATCH_OPTIONS is a list of options
array=$(sbatch --parsable ${SBATCH_OPTIONS:-} --array="1-$tasks" --output="$out/slurm-%A_%a.out" \
  --export=ALL,LATENTLENS_SHARDS="$tasks" "$here/latentlens-sweep.sbatch" "$out" "$@")
array=${array%%;*}
# shellcheck disable=SC2086
merge=$(sbatch --parsable ${SBATCH_OPTIONS:-} --dependency="afterok:$array" --output="$out/slurm-%j-merge.out" \
  "$here/latentlens-merge.sbatch" "$out")
merge=${merge%%;*}
echo "array $array"
echo "merge $merge"
