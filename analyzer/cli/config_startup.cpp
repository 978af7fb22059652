#include "config_startup.hpp"

#include <string_view>

#include "mptcpanalyzer/util/log.hpp"
#include "plot_common.hpp"
#include "report_output.hpp"

namespace mptcpanalyzer::cli {

std::string config_path_from_arguments(int argc, char** argv) {
    std::string path;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--") break;
        if (arg == "--config" && i + 1 < argc) {
            path = argv[++i];
        } else if (arg.starts_with("--config=")) {
            path = std::string(arg.substr(9));
        }
    }
    return path;
}

Config load_startup_config(int argc, char** argv) {
    const std::string given = config_path_from_arguments(argc, argv);
    std::vector<std::string> warnings;
    Config config = given.empty() ? load_config(default_config_path(), false, warnings) : load_config(given, true, warnings);
    for (const auto& w : warnings) log::warning("{}", w);
    set_report_defaults({config.output_format, config.csv_delimiter});
    PlotDefaults plot;
    plot.terminal = config.plot_terminal;
    plot.width = config.plot_width;
    plot.height = config.plot_height;
    plot.font = config.plot_font;
    plot.point_size = config.plot_point_size;
    plot.line_width = config.plot_line_width;
    set_plot_defaults(plot);
    return config;
}

}  // namespace mptcpanalyzer::cli
