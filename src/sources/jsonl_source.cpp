// SPDX-License-Identifier: GPL-2.0-only
#include "sources/jsonl_source.hpp"

#include <string_view>

#include "sources/jsonl_fields.hpp"

namespace pasidtrace::sources {
namespace {

using Json = nlohmann::json;

constexpr int kFormatVersion = 1;

bool is_blank_or_comment(std::string_view line) {
    auto first = line.find_first_not_of(" \t\r\f\v");
    return first == std::string_view::npos || line[first] == '#';
}

// nlohmann's message is "[json.exception.parse_error.101] parse error at line
// 1, column 9: syntax error ..."; keep the part after the position, which we
// give as a column of the file's line.
std::string parse_error_text(const Json::parse_error& e) {
    std::string_view what = e.what();
    if (auto colon = what.find(": "); colon != std::string_view::npos) what.remove_prefix(colon + 2);
    return "at column " + std::to_string(e.byte) + ": " + std::string(what);
}

core::MmdropProbe probe_from(const Json& v) {
    if (v == "entry") return core::MmdropProbe::entry;
    if (v == "exit") return core::MmdropProbe::exit;
    return core::MmdropProbe::unknown;  // anything else is ignored (contract 4)
}

}  // namespace

JsonlSource::JsonlSource(std::unique_ptr<std::istream> in, std::string display_path)
    : in_(std::move(in)), path_(std::move(display_path)) {
    header_.format = "jsonl";
}

std::unique_ptr<JsonlSource> JsonlSource::open(std::unique_ptr<std::istream> in, std::string display_path,
                                               core::InputError& error) {
    std::unique_ptr<JsonlSource> src(new JsonlSource(std::move(in), std::move(display_path)));
    if (!src->read_header()) {
        error = src->error_;
        return nullptr;
    }
    return src;
}

ReadStatus JsonlSource::fail(std::string field, std::string message) {
    failed_ = true;
    error_ = core::InputError{path_, line_no_, std::move(field), std::move(message)};
    return ReadStatus::error;
}

bool JsonlSource::next_object(Json& object) {
    while (std::getline(*in_, line_)) {
        ++line_no_;
        if (is_blank_or_comment(line_)) continue;
        try {
            object = Json::parse(line_);
        } catch (const Json::parse_error& e) {
            fail({}, "invalid JSON " + parse_error_text(e));
            return false;
        }
        if (!object.is_object()) {
            fail({}, "expected a JSON object, got " + describe_json(object));
            return false;
        }
        return true;
    }
    if (in_->bad()) fail({}, "read error");
    return false;
}

// The header is the first line that is neither blank nor a comment, when its
// type is "header"; otherwise that line is the first event.
bool JsonlSource::read_header() {
    Json first;
    if (!next_object(first)) return !failed_;
    auto type = first.find("type");
    if (type != first.end() && *type == "header") return apply_header(first);
    pending_ = std::move(first);
    return true;
}

bool JsonlSource::apply_header(const Json& object) {
    for (const auto& [key, value] : object.items()) {
        if (key == "type" || value.is_null()) continue;
        if (key == "version") {
            if (!value.is_number_unsigned()) return fail(key, "expected an integer, got " + describe_json(value)), false;
            if (value.get<std::uint64_t>() > kFormatVersion)
                return fail(key, describe_json(value) + " is newer than this pasidtrace reads (1)"), false;
        } else if (key == "kernel" || key == "hostname" || key == "clock") {
            if (!value.is_string()) return fail(key, "expected a string, got " + describe_json(value)), false;
            std::string s = value.get<std::string>();
            if (key == "kernel") header_.kernel = s;
            else if (key == "hostname") header_.hostname = s;
            else header_.clock = s;
        } else if (key == "mmdrop_probe") {
            header_.mmdrop_probe = probe_from(value);
        } else if (key == "observed") {
            if (!value.is_array()) return fail(key, "expected a list of strings, got " + describe_json(value)), false;
            header_.observed = core::ObservedTypes::none();
            header_.has_observed_list = true;
            for (const Json& name : value) {
                if (!name.is_string())
                    return fail(key, "expected a list of strings, found " + describe_json(name)), false;
                // A type this version does not know cannot be needed by a rule.
                if (auto t = core::event_type_from_string(name.get<std::string>())) header_.observed.add(*t);
            }
        } else if (key != "format") {
            header_.extra[key] = value;
        }
    }
    return true;
}

std::optional<ReadStatus> JsonlSource::decode(const Json& object, core::Event& out) {
    auto type = object.find("type");
    if (type == object.end() || type->is_null()) return fail("type", "missing");
    if (!type->is_string()) return fail("type", "expected a string, got " + describe_json(*type));
    auto known = core::event_type_from_string(type->get_ref<const std::string&>());
    if (!known) {
        ++counters_.skipped;  // unknown types (and a late "header") are skipped
        return std::nullopt;
    }
    out = core::Event{};
    out.type = *known;
    out.pos.line = line_no_;
    if (auto err = read_event_fields(object, out)) return fail(err->field, err->message);
    return ReadStatus::event;
}

ReadStatus JsonlSource::next(core::Event& out) {
    if (failed_) return ReadStatus::error;
    Json object;
    for (;;) {
        if (pending_) {
            object = std::move(*pending_);
            pending_.reset();
        } else if (!next_object(object)) {
            return failed_ ? ReadStatus::error : ReadStatus::end;
        }
        if (auto st = decode(object, out)) return *st;
    }
}

}  // namespace pasidtrace::sources
