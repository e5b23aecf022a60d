// SPDX-License-Identifier: GPL-2.0-only
// `pasidtrace record --all-mm` on this machine while known processes and
// threads run: their fork, exec and exit events with the right ids and
// comms, each mm dropped once with the identity the exit named, threads on
// their process's mm; and SIGINT/SIGTERM leave files that analyze cleanly.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <optional>
#include <thread>

#include "../cli/cli_runner.hpp"
#include "live_test_util.hpp"
#include "workload.hpp"

namespace pasidtrace::test {
namespace {

using core::EventType;

struct Index {
    const std::vector<core::Event>& events;

    std::vector<const core::Event*> all(EventType type, auto pred) const {
        std::vector<const core::Event*> out;
        for (const auto& e : events)
            if (e.type == type && pred(e)) out.push_back(&e);
        return out;
    }
    const core::Event* one(EventType type, auto pred, const std::string& what) const {
        auto found = all(type, pred);
        EXPECT_EQ(found.size(), 1u) << what;
        return found.size() == 1 ? found.front() : nullptr;
    }
    const core::Event* fork_of(pid_t child_pid, pid_t child_tid) const {
        return one(
            EventType::fork,
            [&](const core::Event& e) {
                return e.child_pid == std::uint32_t(child_pid) && e.child_tid == std::uint32_t(child_tid);
            },
            "fork of " + std::to_string(child_pid) + "/" + std::to_string(child_tid));
    }
    const core::Event* exit_of(pid_t tid) const {
        return one(
            EventType::exit, [&](const core::Event& e) { return e.tid == std::uint32_t(tid); },
            "exit of " + std::to_string(tid));
    }
    const core::Event* exec_of(pid_t pid) const {
        return one(
            EventType::exec, [&](const core::Event& e) { return e.pid == std::uint32_t(pid); },
            "exec of " + std::to_string(pid));
    }
    // mmdrops of `mm` in [from_ts, until_ts].
    std::vector<const core::Event*> drops_of(const core::Ident& mm, std::uint64_t from_ts,
                                             std::uint64_t until_ts = UINT64_MAX) const {
        return all(EventType::mmdrop,
                   [&](const core::Event& e) { return e.mm == mm && e.ts >= from_ts && e.ts <= until_ts; });
    }
};

std::string describe(const std::vector<const core::Event*>& events) {
    std::string s;
    for (const auto* e : events)
        s += "[" + std::to_string(e->ts) + " " + std::string(core::to_string(e->type)) + " pid " +
             std::to_string(e->pid.value_or(0)) + " " + e->comm + "] ";
    return s;
}

// The process's final mm is dropped once: not while the process ran, then
// after its last exit, under the identity that exit named. (A later drop of
// the same address is another mm: the slab reuses it, and an mm made by a
// fork that restarts, or an exec that fails, is freed without any fork or
// exec event announcing it.)
void expect_dropped_once_after_exit(const Index& idx, const core::Ident& mm, std::uint64_t born_ts,
                                    const core::Event& exit, const std::string& who) {
    ASSERT_TRUE(mm) << who;
    EXPECT_EQ(exit.mm, mm) << who << ": exit names another mm";
    auto early = idx.drops_of(mm, born_ts, exit.ts);
    EXPECT_TRUE(early.empty()) << who << ": mm dropped while the process ran: " << describe(early);
    auto after = idx.drops_of(mm, exit.ts);
    ASSERT_FALSE(after.empty()) << who << ": mm never dropped after the exit";
}

class live_record : public ::testing::Test {
protected:
    void SetUp() override {
        if (auto why = live_unavailable()) GTEST_SKIP() << "SKIPPED: " << *why;
        path_ = (tmp_.path() / "rec.ptr").string();
    }
    TempDir tmp_;
    std::string path_;
};

TEST_F(live_record, KnownProcessesAndThreadsAppearWithTheirMms) {
    BackgroundRecord rec({"--all-mm", "-o", path_});
    ASSERT_TRUE(rec.wait_ready()) << rec.stderr_text();
    const Workload w = run_workload();
    release_lazy_mms();
    ASSERT_EQ(rec.stop(SIGINT), 0) << rec.stderr_text();
    ASSERT_TRUE(w.thread_tids[0] && w.thread_tids[1]) << "the threads did not report";

    Recording r = read_recording(path_);
    EXPECT_TRUE(r.closed_cleanly) << r.warning;
    ASSERT_TRUE(r.header.observed.has_value());
    for (EventType t : {EventType::fork, EventType::exec, EventType::exit, EventType::mmput, EventType::mmdrop})
        EXPECT_NE(std::find(r.header.observed->begin(), r.header.observed->end(), t), r.header.observed->end());
    Index idx{r.events};
    const std::uint32_t parent = static_cast<std::uint32_t>(w.parent);

    // exec child: its own mm at fork, a new one at exec, comm "true" after.
    const core::Event* fork_a = idx.fork_of(w.exec_child, w.exec_child);
    ASSERT_TRUE(fork_a);
    EXPECT_EQ(fork_a->pid, parent);
    EXPECT_NE(fork_a->child_mm, fork_a->mm) << "a fork without CLONE_VM gets its own mm";
    const core::Event* exec_a = idx.exec_of(w.exec_child);
    ASSERT_TRUE(exec_a);
    EXPECT_EQ(exec_a->comm, "true");
    EXPECT_EQ(exec_a->old_mm, fork_a->child_mm);
    EXPECT_NE(exec_a->mm, fork_a->child_mm);
    const core::Event* exit_a = idx.exit_of(w.exec_child);
    ASSERT_TRUE(exit_a);
    EXPECT_EQ(exit_a->comm, "true");
    EXPECT_TRUE(exit_a->group_dead);
    auto pre_exec_drops = idx.drops_of(fork_a->child_mm, fork_a->ts, exec_a->ts);
    EXPECT_EQ(pre_exec_drops.size(), 1u) << "the pre-exec mm is dropped once, inside the exec: "
                                         << describe(pre_exec_drops);
    expect_dropped_once_after_exit(idx, exec_a->mm, exec_a->ts, *exit_a, "exec child");

    // thread child: two CLONE_VM threads on the process's mm.
    const core::Event* fork_b = idx.fork_of(w.thread_child, w.thread_child);
    ASSERT_TRUE(fork_b);
    const core::Ident mm_b = fork_b->child_mm;
    for (std::size_t i = 0; i < w.thread_tids.size(); ++i) {
        const core::Event* tf = idx.fork_of(w.thread_child, w.thread_tids[i]);
        ASSERT_TRUE(tf);
        EXPECT_EQ(tf->pid, std::uint32_t(w.thread_child));
        EXPECT_EQ(tf->tid, std::uint32_t(w.thread_child));
        EXPECT_EQ(tf->comm, "pt-threads");
        EXPECT_EQ(tf->mm, mm_b);
        EXPECT_EQ(tf->child_mm, mm_b) << "a CLONE_VM thread shares its process's mm";
        const core::Event* te = idx.exit_of(w.thread_tids[i]);
        ASSERT_TRUE(te);
        EXPECT_EQ(te->pid, std::uint32_t(w.thread_child));
        EXPECT_EQ(te->comm, "pt-thr-" + std::to_string(i + 1));
        EXPECT_EQ(te->mm, mm_b);
        EXPECT_FALSE(te->group_dead);
    }
    const core::Event* exit_b = idx.exit_of(w.thread_child);
    ASSERT_TRUE(exit_b);
    EXPECT_EQ(exit_b->comm, "pt-threads");
    EXPECT_TRUE(exit_b->group_dead);
    expect_dropped_once_after_exit(idx, mm_b, fork_b->ts, *exit_b, "thread child");

    // posix_spawn: CLONE_VM|CLONE_VFORK, a new process on the parent's mm until it execs.
    const core::Event* fork_c = idx.fork_of(w.spawn_child, w.spawn_child);
    ASSERT_TRUE(fork_c);
    EXPECT_EQ(fork_c->child_mm, fork_c->mm);
    const core::Event* exec_c = idx.exec_of(w.spawn_child);
    ASSERT_TRUE(exec_c);
    EXPECT_EQ(exec_c->old_mm, fork_c->mm);
    const core::Event* exit_c = idx.exit_of(w.spawn_child);
    ASSERT_TRUE(exit_c);
    expect_dropped_once_after_exit(idx, exec_c->mm, exec_c->ts, *exit_c, "spawned child");

    // plain fork.
    const core::Event* fork_d = idx.fork_of(w.plain_child, w.plain_child);
    ASSERT_TRUE(fork_d);
    const core::Event* exit_d = idx.exit_of(w.plain_child);
    ASSERT_TRUE(exit_d);
    EXPECT_TRUE(exit_d->group_dead);
    EXPECT_EQ(exit_d->comm, fork_d->comm) << "the child keeps its parent's comm";
    expect_dropped_once_after_exit(idx, fork_d->child_mm, fork_d->ts, *exit_d, "plain child");

    std::cout << "[ COUNTS   ] " << r.events.size() << " events; forks "
              << idx.all(EventType::fork, [](auto&) { return true; }).size() << ", execs "
              << idx.all(EventType::exec, [](auto&) { return true; }).size() << ", exits "
              << idx.all(EventType::exit, [](auto&) { return true; }).size() << ", mmputs "
              << idx.all(EventType::mmput, [](auto&) { return true; }).size() << ", mmdrops "
              << idx.all(EventType::mmdrop, [](auto&) { return true; }).size() << '\n';
}

// A fork storm in the background while SIGINT (then SIGTERM) arrives: the
// file is closed with its trailer and analyzes without a warning.
void stop_mid_storm(const std::string& path, int sig) {
    BackgroundRecord rec({"--all-mm", "-o", path});
    ASSERT_TRUE(rec.wait_ready()) << rec.stderr_text();
    std::atomic<bool> storming{true};
    std::thread storm([&] {
        while (storming) {
            pid_t p = fork();
            if (p == 0) _exit(0);
            waitpid(p, nullptr, 0);
        }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    const int rc = rec.stop(sig);
    storming = false;
    storm.join();
    ASSERT_EQ(rc, 0) << rec.stderr_text();
    Recording r = read_recording(path);
    EXPECT_TRUE(r.closed_cleanly);
    EXPECT_EQ(r.warning, "");
    EXPECT_GT(r.events.size(), 10u);
    auto res = run_cli({"analyze", path});
    EXPECT_EQ(res.rc, 0) << res.out << res.err;
    EXPECT_EQ(res.err, "");
    EXPECT_NE(res.out.find("summary:"), std::string::npos) << res.out;
}

TEST_F(live_record, SigintMidRecordingLeavesAFileThatAnalyzesCleanly) { stop_mid_storm(path_, SIGINT); }

TEST_F(live_record, SigtermFinishesTheFileToo) { stop_mid_storm(path_, SIGTERM); }

TEST_F(live_record, DurationStopsByItselfAndConvertShowsTheEvents) {
    BackgroundRecord rec({"--all-mm", "--duration", "1", "-o", path_});
    ASSERT_TRUE(rec.wait_ready()) << rec.stderr_text();
    const Workload w = run_workload();
    ASSERT_EQ(rec.wait_exit(), 0) << rec.stderr_text();
    EXPECT_NE(rec.stderr_text().find(" events, 0 lost"), std::string::npos) << rec.stderr_text();
    auto res = run_cli({"convert", path_, "--to", "jsonl"});
    ASSERT_EQ(res.rc, 0) << res.err;
    EXPECT_NE(res.out.find("\"observed\":["), std::string::npos);
    EXPECT_NE(res.out.find("\"child_pid\":" + std::to_string(w.plain_child)), std::string::npos);
    EXPECT_NE(res.out.find("\"type\":\"mmdrop\""), std::string::npos);
}

// mmdrop carries the kernel stack that freed the mm (exec, wait, a lazy-TLB
// switch...), stored with its symbols: a report made elsewhere shows names.
TEST_F(live_record, MmdropStacksAreStoredWithTheirSymbols) {
    BackgroundRecord rec({"--all-mm", "-o", path_});
    ASSERT_TRUE(rec.wait_ready()) << rec.stderr_text();
    run_workload();
    release_lazy_mms();
    ASSERT_EQ(rec.stop(SIGINT), 0) << rec.stderr_text();
    Recording r = read_recording(path_);
    std::size_t with_stack = 0;
    for (const auto& e : r.events) {
        if (e.type != EventType::mmdrop || !e.stack_id) continue;
        ++with_stack;
        const auto& frames = r.frames[*e.stack_id];
        ASSERT_FALSE(frames.empty());
        // __mmdrop ends in a tail call to free_mm(): the stack starts at the
        // tracepoint's function, without the tracer's own frames.
        EXPECT_EQ(frames.front().rfind("kmem_cache_free+", 0), 0u) << ::testing::PrintToString(frames);
        for (const auto& f : frames) {
            EXPECT_EQ(f.find("[unknown]"), std::string::npos) << ::testing::PrintToString(frames);
            EXPECT_EQ(f.find("[bpf]"), std::string::npos) << ::testing::PrintToString(frames);
        }
    }
    EXPECT_GT(with_stack, 0u);
}

// SIGKILL: no trailer, but every chunk flushed (about once a second) is
// read back, with the symbols of its stacks; analyze says where it stopped.
TEST_F(live_record, SigkillLeavesEveryFlushedChunkReadable) {
    BackgroundRecord rec({"--all-mm", "-o", path_});
    ASSERT_TRUE(rec.wait_ready()) << rec.stderr_text();
    const Workload w = run_workload();
    release_lazy_mms();
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // past a flush
    rec.stop(SIGKILL);
    Recording r = read_recording(path_);
    EXPECT_FALSE(r.closed_cleanly);
    EXPECT_NE(r.warning, "");
    Index idx{r.events};
    EXPECT_TRUE(idx.fork_of(w.plain_child, w.plain_child));
    for (const auto& [id, frames] : r.frames) EXPECT_FALSE(frames.empty()) << "stack " << id << " without frames";
    auto res = run_cli({"analyze", path_});
    EXPECT_EQ(res.rc, 0) << res.err;
    EXPECT_NE(res.err.find("warning"), std::string::npos) << res.err;
}

TEST_F(live_record, TheFileIsPrivate) {
    BackgroundRecord rec({"--all-mm", "--duration", "0.2", "-o", path_});
    ASSERT_TRUE(rec.wait_ready()) << rec.stderr_text();
    ASSERT_EQ(rec.wait_exit(), 0) << rec.stderr_text();
    struct stat st {};
    ASSERT_EQ(::stat(path_.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
}

}  // namespace
}  // namespace pasidtrace::test
