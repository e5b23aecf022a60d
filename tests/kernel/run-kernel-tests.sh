#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Kernel-in-the-loop tests (make test-kernel): boots Debian's 6.1 kernel
# under QEMU/TCG with the pasid_test module, the pasidtrace binary and the
# guest scenarios (tests/kernel/guest/), and judges the reports the guest
# prints (check_guest_results.py).
#
#   run-kernel-tests.sh BUILD_DIR
#
# Work and cache live in BUILD_DIR/kernel-tier. Exit 0 pass, 1 fail, 77
# skipped (QEMU or the Debian archive unreachable; the reason is printed).
# PT_KT_TIMEOUT (seconds, default 600) bounds the guest; PT_KT_ONLY runs
# one scenario.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: run-kernel-tests.sh BUILD_DIR}" && pwd)
work=$build/kernel-tier
timeout_s=${PT_KT_TIMEOUT:-600}
pasidtrace=$build/pasidtrace
start=$(date +%s)

say() { echo "test-kernel: $*"; }
skip() { say "SKIPPED: $*"; exit 77; }

command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed (Debian: qemu-system-x86)"
[ -x /bin/busybox ] || { say "/bin/busybox is missing (Debian: busybox-static; make test-kernel installs it)"; exit 1; }
[ -x "$pasidtrace" ] || { say "$pasidtrace is not built"; exit 1; }
mkdir -p "$work"

# 1. Kernel and headers (cached by ABI).
rc=0
"$here/fetch-kernel.sh" "$work/kernel" || rc=$?
[ "$rc" -eq 77 ] && skip "the Debian archive is unreachable"
[ "$rc" -eq 0 ] || exit 1
abi=$(cat "$work/kernel/abi")
kdir=$work/kernel/root/usr/src/linux-headers-$abi

# 2. The test module and the guest's worker.
mkdir -p "$work/module"
make -s -C "$kdir" M="$work/module" src="$here/module" modules >"$work/module.log" 2>&1 ||
  { cat "$work/module.log"; say "building pasid_test.ko failed"; exit 1; }
gcc -static -O2 -Wall -Wextra -Werror -pthread -o "$work/pt_worker" "$here/guest/pt_worker.c"

# 3. The initramfs: busybox, pasidtrace with its shared libraries, the
# module, the worker, the scenarios.
root=$work/initramfs
rm -rf "$root"
mkdir -p "$root/bin" "$root/usr/bin" "$root/lib/modules" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$here/guest/init" "$root/init"
cp "$here/guest/scenarios.sh" "$root/scenarios.sh"
cp "$work/pt_worker" "$root/bin/pt_worker"
cp "$work/module/pasid_test.ko" "$root/lib/modules/"
strip --strip-debug -o "$root/usr/bin/pasidtrace" "$pasidtrace"
if ldd "$pasidtrace" | grep -q 'not found'; then
  ldd "$pasidtrace" | grep 'not found'
  say "$pasidtrace needs libraries this host does not have"
  exit 1
fi
# Every path ldd names (both sides of "name => path"), the dynamic loader included.
for lib in $(ldd "$pasidtrace" | grep -o '/[^ )]*'); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
chmod +x "$root/init" "$root/scenarios.sh"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initramfs.cpio.gz"

# 4. Boot. An Oops or panic ends the VM at once (oops=panic panic=-1
# -no-reboot); the verdicts come on the second serial port.
rm -f "$work/console.log" "$work/results.txt"
dev=0000:00:04.0
say "booting $abi under QEMU/TCG (timeout ${timeout_s}s)"
set +e
timeout --foreground -k 5 "$timeout_s" qemu-system-x86_64 \
  -machine q35,kernel-irqchip=split -accel tcg,thread=multi -cpu max -smp 2 -m 1024 \
  -device intel-iommu,intremap=off,x-scalable-mode=on -device edu,addr=04.0 \
  -display none -monitor none -nic none -no-reboot \
  -kernel "$work/kernel/vmlinuz" -initrd "$work/initramfs.cpio.gz" \
  -append "console=ttyS0 panic=-1 oops=panic intel_iommu=on,sm_on pt_dev=$dev ${PT_KT_ONLY:+pt_only=$PT_KT_ONLY}" \
  -serial "file:$work/console.log" -serial "file:$work/results.txt" </dev/null
qemu_rc=$?
set -e
say "guest ran $(($(date +%s) - start))s since start (qemu exit $qemu_rc)"
[ "$qemu_rc" -eq 124 ] && say "the guest did not finish within ${timeout_s}s"

# 5. Verdict.
python3 "$here/check_guest_results.py" --results "$work/results.txt" --console "$work/console.log" \
  ${PT_KT_ONLY:+--only "$PT_KT_ONLY"}
