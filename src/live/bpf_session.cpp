// SPDX-License-Identifier: GPL-2.0-only
#include "live/bpf_session.hpp"

#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "live/bpf_object.hpp"
#include "live/kernel_features.hpp"
#include "live/libbpf_log.hpp"
#include "live/program_setup.hpp"

namespace pasidtrace::live {
namespace {

// The hooks' current candidates while the loader iterates: index into the
// catalogue's chain, or none left.
class Selection {
public:
    Selection(std::vector<HookOutcome>& hooks, const KernelFeatures& kernel, const std::vector<HookSpec>& catalogue,
              MechanismChoice choice)
        : hooks_(hooks), kernel_(kernel), choice_(choice) {
        for (const auto& spec : catalogue) {
            hooks_.push_back(HookOutcome{&spec, {}});
            next_.push_back(0);
            advance(hooks_.size() - 1);
        }
    }

    // The candidate being tried for hook `h`, or nullptr.
    const Candidate* current(std::size_t h) const { return current_[h]; }
    std::size_t size() const { return hooks_.size(); }

    // The current candidate of `h` failed: record why and move on.
    void fail(std::size_t h, AttemptResult result, std::string reason) {
        hooks_[h].attempts.push_back({current_[h], result, std::move(reason)});
        advance(h);
    }
    void succeed(std::size_t h) { hooks_[h].attempts.push_back({current_[h], AttemptResult::attached, {}}); }

    // The hook whose current candidate runs `program`, or nullopt.
    std::optional<std::size_t> owner_of(const std::string& program) const {
        for (std::size_t h = 0; h < size(); ++h)
            if (current_[h])
                for (const auto& p : current_[h]->programs)
                    if (p == program) return h;
        return std::nullopt;
    }

private:
    // The next candidate of `h` that --mechanism allows and that passes
    // the static checks; the ones skipped on the way are recorded as
    // unavailable.
    void advance(std::size_t h) {
        if (current_.size() <= h) current_.resize(h + 1, nullptr);
        current_[h] = nullptr;
        const auto& chain = hooks_[h].spec->candidates;
        while (next_[h] < chain.size()) {
            const Candidate& c = chain[next_[h]++];
            if (auto why = excluded_by(choice_, c)) {
                hooks_[h].attempts.push_back({&c, AttemptResult::unavailable, std::move(*why), false});
                continue;
            }
            if (auto why = static_refusal(c, kernel_)) {
                hooks_[h].attempts.push_back(
                    {&c, AttemptResult::unavailable, std::move(why->reason), why->target_missing});
                continue;
            }
            current_[h] = &c;
            return;
        }
    }

    std::vector<HookOutcome>& hooks_;
    const KernelFeatures& kernel_;
    MechanismChoice choice_;
    std::vector<std::size_t> next_;
    std::vector<const Candidate*> current_;
};

std::string attach_failure_reason(int err) {
    std::string r = std::strerror(err);
    for (const auto& line : libbpf_log_lines())
        if (line.find("failed") != std::string::npos || line.find("error") != std::string::npos) {
            r.append(" (").append(line).append(")");
            break;
        }
    return r;
}

// Marks every current candidate's programs; false when one could not be
// (its hook has moved on and the object must be opened afresh).
bool prepare_all(Selection& sel, BpfObject& obj) {
    bool prepared = true;
    for (std::size_t h = 0; h < sel.size(); ++h) {
        if (!sel.current(h)) continue;
        if (int err = prepare_candidate(obj, *sel.current(h))) {
            sel.fail(h, AttemptResult::unavailable, std::string("cannot prepare: ") + std::strerror(-err));
            prepared = false;
        }
    }
    return prepared;
}

enum class LoadResult { loaded, retry };

// A refused program retires its hook's candidate; a failure no hook owns
// (maps, BTF) is fatal.
std::variant<LoadResult, LiveError> load(Selection& sel, BpfObject& obj) {
    libbpf_log_begin();
    const int err = obj.load();
    if (err == 0) return LoadResult::loaded;
    const auto lines = libbpf_log_lines();
    const std::string program = failed_program_in_log(lines);
    const auto owner = sel.owner_of(program);
    if (!owner) return LiveError{"BPF object", "load failed: " + load_failure_reason(lines, program, err)};
    sel.fail(*owner, AttemptResult::unavailable,
             "load refused for " + program + ": " + load_failure_reason(lines, program, err));
    return LoadResult::retry;
}

template <typename Link>
bool attach_all(Selection& sel, BpfObject& obj, std::vector<Link>& links) {
    bool all_attached = true;
    for (std::size_t h = 0; h < sel.size(); ++h) {
        const Candidate* c = sel.current(h);
        if (!c) continue;
        for (const auto& name : c->programs) {
            libbpf_log_begin();
            bpf_link* link = attach_candidate_program(obj.program(name), *c);
            if (!link) {
                const int err = errno;
                sel.fail(h, AttemptResult::not_attachable, name + ": " + attach_failure_reason(err));
                all_attached = false;
                break;
            }
            links.emplace_back(link);
        }
    }
    return all_attached;
}

}  // namespace

void BpfSession::LinkDeleter::operator()(bpf_link* link) const { bpf_link__destroy(link); }

std::variant<std::unique_ptr<BpfSession>, LiveError> BpfSession::start(const LiveOptions& options,
                                                                       const KernelFeatures& kernel) {
    return start(options, kernel, hook_catalogue());
}

std::variant<std::unique_ptr<BpfSession>, LiveError> BpfSession::start(const LiveOptions& options,
                                                                       const KernelFeatures& kernel,
                                                                       const std::vector<HookSpec>& catalogue) {
    std::unique_ptr<BpfSession> session(new BpfSession());
    Selection sel(session->hooks_, kernel, catalogue, options.mechanism);
    // Each round attaches every current candidate or retires at least one,
    // so the loop ends within the catalogue's size. A retry starts from a
    // fresh object: a loaded one cannot take more programs.
    for (;;) {
        auto opened = BpfObject::open(options);
        if (auto* err = std::get_if<LiveError>(&opened)) return *err;
        auto obj = std::move(std::get<std::unique_ptr<BpfObject>>(opened));
        if (!prepare_all(sel, *obj)) continue;
        auto loaded = load(sel, *obj);
        if (auto* err = std::get_if<LiveError>(&loaded)) return *err;
        if (std::get<LoadResult>(loaded) == LoadResult::retry) continue;
        std::vector<Link> links;
        if (!attach_all(sel, *obj, links)) continue;  // links go before the object
        for (std::size_t h = 0; h < sel.size(); ++h)
            if (sel.current(h)) sel.succeed(h);
        session->object_ = std::move(obj);
        session->links_ = std::move(links);
        return session;
    }
}

BpfSession::~BpfSession() = default;

bool BpfSession::any_attached() const {
    for (const auto& h : hooks_)
        if (h.attached()) return true;
    return false;
}

std::vector<sources::HookStatus> BpfSession::header_hooks() const {
    std::vector<sources::HookStatus> out;
    for (const auto& h : hooks_) out.push_back(h.header_entry());
    return out;
}

int BpfSession::events_fd() const { return object_->map_fd("events"); }
int BpfSession::drops_fd() const { return object_->map_fd("drops"); }
int BpfSession::stacks_fd() const { return object_->map_fd("stacks"); }

void BpfSession::detach() { links_.clear(); }

}  // namespace pasidtrace::live
