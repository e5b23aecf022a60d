// SPDX-License-Identifier: GPL-2.0-only
// `pasidtrace check`: the loader's choice per hook on this kernel, and the
// reasons it gives for the mechanisms it could not use.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>

#include "../cli/cli_runner.hpp"
#include "live/kernel_features.hpp"
#include "live_test_util.hpp"

namespace pasidtrace::test {
namespace {

const live::HookOutcome& hook_named(const live::CheckReport& r, const std::string& name) {
    for (const auto& h : r.hooks)
        if (h.spec->name == name) return h;
    throw std::runtime_error("no hook " + name);
}

TEST(live_check, EveryHookIsReportedAndTheTaskHooksAttach) {
    REQUIRE_LIVE();
    const auto r = live::run_check();
    ASSERT_EQ(r.hooks.size(), static_cast<std::size_t>(PT_HOOK_COUNT));
    for (const auto& h : r.hooks) {
        EXPECT_FALSE(h.attempts.empty()) << h.spec->name << " has no status";
        for (const auto& a : h.attempts) {
            if (a.result != live::AttemptResult::attached) {
                EXPECT_FALSE(a.reason.empty()) << h.spec->name << " fails without a reason";
            }
        }
    }
    // Tracepoints every supported kernel has: they must attach, by some mechanism.
    for (const char* name : {"fork", "exec", "exit", "mmdrop", "pasid_msr"})
        EXPECT_TRUE(hook_named(r, name).attached()) << name << ": " << hook_named(r, name).header_entry().status;
    EXPECT_TRUE(r.can_trace());
}

// Whatever this kernel refuses, the loader falls through to the first
// candidate that is not refused, in catalogue order, and says why for each.
TEST(live_check, FallsThroughRefusedMechanismsInCatalogueOrder) {
    REQUIRE_LIVE();
    auto kernel = live::KernelFeatures::probe();
    const auto r = live::run_check();
    for (const auto& h : r.hooks) {
        const auto& chain = h.spec->candidates;
        ASSERT_LE(h.attempts.size(), chain.size()) << h.spec->name;
        for (std::size_t i = 0; i < h.attempts.size(); ++i)
            EXPECT_EQ(h.attempts[i].candidate, &chain[i]) << h.spec->name;
        for (std::size_t i = 0; i + 1 < h.attempts.size(); ++i)
            EXPECT_NE(h.attempts[i].result, live::AttemptResult::attached);
        for (const auto& a : h.attempts) {
            if (a.result != live::AttemptResult::unavailable) continue;
            if (a.candidate->mechanism == live::Mechanism::kprobe && !kernel->kprobe_refusal().empty()) {
                EXPECT_EQ(a.reason, kernel->kprobe_refusal()) << h.spec->name;
            }
            if (a.candidate->mechanism == live::Mechanism::fentry && kernel->btf_has_function(a.candidate->target)) {
                EXPECT_EQ(a.reason, kernel->fentry_refusal(a.candidate->target)) << h.spec->name;
            }
        }
    }
}

// This machine: fentry loads fail with EPERM, kprobes are compiled out, so
// mmdrop and mmput come from their tracepoint proxies. Elsewhere the
// expectations follow what the kernel allows.
TEST(live_check, PicksTracepointProxiesWhenFentryAndKprobesAreRefused) {
    REQUIRE_LIVE();
    auto kernel = live::KernelFeatures::probe();
    if (kernel->fentry_refusal("__mmdrop").empty() || kernel->kprobe_refusal().empty())
        GTEST_SKIP() << "SKIPPED: this kernel allows fentry or kprobes on __mmdrop; the proxies are not needed";
    const auto r = live::run_check();
    const auto& mmdrop = hook_named(r, "mmdrop");
    ASSERT_TRUE(mmdrop.attached());
    EXPECT_EQ(mmdrop.chosen()->target, "kmem:kmem_cache_free");
    EXPECT_EQ(mmdrop.attempts[0].candidate->label(), "fentry:__mmdrop");
    EXPECT_NE(mmdrop.attempts[0].reason.find("fentry load refused"), std::string::npos) << mmdrop.attempts[0].reason;
    EXPECT_NE(mmdrop.attempts[1].reason.find("kprobes are not built"), std::string::npos) << mmdrop.attempts[1].reason;
    EXPECT_EQ(r.mmdrop_probe, core::MmdropProbe::exit);
    const auto& mmput = hook_named(r, "mmput");
    ASSERT_TRUE(mmput.attached());
    EXPECT_EQ(mmput.chosen()->target, "mmap:exit_mmap");
    for (const char* name : {"fork", "exec", "exit", "pasid_msr"}) {
        ASSERT_TRUE(hook_named(r, name).attached()) << name;
        EXPECT_EQ(hook_named(r, name).chosen()->mechanism, live::Mechanism::tp_btf) << name;
    }
}

TEST(live_check, CommandPrintsTheTableAndExitsZero) {
    REQUIRE_LIVE();
    auto res = run_cli({"check"});
    EXPECT_EQ(res.rc, 0) << res.err;
    EXPECT_NE(res.out.find("> tp_btf:sched:sched_process_fork"), std::string::npos) << res.out;
    EXPECT_NE(res.out.find("live tracing can run"), std::string::npos) << res.out;
    for (const char* fact : {"kernel", "BTF", "privileges", "CPU ENQCMD", "IOMMU SVA"})
        EXPECT_NE(res.out.find(fact), std::string::npos) << fact;
}

TEST(live_check, JsonOutputAgreesWithTheLibrary) {
    REQUIRE_LIVE();
    auto res = run_cli({"check", "--format", "json"});
    ASSERT_EQ(res.rc, 0) << res.err;
    auto j = nlohmann::json::parse(res.out);
    EXPECT_TRUE(j["can_trace"].get<bool>());
    ASSERT_EQ(j["hooks"].size(), static_cast<std::size_t>(PT_HOOK_COUNT));
    const auto r = live::run_check();
    for (std::size_t i = 0; i < r.hooks.size(); ++i) {
        EXPECT_EQ(j["hooks"][i]["hook"], r.hooks[i].spec->name);
        EXPECT_EQ(j["hooks"][i]["attached"].get<bool>(), r.hooks[i].attached());
        EXPECT_EQ(j["hooks"][i]["attempts"].size(), r.hooks[i].attempts.size());
    }
}

// Without privileges: exit 2 and one line that says what is missing and what to do.
TEST(live_check, WithoutPrivilegesSaysSoInOneLine) {
    if (::geteuid() != 0) {
        auto res = run_cli({"check"});
        EXPECT_EQ(res.rc, 2);
        EXPECT_NE(res.err.find("needs root"), std::string::npos) << res.err;
        return;
    }
    if (!std::filesystem::exists("/usr/bin/setpriv")) GTEST_SKIP() << "SKIPPED: setpriv (util-linux) is missing";
    // As root: drop to nobody with no capabilities.
    const std::string as_nobody = "setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --";
    // nobody must be able to run the binary at all: not so where the build
    // tree or the file system root is private to root (a chroot made under a
    // 0700 directory, say).
    if (auto probe = run_cli({"--version"}, {}, as_nobody); probe.rc != 0)
        GTEST_SKIP() << "SKIPPED: nobody cannot run the binary here: " << probe.err.substr(0, probe.err.find('\n'));
    auto res = run_cli({"check"}, {}, as_nobody);
    EXPECT_EQ(res.rc, 2) << res.out << res.err;
    EXPECT_TRUE(res.out.empty()) << res.out;
    EXPECT_EQ(std::count(res.err.begin(), res.err.end(), '\n'), 1) << res.err;
    EXPECT_NE(res.err.find("needs root, or CAP_BPF and CAP_PERFMON"), std::string::npos) << res.err;
    EXPECT_NE(res.err.find("sudo"), std::string::npos) << res.err;
}

}  // namespace
}  // namespace pasidtrace::test
