#!/usr/bin/env bash
# Builds the reference server's container image, FROM scratch (nothing is pulled), for
# `--target container --image reference`, from the reference crate's own binary
# (crates/reference: `nocobase-reference serve`), which links nothing of the harness.
#
#   scripts/build-reference-image.sh                  # a statically linked release build of
#                                                     #   nocobase-reference, tagged
#                                                     #   nocobase-conformance/reference:<crate version>
#   scripts/build-reference-image.sh --binary PATH    # package that binary instead (it must take
#                                                     #   `serve`, as nocobase-conformance does too):
#                                                     #   static, or dynamic with exactly the
#                                                     #   libraries ldd lists
#   scripts/build-reference-image.sh --tag NAME:TAG   # another tag (the default is what the suite runs)
#
# Needs cargo (without --binary) and a running Docker engine. Prints the image's tag and size.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; }

version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"
tag="nocobase-conformance/reference:${version}"
binary=""
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary="${2:?--binary needs a path}"; shift 2 ;;
    --tag) tag="${2:?--tag needs NAME:TAG}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
case "$tag" in
  *:latest|*:) echo "--tag $tag: pin a version, never latest" >&2; exit 2 ;;
  *:*) ;;
  *) echo "--tag $tag: give NAME:TAG" >&2; exit 2 ;;
esac

if [ -z "$binary" ]; then
  # Only the gnu target is installed (no musl): glibc linked statically. With --target, RUSTFLAGS
  # reach the binary only, not build scripts and proc macros, which cannot be static.
  triple=x86_64-unknown-linux-gnu
  RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" \
    cargo build --release --locked --target "$triple" --package nocobase-reference --bin nocobase-reference
  binary="${CARGO_TARGET_DIR:-target}/$triple/release/nocobase-reference"
fi
[ -x "$binary" ] || { echo "no executable at $binary" >&2; exit 2; }

context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT
mkdir -p "$context/rootfs/tmp"
chmod 1777 "$context/rootfs/tmp"
# Debug info is of no use in the image (a debug build carries hundreds of MB of it).
objcopy --strip-debug "$binary" "$context/rootfs/nocobase-reference"

# ldd's output is read whole first: `ldd | grep -q` under pipefail fails whenever grep exits
# before ldd has written everything (SIGPIPE), and a dynamic binary was then packaged as static.
libraries="$(ldd "$binary" 2>/dev/null || true)"
if grep -q "=> /" <<<"$libraries"; then
  # A dynamic binary: copy each library ldd resolves, and the loader, at the same paths.
  awk '/=> \// { print $3 } /^[[:space:]]*\/[^ ]* \(0x/ { print $1 }' <<<"$libraries" | while read -r lib; do
    cp --dereference --parents "$lib" "$context/rootfs/"
  done
  echo "dynamic binary: packaged with $(find "$context/rootfs" -name '*.so*' | wc -l) shared libraries"
else
  echo "static binary: packaged alone"
fi

cp docker/reference/Dockerfile "$context/Dockerfile"
# The classic builder needs nothing but the engine (BuildKit may be absent); its deprecation
# notice is only shown when the build fails.
if ! log="$(DOCKER_BUILDKIT="${DOCKER_BUILDKIT:-0}" docker build --tag "$tag" \
    --label "org.opencontainers.image.title=nocobase-conformance reference server" \
    --label "org.opencontainers.image.version=${version}" \
    "$context" 2>&1)"; then
  echo "$log" >&2
  exit 1
fi
size="$(docker image inspect --format '{{.Size}}' "$tag")"
echo "built $tag ($((size / 1024 / 1024)) MiB)"
