#include "man_page.hpp"

#include <fmt/core.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "completion_hints.hpp"
#include "mptcpanalyzer/util/error.hpp"
#include "mptcpanalyzer/version.hpp"

namespace mptcpanalyzer::cli {
namespace {

// Text for roff: backslashes and minus signs escaped (a '-' is a hyphen to groff, and options
// must be copyable), a line starting with a control character ('.' or ''') neutralised.
std::string roff(const std::string& text) {
    std::string out;
    bool line_start = true;
    for (char c : text) {
        if (line_start && (c == '.' || c == '\'')) out += "\\&";
        if (c == '\\') {
            out += "\\e";
        } else if (c == '-') {
            out += "\\-";
        } else {
            out += c;
        }
        line_start = c == '\n';
    }
    return out;
}

std::string trim(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    const auto first = text.find_first_not_of(" \n");
    return first == std::string::npos ? std::string() : text.substr(first);
}

// The words that select `command` below the program ("plot dsn").
std::string path_of(const CLI::App& command) {
    std::string path;
    for (const CLI::App* c = &command; c && c->get_parent(); c = c->get_parent()) {
        path = path.empty() ? c->get_name() : c->get_name() + " " + path;
    }
    return path;
}

// The options of `command` that `--help` shows, as a roff list: "-r, --read FILE REQUIRED" (the
// left column of `--help`, from the same formatter) and its description.
std::string option_list(const CLI::App& command, bool positional) {
    const CLI::Formatter formatter;  // the pieces of CLI11's default `--help` layout
    std::string out;
    for (const CLI::Option* opt : command.get_options()) {
        if (opt->get_group().empty() || opt->get_positional() != positional) continue;
        if (opt->get_name() == "--help" || opt->get_name() == "-h,--help") continue;  // on every command
        const std::string name = formatter.make_option_name(opt, positional);
        const std::string opts = formatter.make_option_opts(opt);
        std::string spelled;
        for (const auto& n : option_spellings(*opt)) spelled += (spelled.empty() ? "" : ", ") + ("\\fB" + roff(n) + "\\fR");
        if (spelled.empty()) spelled = "\\fI" + roff(name) + "\\fR";
        out += ".TP\n" + spelled + (opts.empty() ? "" : roff(opts)) + "\n" + roff(trim(formatter.make_option_desc(opt))) + "\n";
    }
    return out;
}

std::string command_section(const CLI::App& command) {
    const CLI::Formatter formatter;
    const std::string path = path_of(command);
    std::string out = fmt::format(".SS \"{}\"\n", roff(path));
    std::string aliases;
    for (const auto& a : command.get_aliases()) aliases += (aliases.empty() ? "" : ", ") + a;
    out += roff(trim(command.get_description())) + "\n";
    if (!aliases.empty()) out += ".br\nAlso: " + roff(aliases) + "\n";
    out += ".PP\n" + roff(trim(formatter.make_usage(&command, "mptcpanalyzer " + path))) + "\n";
    out += option_list(command, true);
    out += option_list(command, false);
    const std::string footer = trim(command.get_footer());
    if (!footer.empty()) out += ".PP\n.nf\n" + roff(footer) + "\n.fi\n";
    for (const CLI::App* sub : visible_subcommands(command)) out += command_section(*sub);
    return out;
}

constexpr const char* kPreamble = R"ROFF(.SH SYNOPSIS
.B mptcpanalyzer
[\fIGLOBAL OPTIONS\fR] \fICOMMAND\fR [\fIOPTIONS\fR] [\fIARGUMENTS\fR]
.br
.B mptcpanalyzer
[\fIGLOBAL OPTIONS\fR] \fB\-\-batch\fR \fIFILE\fR
.br
.B mptcpanalyzer
[\fIGLOBAL OPTIONS\fR] [\fB\-\-load\fR \fIFILE\fR]
.SH DESCRIPTION
\fBmptcpanalyzer\fR reads packet captures of Multipath TCP (RFC 8684 v1 and the older v0) with
libwireshark, dissecting them once with Wireshark's own TCP and MPTCP dissectors, and reports
connections, subflows, reinjections, one\-way delays, reordering and events as text, JSON or CSV,
and plots through gnuplot.
.PP
With a \fICOMMAND\fR it runs that command and exits with its status. With \fB\-\-batch\fR it runs
a file of commands, one per line. Alone on a terminal it starts an interactive shell with the
same commands, completion and history. Every connection command prints text by default,
\fB\-\-json\fR or \fB\-\-csv\fR on request, and \fB\-o\fR \fIFILE\fR writes to a file.
)ROFF";

constexpr const char* kEpilogue = R"ROFF(.SH EXIT STATUS
0 on success; 2 for a bad command line, 3 when an input file is missing, 4 when it is not a
readable capture, 5 when it holds no TCP, 6 when an output cannot be written, 7 when
libwireshark, gnuplot or another dependency is unusable, 8 for a bad configuration file, 1 for an
internal failure. See \fIexit\-codes.md\fR in the documentation.
.SH FILES
.TP
\fI$XDG_CONFIG_HOME/mptcpanalyzer/config\fR
Settings (default \fI~/.config/mptcpanalyzer/config\fR): \fBmptcpanalyzer config show\fR prints them.
.TP
\fI$XDG_CACHE_HOME/mptcpanalyzer/\fR
The cache of dissected captures (default \fI~/.cache/mptcpanalyzer/\fR).
.TP
\fI$XDG_DATA_HOME/mptcpanalyzer/plugins/\fR
Third\-party plugins adding commands and plot kinds (default \fI~/.local/share/mptcpanalyzer/plugins/\fR).
.SH SEE ALSO
\fBtshark\fR(1), \fBwireshark\fR(1), \fBgnuplot\fR(1).
The user guide is in \fI/usr/share/doc/mptcpanalyzer/\fR when installed from packages.
)ROFF";

}  // namespace

std::string man_page(const CLI::App& root) {
    // No date: the page of a given version is the same whenever and wherever it is built.
    std::string out = fmt::format(".TH MPTCPANALYZER 1 \"\" \"mptcpanalyzer {}\" \"User Commands\"\n", kVersion);
    out += ".SH NAME\nmptcpanalyzer \\- Multipath TCP analysis of packet captures\n";
    out += kPreamble;
    out += ".SH GLOBAL OPTIONS\nThey may come before or after the command name.\n";
    out += option_list(root, false);
    out += ".SH COMMANDS\n";
    for (const CLI::App* sub : visible_subcommands(root)) out += command_section(*sub);
    out += kEpilogue;
    return out;
}

void setup_man_page(CLI::App& app) {
    auto output = std::make_shared<std::string>("-");
    CLI::App* cmd = app.add_subcommand("man-page", "Print the man page mptcpanalyzer(1) in roff");
    cmd->group("");  // hidden: for packagers, like `completion bash`
    cmd->add_option("-o,--output", *output, "Write it to this file instead of standard output");
    cmd->callback([cmd, output] {
        const std::string page = man_page(*cmd->get_parent());
        if (*output == "-") {
            fmt::print("{}", page);
            return;
        }
        std::ofstream file(*output, std::ios::binary | std::ios::trunc);
        file << page;
        file.close();
        if (!file) throw Error(ExitCode::OutputFailed, *output + ": cannot write the man page");
    });
}

}  // namespace mptcpanalyzer::cli
