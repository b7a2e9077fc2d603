#!/usr/bin/env bash
# Proves README.md's two commands on a fresh Debian 12: makes a clean bookworm root
# (debootstrap --variant=minbase), copies this checkout and ../shared into it, and inside it runs
# the README's first command up to the launch, launches the app for a few seconds (offscreen and
# under Xvfb) and then runs the README's test command character for character. Nothing installed
# on this machine can hide a missing step. Run as root (uses sudo otherwise); the root and its
# mounts are removed on every exit path.
#
# Options (environment):
#   LATENTLENS_FRESH_DIR    parent folder of the scratch root (default /var/tmp)
#   LATENTLENS_FRESH_CACHE  folder that keeps downloaded .debs between runs (default
#                           /var/cache/latentlens-fresh; set it empty to download everything anew).
#                           Only package files are kept: every run installs from scratch.
#   LATENTLENS_FRESH_KEEP=1 keep the root after the run (for a look inside; mounts are still undone)
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  exec sudo --preserve-env=LATENTLENS_FRESH_DIR,LATENTLENS_FRESH_CACHE,LATENTLENS_FRESH_KEEP "$0" "$@"
fi

project=$(cd "$(dirname "$0")/.." && pwd)
shared="$project/../shared"
[ -f "$project/README.md" ] || { echo "check-fresh-machine: no README.md in $project" >&2; exit 2; }
[ -d "$shared" ] || { echo "check-fresh-machine: $shared not found (the fixtures live beside the project)" >&2; exit 2; }

say() { printf '\n=== [%s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
started=$(date +%s)
phase_start=$started
declare -a timings=()
phase_end() {  # phase_end NAME: records how long the phase since the last call took
  local now; now=$(date +%s)
  timings+=("$(printf '%-28s %5d s' "$1" $((now - phase_start)))")
  phase_start=$now
}

# --- The two commands, read from README.md (the first two ```sh blocks of "## Two commands").
readme_commands=$(awk '
  /^## Two commands/ { section = 1; next }
  section && /^## / { exit }
  section && /^```sh/ { inblock = 1; next }
  section && inblock && /^```/ { inblock = 0; next }
  section && inblock { print }
' "$project/README.md")
install_build_launch=$(sed -n 1p <<<"$readme_commands")
test_command=$(sed -n 2p <<<"$readme_commands")
launch=" && build/app/gui/latentlens"
if [ -z "$install_build_launch" ] || [ -z "$test_command" ] || [ "$(wc -l <<<"$readme_commands")" -ne 2 ]; then
  echo "check-fresh-machine: README.md's \"Two commands\" section must hold exactly two one-line sh blocks" >&2
  exit 2
fi
case "$install_build_launch" in
  *"$launch") install_build=${install_build_launch%"$launch"} ;;
  *) echo "check-fresh-machine: README's first command must end with '$launch'" >&2; exit 2 ;;
esac

# --- The Debian mirrors this machine's own apt sources name (never written into the repo).
debian_sources() {  # prints "URI SUITE COMPONENTS" for every bookworm* source of the Debian archive
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk '$1 == "deb" {
           i = 2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
           uri = $i; suite = $(i + 1); comps = ""
           for (j = i + 2; j <= NF && $j !~ /^#/; j++) comps = comps " " $j
           if (suite ~ /^bookworm/) print uri, suite, comps
         }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk 'function flush() {
           if (types ~ /(^| )deb( |$)/ && enabled != "no")
             for (u in uris) for (s in suites) if (suites[s] ~ /^bookworm/) print uris[u], suites[s], comps
           types = ""; enabled = ""; comps = ""; delete uris; delete suites
         }
         /^[ \t]*#/ { next }
         /^[ \t]*$/ { flush(); next }
         { key = tolower($1); sub(/:$/, "", key); $1 = ""; sub(/^ /, "") }
         key == "types" { types = $0 }
         key == "enabled" { enabled = tolower($0) }
         key == "uris" { n = split($0, a, " "); for (i = 1; i <= n; i++) uris[i] = a[i] }
         key == "suites" { n = split($0, a, " "); for (i = 1; i <= n; i++) suites[i] = a[i] }
         key == "components" { comps = $0 }
         END { flush() }' "$f"
  done
}
mapfile -t sources < <(debian_sources | awk '!seen[$1 " " $2]++')
mirror=""
for line in "${sources[@]}"; do
  read -r uri suite _ <<<"$line"
  if [ "$suite" = bookworm ]; then mirror=$uri; break; fi
done
if [ -z "$mirror" ]; then
  echo "check-fresh-machine: this machine's apt sources name no 'bookworm' suite to bootstrap from" >&2
  exit 2
fi

if ! command -v debootstrap >/dev/null 2>&1; then
  say "installing debootstrap on this machine (the checker's own tool)"
  DEBIAN_FRONTEND=noninteractive apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap
fi

# --- The scratch root and its clean-up, whatever happens.
parent=${LATENTLENS_FRESH_DIR:-/var/tmp}
mkdir -p "$parent"
root=$(mktemp -d "$parent/latentlens-fresh.XXXXXX")
# mktemp makes the folder 0700; a real root is 0755, and package scripts that run as a system
# user (munge's postinst runs `su munge -c mungekey`) cannot start a shell under a 0700 root.
chmod 0755 "$root"
cache=${LATENTLENS_FRESH_CACHE-/var/cache/latentlens-fresh}

