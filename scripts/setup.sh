#!/usr/bin/env bash
# Sets up a fresh machine for kdkit: pnpm 10, the real Fashion-MNIST (Debian's
# dataset-fashion-mnist) and chromium (for apps/web's browser test), where apt-get exists and we
# are root, and `pnpm install`.
# Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v pnpm >/dev/null 2>&1 || [[ "$(pnpm --version 2>/dev/null)" != 10.* ]]; then
  echo 'setup: installing pnpm 10'
  npm install -g pnpm@10
fi

# Debian packages: the full Fashion-MNIST, and chromium for apps/web's browser test.
data=/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
apt_packages=()
[ -f "$data" ] || apt_packages+=(dataset-fashion-mnist)
command -v chromium >/dev/null 2>&1 || apt_packages+=(chromium)
# clang + lld: `pnpm --filter @kdkit/wasm-kernels check:simd` rebuilds the SIMD kernels.
{ command -v clang >/dev/null 2>&1 && command -v wasm-ld >/dev/null 2>&1; } || apt_packages+=(clang lld)
if [ "${#apt_packages[@]}" -gt 0 ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "setup: installing ${apt_packages[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_packages[@]}" ||
    echo "setup: warning: could not install ${apt_packages[*]} (without the dataset, tests on the full set fail; without chromium, apps/web's browser test fails)"
fi

if [ "${CI:-}" = true ]; then
  pnpm install --frozen-lockfile
else
  pnpm install
fi
