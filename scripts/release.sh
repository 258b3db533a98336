#!/usr/bin/env bash
# Release binaries for every platform this Linux machine can cross-build, with SHA256SUMS, in
# DIST (make release: $(CARGO_TARGET_DIR)/dist). Each target installs what it needs, idempotently,
# and is skipped with a message naming the missing piece; the x86_64 musl binary (make static)
# is required. Usage: scripts/release.sh DIST VERSION STATIC_BIN
#
#   x86_64-unknown-linux-musl   make static's binary (musl-gcc)
#   aarch64-unknown-linux-musl  Debian's gcc-aarch64-linux-gnu as C compiler and linker
#   x86_64-pc-windows-gnu       Debian's gcc-mingw-w64-x86-64
#   aarch64-apple-darwin,       cargo-zigbuild (crates.io, into $(TARGET_DIR)/pkg-tools) linking
#   x86_64-apple-darwin         with zig (PyPI ziglang, into .venv); no macOS SDK is needed
#
# Environment: CARGO, TARGET_DIR (where cargo builds), VENV (the project's Python venv).
set -euo pipefail
cd "$(dirname "$0")/.."

dist=${1:?DIST}
version=${2:?VERSION}
static_bin=${3:?STATIC_BIN}
cargo=${CARGO:-cargo}
target_dir=${TARGET_DIR:-$PWD/target}
venv=${VENV:-.venv}
zigbuild_version=0.24.1
tools=$target_dir/pkg-tools
zigbuild=$tools/bin/cargo-zigbuild

built=()
skipped=()

skip() { # target reason
  echo "release: $1 skipped: $2" >&2
  skipped+=("$1")
}

have_target() { # rust target triple, added when missing
  rustup target list --installed | grep -qx "$1" || rustup target add "$1" >/dev/null 2>&1
}

have_cmd() { # command, then the Debian packages that bring it
  local cmd=$1
  shift
  command -v "$cmd" >/dev/null || scripts/apt-install.sh "$@" >/dev/null 2>&1
}

have_zig() { # PyPI ziglang in the venv, cargo-zigbuild in the project's tool root
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv" || return 1
  "$venv/bin/python" -m ziglang version >/dev/null 2>&1 \
    || "$venv/bin/python" -m pip install -q --disable-pip-version-check -r scripts/release-requirements.txt \
    || return 1
  "$zigbuild" --version 2>/dev/null | grep -q " $zigbuild_version\$" \
    || "$cargo" install -q cargo-zigbuild --version "$zigbuild_version" --locked --root "$tools" \
    || return 1
}

collect() { # target, built file, artifact name
  cp "$2" "$dist/$3"
  built+=("$1")
  echo "release: $1 -> $3 ($(stat -c %s "$dist/$3") bytes)"
}

rm -rf "$dist"
mkdir -p "$dist"
name=mcp-atlassian-$version

# x86_64 Linux, fully static: built by `make static` before this script.
collect x86_64-unknown-linux-musl "$static_bin" "$name-x86_64-unknown-linux-musl"

t=aarch64-unknown-linux-musl
if ! have_target $t; then
  skip $t "rustup target add $t failed"
elif ! have_cmd aarch64-linux-gnu-gcc gcc-aarch64-linux-gnu libc6-dev-arm64-cross; then
  skip $t "no cross linker: apt-get install gcc-aarch64-linux-gnu failed"
else
  (set -x; CC_aarch64_unknown_linux_musl=aarch64-linux-gnu-gcc \
    CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER=aarch64-linux-gnu-gcc \
    "$cargo" build -q --release --locked --target $t --bin mcp-atlassian)
  collect $t "$target_dir/$t/release/mcp-atlassian" "$name-$t"
fi

t=x86_64-pc-windows-gnu
if ! have_target $t; then
  skip $t "rustup target add $t failed"
elif ! have_cmd x86_64-w64-mingw32-gcc gcc-mingw-w64-x86-64; then
  skip $t "no MinGW-w64: apt-get install gcc-mingw-w64-x86-64 failed"
else
  (set -x; CC_x86_64_pc_windows_gnu=x86_64-w64-mingw32-gcc \
    CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc \
    "$cargo" build -q --release --locked --target $t --bin mcp-atlassian)
  collect $t "$target_dir/$t/release/mcp-atlassian.exe" "$name-$t.exe"
fi

zig_ok=yes
have_zig || zig_ok=
for t in aarch64-apple-darwin x86_64-apple-darwin; do
  if [ -z "$zig_ok" ]; then
    skip $t "no zig toolchain: pip install ziglang (.venv) or cargo install cargo-zigbuild failed"
  elif ! have_target $t; then
    skip $t "rustup target add $t failed"
  else
    # zig links without Apple's SDK; cargo-zigbuild warns that xcrun is missing, which is expected.
    (set -x; CARGO_ZIGBUILD_PYTHON_PATH="$PWD/$venv/bin/python" \
      "$zigbuild" zigbuild -q --release --locked --target $t --bin mcp-atlassian)
    collect $t "$target_dir/$t/release/mcp-atlassian" "$name-$t"
  fi
done

(cd "$dist" && sha256sum "$name"-* > SHA256SUMS && cat SHA256SUMS)
echo "release: built ${#built[@]} in $dist: ${built[*]}"
if [ ${#skipped[@]} -gt 0 ]; then
  echo "release: skipped ${#skipped[@]}: ${skipped[*]} (see the messages above)" >&2
fi
