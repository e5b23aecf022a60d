// SPDX-License-Identifier: GPL-2.0-only
// The recorder's BPF side, loaded and attached: for each hook the loader
// walks the catalogue's fallback chain at run time. A candidate that fails
// the static checks (target missing, mechanism refused) is skipped; the
// others are loaded together, and a program the verifier refuses or that
// cannot attach moves its hook to the next candidate and the object is
// loaded again. No hook is fatal: a hook with no working candidate is
// reported and the rest record.
#pragma once

#include <memory>
#include <variant>
#include <vector>

#include "core/trace_header.hpp"
#include "live/hook_outcome.hpp"
#include "live/live_error.hpp"
#include "live/live_options.hpp"
#include "sources/recording_header.hpp"

struct bpf_link;

namespace pasidtrace::live {

class BpfObject;
class KernelFeatures;

class BpfSession {
public:
    // Fails only when the object itself cannot be opened or loaded for a
    // reason no fallback can fix (maps, BTF); see LiveError::where.
    static std::variant<std::unique_ptr<BpfSession>, LiveError> start(const LiveOptions& options,
                                                                      const KernelFeatures& kernel);
    // The same with another catalogue (tests of the fallback machinery);
    // `catalogue` must outlive the session.
    static std::variant<std::unique_ptr<BpfSession>, LiveError> start(const LiveOptions& options,
                                                                      const KernelFeatures& kernel,
                                                                      const std::vector<HookSpec>& catalogue);
    ~BpfSession();
    BpfSession(const BpfSession&) = delete;
    BpfSession& operator=(const BpfSession&) = delete;

    const std::vector<HookOutcome>& hooks() const { return hooks_; }
    bool any_attached() const;
    std::vector<core::EventType> observed() const { return observed_types(hooks_); }
    core::MmdropProbe mmdrop_probe() const { return mmdrop_probe_of(hooks_); }
    std::vector<sources::HookStatus> header_hooks() const;  // indexed by pt_hook

    int events_fd() const;
    int drops_fd() const;
    int stacks_fd() const;
    // Detaches every program: no record is produced after it returns, so
    // the ring buffer can be drained to the end.
    void detach();

private:
    struct LinkDeleter {
        void operator()(bpf_link* link) const;
    };
    using Link = std::unique_ptr<bpf_link, LinkDeleter>;

    BpfSession() = default;

    std::vector<HookOutcome> hooks_;
    std::unique_ptr<BpfObject> object_;
    std::vector<Link> links_;
};

}  // namespace pasidtrace::live
