#!/usr/bin/env bash
# Compile time and the reference image, side by side in one run, for two commits of this
# repository: for each, a fresh clone with its own empty target folder, then a cold
# `cargo test --no-run --timings` (wall time, and cargo's timings report in the clone), then a cold
# `scripts/build-reference-image.sh` (the static release build and `docker build`; time and
# image size). One commit after the other on the same machine: compare the lines of one run.
#
#   scripts/measure-build.sh BEFORE AFTER      e.g. scripts/measure-build.sh b38f886 HEAD
#
# Needs a Docker engine for the image; each clone takes a few GB in $TMPDIR (removed at the end
# unless KEEP=1).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 2 ] || { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
repo="$PWD"
work="$(mktemp -d)"
[ "${KEEP:-}" = 1 ] || trap 'rm -rf "$work"' EXIT
seconds() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$2"; }
for side in before after; do
  commit="$1"; [ "$side" = after ] && commit="$2"
  git clone -q "$repo" "$work/$side"
  git -C "$work/$side" checkout -q "$(git -C "$repo" rev-parse "$commit")"
done
for side in before after; do
  start=$(date +%s.%N)
  (cd "$work/$side" && CARGO_TARGET_DIR="$work/$side/target" cargo test --no-run --locked --timings >"$work/$side.build.log" 2>&1)
  echo "$side ($(git -C "$work/$side" rev-parse --short HEAD)): cold cargo test --no-run: $(seconds "$start" "$(date +%s.%N)") s (load $(cut -d' ' -f1-3 /proc/loadavg))"
done
for side in before after; do
  start=$(date +%s.%N)
  (cd "$work/$side" && CARGO_TARGET_DIR="$work/$side/target-image" scripts/build-reference-image.sh --tag "measure-build-$side:1" >"$work/$side.image.log" 2>&1)
  size=$(docker image inspect "measure-build-$side:1" --format '{{.Size}}')
  echo "$side: reference image, cold static build + docker build: $(seconds "$start" "$(date +%s.%N)") s, $size bytes (load $(cut -d' ' -f1-3 /proc/loadavg))"
  docker image rm -f "measure-build-$side:1" >/dev/null
done
