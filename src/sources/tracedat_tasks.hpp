// SPDX-License-Identifier: GPL-2.0-only
// What a trace.dat file tells of each thread: its thread group and comm.
//
// Ring-buffer records carry only the running thread's id (common_pid). The
// thread group comes from the clone flags of task:task_newtask (CLONE_THREAD)
// and from sched_process_exec (after exec the thread carries the group
// leader's id); the comm from the fork, exec and exit records themselves,
// and for other records from the file's saved cmdlines. A thread that
// started before the recording and was never seen created is taken to be
// its group's leader (tgid = tid): that is wrong for the other threads of a
// process that was already multi-threaded, which no record can correct.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

struct tep_handle;

namespace pasidtrace::sources::tracedat {

class TaskTable {
public:
    // `cmdlines` gives the comm of threads the records never name; may be null.
    explicit TaskTable(tep_handle* cmdlines) : cmdlines_(cmdlines) {}

    std::uint32_t tgid_of(std::uint32_t tid) const;
    std::string comm_of(std::uint32_t tid) const;

    // task_newtask, taken in the parent just before sched_process_fork.
    void remember_clone_flags(std::uint32_t child_tid, std::uint64_t clone_flags);

    struct ForkResult {
        std::uint32_t parent_tgid = 0;
        std::uint32_t child_tgid = 0;
        bool shares_mm = false;  // CLONE_VM, known only with task_newtask
    };
    ForkResult on_fork(std::uint32_t parent_tid, std::uint32_t child_tid, std::string_view parent_comm,
                       std::string_view child_comm);
    // exec by `old_tid`; afterwards the thread is `tgid` (de_thread() gives
    // the exec'ing thread the leader's id) and named after the file.
    void on_exec(std::uint32_t old_tid, std::uint32_t tgid, std::string_view filename);
    void rename(std::uint32_t tid, std::string_view comm);
    // Returns whether this was the group's last known thread, for formats
    // without group_dead.
    bool on_exit(std::uint32_t tid);

private:
    struct Task {
        std::uint32_t tgid = 0;
        std::string comm;
    };
    Task& task(std::uint32_t tid);

    tep_handle* cmdlines_;
    std::unordered_map<std::uint32_t, Task> tasks_;
    std::unordered_map<std::uint32_t, std::uint64_t> clone_flags_;   // child tid -> flags, until its fork record
    std::unordered_map<std::uint32_t, std::uint32_t> live_threads_;  // tgid -> threads known alive
};

// The comm the kernel gives a task after exec: the file's base name, cut to
// TASK_COMM_LEN - 1 bytes.
std::string comm_after_exec(std::string_view filename);

}  // namespace pasidtrace::sources::tracedat
