#!/usr/bin/env bash
# Installs LatentLens' build and runtime dependencies from Debian 12's archive (run as root or
# through sudo). Safe to run again: apt skips what is already there.
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then
  exec sudo "$0" "$@"
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# Every package a fresh Debian 12 (debootstrap minbase) needs to build, launch and test; found by
# running scripts/check-fresh-machine.sh, not by reading. Non-obvious ones:
#   libqt6opengl6-dev  Qt6ChartsConfig.cmake needs Qt6OpenGL, but qt6-charts-dev does not depend on it
#   libpcre2-dev       Unicode classes for the CLIP tokenizer's pre-tokenisation pattern
#   libicu-dev         NFC normalisation and root-locale lower-casing of prompts in the CLIP tokenizer
#   xvfb xauth         the GUI tests and the launch check under a real X server (xvfb-run)
#   fonts-dejavu-core  a font for Qt to render text with (otherwise only an alternative of fontconfig's)
#   dpkg-dev desktop-file-utils file  the .deb test: dpkg-shlibdeps, desktop-file-validate, and
#                      CPackDeb's 'file' utility
#   slurm-wlm munge    the Slurm test: a single-node cluster on localhost runs a sharded sweep
apt-get install -y -q --no-install-recommends \
  g++ cmake ninja-build pkg-config \
  libtorch-dev libopenblas0-pthread \
  libopencv-dev libgif-dev libspdlog-dev nlohmann-json3-dev libcli11-dev libpcre2-dev libicu-dev \
  libgtest-dev \
  qt6-base-dev qt6-charts-dev libqt6opengl6-dev libgl-dev \
  xvfb xauth fonts-dejavu-core \
  dpkg-dev desktop-file-utils file \
  slurm-wlm munge
# Debian's LibTorch calls the reference BLAS unless OpenBLAS provides libblas.so.3.
update-alternatives --set libblas.so.3-x86_64-linux-gnu \
  /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 >/dev/null 2>&1 || true
