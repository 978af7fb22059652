#include "capture_sessions.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <list>
#include <utility>

#include "mptcpanalyzer/util/error.hpp"
#include "mptcpanalyzer/util/log.hpp"

namespace mptcpanalyzer::cli {
namespace {

// How many captures stay analysed at once: enough for a shell that goes back and forth
// between a client-side and a server-side capture, few enough to bound memory.
constexpr std::size_t kKeptSessions = 2;

struct Kept {
    std::string key;
    std::shared_ptr<const AnalysisSession> session;
};

std::list<Kept>& kept_sessions() {
    static std::list<Kept> sessions;  // most recently used first
    return sessions;
}

// The one kept pair (the shell's `load A --peer B`) and its sessions' keys. Its sessions stay
// open while it is kept, even when other captures push them out of kept_sessions: a shell going
// back to the loaded pair after a command on a third capture neither dissects nor maps again.
struct KeptPair {
    std::string first_key;
    std::string peer_key;
    std::shared_ptr<const AnalysisSession> first;
    std::shared_ptr<const AnalysisSession> peer;
    std::shared_ptr<const CapturePair> pair;
};

KeptPair& kept_pair() {
    static KeptPair kept;
    return kept;
}

// What makes two reads of a capture give the same table: the file's identity and contents'
// stamp, and the dissection preferences. Empty when the file cannot be examined (the load then
// reports why).
std::string session_key(const GlobalOptions& global, const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return {};
    std::error_code ec;
    const auto canonical = std::filesystem::weakly_canonical(path, ec);
    std::string key = (ec ? path : canonical.string()) + '\n' + std::to_string(st.st_dev) + ':' +
                      std::to_string(st.st_ino) + ':' + std::to_string(st.st_size) + ':' +
                      std::to_string(st.st_mtim.tv_sec) + '.' + std::to_string(st.st_mtim.tv_nsec);
    for (const auto& p : effective_wireshark_preferences(global)) key += '\n' + p.to_option();
    return key;
}

}  // namespace

std::shared_ptr<const AnalysisSession> open_session(const GlobalOptions& global, const std::string& path) {
    note_command_capture(path);  // a kept session is analysed again: its out-of-memory line names it
    auto& sessions = kept_sessions();
    const std::string key = session_key(global, path);
    if (!key.empty()) {
        const auto it = std::find_if(sessions.begin(), sessions.end(), [&](const Kept& k) { return k.key == key; });
        if (it != sessions.end()) {
            sessions.splice(sessions.begin(), sessions, it);
            return sessions.front().session;
        }
    }
    std::shared_ptr<const AnalysisSession> session;
    if (const KeptPair& pair = kept_pair(); pair.pair && !key.empty()) {
        if (key == pair.first_key) session = pair.first;
        if (key == pair.peer_key) session = pair.peer;
    }
    if (!session) {
        // -v: what a batch or the shell reads again, and what it reuses (the lines appear once).
        log::debug("session: opening {}", path);
        session = std::make_shared<const AnalysisSession>(load_capture(global, path).table);
    }
    if (!key.empty()) {
        sessions.push_front({key, session});
        if (sessions.size() > kKeptSessions) sessions.pop_back();
    }
    return session;
}

std::shared_ptr<const CapturePair> open_capture_pair(const GlobalOptions& global, const std::string& first,
                                                     const std::string& peer) {
    const std::string first_key = session_key(global, first);
    if (!first_key.empty() && first_key == session_key(global, peer)) {
        throw Error(ExitCode::Usage, "--peer " + peer + " is the same capture as -r " + first +
                                         ": a two-capture command needs the capture of the other end");
    }
    auto first_session = open_session(global, first);
    std::shared_ptr<const AnalysisSession> peer_session;
    try {
        peer_session = open_session(global, peer);
    } catch (const Error& e) {
        // The message starts with the file's path (docs/exit-codes.md); say which capture it is.
        throw Error(e.code(), std::string(e.what()) + " (the --peer capture)");
    }
    // One pair is kept: the shell's loaded pair. Its sessions are the kept ones, so a pair is
    // reused exactly when both sessions are (and the captures are named alike: reports name them).
    KeptPair& kept = kept_pair();
    if (kept.pair && kept.first == first_session && kept.peer == peer_session && kept.pair->first_name() == first &&
        kept.pair->peer_name() == peer) {
        return kept.pair;
    }
    log::debug("session: pairing {} with --peer {}", first, peer);
    kept.pair = std::make_shared<const CapturePair>(first_session, first, peer_session, peer);
    kept.first_key = first_key;
    kept.peer_key = session_key(global, peer);
    kept.first = std::move(first_session);
    kept.peer = std::move(peer_session);
    return kept.pair;
}

}  // namespace mptcpanalyzer::cli
