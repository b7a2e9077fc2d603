#!/usr/bin/env bash
# Installs LatentLens' build and runtime dependencies from Debian 12's archive (run as root or
# through sudo). Safe to run again: apt skips what is already there.
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then
  exec sudo "$0" "$@"
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends \
  g++ cmake ninja-build pkg-config \
  libtorch-dev libopenblas0-pthread \
  libopencv-dev libgif-dev libspdlog-dev nlohmann-json3-dev libcli11-dev \
  libpcre2-dev libicu-dev \
  libgtest-dev \
  qt6-base-dev qt6-charts-dev libgl-dev \
  xvfb xauth \
  dpkg-dev desktop-file-utils
# Debian's LibTorch calls the reference BLAS unless OpenBLAS provides libblas.so.3.
update-alternatives --set libblas.so.3-x86_64-linux-gnu \
  /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 >/dev/null 2>&1 || true
