#include "mptcpanalyzer/model/connections.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <unordered_map>

#include "mptcpanalyzer/model/sequence_coverage.hpp"
#include "mptcpanalyzer/util/mapped_file.hpp"

namespace mptcpanalyzer {

std::string Endpoint::to_string() const {
    if (address.family == 6) return fmt::format("[{}]:{}", address.to_string(), port);
    return fmt::format("{}:{}", address.to_string(), port);
}

const char* to_string(DataDirection d) { return d == DataDirection::ToServer ? "to_server" : "to_client"; }
const char* to_string(TcpDirection d) {
    return d == TcpDirection::ClientToServer ? "client_to_server" : "server_to_client";
}
const char* to_string(Orientation o) {
    switch (o) {
        case Orientation::Syn: return "syn";
        case Orientation::SynAck: return "syn_ack";
        case Orientation::PortNumbers: return "port_numbers";
        case Orientation::FirstPacket: return "first_packet";
    }
    return "?";
}
const char* to_string(TcpEnd e) {
    switch (e) {
        case TcpEnd::Open: return "open";
        case TcpEnd::HalfClosed: return "half_closed";
        case TcpEnd::Fin: return "fin";
        case TcpEnd::Rst: return "rst";
    }
    return "?";
}
const char* to_string(SubflowRole r) {
    switch (r) {
        case SubflowRole::Initial: return "initial";
        case SubflowRole::Join: return "join";
        case SubflowRole::Unknown: return "unknown";
    }
    return "?";
}
const char* to_string(Attachment a) {
    switch (a) {
        case Attachment::MpCapable: return "mp_capable";
        case Attachment::Token: return "token";
        case Attachment::WiresharkStream: return "wireshark_stream";
    }
    return "?";
}
const char* to_string(Fallback f) {
    switch (f) {
        case Fallback::None: return "none";
        case Fallback::NoMpCapableReply: return "no_mp_capable_reply";
        case Fallback::NoMpCapableAck: return "no_mp_capable_ack";
        case Fallback::NoDss: return "no_dss";
        case Fallback::InfiniteMapping: return "infinite_mapping";
        case Fallback::AfterMpFail: return "mp_fail_no_dss";
    }
    return "?";
}

TcpDirection TcpConnection::direction_of(const PacketTable& table, std::uint32_t row) const {
    const auto& c = table.columns();
    const bool from_client = c.sport[row] == client.port && table.address(c.src[row]) == client.address;
    return from_client ? TcpDirection::ClientToServer : TcpDirection::ServerToClient;
}

std::int64_t TcpConnection::first_ns() const {
    std::int64_t t = 0;
    bool any = false;
    for (const auto& d : directions) {
        if (d.packets && (!any || d.first_ns < t)) t = d.first_ns, any = true;
    }
    return t;
}
std::int64_t TcpConnection::last_ns() const {
    std::int64_t t = 0;
    for (const auto& d : directions)
        if (d.packets) t = std::max(t, d.last_ns);
    return t;
}

std::optional<std::uint32_t> MptcpConnection::client_token() const {
    if (!client_key) return std::nullopt;
    return client_derived.token;
}
std::optional<std::uint32_t> MptcpConnection::server_token() const {
    if (!server_key) return std::nullopt;
    return server_derived.token;
}

namespace {

const MptcpOption* find_option(const PacketRecord& r, MptcpSubtype s) {
    for (const auto& m : r.mptcp_options)
        if (m.subtype == s) return &m;
    return nullptr;
}

class ModelBuilder {
public:
    explicit ModelBuilder(const PacketTable& t) : table_(t), c_(t.columns()) {}

    ConnectionModel build() {
        group_rows();
        for (auto& conn : model_.tcp) orient_and_measure(conn);
        mark_port_reuse();
        for (std::size_t i = 0; i < model_.tcp.size(); ++i) find_initial_subflow(i);
        order_mptcp();
        for (std::size_t i = 0; i < model_.tcp.size(); ++i) attach_join(i);
        order_partial_connections();
        for (auto& m : model_.mptcp) finish_mptcp(m);
        std::stable_sort(model_.anomalies.begin(), model_.anomalies.end(),
                         [](const Anomaly& a, const Anomaly& b) { return a.frame < b.frame; });
        return std::move(model_);
    }

private:
    void anomaly(std::uint32_t row, std::uint32_t tcp_stream, std::int64_t mptcp_stream, std::string kind,
                 std::string detail) {
        model_.anomalies.push_back(Anomaly{c_.frame_number[row], tcp_stream, mptcp_stream, std::move(kind),
                                           std::move(detail)});
    }

