#!/usr/bin/env bash
# Sets up a fresh machine for kdkit: pnpm 10, the real Fashion-MNIST (Debian's
# dataset-fashion-mnist, where apt-get exists and we are root), and `pnpm install`.
# Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v pnpm >/dev/null 2>&1 || [[ "$(pnpm --version 2>/dev/null)" != 10.* ]]; then
  echo 'setup: installing pnpm 10'
  npm install -g pnpm@10
fi

data=/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
if [ ! -f "$data" ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo 'setup: installing dataset-fashion-mnist'
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist ||
    echo 'setup: warning: could not install dataset-fashion-mnist (tests on the full set will fail; the embedded mini set still works)'
fi

if [ "${CI:-}" = true ]; then
  pnpm install --frozen-lockfile
else
  pnpm install
fi
