#!/usr/bin/env bash
# Install what hstrace needs to build, test and benchmark on Debian 12 (as root).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends \
    gcc libc6-dev meson ninja-build pkg-config python3 \
    liburcu-dev libjemalloc-dev libcriterion-dev libseccomp-dev \
    strace clang libclang-rt-14-dev