    void group_rows() {
        std::uint32_t max_stream = 0;
        for (auto s : c_.tcp_stream) {
            max_stream = std::max(max_stream, s);
            release_.tick();
        }
        std::vector<int>& index = tcp_index_;
        index.assign(table_.empty() ? 0 : std::size_t{max_stream} + 1, -1);
        // Streams in ascending order, rows in capture order.
        std::vector<std::uint32_t> counts(index.size(), 0);
        for (auto s : c_.tcp_stream) {
            ++counts[s];
            release_.tick();
        }
        for (std::uint32_t s = 0; s < counts.size(); ++s) {
            if (!counts[s]) continue;
            index[s] = static_cast<int>(model_.tcp.size());
            TcpConnection conn;
            conn.tcp_stream = s;
            conn.rows.reserve(counts[s]);
            model_.tcp.push_back(std::move(conn));
        }
        for (std::uint32_t row = 0; row < table_.size(); ++row) {
            model_.tcp[static_cast<std::size_t>(index[c_.tcp_stream[row]])].rows.push_back(row);
            release_.tick();
        }
    }

    Endpoint src_of(std::uint32_t row) const { return {table_.address(c_.src[row]), c_.sport[row]}; }
    Endpoint dst_of(std::uint32_t row) const { return {table_.address(c_.dst[row]), c_.dport[row]}; }

    void orient_and_measure(TcpConnection& conn) {
        const std::uint32_t first = conn.rows.front();
        std::optional<std::uint32_t> syn, synack;
        for (auto row : conn.rows) {
            release_.tick();
            const auto f = c_.flags[row];
            if ((f & tcp_flag::kSyn) && !(f & tcp_flag::kAck) && !syn) syn = row;
            if ((f & tcp_flag::kSyn) && (f & tcp_flag::kAck) && !synack) synack = row;
        }
        if (syn) {
            conn.orientation = Orientation::Syn;
            conn.client = src_of(*syn);
            conn.server = dst_of(*syn);
        } else if (synack) {
            conn.orientation = Orientation::SynAck;
            conn.client = dst_of(*synack);
            conn.server = src_of(*synack);
        } else if (c_.sport[first] != c_.dport[first]) {
            // The lower port is the service: servers listen on well-known or registered
            // ports, clients use ephemeral ones.
            conn.orientation = Orientation::PortNumbers;
            const bool src_is_server = c_.sport[first] < c_.dport[first];
            conn.client = src_is_server ? dst_of(first) : src_of(first);
            conn.server = src_is_server ? src_of(first) : dst_of(first);
        } else {
            conn.orientation = Orientation::FirstPacket;
            conn.client = src_of(first);
            conn.server = dst_of(first);
        }
        if (!syn) {
            anomaly(first, conn.tcp_stream, -1, "missing_handshake",
                    fmt::format("no SYN seen for tcp.stream {}: client/server inferred from the {}", conn.tcp_stream,
                                conn.orientation == Orientation::SynAck        ? "SYN/ACK"
                                : conn.orientation == Orientation::PortNumbers ? "port numbers"
                                                                               : "first packet's sender"));
        } else if (!synack) {
            anomaly(*syn, conn.tcp_stream, -1, "missing_syn_ack",
                    fmt::format("no SYN/ACK seen for tcp.stream {}", conn.tcp_stream));
        }

        // What a retransmission is and what the payload covered: SequenceCoverage, shared with
        // the MPTCP byte classification (analysis/reinjections) so both count the same bytes.
        std::array<SequenceCoverage, 2> seq{};
        for (auto row : conn.rows) {
            release_.tick();
            const auto d = static_cast<std::size_t>(conn.direction_of(table_, row));
            TcpDirectionStats& st = conn.directions[d];
            const std::int64_t t = c_.time_ns[row];
            if (st.packets == 0) st.first_ns = t;
            st.first_ns = std::min(st.first_ns, t);
            st.last_ns = std::max(st.last_ns, t);
            ++st.packets;
            const auto f = c_.flags[row];
            st.syn = st.syn || (f & tcp_flag::kSyn);
            st.fin = st.fin || (f & tcp_flag::kFin);
            st.rst = st.rst || (f & tcp_flag::kRst);
            seq[d].add(c_.seq_raw[row], f & tcp_flag::kSyn, c_.payload_length[row]);
        }
        for (std::size_t d = 0; d < 2; ++d) {
            TcpDirectionStats& st = conn.directions[d];
            st.payload_bytes = seq[d].payload_bytes();
            st.unique_bytes = seq[d].covered_bytes();
            st.retransmitted_bytes = seq[d].retransmitted_bytes();
            st.hole_bytes = seq[d].hole_bytes();
        }
        const auto& a = conn.directions[0];
        const auto& b = conn.directions[1];
        if (a.rst || b.rst) conn.end = TcpEnd::Rst;
        else if (a.fin && b.fin) conn.end = TcpEnd::Fin;
        else if (a.fin || b.fin) conn.end = TcpEnd::HalfClosed;
        else conn.end = TcpEnd::Open;
    }

