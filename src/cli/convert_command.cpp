// SPDX-License-Identifier: GPL-2.0-only
// `pasidtrace convert FILE --to jsonl [-o PATH]`: any input the analyzer
// reads (native recording, trace.dat, JSON Lines) as the contract's JSON
// Lines, so people can read and edit the events and feed them back.
#include <iostream>

#include "cli/command.hpp"
#include "cli/output_file.hpp"
#include "sources/jsonl_writer.hpp"
#include "sources/source_factory.hpp"

namespace pasidtrace::cli {
namespace {

class ConvertCommand final : public Command {
public:
    CLI::App* add_to(CLI::App& app) override {
        CLI::App* sub = app.add_subcommand("convert", "Convert a recording or trace.dat to JSON Lines events");
        sub->add_option("FILE", input_, "Recording, trace.dat or .jsonl; '-' reads stdin")->required();
        sub->add_option("--to", to_, "Output format")->check(CLI::IsMember({"jsonl"}))->capture_default_str();
        sub->add_option("-o,--output", output_, "Write to PATH (complete or not at all) instead of stdout");
        sub->footer(
            "Examples:\n"
            "  pasidtrace convert run.ptr --to jsonl -o run.jsonl\n"
            "  pasidtrace convert trace.dat | grep pasid_msr");
        return sub;
    }

    int run() override {
        auto opened = sources::open_source(input_);
        if (auto* err = std::get_if<core::InputError>(&opened)) return input_error(*err);
        auto& source = *std::get<std::unique_ptr<sources::EventSource>>(opened);
        if (output_.empty()) {
            if (auto err = sources::write_jsonl(source, std::cout)) return input_error(*err);
            std::cout.flush();
            warn(source);
            return std::cout ? kExitOk : kExitUsage;
        }
        std::string error;
        auto file = AtomicOutputFile::create(output_, error);
        if (!file) return fail(error);
        if (auto err = sources::write_jsonl(source, file->stream())) return input_error(*err);
        if (auto commit_error = file->commit(); !commit_error.empty()) return fail(commit_error);
        warn(source);
        return kExitOk;
    }

private:
    static int input_error(const core::InputError& err) { return fail(err.to_string()); }
    static int fail(const std::string& message) {
        std::cerr << "pasidtrace: " << message << '\n';
        return kExitUsage;
    }
    void warn(const sources::EventSource& source) const {
        if (auto w = source.warning(); !w.empty()) std::cerr << "pasidtrace: " << input_ << ": warning: " << w << '\n';
    }

    std::string input_;
    std::string to_ = "jsonl";
    std::string output_;
};

const CommandRegistration kRegistration{40, [] { return std::unique_ptr<Command>(new ConvertCommand()); }};

}  // namespace
}  // namespace pasidtrace::cli
