#pragma once
// The analysis sessions of the captures that commands read: one per capture file and
// dissection preferences, kept for the life of the process. A batch or the shell thus dissects
// and analyses a capture once, however many commands read it, with or without the on-disk
// cache; the file changing on disk (size, mtime, inode) opens a new session.

#include <memory>
#include <string>

#include "common_options.hpp"
#include "mptcpanalyzer/analysis/capture_pair.hpp"
#include "mptcpanalyzer/analysis/session.hpp"

namespace mptcpanalyzer::cli {

// The session of `path`: kept, or loaded through the cache (load_capture) and kept. Throws what
// load_capture throws (Error with the file's name and an exit code).
std::shared_ptr<const AnalysisSession> open_session(const GlobalOptions& global, const std::string& path);

// The pair of `first` and `peer` (two-capture commands): both sessions as open_session gives
// them, and the pair itself kept while the same two captures are asked for, so the shell after
// `load A --peer B` maps and matches them once. Throws Error(Usage) when both name the same file.
std::shared_ptr<const CapturePair> open_capture_pair(const GlobalOptions& global, const std::string& first,
                                                     const std::string& peer);

}  // namespace mptcpanalyzer::cli