    void mark_port_reuse() {
        std::map<std::pair<Endpoint, Endpoint>, std::uint32_t> seen;
        for (auto& conn : model_.tcp) {
            auto key = std::make_pair(conn.client, conn.server);
            auto [it, inserted] = seen.try_emplace(key, conn.tcp_stream);
            if (!inserted) {
                conn.port_reused = true;
                anomaly(conn.rows.front(), conn.tcp_stream, -1, "port_reuse",
                        fmt::format("tcp.stream {} reuses the 4-tuple of tcp.stream {}", conn.tcp_stream, it->second));
                it->second = conn.tcp_stream;
            }
        }
    }

    std::int64_t wireshark_mptcp_stream(const TcpConnection& conn) const {
        for (auto row : conn.rows) {
            release_.tick();
            if (c_.mptcp_stream[row] >= 0) return c_.mptcp_stream[row];
        }
        return -1;
    }

    // A TCP connection with MP_CAPABLE is the initial subflow of an MPTCP connection.
    void find_initial_subflow(std::size_t tcp_idx) {
        TcpConnection& conn = model_.tcp[tcp_idx];
        const auto capable_bit = 1U << static_cast<unsigned>(MptcpSubtype::Capable);
        bool any = false;
        for (auto row : conn.rows) {
            release_.tick();
            any = any || (c_.mptcp_subtypes[row] & capable_bit);
        }
        if (!any) return;

        MptcpConnection m;
        m.initial_tcp_stream = conn.tcp_stream;
        m.client = conn.client;
        m.server = conn.server;
        m.mptcp_stream = wireshark_mptcp_stream(conn);
        bool syn_capable = false, synack_seen = false, synack_capable = false, third_ack_checked = false;
        bool client_requests_csum = false, server_requests_csum = false;
        std::uint32_t synack_row = 0;
        for (auto row : conn.rows) {
            release_.tick();
            const auto f = c_.flags[row];
            const bool has_capable = c_.mptcp_subtypes[row] & capable_bit;
            const bool from_client = conn.direction_of(table_, row) == TcpDirection::ClientToServer;
            if ((f & tcp_flag::kSyn) && (f & tcp_flag::kAck)) {
                synack_seen = true;
                synack_row = row;
                synack_capable = synack_capable || has_capable;
            } else if ((f & tcp_flag::kSyn) && has_capable) {
                syn_capable = true;
            } else if (!(f & tcp_flag::kSyn) && from_client && synack_capable && !third_ack_checked &&
                       (f & tcp_flag::kAck)) {
                third_ack_checked = true;
                if (!has_capable && m.fallback == Fallback::None) {
                    m.fallback = Fallback::NoMpCapableAck;
                    m.fallback_frame = c_.frame_number[row];
                    m.fallback_direction = DataDirection::ToServer;
                }
            }
            if (!has_capable) continue;
            const PacketRecord r = table_.record(row);
            const MptcpOption* cap = find_option(r, MptcpSubtype::Capable);
            if (!cap) continue;
            if (m.version < 0 || (f & tcp_flag::kSyn)) m.version = cap->version;
            if (f & tcp_flag::kSyn) {
                if (from_client) client_requests_csum = client_requests_csum || (cap->flags & 0x80);
                else server_requests_csum = server_requests_csum || (cap->flags & 0x80);
            }
            if (cap->has_sender_key) (from_client ? m.client_key : m.server_key) = cap->sender_key;
            if (cap->has_receiver_key) (from_client ? m.server_key : m.client_key) = cap->receiver_key;
        }
        if (syn_capable && synack_seen && !synack_capable) {
            m.fallback = Fallback::NoMpCapableReply;
            m.fallback_frame = c_.frame_number[synack_row];
            m.fallback_direction = conn.direction_of(table_, synack_row) == TcpDirection::ClientToServer
                                       ? DataDirection::ToServer
                                       : DataDirection::ToClient;
        }
        m.checksums = client_requests_csum || server_requests_csum;
        const int v = m.version < 0 ? 1 : m.version;
        if (m.client_key) m.client_derived = derive_from_key(*m.client_key, v);
        if (m.server_key) m.server_derived = derive_from_key(*m.server_key, v);
        if (!syn_capable) {
            anomaly(conn.rows.front(), conn.tcp_stream, m.mptcp_stream, "mp_capable_without_syn",
                    "MP_CAPABLE seen but not on a SYN: the capture misses the start of the connection");
        }
        if (!m.client_key || !m.server_key) {
            anomaly(conn.rows.front(), conn.tcp_stream, m.mptcp_stream, "missing_key",
                    fmt::format("the {} key was not seen: tokens and DSNs relative to it are unknown",
                                !m.client_key ? "client" : "server"));
        }
        Subflow sf;
        sf.tcp_stream = conn.tcp_stream;
        sf.role = SubflowRole::Initial;
        sf.attachment = Attachment::MpCapable;
        sf.towards_server = true;
        m.subflows.push_back(sf);
        pending_initial_.push_back({tcp_idx, std::move(m)});
    }

