#!/usr/bin/env bash
# The Debian package end to end (ctest: package_deb).
#
#   package_test.sh --build-dir DIR --cmake CMAKE --cpack CPACK --gui ON|OFF
#
# 1. cpack -G DEB builds the .deb from the (already built) build tree, into a scratch folder.
# 2. Its control fields: Depends must name the package of every shared library the programs link
#    directly (dpkg-shlibdeps' job) and libopenblas0-pthread (LibTorch's BLAS, which the linker
#    cannot see).
# 3. dpkg-deb -x unpacks it into a scratch root: everything under /usr; binaries, the model,
#    the .desktop file (desktop-file-validate when installed) and the hicolor icons are there.
# 4. The unpacked usr/bin/latentlens-cli runs `info` and a one-step `sample`, and must have loaded
#    the model from the scratch root, not from the source tree it was built from.
# 5. The unpacked GUI prints its version and, offscreen, renders its first window (--screenshot).
# 6. cmake --install into another scratch prefix gives a working install too.
#
# Fails (not skips) when dpkg-deb, dpkg-shlibdeps or desktop-file-validate is missing:
# scripts/install-deps.sh installs them (dpkg-dev, desktop-file-utils).
# LATENTLENS_KEEP_PACKAGE_TEST=1 keeps the scratch folder for a look afterwards.
set -euo pipefail

build= cmake= cpack= gui=ON
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build=$2; shift 2 ;;
    --cmake) cmake=$2; shift 2 ;;
    --cpack) cpack=$2; shift 2 ;;
    --gui) gui=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -n "$build" ] && [ -n "$cmake" ] && [ -n "$cpack" ] || { echo "usage: $0 --build-dir DIR --cmake CMAKE --cpack CPACK [--gui ON|OFF]" >&2; exit 2; }

fail() { echo "FAIL: $*" >&2; exit 1; }

for tool in dpkg-deb dpkg-shlibdeps desktop-file-validate; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/install-deps.sh installs dpkg-dev and desktop-file-utils)"
done
step() { printf '== %s (%ds)\n' "$*" "$SECONDS"; }
is_png() { [ -s "$1" ] && [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ]; }
# Width of a PNG (IHDR, bytes 16-19, big-endian).
png_width() { od -An -tu1 -j16 -N4 "$1" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }'; }

