// SPDX-License-Identifier: GPL-2.0-only
// `ftrace-recipe --apply`: writes a recipe into tracefs (kprobe
// definitions, tracepoint filters, event enables) so that recording is a
// matter of tracing_on and `trace-cmd extract`, which works where
// `trace-cmd record` cannot enable ftrace. By default the events go to a
// buffer instance of their own, so the top buffer and whoever uses it are
// left alone.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "app/ftrace_recipe.hpp"

namespace pasidtrace::app {

inline constexpr const char* kDefaultInstance = "pasidtrace";

struct ApplyTarget {
    std::string tracefs;   // mount point
    std::string instance;  // buffer instance; empty: the top buffer
};

struct AppliedRecipe {
    ApplyTarget target;
    std::vector<std::string> written;       // "path <- value", in order
    std::vector<std::string> probe_events;  // names under the pasidtrace group
};

// The error names the tracefs file and what the kernel answered.
std::variant<AppliedRecipe, std::string> apply_recipe(const Recipe& recipe, const ApplyTarget& target);

// How to start, stop, save and undo, as shell commands.
std::string how_to_record(const AppliedRecipe& applied);

}  // namespace pasidtrace::app