    void order_mptcp() {
        std::stable_sort(pending_initial_.begin(), pending_initial_.end(), [&](const auto& a, const auto& b) {
            const auto ka = a.second.mptcp_stream < 0 ? INT64_MAX : a.second.mptcp_stream;
            const auto kb = b.second.mptcp_stream < 0 ? INT64_MAX : b.second.mptcp_stream;
            return ka < kb;
        });
        for (auto& [tcp_idx, m] : pending_initial_) {
            const int idx = static_cast<int>(model_.mptcp.size());
            model_.tcp[tcp_idx].mptcp_index = idx;
            model_.tcp[tcp_idx].subflow_index = 0;
            if (m.client_key) tokens_.emplace(m.client_derived.token, std::make_pair(idx, false));
            if (m.server_key) tokens_.emplace(m.server_derived.token, std::make_pair(idx, true));
            model_.mptcp.push_back(std::move(m));
        }
    }

    void attach_join(std::size_t tcp_idx) {
        TcpConnection& conn = model_.tcp[tcp_idx];
        if (conn.mptcp_index >= 0) return;
        const auto join_bit = 1U << static_cast<unsigned>(MptcpSubtype::Join);
        bool any_mptcp = false, any_join = false;
        for (auto row : conn.rows) {
            release_.tick();
            any_mptcp = any_mptcp || c_.mptcp_subtypes[row];
            any_join = any_join || (c_.mptcp_subtypes[row] & join_bit);
        }
        if (!any_mptcp) return;

        std::optional<std::uint32_t> token;
        std::optional<MptcpOption> syn_join, synack_join, ack_join;
        std::uint32_t syn_row = 0;
        for (auto row : conn.rows) {
            release_.tick();
            if (!(c_.mptcp_subtypes[row] & join_bit)) continue;
            const PacketRecord r = table_.record(row);
            const MptcpOption* j = find_option(r, MptcpSubtype::Join);
            const auto f = c_.flags[row];
            if ((f & tcp_flag::kSyn) && !(f & tcp_flag::kAck)) {
                if (!syn_join) syn_row = row;
                if (j->has_token && !token) token = j->token;
                if (!syn_join) syn_join = *j;
            } else if ((f & tcp_flag::kSyn) && (f & tcp_flag::kAck)) {
                if (!synack_join) synack_join = *j;
            } else if (j->hmac_length == 20 && !ack_join) {
                ack_join = *j;
            }
        }
        auto it = token ? tokens_.find(*token) : tokens_.end();
        if (it == tokens_.end()) {
            if (token) {
                anomaly(syn_row, conn.tcp_stream, -1, "unknown_join_token",
                        fmt::format("MP_JOIN token {:08x} matches no key seen in the capture", *token));
            } else {
                anomaly(conn.rows.front(), conn.tcp_stream, wireshark_mptcp_stream(conn), "mptcp_without_handshake",
                        any_join ? "MP_JOIN without its SYN: the connection cannot be identified"
                                 : "MPTCP options without MP_CAPABLE or MP_JOIN handshake: "
                                   "the capture started mid-connection");
            }
            attach_by_wireshark_stream(conn, any_join, syn_join, synack_join, syn_row);
            return;
        }
        const int midx = it->second.first;
        MptcpConnection& m = model_.mptcp[static_cast<std::size_t>(midx)];
        Subflow sf;
        sf.tcp_stream = conn.tcp_stream;
        sf.role = SubflowRole::Join;
        sf.attachment = Attachment::Token;
        sf.towards_server = it->second.second;
        if (syn_join) {
            sf.client_address_id = syn_join->address_id;
            sf.backup = syn_join->backup;
            sf.backup_changes.push_back({c_.time_ns[syn_row], c_.frame_number[syn_row], syn_join->backup, true, "MP_JOIN"});
        }
        if (synack_join) sf.server_address_id = synack_join->address_id;
        // HMACs: A = subflow initiator (its TCP client), B = responder.
        if (m.client_key && m.server_key && syn_join && synack_join && syn_join->has_nonce && synack_join->has_nonce) {
            const std::uint64_t key_a = sf.towards_server ? *m.client_key : *m.server_key;
            const std::uint64_t key_b = sf.towards_server ? *m.server_key : *m.client_key;
            const int v = m.version < 0 ? 1 : m.version;
            bool ok = true;
            const auto hb = join_hmac(key_b, key_a, synack_join->nonce, syn_join->nonce, v);
            ok = ok && synack_join->hmac_length == 8 && std::equal(hb.begin(), hb.begin() + 8, synack_join->hmac.begin());
            if (ack_join) {
                const auto ha = join_hmac(key_a, key_b, syn_join->nonce, synack_join->nonce, v);
                ok = ok && std::equal(ha.begin(), ha.begin() + 20, ack_join->hmac.begin());
            }
            sf.hmac_valid = ok;
            if (!ok) {
                anomaly(syn_row, conn.tcp_stream, m.mptcp_stream, "join_hmac_mismatch",
                        "the MP_JOIN HMAC does not match the connection's keys and nonces");
            }
        }
        conn.mptcp_index = midx;
        conn.subflow_index = static_cast<int>(m.subflows.size());
        m.subflows.push_back(std::move(sf));
    }

