#pragma once
// The analysis sessions of the captures that commands read: one per capture file and
// dissection preferences, kept for the life of the process. A batch or the shell thus dissects
// and analyses a capture once, however many commands read it, with or without the on-disk
// cache; the file changing on disk (size, mtime, inode) opens a new session.

#include <memory>
#include <string>

#include "common_options.hpp"
#include "mptcpanalyzer/analysis/session.hpp"

namespace mptcpanalyzer::cli {

// The session of `path`: kept, or loaded through the cache (load_capture) and kept. Throws what
// load_capture throws (Error with the file's name and an exit code).
std::shared_ptr<const AnalysisSession> open_session(const GlobalOptions& global, const std::string& path);

}  // namespace mptcpanalyzer::cli
