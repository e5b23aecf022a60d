// SPDX-License-Identifier: GPL-2.0-only
// Every program variant this kernel can load goes through the verifier
// (load only, nothing attached), under both knob sets the recorder uses,
// so a verifier regression fails here even where the hook cannot attach
// (the kprobe and fentry-less variants of the PASID hooks on this machine).
#include <gtest/gtest.h>

#include <set>

#include "live/hook_outcome.hpp"
#include "live/kernel_features.hpp"
#include "live/program_setup.hpp"
#include "live_test_util.hpp"

namespace pasidtrace::test {
namespace {

using live::Candidate;
using live::Mechanism;

// The read-only knobs change which filter code the verifier sees.
std::vector<std::pair<std::string, live::LiveOptions>> knob_sets() {
    live::LiveOptions plain;
    plain.buffer_bytes = 4096;
    live::LiveOptions filtered = plain;
    filtered.all_mm = true;
    filtered.pid = 1;
    filtered.comm = "pt-verifier";
    filtered.cgroup_id = 1;
    return {{"default", plain}, {"all-mm with filters", filtered}};
}

std::vector<const Candidate*> candidates_with(Mechanism m) {
    std::vector<const Candidate*> out;
    for (const auto& hook : live::hook_catalogue())
        for (const auto& c : hook.candidates)
            if (c.mechanism == m) out.push_back(&c);
    return out;
}

// kprobe programs take no target at load time: all load anywhere.
TEST(live_verifier, EveryKprobeVariantLoads) {
    REQUIRE_LIVE();
    std::set<std::string> done;
    for (const auto& [knobs, options] : knob_sets())
        for (const Candidate* c : candidates_with(Mechanism::kprobe)) {
            if (!done.insert(knobs + c->programs.front()).second) continue;  // same programs, other function
            EXPECT_EQ(live::verify_load({c}, options), std::nullopt) << c->label() << " with " << knobs << " knobs";
        }
    EXPECT_GE(done.size(), 2 * 9u);  // bind, unbind, 2 alloc, 3 free, mmput, mmdrop
}

// raw_tp programs load without their tracepoint; tp_btf ones need its BTF
// prototype (and the shape the variant reads).
TEST(live_verifier, EveryTracepointVariantThisKernelDescribesLoads) {
    REQUIRE_LIVE();
    auto kernel = live::KernelFeatures::probe();
    std::size_t loaded = 0;
    for (const auto& [knobs, options] : knob_sets()) {
        for (const Candidate* c : candidates_with(Mechanism::raw_tp)) {
            EXPECT_EQ(live::verify_load({c}, options), std::nullopt) << c->label() << " with " << knobs << " knobs";
            ++loaded;
        }
        for (const Candidate* c : candidates_with(Mechanism::tp_btf)) {
            if (!kernel->tracepoint_params(c->target) || (c->precondition && c->precondition(*kernel))) continue;
            EXPECT_EQ(live::verify_load({c}, options), std::nullopt) << c->label() << " with " << knobs << " knobs";
            ++loaded;
        }
    }
    // Here: the 9 raw_tp variants, and the tp_btf ones but the 5.13-5.19
    // kmem shape and the Intel page-request tracepoint.
    EXPECT_GE(loaded, 2 * (9u + 6u));
}

// fentry/fexit need their function in BTF and a kernel that lets
// trampolines attach. Where it does, they must load; where it refuses (this
// machine: EPERM), the load must fail with the refusal check reports.
TEST(live_verifier, FentryVariantsLoadOrFailWithTheReasonCheckGives) {
    REQUIRE_LIVE();
    auto kernel = live::KernelFeatures::probe();
    std::size_t tried = 0;
    for (const Candidate* c : candidates_with(Mechanism::fentry)) {
        if (!kernel->btf_has_function(c->target)) continue;  // nothing to verify against here
        ++tried;
        const std::string refusal = kernel->fentry_refusal(c->target);
        auto result = live::verify_load({c}, knob_sets().front().second);
        if (refusal.empty()) {
            EXPECT_EQ(result, std::nullopt) << c->label();
        } else {
            ASSERT_TRUE(result.has_value()) << c->label() << " loaded although the probe was refused: " << refusal;
            EXPECT_NE(result->find(c->programs.front()), std::string::npos) << *result;
            std::cout << "[ NOTE     ] " << c->label() << ": " << refusal << '\n';
        }
    }
    EXPECT_GT(tried, 0u) << "no fentry target (__mmdrop, __mmput) is in this kernel's BTF";
}

}  // namespace
}  // namespace pasidtrace::test