    // A subflow no handshake or token ties to an identified connection. Wireshark may still have
    // numbered it with an mptcp.stream (e.g. DSS-only ACKs of a join whose SYN was not captured).
    // When no identified connection has that number, the number becomes a connection of its own
    // (keys, tokens and version unknown; its subflows attached by `wireshark_stream`), so that
    // every mptcp.stream Wireshark shows can be asked about. A number an identified connection
    // already has leaves the subflow unattached: we do not attach by guess.
    void attach_by_wireshark_stream(TcpConnection& conn, bool any_join, const std::optional<MptcpOption>& syn_join,
                                    const std::optional<MptcpOption>& synack_join, std::uint32_t syn_row) {
        const std::int64_t ws = wireshark_mptcp_stream(conn);
        const bool identified = ws >= 0 && !partial_.count(ws) &&
                                std::any_of(model_.mptcp.begin(), model_.mptcp.end(),
                                            [ws](const MptcpConnection& m) { return m.mptcp_stream == ws; });
        if (ws < 0 || identified) {
            model_.unattached_subflows.push_back(conn.tcp_stream);
            return;
        }
        auto [found, created] = partial_.try_emplace(ws, model_.mptcp.size());
        if (created) {
            MptcpConnection m;
            m.mptcp_stream = ws;
            m.initial_tcp_stream = conn.tcp_stream;
            // The first subflow's TCP client stands for the MPTCP client (a join's initiator
            // usually is); `partial_connection` says that it is inferred.
            m.client = conn.client;
            m.server = conn.server;
            model_.mptcp.push_back(std::move(m));
            anomaly(conn.rows.front(), conn.tcp_stream, ws, "partial_connection",
                    fmt::format("mptcp.stream {} has no MP_CAPABLE handshake and no MP_JOIN token matching a key "
                                "in the capture: Wireshark's numbering groups its subflows; keys, tokens and version "
                                "are unknown, client and server are inferred from its first subflow",
                                ws));
        }
        MptcpConnection& m = model_.mptcp[found->second];
        Subflow sf;
        sf.tcp_stream = conn.tcp_stream;
        sf.role = any_join ? SubflowRole::Join : SubflowRole::Unknown;
        sf.attachment = Attachment::WiresharkStream;
        // A subflow opened by the connection's server goes towards its client.
        sf.towards_server = !(conn.client.address == m.server.address);
        if (syn_join) {
            sf.client_address_id = syn_join->address_id;
            sf.backup = syn_join->backup;
            sf.backup_changes.push_back({c_.time_ns[syn_row], c_.frame_number[syn_row], syn_join->backup, true, "MP_JOIN"});
        }
        if (synack_join) sf.server_address_id = synack_join->address_id;
        // The anomalies already recorded on it name the connection it is now in.
        for (auto& a : model_.anomalies)
            if (a.tcp_stream == conn.tcp_stream && a.mptcp_stream < 0) a.mptcp_stream = ws;
        conn.mptcp_index = static_cast<int>(found->second);
        conn.subflow_index = static_cast<int>(m.subflows.size());
        m.subflows.push_back(std::move(sf));
    }

