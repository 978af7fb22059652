#include "completion_hints.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace mptcpanalyzer::cli {
namespace {

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

// "TEXT:{png,svg,pdf}" -> {png, svg, pdf} (CLI::IsMember's description).
std::vector<std::string> choices_in_type_name(const std::string& type_name) {
    const auto open = type_name.find('{');
    const auto close = type_name.find('}', open == std::string::npos ? 0 : open);
    std::vector<std::string> out;
    if (open == std::string::npos || close == std::string::npos) return out;
    std::string item;
    for (std::size_t i = open + 1; i <= close; ++i) {
        if (i == close || type_name[i] == ',') {
            if (!item.empty()) out.push_back(item);
            item.clear();
        } else {
            item += type_name[i];
        }
    }
    return out;
}

}  // namespace

std::vector<std::string> option_spellings(const CLI::Option& option) {
    std::vector<std::string> out;
    for (const auto& s : option.get_snames()) out.push_back("-" + s);
    for (const auto& l : option.get_lnames()) out.push_back("--" + l);
    return out;
}

ValueHint value_hint(const CLI::Option& option) {
    const bool positional = option.get_lnames().empty() && option.get_snames().empty();
    if (!positional && option.get_type_size_max() == 0) return {ValueKind::None, {}};
    const std::string type = option.get_type_name();
    if (auto choices = choices_in_type_name(type); !choices.empty()) return {ValueKind::Choices, std::move(choices)};
    const std::string tag = type.substr(0, type.find(':'));
    if (tag == kFileValue || type.find(":FILE") != std::string::npos) return {ValueKind::File, {}};
    if (tag == kDirectoryValue || type.find(":DIR") != std::string::npos) return {ValueKind::Directory, {}};
    if (tag == kTcpStreamValue) return {ValueKind::TcpStream, {}};
    if (tag == kMptcpStreamValue) return {ValueKind::MptcpStream, {}};
    if (tag == kCommandValue) return {ValueKind::Command, {}};
    static constexpr std::array<std::string_view, 6> file_options{"read", "peer", "output", "config", "batch", "load"};
    static constexpr std::array<std::string_view, 2> folder_options{"cache-dir", "keep-script"};
    for (const auto& l : option.get_lnames()) {
        if (std::find(file_options.begin(), file_options.end(), l) != file_options.end()) return {ValueKind::File, {}};
        if (std::find(folder_options.begin(), folder_options.end(), l) != folder_options.end()) {
            return {ValueKind::Directory, {}};
        }
    }
    const std::string& d = option.get_description();
    if (starts_with(d, "tcp.stream")) return {ValueKind::TcpStream, {}};
    if (starts_with(d, "mptcp.stream")) return {ValueKind::MptcpStream, {}};
    return {ValueKind::Free, {}};
}

std::vector<const CLI::App*> visible_subcommands(const CLI::App& command) {
    // Hidden commands have an empty group; option groups have an empty name.
    return command.get_subcommands(
        [](const CLI::App* sub) { return !sub->get_name().empty() && !sub->get_group().empty(); });
}

}  // namespace mptcpanalyzer::cli
