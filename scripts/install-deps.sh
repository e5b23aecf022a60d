#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Installs the Debian packages pasidtrace needs that are missing; quick and
# silent when everything is there. Uses sudo when not root.
#   install-deps.sh               what building and `make test` need
#   install-deps.sh kernel-tests  also what `make test-kernel` needs
set -eu
pkgs="cmake make g++ pkg-config clang bpftool libbpf-dev libelf-dev zlib1g-dev
libtraceevent-dev libtracecmd-dev libtracefs-dev trace-cmd nlohmann-json3-dev libcli11-dev
libgtest-dev libgmock-dev libbenchmark-dev python3 python3-jsonschema ${PASIDTRACE_EXTRA_PKGS:-}"
# QEMU boots the test kernel; busybox-static and a static pt_worker make
# the guest's userland; cpio packs it; gcc builds the test module.
[ "${1:-}" = kernel-tests ] && pkgs="$pkgs qemu-system-x86 busybox-static cpio gzip gcc libc6-dev make"
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
# shellcheck disable=SC2086
$sudo apt-get install -y -q --no-install-recommends $missing
