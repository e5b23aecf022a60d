// SPDX-License-Identifier: GPL-2.0-only
// `pasidtrace ftrace-recipe [--apply]`: what to record with trace-cmd on
// this kernel (docs/ftrace.md), or, with --apply, those events set up in
// tracefs with how to start, stop and save the recording.
#include <iostream>

#include "app/ftrace_apply.hpp"
#include "app/ftrace_kernel.hpp"
#include "app/ftrace_recipe.hpp"
#include "cli/command.hpp"

namespace pasidtrace::cli {
namespace {

class FtraceRecipeCommand final : public Command {
public:
    CLI::App* add_to(CLI::App& app) override {
        CLI::App* sub = app.add_subcommand("ftrace-recipe",
                                           "Print the trace-cmd recipe that records PASID lifetimes on this kernel");
        sub->add_flag("--apply", apply_,
                      "Write the kprobe definitions, filters and event enables into tracefs (root), then print "
                      "how to start, stop and save");
        auto* instance =
            sub->add_option("--instance", instance_, "Buffer instance --apply sets up")->capture_default_str();
        sub->add_flag("--top", top_, "With --apply: use the top buffer instead of an instance")->excludes(instance);
        sub->add_option("--tracefs", paths_.tracefs, "tracefs mount point (default: found)");
        sub->add_option("--kallsyms", paths_.kallsyms, "Kernel symbols to check functions in")->capture_default_str();
        sub->add_option("--btf", paths_.btf, "Kernel BTF to take struct offsets from")->capture_default_str();
        sub->footer(
            "Examples:\n"
            "  pasidtrace ftrace-recipe\n"
            "  sudo pasidtrace ftrace-recipe --apply\n"
            "Exit status: 0 recipe printed (or applied), 2 usage error, tracefs unreadable or refusing a write.");
        return sub;
    }

    int run() override {
        const app::KernelReading reading = app::describe_running_kernel(paths_);
        if (!reading.unreadable_tracefs.empty()) {
            std::cerr << "pasidtrace: ftrace-recipe: " << reading.unreadable_tracefs << '\n';
            return kExitUsage;
        }
        const app::Recipe recipe = app::make_recipe(reading.kernel);
        if (!reading.problems.empty()) {
            for (const auto& p : reading.problems) std::cerr << "pasidtrace: ftrace-recipe: " << p << '\n';
        }
        if (!apply_) {
            std::cout << app::render_recipe(recipe, reading.kernel) << std::flush;
            return kExitOk;
        }
        const app::ApplyTarget target{reading.kernel.tracefs, top_ ? std::string() : instance_};
        auto applied = app::apply_recipe(recipe, target);
        if (auto* err = std::get_if<std::string>(&applied)) {
            std::cerr << "pasidtrace: ftrace-recipe --apply: " << *err << '\n';
            return kExitUsage;
        }
        const auto& done = std::get<app::AppliedRecipe>(applied);
        std::cout << "Applied the recipe for Linux " << reading.kernel.release << " to "
                  << (target.instance.empty() ? target.tracefs : target.tracefs + "/instances/" + target.instance)
                  << ":\n";
        for (const auto& w : done.written) std::cout << "  " << w << '\n';
        if (!recipe.missing.empty()) {
            std::cout << "Not recorded on this kernel:";
            for (const auto& m : recipe.missing) std::cout << ' ' << core::to_string(m.type);
            std::cout << " (`pasidtrace ftrace-recipe` says why)\n";
        }
        std::cout << '\n' << app::how_to_record(done) << std::flush;
        return kExitOk;
    }

private:
    app::KernelPaths paths_;
    bool apply_ = false;
    bool top_ = false;
    std::string instance_ = app::kDefaultInstance;
};

const CommandRegistration kRegistration{60, [] { return std::unique_ptr<Command>(new FtraceRecipeCommand()); }};

}  // namespace
}  // namespace pasidtrace::cli
