// SPDX-License-Identifier: GPL-2.0-only
#include "tracedat_expectations.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "../cli/cli_runner.hpp"

namespace pasidtrace::tracedat_test {
namespace {

using core::EventType;

// The fields of a fork, exec or exit the scenario fixes, as one comparable line.
std::string describe(const core::Event& e) {
    std::ostringstream s;
    s << core::to_string(e.type) << " tid=" << e.tid.value_or(0) << " pid=" << e.pid.value_or(0) << " comm=" << e.comm;
    if (e.type == EventType::fork)
        s << " child_tid=" << e.child_tid.value_or(0) << " child_pid=" << e.child_pid.value_or(0);
    if (e.type == EventType::exit) s << " group_dead=" << (e.group_dead ? "true" : "false");
    return s.str();
}

std::string fork_line(std::uint32_t tid, std::uint32_t pid, const std::string& comm, std::uint32_t child_tid,
                      std::uint32_t child_pid) {
    core::Event e;
    e.type = EventType::fork;
    e.tid = tid;
    e.pid = pid;
    e.comm = comm;
    e.child_tid = child_tid;
    e.child_pid = child_pid;
    return describe(e);
}

std::string exec_line(std::uint32_t tid, std::uint32_t pid, const std::string& comm) {
    core::Event e;
    e.type = EventType::exec;
    e.tid = tid;
    e.pid = pid;
    e.comm = comm;
    return describe(e);
}

std::string exit_line(std::uint32_t tid, std::uint32_t pid, const std::string& comm, bool group_dead) {
    core::Event e;
    e.type = EventType::exit;
    e.tid = tid;
    e.pid = pid;
    e.comm = comm;
    e.group_dead = group_dead;
    return describe(e);
}

const core::Event* find(const ReadResult& r, EventType type, std::uint32_t tid) {
    for (const auto& e : r.events)
        if (e.type == type && e.tid == tid) return &e;
    return nullptr;
}

}  // namespace

void expect_process_events(const ReadResult& read, const ProcessTruth& t) {
    ASSERT_FALSE(read.error) << read.error->to_string();
    EXPECT_EQ(read.header.format, "trace.dat");
    ASSERT_TRUE(read.header.kernel.has_value());
    if (!t.kernel.empty()) {
        EXPECT_EQ(*read.header.kernel, t.kernel);
    }
    EXPECT_TRUE(read.header.has_observed_list);
    for (EventType type : {EventType::fork, EventType::exec, EventType::exit, EventType::mmdrop})
        EXPECT_TRUE(read.header.observed.has(type)) << core::to_string(type);
    EXPECT_EQ(read.header.mmdrop_probe, core::MmdropProbe::exit);

    const std::set<std::uint32_t> ours = {t.s, t.a, t.b, t.t};
    std::vector<std::string> seen;
    for (const auto& e : read.events) {
        const bool lifecycle = e.type == EventType::fork || e.type == EventType::exec || e.type == EventType::exit;
        const bool by_us = e.tid && ours.count(*e.tid);
        const bool creates_s = e.type == EventType::fork && e.child_tid == t.s;
        if (lifecycle && (by_us || creates_s)) seen.push_back(describe(e));
    }
    const std::string s_comm = "pt-scenario";
    const std::vector<std::string> expected = {
        fork_line(t.test_tid, t.test_pid, t.test_comm, t.s, t.s),
        fork_line(t.s, t.s, s_comm, t.a, t.a),
        exec_line(t.a, t.a, "true"),
        exit_line(t.a, t.a, "true", true),
        fork_line(t.s, t.s, s_comm, t.b, t.b),
        exit_line(t.b, t.b, s_comm, true),
        // A thread: task_newtask's CLONE_THREAD makes the child's pid S's.
        fork_line(t.s, t.s, s_comm, t.t, t.s),
        exit_line(t.t, t.s, "pt-worker", false),
        exit_line(t.s, t.s, s_comm, true),
    };
    EXPECT_EQ(seen, expected);

    // mm_struct frees run in whatever task drops the last reference: A's
    // copy of S's mm is normally freed by A's exec (exec_mmap), in A, under
    // the comm it had before exec; but when another CPU still held that mm
    // lazily, the free comes later elsewhere. Frees in our threads must name
    // the thread group and the comm of their moment.
    const core::Event* exec = find(read, EventType::exec, t.a);
    ASSERT_NE(exec, nullptr);
    std::size_t drops = 0;
    for (const auto& e : read.events) {
        if (e.type != EventType::mmdrop) continue;
        ++drops;
        EXPECT_EQ(e.mm.kind(), core::Ident::Kind::address);
        EXPECT_NE(e.mm.value(), 0u);
        if (e.tid == t.a) {
            EXPECT_EQ(e.pid, t.a);
            EXPECT_EQ(e.comm, e.ts < exec->ts ? s_comm : "true") << describe(e);
        } else if (e.tid == t.s) {
            EXPECT_EQ(e.pid, t.s);
            // Before S renamed itself it still had the test's comm.
            EXPECT_TRUE(e.comm == s_comm || e.comm == t.test_comm) << describe(e);
        } else if (e.tid == t.b) {
            EXPECT_EQ(e.pid, t.b);
            EXPECT_EQ(e.comm, s_comm);
        } else if (e.tid == t.t) {
            EXPECT_EQ(e.pid, t.s);
        }
    }
    EXPECT_GT(drops, 0u) << "no mm_struct free at all while processes came and went";
    // No tracepoint names an mm at fork or exec: left out, not made up.
    EXPECT_FALSE(exec->mm.present());
}

void expect_sva_events(const ReadResult& read, const SvaTruth& t) {
    ASSERT_FALSE(read.error) << read.error->to_string();
    for (EventType type : {EventType::bind, EventType::unbind, EventType::pasid_alloc, EventType::pasid_free,
                           EventType::mmput, EventType::mmdrop})
        EXPECT_TRUE(read.header.observed.has(type)) << core::to_string(type);
    EXPECT_EQ(read.header.mmdrop_probe, core::MmdropProbe::entry);

    std::vector<std::string> app, early;
    auto line = [](const core::Event& e) {
        std::ostringstream s;
        s << core::to_string(e.type);
        if (e.pasid) s << " pasid=" << *e.pasid;
        if (e.mm) s << " mm=" << e.mm.to_string();
        if (e.handle) s << " handle=" << e.handle.to_string();
        if (e.dev) s << " dev=" << e.dev.to_string();
        if (e.type == EventType::bind) s << " ret=" << e.ret;
        return s.str();
    };
    for (const auto& e : read.events) {
        if (e.type == EventType::fork || e.type == EventType::exit || e.type == EventType::exec ||
            e.type == EventType::lost)
            continue;
        if (e.pid == t.app_pid) app.push_back(line(e));
        if (e.pid == t.early_pid) early.push_back(line(e));
    }
    auto hex = [](std::uint64_t v) { return core::Ident::address(v).to_string(); };
    const std::string a = std::to_string(t.app_pasid), b = std::to_string(t.early_pasid);
    EXPECT_THAT(app, ::testing::ElementsAre(
                         "bind mm=" + hex(t.app_mm) + " dev=refuses-sva ret=" + std::to_string(t.failed_ret),
                         "pasid_alloc pasid=" + a,
                         "bind pasid=" + a + " mm=" + hex(t.app_mm) + " handle=" + hex(t.app_handle) + " dev=" + t.dev +
                             " ret=0",
                         "unbind pasid=" + a + " mm=" + hex(t.app_mm) + " handle=" + hex(t.app_handle),
                         "mmput mm=" + hex(t.app_mm), "mmdrop mm=" + hex(t.app_mm), "pasid_free pasid=" + a));
    EXPECT_THAT(early, ::testing::ElementsAre("pasid_alloc pasid=" + b,
                                              "bind pasid=" + b + " mm=" + hex(t.early_mm) +
                                                  " handle=" + hex(t.early_handle) + " dev=" + t.dev + " ret=0",
                                              "pasid_free pasid=" + b,
                                              // iommu_mm was cleared by the early free: the unbind's fetch of the PASID
                                              // through it fails and no PASID is named.
                                              ::testing::StartsWith("unbind"), "mmput mm=" + hex(t.early_mm),
                                              "mmdrop mm=" + hex(t.early_mm)));
}

AnalyzeRun analyze_json(const std::string& path) {
    auto r = test::run_cli({"analyze", "--format", "json", path});
    return AnalyzeRun{r.rc, r.out, r.err};
}

void expect_clean_analysis(const std::string& path) {
    auto run = analyze_json(path);
    ASSERT_EQ(run.rc, 0) << run.err;
    auto report = nlohmann::json::parse(run.json_text);
    EXPECT_EQ(report["input"]["format"], "trace.dat");
    EXPECT_GT(report["input"]["events"].get<int>(), 0);
    EXPECT_TRUE(report["findings"].empty()) << report["findings"].dump(2);
    EXPECT_EQ(report["summary"]["pasids"], 0);
    // Without kprobes the PASID rules are named as not checked, never passed silently.
    std::set<std::string> unchecked;
    for (const auto& u : report["unchecked"]) unchecked.insert(u["rule"].get<std::string>());
    EXPECT_TRUE(unchecked.count("pasid-leak"));
    EXPECT_TRUE(unchecked.count("early-free-bound"));
}

void expect_sva_analysis(const std::string& path, const SvaTruth& t) {
    auto run = analyze_json(path);
    ASSERT_EQ(run.rc, 1) << "one error-level finding expected\n" << run.err << run.json_text;
    auto report = nlohmann::json::parse(run.json_text);
    EXPECT_EQ(report["input"]["failed_binds"], 1);
    ASSERT_EQ(report["findings"].size(), 1u) << report["findings"].dump(2);
    EXPECT_EQ(report["findings"][0]["rule"], "early-free-bound");
    EXPECT_EQ(report["findings"][0]["pasid"], t.early_pasid);
    std::map<std::uint32_t, std::string> states;
    for (const auto& l : report["lifetimes"]) states[l["pasid"].get<std::uint32_t>()] = l["state"];
    EXPECT_EQ(states[t.app_pasid], "freed");
    EXPECT_EQ(states[t.early_pasid], "early-freed");
}

}  // namespace pasidtrace::tracedat_test
