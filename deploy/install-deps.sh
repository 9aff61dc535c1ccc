#!/usr/bin/env bash
# Installs whatever Kiln needs that this machine lacks: system packages through apt (when run as
# root; otherwise it prints the exact command and stops), pnpm, and the workspace's node modules.
# Usage: deploy/install-deps.sh [--tests]
# Safe to run again and again: what is present is left alone.
set -euo pipefail

PNPM_VERSION=12.21.0
NODE_MIN=20.19.0
# command → Debian package that provides it
declare -A APT_FOR=([ffmpeg]=ffmpeg [ffprobe]=ffmpeg [redis-server]=redis-server)
# `--tests`: also what only the tests need (a real browser as the player).
[[ ${1:-} == --tests ]] && APT_FOR[chromium]=chromium

cd "$(dirname "$0")/.."
say() { printf 'kiln setup: %s\n' "$*" >&2; }

node_ok() {
  node -e 'const [a,b,c]=process.versions.node.split(".").map(Number),[x,y,z]=process.argv[1].split(".").map(Number);process.exit(a>x||(a===x&&(b>y||(b===y&&c>=z)))?0:1)' "$NODE_MIN"
}
if ! command -v node >/dev/null || ! node_ok; then
  say "Node.js >= $NODE_MIN is required (found: $(node --version 2>/dev/null || echo none))."
  exit 1
fi

missing=()
for cmd in "${!APT_FOR[@]}"; do
  command -v "$cmd" >/dev/null || missing+=("${APT_FOR[$cmd]}")
done
if ((${#missing[@]})); then
  packages=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
  if [[ $(id -u) -ne 0 ]]; then
    say "missing system packages. Run:  sudo apt-get update && sudo apt-get install -y --no-install-recommends $packages"
    exit 1
  fi
  say "installing $packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086 # one word per package
  apt-get install -y -qq --no-install-recommends $packages >/dev/null
fi

# pnpm 12 reads allowBuilds in pnpm-workspace.yaml; an older one would skip esbuild's setup.
pnpm_major() { pnpm --version 2>/dev/null | cut -d. -f1; }
if ! command -v pnpm >/dev/null || (($(pnpm_major || echo 0) < ${PNPM_VERSION%%.*})); then
  if [[ $(id -u) -ne 0 && ! -w "$(npm prefix -g)/lib" ]]; then
    say "pnpm $PNPM_VERSION is needed. Run:  sudo npm install -g pnpm@$PNPM_VERSION"
    exit 1
  fi
  say "installing pnpm $PNPM_VERSION"
  npm install -g --silent "pnpm@$PNPM_VERSION" >/dev/null
fi

# Fast when nothing changed; the lockfile is authoritative.
pnpm install --frozen-lockfile --prefer-offline --reporter=silent
