// SPDX-License-Identifier: GPL-2.0-only
// In-kernel filtering: without --all-mm only mms tied to a PASID produce
// task and mm events (none on this machine), and --comm keeps the events of
// matching tasks plus the mm events of the mms those tasks use.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>

#include "../cli/cli_runner.hpp"
#include "live/live_options.hpp"
#include "live_test_util.hpp"
#include "workload.hpp"

namespace pasidtrace::test {
namespace {

using core::EventType;

bool is_task_or_mm_event(const core::Event& e) {
    return e.type == EventType::fork || e.type == EventType::exec || e.type == EventType::exit ||
           e.type == EventType::mmput || e.type == EventType::mmdrop;
}

std::vector<core::Event> record_workload(const std::vector<std::string>& args, Workload& w) {
    TempDir tmp;
    const std::string path = (tmp.path() / "rec.ptr").string();
    std::vector<std::string> all = args;
    all.insert(all.end(), {"-o", path});
    BackgroundRecord rec(all);
    EXPECT_TRUE(rec.wait_ready()) << rec.stderr_text();
    w = run_workload();
    release_lazy_mms();
    EXPECT_EQ(rec.stop(SIGINT), 0) << rec.stderr_text();
    return read_recording(path).events;
}

// Only the PASID hooks could mark an mm interesting, and no PASID exists
// here: the workload's task and mm events must all stay in the kernel.
TEST(live_filter, WithoutAllMmNoTaskOrMmEventsOfPasidlessProcesses) {
    REQUIRE_LIVE();
    Workload w;
    auto events = record_workload({}, w);
    const std::vector<std::uint32_t> ours = {std::uint32_t(w.exec_child), std::uint32_t(w.thread_child),
                                             std::uint32_t(w.spawn_child), std::uint32_t(w.plain_child),
                                             std::uint32_t(w.parent)};
    for (const auto& e : events) {
        if (!is_task_or_mm_event(e)) continue;
        EXPECT_EQ(std::find(ours.begin(), ours.end(), *e.pid), ours.end())
            << core::to_string(e.type) << " of pid " << *e.pid << " passed the PASID filter";
    }
}

// Other tests may run the same workload meanwhile: every event must come
// from a "pt-threads" task or an mm one used, and ours must all be there.
TEST(live_filter, CommKeepsMatchingTasksAndTheMmsTheyUse) {
    REQUIRE_LIVE();
    Workload w;
    auto events = record_workload({"--all-mm", "--comm", "pt-threads"}, w);
    std::vector<core::Ident> their_mms;
    std::size_t our_forks = 0;
    core::Ident our_mm;
    for (const auto& e : events) {
        if (e.type != EventType::fork && e.type != EventType::exec && e.type != EventType::exit) continue;
        EXPECT_EQ(e.comm, "pt-threads") << core::to_string(e.type) << " of " << *e.pid;
        their_mms.push_back(e.mm);
        if (e.type == EventType::fork && e.pid == std::uint32_t(w.thread_child)) {
            ++our_forks;
            our_mm = e.mm;
        }
    }
    EXPECT_EQ(our_forks, 2u) << "the two threads of pt-threads";
    std::size_t our_drops = 0;
    for (const auto& e : events) {
        if (e.type != EventType::mmdrop) continue;
        EXPECT_NE(std::find(their_mms.begin(), their_mms.end(), e.mm), their_mms.end()) << "an mm no pt-threads task used";
        our_drops += e.mm == our_mm ? 1 : 0;
    }
    EXPECT_EQ(our_drops, 1u);
}

// A scratch cgroup v2 directory, removed (empty) at scope exit.
class ScratchCgroup {
public:
    ScratchCgroup() {
        path_ = live::cgroup2_mount() + "/pasidtrace-test-" + std::to_string(::getpid());
        if (::mkdir(path_.c_str(), 0755) != 0) path_.clear();
    }
    ~ScratchCgroup() {
        if (!path_.empty()) ::rmdir(path_.c_str());
    }
    ScratchCgroup(const ScratchCgroup&) = delete;
    ScratchCgroup& operator=(const ScratchCgroup&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

// A child moves itself into the cgroup, forks a grandchild and exits: only
// their events (and their mms') pass --cgroup.
TEST(live_filter, CgroupKeepsOnlyTasksInsideIt) {
    REQUIRE_LIVE();
    ScratchCgroup cg;
    if (cg.path().empty())
        GTEST_SKIP() << "SKIPPED: cannot create a cgroup v2 directory under " << live::cgroup2_mount();
    TempDir tmp;
    const std::string path = (tmp.path() / "rec.ptr").string();
    BackgroundRecord rec({"--all-mm", "--cgroup", cg.path(), "-o", path});
    ASSERT_TRUE(rec.wait_ready()) << rec.stderr_text();
    const Workload outside = run_workload();
    pid_t inside = fork();
    if (inside == 0) {
        FILE* procs = std::fopen((cg.path() + "/cgroup.procs").c_str(), "w");
        if (!procs || std::fputs("0", procs) < 0 || std::fclose(procs) != 0) _exit(3);
        pid_t grandchild = fork();
        if (grandchild == 0) _exit(0);
        waitpid(grandchild, nullptr, 0);
        _exit(0);
    }
    int status = 0;
    waitpid(inside, &status, 0);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "could not join " << cg.path();
    release_lazy_mms();
    ASSERT_EQ(rec.stop(SIGINT), 0) << rec.stderr_text();

    auto events = read_recording(path).events;
    std::vector<std::uint32_t> in_cgroup{std::uint32_t(inside)};  // the child, then what it forked
    for (const auto& e : events)
        if (e.type == EventType::fork && e.pid == std::uint32_t(inside)) in_cgroup.push_back(*e.child_pid);
    std::size_t forks = 0, exits = 0, drops = 0;
    for (const auto& e : events) {
        if (e.type == EventType::fork || e.type == EventType::exit || e.type == EventType::exec) {
            EXPECT_NE(std::find(in_cgroup.begin(), in_cgroup.end(), *e.pid), in_cgroup.end())
                << core::to_string(e.type) << " of pid " << *e.pid << " from outside the cgroup";
            forks += e.type == EventType::fork ? 1 : 0;
            exits += e.type == EventType::exit ? 1 : 0;
        }
        drops += e.type == EventType::mmdrop ? 1 : 0;
    }
    EXPECT_EQ(forks, 1u) << "the grandchild's fork";
    EXPECT_EQ(exits, 2u) << "the grandchild's and the child's exits";
    EXPECT_GE(drops, 1u) << "their mms";
    EXPECT_NE(outside.plain_child, 0);
}

TEST(live_filter, BadFlagValuesAreUsageErrors) {
    REQUIRE_LIVE();
    auto comm = run_cli({"record", "--comm", "a-name-longer-than-15", "-o", "/dev/null"});
    EXPECT_EQ(comm.rc, 2);
    EXPECT_NE(comm.err.find("--comm"), std::string::npos) << comm.err;
    auto buffer = run_cli({"record", "--buffer", "lots", "-o", "/dev/null"});
    EXPECT_EQ(buffer.rc, 2);
    EXPECT_NE(buffer.err.find("--buffer"), std::string::npos) << buffer.err;
    auto cgroup = run_cli({"record", "--cgroup", "/nonexistent-cgroup", "-o", "/dev/null"});
    EXPECT_EQ(cgroup.rc, 2);
    EXPECT_NE(cgroup.err.find("--cgroup"), std::string::npos) << cgroup.err;
    auto mechanism = run_cli({"record", "--mechanism", "uprobe", "-o", "/dev/null"});
    EXPECT_EQ(mechanism.rc, 2);
    EXPECT_NE(mechanism.err.find("--mechanism"), std::string::npos) << mechanism.err;
}

}  // namespace
}  // namespace pasidtrace::test