mounted() { findmnt -rn -o TARGET | awk -v r="$root" 'index($0, r "/") == 1 || $0 == r' | sort -r; }
cleanup() {
  local status=$?
  set +e
  trap - EXIT INT TERM
  # Processes still running inside the root (a GUI, Xvfb, a test) are stopped first.
  local p pids=()
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && pids+=("${p#/proc/}")
  done
  if [ ${#pids[@]} -gt 0 ]; then
    kill -TERM "${pids[@]}" 2>/dev/null; sleep 2; kill -KILL "${pids[@]}" 2>/dev/null
  fi
  local m
  for m in $(mounted); do umount "$m" 2>/dev/null || umount -l "$m"; done
  if [ -n "$(mounted)" ]; then
    echo "check-fresh-machine: could not unmount $(mounted | tr '\n' ' '); leaving $root in place" >&2
    [ $status -eq 0 ] && status=1
  elif [ "${LATENTLENS_FRESH_KEEP:-0}" = 1 ]; then
    echo "check-fresh-machine: kept $root"
  else
    rm -rf --one-file-system "$root"
  fi
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "debootstrap --variant=minbase bookworm from $mirror into $root"
debootstrap_args=(--variant=minbase)
if [ -n "$cache" ]; then
  mkdir -p "$cache/debootstrap" "$cache/apt"
  debootstrap_args+=("--cache-dir=$cache/debootstrap")
fi
debootstrap "${debootstrap_args[@]}" bookworm "$root" "$mirror" >"$root.debootstrap.log" 2>&1 || {
  tail -n 30 "$root.debootstrap.log" >&2; rm -f "$root.debootstrap.log"
  echo "check-fresh-machine: debootstrap failed" >&2; exit 1
}
rm -f "$root.debootstrap.log"
phase_end "debootstrap"

# The same Debian sources as this machine, one-line format.
: >"$root/etc/apt/sources.list"
for line in "${sources[@]}"; do
  read -r uri suite comps <<<"$line"
  echo "deb $uri $suite ${comps:-main}" >>"$root/etc/apt/sources.list"
done
cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true

mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
# A booted Debian has its cgroup file system at /sys/fs/cgroup (slurmd needs it); a fresh sysfs
# mount does not carry it, so the host's is bound in.
if mountpoint -q /sys/fs/cgroup; then
  mount --rbind /sys/fs/cgroup "$root/sys/fs/cgroup"
  mount --make-rslave "$root/sys/fs/cgroup"
fi
mount --rbind /dev "$root/dev"
mount --make-rslave "$root/dev"
if [ -n "$cache" ]; then
  mkdir -p "$root/var/cache/apt/archives"
  mount --bind "$cache/apt" "$root/var/cache/apt/archives"
  # Keep what apt downloads (Debian's docker-style clean hooks are not in minbase, but be sure).
  echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' >"$root/etc/apt/apt.conf.d/10keep-debs"
fi

# The checkout (tracked and untracked-but-not-ignored files, as a clean clone has them) and
# ../shared beside it, as on a newcomer's machine.
say "copying $project and $shared into the root"
mkdir -p "$root/work/latentlens" "$root/work/shared"
if git -C "$project" rev-parse --git-dir >/dev/null 2>&1; then
  (cd "$project" && git ls-files -z --cached --others --exclude-standard |
     while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
     tar --null -T - -cf -) | tar -xf - -C "$root/work/latentlens"
else
  (cd "$project" && tar --exclude=./build -cf - .) | tar -xf - -C "$root/work/latentlens"
fi
cp -a "$shared/." "$root/work/shared/"
phase_end "copy"

in_root() {  # in_root COMMAND: runs it with bash in the project folder inside the root, as root
  chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    TERM=dumb LANG=C.UTF-8 CI="${CI:-}" /bin/bash -c "cd /work/latentlens && $1"
}

say "README command 1 (up to the launch): $install_build"
# install-deps.sh alone first so that the apt time can be told apart from the build.
in_root "scripts/install-deps.sh"
phase_end "install-deps (apt)"
in_root "$install_build"
phase_end "README command 1: build"

say "launching build/app/gui/latentlens for 10 s offscreen and under Xvfb"
for platform in offscreen xvfb; do
  if [ $platform = offscreen ]; then
    run="QT_QPA_PLATFORM=offscreen timeout 10 build/app/gui/latentlens"
  else
    run="timeout 15 xvfb-run -a -s '-screen 0 1440x900x24' env QT_QPA_PLATFORM=xcb timeout 10 build/app/gui/latentlens"
  fi
  set +e
  in_root "$run" >"$root/launch-$platform.log" 2>&1
  rc=$?
  set -e
  # 124: still running when timeout stopped it, i.e. it stayed up.
  if [ $rc -ne 124 ]; then
    cat "$root/launch-$platform.log" >&2
    echo "check-fresh-machine: the app did not stay up ($platform, exit code $rc)" >&2
    exit 1
  fi
  grep -q "Loaded model" "$root/launch-$platform.log" || {
    cat "$root/launch-$platform.log" >&2
    echo "check-fresh-machine: the app did not log 'Loaded model' ($platform)" >&2
    exit 1
  }
  echo "stayed up for 10 s ($platform): $(grep -m1 'Loaded model' "$root/launch-$platform.log")"
done
phase_end "first launch (2 × 10 s)"

say "README command 2: $test_command"
in_root "$test_command"
phase_end "README command 2: tests"

say "fresh-machine check passed"
printf '%s\n' "${timings[@]}"
printf '%-28s %5d s\n' "total" $(($(date +%s) - started))
