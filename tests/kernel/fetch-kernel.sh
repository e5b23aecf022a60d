#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Fetches Debian's current 6.1 kernel and its headers without installing
# them, and unpacks them under DIR:
#   DIR/abi                the ABI, e.g. 6.1.0-56-amd64
#   DIR/vmlinuz            the kernel image
#   DIR/root/              the unpacked headers (module build tree at
#                          DIR/root/usr/src/linux-headers-$ABI)
# The ABI comes from the linux-image-amd64 metapackage at run time: Debian
# drops an ABI's packages once a newer one ships. Quick when DIR already
# holds the current ABI. Exit 77 when the archive cannot be reached.
set -eu
dir=${1:?usage: fetch-kernel.sh DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

resolve_image() {
  apt-cache depends linux-image-amd64 2>/dev/null |
    sed -n 's/^ *Depends: linux-image-\([0-9][0-9.-]*-amd64\)$/\1/p' | head -n 1
}
abi=$(resolve_image)
# A fresh machine may have no package lists yet.
if [ -z "$abi" ] && [ "$(id -u)" -eq 0 ] && apt-get update -q >/dev/null 2>&1; then
  abi=$(resolve_image)
fi
if [ -z "$abi" ]; then
  echo "fetch-kernel: linux-image-amd64 is unknown to apt (no package lists, archive unreachable)" >&2
  exit 77
fi
case "$abi" in
  6.1.*) ;;
  *)
    echo "fetch-kernel: linux-image-amd64 resolves to $abi; the kernel tests are written for Debian 12's 6.1" >&2
    exit 1
    ;;
esac
if [ -f "$dir/abi" ] && [ "$(cat "$dir/abi")" = "$abi" ] && [ -f "$dir/vmlinuz" ]; then
  exit 0
fi

common=$(echo "$abi" | sed 's/-amd64$//')
kbuild=$(apt-cache depends "linux-headers-$abi" 2>/dev/null |
  sed -n 's/^ *Depends: \(linux-kbuild-[0-9.]*\)$/\1/p' | head -n 1)
kbuild=${kbuild:-linux-kbuild-6.1}
pkgs="linux-image-$abi linux-headers-$abi linux-headers-$common-common $kbuild"

rm -rf "$dir/debs" "$dir/root" "$dir/abi" "$dir/vmlinuz"
mkdir -p "$dir/debs" "$dir/root"
echo "fetch-kernel: downloading $pkgs"
# shellcheck disable=SC2086
if ! (cd "$dir/debs" && apt-get download -q $pkgs >/dev/null 2>"$dir/download.log"); then
  # A stale package list names files the mirror no longer has: refresh once.
  if [ "$(id -u)" -eq 0 ] && apt-get update -q >/dev/null 2>&1 &&
     (cd "$dir/debs" && apt-get download -q $pkgs >/dev/null 2>"$dir/download.log"); then
    :
  else
    echo "fetch-kernel: cannot download the kernel packages:" >&2
    tail -n 5 "$dir/download.log" >&2
    exit 77
  fi
fi
for deb in "$dir"/debs/linux-headers-*.deb "$dir"/debs/linux-kbuild-*.deb; do
  dpkg-deb -x "$deb" "$dir/root"
done
# Only the kernel image of the image package is needed.
dpkg-deb --fsys-tarfile "$dir"/debs/linux-image-*.deb |
  tar -xf - -C "$dir" --wildcards './boot/vmlinuz-*'
mv "$dir"/boot/vmlinuz-* "$dir/vmlinuz"
rmdir "$dir/boot"
# The -amd64 headers reach the -common tree and kbuild by absolute
# /usr/src and /usr/lib paths; point them into DIR/root.
for f in $(grep -rl '/usr/src/\|/usr/lib/linux-kbuild' "$dir/root/usr/src/linux-headers-$abi" \
             --include=Makefile --include='*.mk' 2>/dev/null || true); do
  sed -i "s#\([ =]\)/usr/src/#\1$dir/root/usr/src/#g" "$f"
done
for l in $(find "$dir/root/usr/src" -type l); do
  t=$(readlink "$l")
  case "$t" in
    /*) ln -sfn "$dir/root$t" "$l" ;;
  esac
done
rm -rf "$dir/debs"
echo "$abi" > "$dir/abi"
echo "fetch-kernel: $abi ready in $dir"
