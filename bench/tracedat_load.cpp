// SPDX-License-Identifier: GPL-2.0-only
// The load for the trace.dat benchmark: processes that fork and exit, some
// that exec /bin/true, and threads, until the tracefs instance being
// recorded holds the wanted number of events. Those are the events a PASID
// recording is made of (fork, task_newtask, exec, exit, mm_struct frees).
//
//   tracedat_load INSTANCE_DIR EVENTS
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

namespace {

struct BufferStats {
    unsigned long long entries = 0;
    unsigned long long overrun = 0;
};

// Sums "entries:" and "overrun:" of per_cpu/cpuN/stats.
BufferStats read_stats(const std::string& instance) {
    BufferStats s;
    for (int cpu = 0;; ++cpu) {
        std::ifstream in(instance + "/per_cpu/cpu" + std::to_string(cpu) + "/stats");
        if (!in) break;
        std::string key;
        unsigned long long value = 0;
        while (in >> key) {
            if (key == "entries:" && in >> value)
                s.entries += value;
            else if (key == "overrun:" && in >> value)
                s.overrun += value;
        }
    }
    return s;
}

void fork_and_wait(bool exec_true) {
    const pid_t child = ::fork();
    if (child == 0) {
        if (exec_true) ::execl("/bin/true", "true", static_cast<char*>(nullptr));
        ::_exit(0);
    }
    if (child > 0) ::waitpid(child, nullptr, 0);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s INSTANCE_DIR EVENTS\n", argv[0]);
        return 2;
    }
    const std::string instance = argv[1];
    const unsigned long long wanted = std::strtoull(argv[2], nullptr, 10);
    for (unsigned long round = 0;; ++round) {
        for (int i = 0; i < 500; ++i) {
            fork_and_wait(i % 10 == 0);
            if (i % 3 == 0) std::thread([] {}).join();
        }
        const BufferStats s = read_stats(instance);
        if (s.overrun) {
            std::fprintf(stderr, "tracedat_load: the ring buffer overran after %llu events: make it bigger\n",
                         s.entries);
            return 1;
        }
        if (s.entries >= wanted) {
            std::printf("%llu events in the buffer\n", s.entries);
            return 0;
        }
    }
}