    // Connections made by attach_by_wireshark_stream were appended: put every connection back in
    // mptcp.stream order (Wireshark-less last) and renumber the TCP connections' links.
    void order_partial_connections() {
        if (partial_.empty()) return;
        std::stable_sort(model_.mptcp.begin(), model_.mptcp.end(), [](const auto& a, const auto& b) {
            return (a.mptcp_stream < 0 ? INT64_MAX : a.mptcp_stream) < (b.mptcp_stream < 0 ? INT64_MAX : b.mptcp_stream);
        });
        for (std::size_t i = 0; i < model_.mptcp.size(); ++i) {
            for (const auto& sf : model_.mptcp[i].subflows) {
                model_.tcp[static_cast<std::size_t>(tcp_index_[sf.tcp_stream])].mptcp_index = static_cast<int>(i);
            }
        }
    }

    void finish_mptcp(MptcpConnection& m) {
        const auto dss_bit = 1U << static_cast<unsigned>(MptcpSubtype::Dss);
        const auto capable_bit = 1U << static_cast<unsigned>(MptcpSubtype::Capable);
        const auto prio_bit = 1U << static_cast<unsigned>(MptcpSubtype::Prio);
        const auto rst_bit = 1U << static_cast<unsigned>(MptcpSubtype::TcpRst);
        const auto fastclose_bit = 1U << static_cast<unsigned>(MptcpSubtype::FastClose);
        // Per MPTCP direction: data segments, DSS mappings, and the first data segment that
        // carries neither a DSS nor MP_CAPABLE (which can carry the first data in v1).
        std::array<bool, 2> dir_data{}, dir_dss_mapping{};
        std::array<std::optional<std::uint32_t>, 2> dir_bare_data;
        bool any_data = false, any_mapping = false;
        std::uint32_t first_data_row = 0;
        DataDirection first_data_direction = DataDirection::ToServer;
        for (auto& sf : m.subflows) {
            const TcpConnection& conn = model_.tcp[static_cast<std::size_t>(tcp_index_[sf.tcp_stream])];
            for (auto row : conn.rows) {
                release_.tick();
                const auto bits = c_.mptcp_subtypes[row];
                const auto mdir = static_cast<std::size_t>(sf.data_direction(conn.direction_of(table_, row)));
                if (c_.payload_length[row] > 0) {
                    if (!any_data) {
                        first_data_row = row;
                        first_data_direction = static_cast<DataDirection>(mdir);
                    }
                    any_data = true;
                    dir_data[mdir] = true;
                    const bool mapped_here = ((bits & dss_bit) && (c_.dss_bits[row] & dss_bit::kMapping)) ||
                                             (bits & capable_bit);
                    if (!mapped_here && !dir_bare_data[mdir]) dir_bare_data[mdir] = row;
                }
                if ((bits & dss_bit) && (c_.dss_bits[row] & dss_bit::kMapping)) {
                    any_mapping = true;
                    dir_dss_mapping[mdir] = true;
                    if (c_.dss_length[row] == 0 && m.fallback == Fallback::None) {
                        m.fallback = Fallback::InfiniteMapping;
                        m.fallback_frame = c_.frame_number[row];
                        m.fallback_direction = static_cast<DataDirection>(mdir);
                    }
                }
                if ((bits & capable_bit) && c_.payload_length[row] > 0) any_mapping = true;  // v1 MP_CAPABLE with data
                if (bits & (prio_bit | rst_bit | fastclose_bit)) {
                    const PacketRecord r = table_.record(row);
                    const bool from_client = conn.direction_of(table_, row) == TcpDirection::ClientToServer;
                    for (const auto& o : r.mptcp_options) {
                        if (o.subtype == MptcpSubtype::Prio) {
                            sf.backup = o.backup;
                            sf.backup_changes.push_back({c_.time_ns[row], c_.frame_number[row], o.backup, from_client, "MP_PRIO"});
                        } else if (o.subtype == MptcpSubtype::TcpRst) {
                            sf.tcprst_reason = o.reason;
                        } else if (o.subtype == MptcpSubtype::FastClose) {
                            sf.fastclose = true;
                        }
                    }
                }
            }
        }
        if (m.fallback == Fallback::None) fallback_after_mp_fail(m);
        if (any_data && !any_mapping && m.fallback == Fallback::None) {
            m.fallback = Fallback::NoDss;
            m.fallback_frame = c_.frame_number[first_data_row];
            m.fallback_direction = first_data_direction;
        }
        // A direction whose data never carried a DSS mapping (beyond the MP_CAPABLE one) fell
        // back after the handshake: the option was stripped on the path (RFC 8684 3.7).
        for (std::size_t d = 0; d < 2 && m.fallback == Fallback::None; ++d) {
            if (dir_data[d] && !dir_dss_mapping[d] && dir_bare_data[d]) {
                m.fallback = Fallback::NoDss;
                m.fallback_frame = c_.frame_number[*dir_bare_data[d]];
                m.fallback_direction = static_cast<DataDirection>(d);
            }
        }
        if (m.fallback != Fallback::None) {
            const auto& conn = model_.tcp[static_cast<std::size_t>(tcp_index_[m.initial_tcp_stream])];
            model_.anomalies.push_back(Anomaly{m.fallback_frame, conn.tcp_stream, m.mptcp_stream, "fallback",
                                               fmt::format("MPTCP connection fell back to TCP ({})", to_string(m.fallback))});
        }
    }

