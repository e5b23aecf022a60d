// SPDX-License-Identifier: GPL-2.0-only
// The loader's fallback machinery with a catalogue built to fail on this
// kernel in each way a real one can: a target missing (static check), a
// program the verifier refuses, a program that loads but cannot attach.
// Each failure is recorded with its reason and the next candidate is used.
#include <gtest/gtest.h>

#include "live/bpf_session.hpp"
#include "live/kernel_features.hpp"
#include "live_test_util.hpp"

namespace pasidtrace::test {
namespace {

using live::AttemptResult;
using live::Candidate;
using live::Mechanism;

// sched_process_free passes only the task: programs reading a second
// argument are refused by the verifier (tp_btf) or at attach (raw_tp).
std::vector<live::HookSpec> failing_catalogue() {
    live::HookSpec fork{PT_HOOK_FORK, "fork", core::EventType::fork, {}};
    fork.candidates = {
        {Mechanism::tp_btf, "sched:no_such_tracepoint", {"fork_tp_btf"}, "missing target"},
        {Mechanism::tp_btf, "sched:sched_process_free", {"exit_gd_tp_btf"}, "verifier refuses ctx[1]"},
        {Mechanism::raw_tp, "sched:sched_process_free", {"exit_gd_raw_tp"}, "attach refuses ctx[1]"},
        {Mechanism::tp_btf, "sched:sched_process_fork", {"fork_tp_btf"}, "works"},
    };
    return {fork};
}

TEST(live_fallback, EachKindOfFailureIsRecordedAndTheNextCandidateUsed) {
    REQUIRE_LIVE();
    auto kernel = live::KernelFeatures::probe();
    const auto catalogue = failing_catalogue();
    live::LiveOptions options;
    options.buffer_bytes = 4096;
    auto started = live::BpfSession::start(options, *kernel, catalogue);
    ASSERT_TRUE(std::holds_alternative<std::unique_ptr<live::BpfSession>>(started))
        << std::get<live::LiveError>(started).to_string();
    const auto& hook = std::get<std::unique_ptr<live::BpfSession>>(started)->hooks().front();
    ASSERT_EQ(hook.attempts.size(), 4u);

    EXPECT_EQ(hook.attempts[0].result, AttemptResult::unavailable);
    EXPECT_TRUE(hook.attempts[0].target_missing);
    EXPECT_NE(hook.attempts[0].reason.find("no_such_tracepoint"), std::string::npos) << hook.attempts[0].reason;

    EXPECT_EQ(hook.attempts[1].result, AttemptResult::unavailable);
    EXPECT_NE(hook.attempts[1].status().find("load refused for exit_gd_tp_btf: "), std::string::npos)
        << hook.attempts[1].status();

    EXPECT_EQ(hook.attempts[2].result, AttemptResult::not_attachable);
    EXPECT_EQ(hook.attempts[2].status().rfind("loaded, not attachable: exit_gd_raw_tp: ", 0), 0u)
        << hook.attempts[2].status();

    EXPECT_EQ(hook.attempts[3].result, AttemptResult::attached);
    EXPECT_EQ(hook.chosen(), &catalogue.front().candidates[3]);
    EXPECT_EQ(hook.header_entry().status, "attached");
    for (const auto& a : hook.attempts)
        std::cout << "[ ATTEMPT  ] " << a.candidate->label() << ": " << a.status() << '\n';
}

// --mechanism: where the chain starts. One hook with all three kinds of
// candidate; the excluded ones are recorded as left out, never tried.
std::vector<live::HookSpec> three_mechanism_catalogue() {
    live::HookSpec fork{PT_HOOK_FORK, "fork", core::EventType::fork, {}};
    fork.candidates = {
        {Mechanism::fentry, "__mmdrop", {"mmdrop_fentry"}, "fentry"},
        {Mechanism::kprobe, "__mmdrop", {"mmdrop_kprobe"}, "kprobe"},
        {Mechanism::tp_btf, "sched:sched_process_fork", {"fork_tp_btf"}, "tracepoint"},
    };
    return {fork};
}

std::vector<std::string> reasons_with(live::MechanismChoice choice) {
    auto kernel = live::KernelFeatures::probe();
    const auto catalogue = three_mechanism_catalogue();
    live::LiveOptions options;
    options.buffer_bytes = 4096;
    options.mechanism = choice;
    auto started = live::BpfSession::start(options, *kernel, catalogue);
    if (!std::holds_alternative<std::unique_ptr<live::BpfSession>>(started))
        return {"error: " + std::get<live::LiveError>(started).to_string()};
    std::vector<std::string> out;
    for (const auto& a : std::get<std::unique_ptr<live::BpfSession>>(started)->hooks().front().attempts)
        out.push_back(a.candidate->label() + " " + a.status());
    return out;
}

bool left_out(const std::string& attempt) { return attempt.find("left out by --mechanism") != std::string::npos; }

TEST(live_fallback, MechanismChoiceLeavesEarlierMechanismsOut) {
    REQUIRE_LIVE();
    auto tracepoint = reasons_with(live::MechanismChoice::tracepoint);
    ASSERT_EQ(tracepoint.size(), 3u) << tracepoint.front();
    EXPECT_TRUE(left_out(tracepoint[0])) << tracepoint[0];
    EXPECT_TRUE(left_out(tracepoint[1])) << tracepoint[1];
    EXPECT_EQ(tracepoint[2], "tp_btf:sched:sched_process_fork attached");

    auto kprobe = reasons_with(live::MechanismChoice::kprobe);
    ASSERT_EQ(kprobe.size(), 3u) << kprobe.front();
    EXPECT_TRUE(left_out(kprobe[0])) << kprobe[0];
    EXPECT_FALSE(left_out(kprobe[1])) << "kprobes are tried: " << kprobe[1];

    auto automatic = reasons_with(live::MechanismChoice::automatic);
    for (const auto& a : automatic) EXPECT_FALSE(left_out(a)) << a;
}

TEST(live_fallback, MechanismNamesRoundTrip) {
    for (auto m : live::kMechanismChoices)
        EXPECT_EQ(live::parse_mechanism_choice(live::to_string(m)), m);
    EXPECT_FALSE(live::parse_mechanism_choice("fexit"));
}

}  // namespace
}  // namespace pasidtrace::test