mkdir -p "$build/Testing"
work=$(mktemp -d "$build/Testing/package_deb.XXXXXX")
work=$(cd "$work" && pwd -P)
cleanup() {
  if [ -n "${LATENTLENS_KEEP_PACKAGE_TEST:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# --- 1. build the package ---------------------------------------------------------------------
step "cpack -G DEB"
if ! "$cpack" -G DEB --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1; then
  cat "$work/cpack.log"
  fail "cpack -G DEB failed"
fi
shopt -s nullglob
debs=("$work"/out/*.deb)
shopt -u nullglob
[ ${#debs[@]} -eq 1 ] || { cat "$work/cpack.log"; fail "expected one .deb in $work/out, found ${#debs[@]}"; }
deb=${debs[0]}
echo "built $(basename "$deb"), $(du -k "$deb" | cut -f1) KiB"

# --- 2. control fields ------------------------------------------------------------------------
step "control fields"
dpkg-deb -f "$deb" Package Version Architecture Installed-Size Depends
[ "$(dpkg-deb -f "$deb" Package)" = latentlens ] || fail "package name is not latentlens"
[ "$(dpkg-deb -f "$deb" Architecture)" = "$(dpkg --print-architecture)" ] || fail "wrong Architecture"
depends=$(dpkg-deb -f "$deb" Depends)
# Package names alone, one a line: "libc6 (>= 2.34), libfoo1 | libbar1" -> libc6 libfoo1 libbar1
depend_names=$(tr ',|' '\n\n' <<<"$depends" | sed -e 's/(.*)//' -e 's/:any//' -e 's/[[:space:]]//g' | grep -v '^$' || true)
has_depend() { grep -qx -- "$1" <<<"$depend_names"; }
has_depend libopenblas0-pthread || fail "Depends lacks libopenblas0-pthread: $depends"

# --- 3. unpack into a scratch root ------------------------------------------------------------
step "dpkg-deb -x"
dpkg-deb -c "$deb" >"$work/contents.txt"
outside=$(awk '{ print $6 }' "$work/contents.txt" | grep -v -e '^\./$' -e '^\./usr/' || true)
[ -z "$outside" ] && echo "all $(wc -l <"$work/contents.txt") entries under /usr" || fail "files outside /usr: $outside"
grep -q '/usr/local/' "$work/contents.txt" && fail "files under /usr/local in the package"
root="$work/root"
dpkg-deb -x "$deb" "$root"

model="$root/usr/share/latentlens/models/fmnist32"
required=(usr/bin/latentlens-cli
          usr/share/latentlens/models/fmnist32/config.json
          usr/share/latentlens/models/fmnist32/diffusion_pytorch_model.safetensors
          usr/share/latentlens/models/fmnist32/scheduler_config.json
          usr/share/man/man1/latentlens-cli.1.gz)
binaries=(usr/bin/latentlens-cli)
if [ "$gui" = ON ]; then
  binaries+=(usr/bin/latentlens)
  required+=(usr/bin/latentlens usr/share/applications/latentlens.desktop usr/share/man/man1/latentlens.1.gz)
  for size in 16 32 48 64 128 256; do required+=("usr/share/icons/hicolor/${size}x${size}/apps/latentlens.png"); done
fi
for file in "${required[@]}"; do [ -f "$root/$file" ] || fail "the package lacks /$file"; done
for file in "${binaries[@]}"; do [ -x "$root/$file" ] || fail "/$file is not executable"; done
echo "found ${#required[@]} required files"

# Every library a program links directly comes from a package that Depends names.
declare -A checked=()
for file in "${binaries[@]}"; do
  ldd "$root/$file" >"$work/ldd.txt" 2>&1 || { cat "$work/ldd.txt"; fail "ldd $file failed"; }
  grep -q 'not found' "$work/ldd.txt" && { cat "$work/ldd.txt"; fail "/$file: libraries not found"; }
  for soname in $(LC_ALL=C readelf -d "$root/$file" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
    path=$(awk -v lib="$soname" '$1 == lib && $2 == "=>" { print $3 }' "$work/ldd.txt")
    [ -n "$path" ] || continue  # the dynamic loader itself
    [ -z "${checked[$soname]:-}" ] || continue
    checked[$soname]=1
    owner=$(dpkg -S "$path" 2>/dev/null || dpkg -S "$(readlink -f "$path")" 2>/dev/null ||
            dpkg -S "${path#/usr}" 2>/dev/null || dpkg -S "/usr$path" 2>/dev/null || true)
    [ -n "$owner" ] || fail "/$file needs $soname ($path), which no installed package provides"
    package=$(head -n1 <<<"$owner" | cut -d: -f1)
    # Depends may name the package or a virtual one it provides (libspdlog1.10-fmt9: the fmt ABI).
    provided=$(dpkg-query -W -f='${Provides}' "$package" 2>/dev/null | tr ',' '\n' | sed -e 's/(.*)//' -e 's/[[:space:]]//g')
    satisfied=no
    for name in "$package" $provided; do has_depend "$name" && satisfied=yes; done
    [ "$satisfied" = yes ] || fail "/$file needs $soname from $package, which Depends lacks: $depends"
  done
done
echo "Depends covers every library the programs link"

if [ "$gui" = ON ]; then
  desktop="$root/usr/share/applications/latentlens.desktop"
  desktop-file-validate "$desktop" || fail "latentlens.desktop does not validate"
  echo "latentlens.desktop validates"
  exec_name=$(sed -n 's/^Exec=\([^ ]*\).*/\1/p' "$desktop")
  icon_name=$(sed -n 's/^Icon=//p' "$desktop")
  [ -x "$root/usr/bin/$exec_name" ] || fail "the .desktop Exec ($exec_name) is not in /usr/bin"
  for size in 16 32 48 64 128 256; do
    icon="$root/usr/share/icons/hicolor/${size}x${size}/apps/$icon_name.png"
    is_png "$icon" || fail "no PNG icon $icon_name at ${size}x${size}"
    [ "$(png_width "$icon")" = "$size" ] || fail "${size}x${size}/apps/$icon_name.png is $(png_width "$icon") pixels wide"
  done
  echo "Exec and Icon of the .desktop file are in the package"
fi

# --- 4. the unpacked CLI, on the unpacked model ------------------------------------------------
unset LATENTLENS_MODEL_DIR
cli="$root/usr/bin/latentlens-cli"
step "latentlens-cli info"
"$cli" info --threads 1 >"$work/info.txt" 2>&1 || { cat "$work/info.txt"; fail "installed latentlens-cli info failed"; }
cat "$work/info.txt"
grep -qF "($model)" "$work/info.txt" || fail "info did not load the packaged model at $model"
step "latentlens-cli sample --steps 1"
"$cli" sample --seed 0 --steps 1 --threads 1 --out "$work/sample.png" >"$work/sample.log" 2>&1 ||
  { cat "$work/sample.log"; fail "installed latentlens-cli sample failed"; }
is_png "$work/sample.png" || fail "sample did not write a PNG"
echo "wrote a $(png_width "$work/sample.png")-pixel sample"

# --- 5. the unpacked GUI ---------------------------------------------------------------------
if [ "$gui" = ON ]; then
  step "latentlens --version"
  "$root/usr/bin/latentlens" --version
  step "latentlens --screenshot (offscreen)"
  # Its own settings and runtime folders: the window saves its settings on quit.
  mkdir -p "$work/home/config" "$work/home/runtime"
  chmod 700 "$work/home/runtime"
  if ! XDG_CONFIG_HOME="$work/home/config" XDG_CACHE_HOME="$work/home/cache" XDG_DATA_HOME="$work/home/data" \
       XDG_RUNTIME_DIR="$work/home/runtime" QT_QPA_PLATFORM=offscreen \
       timeout 180 "$root/usr/bin/latentlens" --threads 1 --screenshot "$work/window.png" >"$work/gui.log" 2>&1; then
    cat "$work/gui.log"
    fail "the installed GUI did not render its first window"
  fi
  is_png "$work/window.png" || { cat "$work/gui.log"; fail "no window screenshot"; }
  echo "the GUI rendered a $(png_width "$work/window.png")-pixel-wide window"
fi

# --- 6. cmake --install ----------------------------------------------------------------------
step "cmake --install --prefix"
"$cmake" --install "$build" --prefix "$work/prefix" >"$work/install.log" 2>&1 ||
  { cat "$work/install.log"; fail "cmake --install failed"; }
"$work/prefix/bin/latentlens-cli" info --threads 1 >"$work/info2.txt" 2>&1 ||
  { cat "$work/info2.txt"; fail "latentlens-cli of cmake --install failed"; }
grep -qF "($work/prefix/share/latentlens/models/fmnist32)" "$work/info2.txt" ||
  { cat "$work/info2.txt"; fail "cmake --install: info did not load the model under the prefix"; }
echo "cmake --install gives a working tree"

step "passed"
