// SPDX-License-Identifier: GPL-2.0-only
#include <algorithm>
#include <cstdio>
#include <utility>

#include "cli/command.hpp"
#include "pasidtrace_version.hpp"

namespace pasidtrace::cli {
namespace {

std::vector<std::pair<int, CommandFactory>>& registry() {
    static std::vector<std::pair<int, CommandFactory>> r;
    return r;
}

}  // namespace

CommandRegistration::CommandRegistration(int order, CommandFactory factory) {
    registry().emplace_back(order, factory);
}

std::vector<std::unique_ptr<Command>> make_registered_commands() {
    auto entries = registry();
    std::stable_sort(entries.begin(), entries.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::unique_ptr<Command>> out;
    for (const auto& e : entries) out.push_back(e.second());
    return out;
}

}  // namespace pasidtrace::cli

int main(int argc, char** argv) {
    using namespace pasidtrace::cli;
    CLI::App app{"pasidtrace: PASID lifetimes of Linux processes, from eBPF, trace-cmd or JSON Lines "
                 "traces, checked against the kernel's rules"};
    app.set_version_flag("--version", std::string("pasidtrace ") + PASIDTRACE_VERSION);
    app.require_subcommand(1);
    app.footer(
        "Examples:\n"
        "  pasidtrace analyze samples/demo-leak-and-early-free.jsonl\n"
        "  pasidtrace analyze --format json -o report.json trace.jsonl\n"
        "  pasidtrace analyze --model task-refcount --fail-on warning trace.jsonl\n"
        "Run 'pasidtrace COMMAND --help' for a command's options.");

    auto commands = make_registered_commands();
    std::vector<std::pair<CLI::App*, Command*>> subs;
    for (auto& c : commands) subs.emplace_back(c->add_to(app), c.get());

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int rc = app.exit(e);
        // --help and --version exit 0; every other parse error is a usage error.
        return rc == 0 ? 0 : kExitUsage;
    }
    for (auto& [sub, cmd] : subs)
        if (sub->parsed()) return cmd->run();
    return kExitUsage;
}
