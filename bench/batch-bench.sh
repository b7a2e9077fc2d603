#!/bin/sh
# latentlens-cli batch against one process per command: the same 20 basis jobs (k = 10 at t = 600,
# seeds 0..19, default model) run as 20 processes and as one `batch` script, back to back.
# Usage: bench/batch-bench.sh [build/app/latentlens-cli] [jobs] [threads]
set -eu
cli=${1:-build/app/latentlens-cli}
jobs=${2:-20}
threads=${3:-2}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
job() { echo "basis --seed $1 --t 600 --k 10 --threads $threads --quiet --out $work/$2/$1"; }

i=0
: > "$work/jobs.txt"
while [ "$i" -lt "$jobs" ]; do job "$i" batch >> "$work/jobs.txt"; i=$((i + 1)); done

"$cli" info > /dev/null  # page the binary and the model in once, for both runs alike

start=$(now)
i=0
while [ "$i" -lt "$jobs" ]; do
    # shellcheck disable=SC2046
    "$cli" $(job "$i" single) > /dev/null
    i=$((i + 1))
done
single=$(awk "BEGIN { print $(now) - $start }")

start=$(now)
"$cli" batch "$work/jobs.txt" > /dev/null 2>&1
batch=$(awk "BEGIN { print $(now) - $start }")

awk -v n="$jobs" -v threads="$threads" -v single="$single" -v batch="$batch" 'BEGIN {
    printf "%d basis jobs (k = 10, t = 600, %d threads):\n", n, threads
    printf "  %d processes: %.2f s (%.3f s a job)\n", n, single, single / n
    printf "  one batch:    %.2f s (%.3f s a job)\n", batch, batch / n
    printf "  speed-up:     %.2fx\n", single / batch
}'
