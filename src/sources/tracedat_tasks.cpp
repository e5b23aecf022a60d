// SPDX-License-Identifier: GPL-2.0-only
#include "sources/tracedat_tasks.hpp"

#include <event-parse.h>

namespace pasidtrace::sources::tracedat {
namespace {

// include/uapi/linux/sched.h
constexpr std::uint64_t kCloneVm = 0x00000100;
constexpr std::uint64_t kCloneThread = 0x00010000;
constexpr std::size_t kTaskCommLen = 16;

std::string_view cut_comm(std::string_view comm) { return comm.substr(0, kTaskCommLen - 1); }

}  // namespace

std::string comm_after_exec(std::string_view filename) {
    auto slash = filename.rfind('/');
    if (slash != std::string_view::npos) filename.remove_prefix(slash + 1);
    return std::string(cut_comm(filename));
}

TaskTable::Task& TaskTable::task(std::uint32_t tid) {
    auto [it, inserted] = tasks_.try_emplace(tid);
    if (inserted) {
        it->second.tgid = tid;
        ++live_threads_[tid];
    }
    return it->second;
}

std::uint32_t TaskTable::tgid_of(std::uint32_t tid) const {
    auto it = tasks_.find(tid);
    return it == tasks_.end() ? tid : it->second.tgid;
}

std::string TaskTable::comm_of(std::uint32_t tid) const {
    auto it = tasks_.find(tid);
    if (it != tasks_.end() && !it->second.comm.empty()) return it->second.comm;
    if (!cmdlines_) return {};
    const char* saved = tep_data_comm_from_pid(cmdlines_, static_cast<int>(tid));
    // libtraceevent answers "<...>" for a pid it has no cmdline for.
    if (!saved || std::string_view(saved) == "<...>") return {};
    return saved;
}

void TaskTable::remember_clone_flags(std::uint32_t child_tid, std::uint64_t clone_flags) {
    clone_flags_[child_tid] = clone_flags;
}

TaskTable::ForkResult TaskTable::on_fork(std::uint32_t parent_tid, std::uint32_t child_tid,
                                         std::string_view parent_comm, std::string_view child_comm) {
    Task& parent = task(parent_tid);
    if (!parent_comm.empty()) parent.comm = cut_comm(parent_comm);
    ForkResult result;
    result.parent_tgid = parent.tgid;
    result.child_tgid = child_tid;
    if (auto flags = clone_flags_.find(child_tid); flags != clone_flags_.end()) {
        if (flags->second & kCloneThread) result.child_tgid = parent.tgid;
        result.shares_mm = (flags->second & kCloneVm) != 0;
        clone_flags_.erase(flags);
    }
    std::string comm(cut_comm(child_comm.empty() ? std::string_view(parent.comm) : child_comm));
    // A tid is reused only after its thread exited; forget what it was.
    if (tasks_.count(child_tid)) on_exit(child_tid);
    Task& child = tasks_[child_tid];
    child.tgid = result.child_tgid;
    child.comm = std::move(comm);
    ++live_threads_[child.tgid];
    return result;
}

void TaskTable::on_exec(std::uint32_t old_tid, std::uint32_t tgid, std::string_view filename) {
    std::string comm = filename.empty() ? comm_of(old_tid) : comm_after_exec(filename);
    if (old_tid != tgid) {
        // de_thread(): every other thread, the old leader too, has exited;
        // the exec'ing thread takes the leader's id.
        on_exit(old_tid);
        on_exit(tgid);
    }
    Task& t = task(tgid);
    t.tgid = tgid;
    t.comm = std::move(comm);
}

void TaskTable::rename(std::uint32_t tid, std::string_view comm) { task(tid).comm = cut_comm(comm); }

bool TaskTable::on_exit(std::uint32_t tid) {
    auto it = tasks_.find(tid);
    const std::uint32_t tgid = it == tasks_.end() ? tid : it->second.tgid;
    if (it != tasks_.end()) tasks_.erase(it);
    auto live = live_threads_.find(tgid);
    if (live == live_threads_.end()) return true;
    if (live->second > 0) --live->second;
    if (live->second > 0) return false;
    live_threads_.erase(live);
    return true;
}

}  // namespace pasidtrace::sources::tracedat
