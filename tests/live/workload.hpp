// SPDX-License-Identifier: GPL-2.0-only
// Known processes and threads for the live tests to find in a recording:
// one that execs, one with CLONE_VM threads, a vfork+exec (posix_spawn),
// and a plain fork that exits at once.
#pragma once

#include <pthread.h>
#include <sched.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <vector>

extern char** environ;

namespace pasidtrace::test {

struct Workload {
    pid_t parent = 0;
    pid_t exec_child = 0;            // fork, then execve("/bin/true")
    pid_t thread_child = 0;          // comm "pt-threads", two threads "pt-thr-1/2"
    std::vector<pid_t> thread_tids;  // [i] is "pt-thr-<i+1>"
    pid_t spawn_child = 0;           // posix_spawn: clone(CLONE_VM|CLONE_VFORK), then exec
    pid_t plain_child = 0;           // fork, _exit(7)
};

namespace workload_detail {

struct ThreadArg {
    int fd;
    int index;
};

inline void* thread_main(void* p) {
    auto* arg = static_cast<ThreadArg*>(p);
    char name[16] = "pt-thr-0";
    name[7] = static_cast<char>('0' + arg->index);
    prctl(PR_SET_NAME, name);
    const pid_t report[2] = {arg->index, static_cast<pid_t>(syscall(SYS_gettid))};
    (void)!write(arg->fd, report, sizeof report);
    return nullptr;
}

// The thread child: names itself, runs two threads that report their tids.
[[noreturn]] inline void run_thread_child(int fd) {
    prctl(PR_SET_NAME, "pt-threads");
    pthread_t threads[2];
    ThreadArg args[2] = {{fd, 1}, {fd, 2}};
    for (int i = 0; i < 2; ++i) pthread_create(&threads[i], nullptr, thread_main, &args[i]);
    for (auto& t : threads) pthread_join(t, nullptr);
    _exit(0);
}

inline void reap(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
}

}  // namespace workload_detail

// Runs the workload and waits for every process; returns who was who.
inline Workload run_workload() {
    using namespace workload_detail;
    Workload w;
    w.parent = getpid();

    w.exec_child = fork();
    if (w.exec_child == 0) {
        char* argv[] = {const_cast<char*>("/bin/true"), nullptr};
        execve("/bin/true", argv, environ);
        _exit(127);
    }
    reap(w.exec_child);

    int fds[2];
    if (pipe(fds) != 0) return w;
    w.thread_child = fork();
    if (w.thread_child == 0) {
        close(fds[0]);
        run_thread_child(fds[1]);
    }
    close(fds[1]);
    pid_t report[2];  // {index, tid}: threads report in the order they run
    w.thread_tids.assign(2, 0);
    while (read(fds[0], report, sizeof report) == static_cast<ssize_t>(sizeof report))
        if (report[0] >= 1 && report[0] <= 2) w.thread_tids[static_cast<std::size_t>(report[0] - 1)] = report[1];
    close(fds[0]);
    reap(w.thread_child);

    char* argv[] = {const_cast<char*>("/bin/true"), nullptr};
    posix_spawn(&w.spawn_child, "/bin/true", nullptr, nullptr, argv, environ);
    reap(w.spawn_child);

    w.plain_child = fork();
    if (w.plain_child == 0) _exit(7);
    reap(w.plain_child);
    return w;
}

// An exited process's mm can stay borrowed (lazy TLB) by a CPU that went
// idle; running a short process on every CPU makes each switch away from it
// so the final mmdrop happens before the recording stops.
inline void release_lazy_mms() {
    const long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    for (long cpu = 0; cpu < ncpu; ++cpu) {
        pid_t p = fork();
        if (p == 0) {
            cpu_set_t set;
            CPU_ZERO(&set);
            CPU_SET(static_cast<int>(cpu), &set);
            sched_setaffinity(0, sizeof set, &set);
            usleep(20000);
            _exit(0);
        }
        workload_detail::reap(p);
    }
}

}  // namespace pasidtrace::test
