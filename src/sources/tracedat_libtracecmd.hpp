// SPDX-License-Identifier: GPL-2.0-only
// <trace-cmd.h> for C++. It includes <tracefs.h>, whose inline helpers pass
// an int where an enum is expected, which C accepts and C++ rejects; the
// reader needs nothing from libtracefs, so tracefs.h is kept out by its
// include guard and only what trace-cmd.h needs from it is included.
#pragma once

#include <fcntl.h>
#include <sched.h>

#include <event-parse.h>

#ifndef _TRACE_FS_H
#define _TRACE_FS_H
#define PASIDTRACE_SKIPPED_TRACEFS_H
#endif
#include <trace-cmd.h>
#ifdef PASIDTRACE_SKIPPED_TRACEFS_H
#undef _TRACE_FS_H
#undef PASIDTRACE_SKIPPED_TRACEFS_H
#endif
