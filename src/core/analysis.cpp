// SPDX-License-Identifier: GPL-2.0-only
#include "core/analysis.hpp"

namespace pasidtrace::core {

EvidenceRef evidence_of(const Event& e) { return EvidenceRef{e.ts, e.type, e.pos.line, e.stack_id}; }

std::string_view to_string(LifetimeState s) {
    switch (s) {
    case LifetimeState::freed: return "freed";
    case LifetimeState::open: return "open";
    case LifetimeState::leaked: return "leaked";
    case LifetimeState::early_freed: return "early-freed";
    }
    return "open";
}

}  // namespace pasidtrace::core
