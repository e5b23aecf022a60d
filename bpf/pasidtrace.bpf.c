// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pasidtrace recorder: one BPF object holding every hook in every
 * mechanism. Nothing is attached by section name; the loader
 * (src/live/loader.cpp) picks, per hook, the first mechanism the running
 * kernel can load and attach, following src/live/hook_catalogue.cpp.
 */
#include "pasid_hooks.bpf.h"
#include "task_hooks.bpf.h"
#include "mm_hooks.bpf.h"

char LICENSE[] SEC("license") = "GPL";
