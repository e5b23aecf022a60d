// SPDX-License-Identifier: GPL-2.0-only
// Subcommands register themselves (one file per command under src/cli/), so
// adding a command touches no other file.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include <CLI/CLI.hpp>

namespace pasidtrace::cli {

// Exit statuses shared by every command (contract section 3).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitUsage = 2;

class Command {
public:
    virtual ~Command() = default;
    // Adds the subcommand and its options to the app; returns it.
    virtual CLI::App* add_to(CLI::App& app) = 0;
    // Runs after a successful parse when this subcommand was chosen.
    virtual int run() = 0;
};

using CommandFactory = std::unique_ptr<Command> (*)();

// `order` fixes the position in --help.
struct CommandRegistration {
    CommandRegistration(int order, CommandFactory factory);
};

std::vector<std::unique_ptr<Command>> make_registered_commands();

}  // namespace pasidtrace::cli
