#pragma once
// Process-wide libwireshark initialisation, done once, in the order that works
// (notes/libwireshark-4.0.md): log, policies, configuration, wiretap, epan, settings.

#include <string>
#include <vector>

namespace mptcpanalyzer::capture {

// Our dissection preferences (defined in capture_front.cpp: the cache key needs them without
// libwireshark): one pass, no tree, Wireshark's own MPTCP mapping and
// reinjection analyses off (we compute DSNs and reinjections ourselves, in linear time),
// TCP sequence analysis off (we compute relative numbers ourselves; saves a third of the
// memory). tcp.stream and mptcp.stream stay the numbers a Wireshark user sees.
const std::vector<std::string>& default_preferences();

// Initialises libwireshark on first call (thread-unsafe, like libwireshark itself) and
// applies `preferences` (applied again only when they differ from the last call).
// Throws Error(Environment) when libwireshark cannot be initialised or a preference is refused.
void ensure_epan_ready(const std::vector<std::string>& preferences);

}  // namespace mptcpanalyzer::capture
