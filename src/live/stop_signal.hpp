// SPDX-License-Identifier: GPL-2.0-only
// SIGINT and SIGTERM ask the recorder to finish cleanly (last chunk,
// trailer, fsync) instead of killing it. The handler only sets a flag; the
// record loop polls with a short timeout and looks at it.
#pragma once

namespace pasidtrace::live {

// Installs the handlers (without SA_RESTART, so a blocking poll returns).
void install_stop_signals();
bool stop_requested();
// For tests: forget an earlier request.
void reset_stop_request();

}  // namespace pasidtrace::live