    // RFC 8684 3.7: after a DSS checksum failure on the only subflow in use, the receiver sends
    // MP_FAIL and the sender falls back, with an explicit infinite mapping (recorded as such by
    // finish_mptcp) or simply by no longer sending DSS on its data. The latter shows as data no
    // mapping covers after the first MP_FAIL; segments in flight when the MP_FAIL was sent may
    // still carry their DSS, and one that resumes real mappings later cancels the verdict.
    // Segments covered by a mapping sent earlier (one mapping may span several segments) are no
    // evidence. The first such segment, of either end, is the fallback.
    void fallback_after_mp_fail(MptcpConnection& m) {
        const auto fail_bit = 1U << static_cast<unsigned>(MptcpSubtype::Fail);
        const auto dss_bit = 1U << static_cast<unsigned>(MptcpSubtype::Dss);
        const auto capable_bit = 1U << static_cast<unsigned>(MptcpSubtype::Capable);
        std::optional<std::uint32_t> fail_row;
        std::size_t fail_subflow = 0;
        for (std::size_t i = 0; i < m.subflows.size(); ++i) {
            const TcpConnection& conn = model_.tcp[static_cast<std::size_t>(tcp_index_[m.subflows[i].tcp_stream])];
            for (auto row : conn.rows) {
                release_.tick();
                if ((c_.mptcp_subtypes[row] & fail_bit) && (!fail_row || row < *fail_row)) {
                    fail_row = row;
                    fail_subflow = i;
                }
            }
        }
        if (!fail_row) return;
        // Another subflow still carrying data after the MP_FAIL: the failed subflow is closed
        // instead (RFC 8684 3.7), the connection goes on as MPTCP.
        for (std::size_t i = 0; i < m.subflows.size(); ++i) {
            if (i == fail_subflow) continue;
            const TcpConnection& conn = model_.tcp[static_cast<std::size_t>(tcp_index_[m.subflows[i].tcp_stream])];
            for (auto row : conn.rows)
                if (row > *fail_row && c_.payload_length[row] > 0) return;
        }
        const Subflow& sf = m.subflows[fail_subflow];
        const TcpConnection& conn = model_.tcp[static_cast<std::size_t>(tcp_index_[sf.tcp_stream])];
        struct Last {
            bool any = false;
            std::uint32_t ssn = 0, length = 0;  // the last mapping (relative subflow sequence numbers)
        };
        std::array<Last, 2> mapping{};                              // per TCP direction
        std::array<std::optional<std::uint32_t>, 2> candidate{};    // per TCP direction
        for (auto row : conn.rows) {
            const auto tdir = static_cast<std::size_t>(conn.direction_of(table_, row));
            const auto bits = c_.mptcp_subtypes[row];
            const bool mapped = (bits & dss_bit) && (c_.dss_bits[row] & dss_bit::kMapping);
            if (mapped && c_.dss_length[row] > 0) {
                mapping[tdir] = {true, c_.dss_subflow_seq[row], c_.dss_length[row]};
                if (row > *fail_row && c_.payload_length[row] > 0) candidate[tdir].reset();  // still MPTCP
            }
            if (row <= *fail_row || c_.payload_length[row] == 0 || mapped || (bits & capable_bit)) continue;
            const bool covered = mapping[tdir].any && c_.seq_relative[row] - mapping[tdir].ssn < mapping[tdir].length;
            if (!covered && !candidate[tdir]) candidate[tdir] = row;
        }
        std::optional<std::size_t> first;
        for (std::size_t d = 0; d < 2; ++d)
            if (candidate[d] && (!first || *candidate[d] < *candidate[*first])) first = d;
        if (!first) return;
        m.fallback = Fallback::AfterMpFail;
        m.fallback_frame = c_.frame_number[*candidate[*first]];
        m.fallback_direction = sf.data_direction(static_cast<TcpDirection>(*first));
    }

