// SPDX-License-Identifier: GPL-2.0-only
#include "live/stop_signal.hpp"

#include <signal.h>

#include <atomic>

namespace pasidtrace::live {
namespace {

volatile sig_atomic_t g_stop = 0;

void on_stop_signal(int) { g_stop = 1; }

}  // namespace

void install_stop_signals() {
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

bool stop_requested() { return g_stop != 0; }

void reset_stop_request() { g_stop = 0; }

}  // namespace pasidtrace::live
