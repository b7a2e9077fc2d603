#!/bin/bash
# Wall time of one `analyze prompts` sweep (8 prompts x 3 timesteps at k = 5 on the tiny SD
# fixture: 25 jobs) run whole, and split into 2 and 4 shards started at once (one LibTorch thread
# each) and merged; checks that every merged CSV equals the whole run's.
# Usage: bench/shard-scaling.sh [build/app/latentlens-cli] [../shared/fixtures/sd1-tiny] [repeats]
set -euo pipefail
cli=${1:-build/app/latentlens-cli}
fixture=${2:-../shared/fixtures/sd1-tiny}
repeats=${3:-1}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
here=$(cd "$(dirname "$0")" && pwd)
flags=(analyze prompts --model "$fixture" --prompts "$here/../docs/analysis/prompts-8.txt" --t 800,500,200 --k 5
       --steps 20 --threads 1 --quiet)
ms() { echo $(( $(date +%s%N) / 1000000 )); }

"$cli" info --model "$fixture" >/dev/null  # page the binary and the model in once
echo "shards  wall (s)  speed-up  per basis (s, inside a shard)"
for run in $(seq "$repeats"); do
  baseline=""
  for shards in 1 2 4; do
    out="$work/r$run-n$shards"
    start=$(ms)
    pids=()
    for i in $(seq "$shards"); do
      "$cli" "${flags[@]}" --shard "$i/$shards" --out "$out" >"$out.$i.log" 2>&1 &
      pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid"; done
    "$cli" analyze merge "$out" >"$out.merge.log" 2>&1
    wall=$(( $(ms) - start ))
    [ -n "$baseline" ] || baseline=$wall
    per=$(grep -ho '([0-9.]* s per basis)' "$out".*.log | tr -d '()' | awk '{ s += $1; n++ } END { if (n) printf "%.2f", s / n }')
    awk -v n="$shards" -v w="$wall" -v b="$baseline" -v p="$per" \
      'BEGIN { printf "%6d  %8.2f  %8.2f  %s\n", n, w / 1000, b / w, p }'
    if [ "$shards" -gt 1 ]; then
      for csv in prompt_similarity.csv prompt_pairs.csv; do
        cmp -s "$work/r$run-n1/$csv" "$out/$csv" || { echo "$csv of $shards shards differs from the whole run's" >&2; exit 1; }
      done
    fi
  done
done