    const PacketTable& table_;
    const PacketTable::Columns& c_;
    // Every pass over rows ticks it: the mapped columns it read do not stay resident.
    mutable ResidentRelease release_;
    ConnectionModel model_;
    std::vector<int> tcp_index_;
    std::vector<std::pair<std::size_t, MptcpConnection>> pending_initial_;
    std::unordered_map<std::uint32_t, std::pair<int, bool>> tokens_;  // token -> (mptcp index, is server's)
    std::map<std::int64_t, std::size_t> partial_;  // mptcp.stream -> index of the connection made for it

public:
    std::vector<int> take_index() { return std::move(tcp_index_); }
};

}  // namespace

ConnectionModel ConnectionModel::build(const PacketTable& table) {
    ModelBuilder b(table);
    ConnectionModel m = b.build();
    m.tcp_index_ = b.take_index();
    return m;
}

const TcpConnection* ConnectionModel::find_tcp(std::uint32_t tcp_stream) const {
    if (tcp_stream >= tcp_index_.size() || tcp_index_[tcp_stream] < 0) return nullptr;
    return &tcp[static_cast<std::size_t>(tcp_index_[tcp_stream])];
}

const MptcpConnection* ConnectionModel::find_mptcp(std::int64_t mptcp_stream) const {
    for (const auto& m : mptcp)
        if (m.mptcp_stream == mptcp_stream) return &m;
    return nullptr;
}

const MptcpConnection* ConnectionModel::mptcp_of(std::uint32_t tcp_stream) const {
    const TcpConnection* t = find_tcp(tcp_stream);
    return t && t->mptcp_index >= 0 ? &mptcp[static_cast<std::size_t>(t->mptcp_index)] : nullptr;
}

std::vector<std::uint32_t> ConnectionModel::tcp_streams() const {
    std::vector<std::uint32_t> out;
    for (const auto& t : tcp) out.push_back(t.tcp_stream);
    return out;
}

std::vector<std::int64_t> ConnectionModel::mptcp_streams() const {
    std::vector<std::int64_t> out;
    for (const auto& m : mptcp) out.push_back(m.mptcp_stream);
    return out;
}

}  // namespace mptcpanalyzer
