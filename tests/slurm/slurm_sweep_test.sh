#!/bin/bash
# A real single-node Slurm on this machine: starts munged, slurmctld and slurmd from Debian's
# packages (slurm-wlm, munge) with a generated slurm.conf naming this host and every state file
# in a temporary folder, submits an `analyze prompts` sweep on the tiny SD fixture as a 4-task
# job array plus its merge job (packaging/slurm/submit-sweep.sh), waits for them, and compares
# the merged CSVs with an unsharded run's, byte for byte. Every daemon it started is stopped by
# its pid on every exit path. Where Slurm cannot run, the test fails and says why.
#
#   slurm_sweep_test.sh LATENTLENS_CLI PACKAGING_SLURM_DIR SD_FIXTURE_DIR
set -uo pipefail
cli=$1
slurm_dir=$2
fixture=$3
fail() { echo "slurm test: FAILED: $*" >&2; exit 1; }

for tool in munged slurmctld slurmd sbatch squeue scontrol sinfo; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool not found: install Debian's slurm-wlm and munge (scripts/install-deps.sh does)"
done
[ -x "$cli" ] || fail "$cli is not an executable"
# slurmd (22.05) initialises its cgroup plugin at start even with proctrack/linuxproc and
# task/none, and stops if no cgroup file system is mounted.
if ! ls /sys/fs/cgroup/* >/dev/null 2>&1; then
  fail "no cgroup file system at /sys/fs/cgroup: slurmd cannot start without one (a container or chroot without it?)"
fi
[ -f "$fixture/model_index.json" ] || fail "$fixture is not a pipeline folder"

work=$(mktemp -d "${TMPDIR:-/tmp}/latentlens-slurm.XXXXXX")
pids=()
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for _ in $(seq 50); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  if [ $status -ne 0 ]; then
    for log in "$work"/*.log "$work"/out/slurm-*.out; do
      [ -f "$log" ] && { echo "--- $log (last lines)" >&2; tail -n 15 "$log" >&2; }
    done
  fi
  rm -rf "$work"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

user=$(id -un)
host=$(hostname -s 2>/dev/null || hostname)
[ -n "$host" ] || fail "this machine has no host name"
mkdir -p "$work/munge" "$work/state" "$work/spool" "$work/out"
chmod 700 "$work/munge"

# --- munge: a fresh key, its socket in the temporary folder.
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none || fail "cannot write a munge key"
chmod 400 "$work/munge/munge.key"
munged -F --force --key-file="$work/munge/munge.key" --socket="$work/munge/munge.socket" \
  --pid-file="$work/munge/munged.pid" --seed-file="$work/munge/munged.seed" \
  --log-file="$work/munged.log" >"$work/munged.out.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -S "$work/munge/munge.socket" ] && break; sleep 0.1; done
[ -S "$work/munge/munge.socket" ] || fail "munged did not start (see munged.log)"

# --- slurm.conf for one node, this host, on ports of this run.
base=$((20000 + ($$ % 20000)))
cpus=$(nproc)
cat >"$work/slurm.conf" <<CONF
ClusterName=latentlens-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$base
SlurmdPort=$((base + 1))
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
AuthInfo=socket=$work/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
SlurmdParameters=config_overrides
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$work/slurm.conf

slurmctld -D -i -f "$SLURM_CONF" >"$work/slurmctld.out.log" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" -N "$host" >"$work/slurmd.out.log" 2>&1 &
pids+=($!)
ready=0
for _ in $(seq 150); do
  if sinfo -h -N -o '%T' 2>/dev/null | grep -Eq '^(idle|mixed|allocated)'; then ready=1; break; fi
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || fail "a Slurm daemon exited at start (pid $pid; see the logs)"; done
  sleep 0.2
done
[ $ready = 1 ] || fail "the node did not become idle within 30 s: $(sinfo -h -N -o '%N %T %E' 2>&1)"
echo "slurm test: slurmctld, slurmd and munged up on $host ($cpus CPUs), ports $base and $((base + 1))"

# --- The sweep: 8 prompts x 2 timesteps at k = 3 (17 jobs with the text embeddings).
printf '%s\n' "a photograph of a cat" "a photograph of a dog" "a painting of a cat" "a painting of a dog" \
  "a red sports car" "a blue sports car" "a bowl of fruit" "a mountain lake at sunrise" >"$work/prompts.txt"
flags=(--model "$fixture" --prompts "$work/prompts.txt" --t 700,300 --k 3 --steps 5)

seconds_since() { local ms=$((($(date +%s%N) - $1) / 1000000)); printf '%d.%03d' $((ms / 1000)) $((ms % 1000)); }
start=$(date +%s%N)
"$cli" analyze prompts "${flags[@]}" --threads 1 --quiet --out "$work/whole" >"$work/whole.log" 2>&1 ||
  fail "the unsharded run failed: $(tail -n 3 "$work/whole.log")"
unsharded=$(seconds_since "$start")

start=$(date +%s%N)
submitted=$(LATENTLENS_CLI=$cli "$slurm_dir/submit-sweep.sh" 4 "$work/out" prompts "${flags[@]}" --quiet 2>&1) ||
  fail "submitting failed: $submitted"
array=$(awk '$1 == "array" { print $2 }' <<<"$submitted")
merge=$(awk '$1 == "merge" { print $2 }' <<<"$submitted")
[ -n "$array" ] && [ -n "$merge" ] || fail "submit-sweep.sh printed no job ids: $submitted"
echo "slurm test: array job $array (4 tasks), merge job $merge"

state_of() { scontrol show job "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2 | sort -u | tr '\n' ' '; }
deadline=$((SECONDS + 480))
while :; do
  merge_state=$(state_of "$merge")
  case "$merge_state" in
    *COMPLETED*) break ;;
    *FAILED* | *CANCELLED* | *TIMEOUT* | *NODE_FAIL* | *OUT_OF_MEMORY* | *DEPENDENCY*)
      fail "the merge job ended $merge_state(array: $(state_of "$array"))" ;;
  esac
  if squeue -h -j "$merge" -o '%r' 2>/dev/null | grep -q DependencyNeverSatisfied; then
    fail "a shard task failed, so the merge never ran (array: $(state_of "$array"))"
  fi
  [ $SECONDS -lt $deadline ] || fail "the sweep did not finish within 480 s (array: $(state_of "$array"), merge: $merge_state)"
  sleep 1
done
sharded=$(seconds_since "$start")
array_state=$(state_of "$array")
[ "$array_state" = "COMPLETED " ] || fail "array tasks ended $array_state"

for task in 1 2 3 4; do
  log=$(ls "$work"/out/slurm-"${array}"_"$task".out 2>/dev/null) || fail "no log of task $task"
  grep -q "^shard $task/4: " "$log" || fail "task $task did not run shard $task/4: $(tail -n 2 "$log")"
done
status=0
for csv in prompt_similarity.csv prompt_pairs.csv prompts.csv; do
  if cmp -s "$work/whole/$csv" "$work/out/$csv"; then
    echo "slurm test: $csv of the 4 merged shards equals the unsharded run's"
  else
    echo "slurm test: FAILED: $csv differs from the unsharded run's" >&2
    diff "$work/whole/$csv" "$work/out/$csv" | head -n 10 >&2
    status=1
  fi
done
[ -f "$work/out/report.md" ] || fail "the merge wrote no report.md"
echo "slurm test: unsharded ${unsharded} s, 4 shards through Slurm ${sharded} s (submit to merged)"
exit $status
