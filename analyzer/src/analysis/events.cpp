#include "mptcpanalyzer/analysis/events.hpp"

#include <algorithm>
#include <array>
#include <iterator>
#include <map>
#include <tuple>

#include "mptcpanalyzer/analysis/mptcp_data.hpp"

namespace mptcpanalyzer {
namespace {

const char* handshake_step(std::uint16_t flags) {
    if ((flags & tcp_flag::kSyn) && (flags & tcp_flag::kAck)) return "syn_ack";
    if (flags & tcp_flag::kSyn) return "syn";
    return "ack";
}

std::string ids_text(const std::vector<std::uint8_t>& ids) {
    std::string s;
    for (auto id : ids) s += (s.empty() ? "" : ";") + std::to_string(id);
    return s;
}

using V = EventValue;

// Relative DSNs of option DSN fields. A 4-byte DSN is extended to 64 bits near the last data
// segment of its direction up to its row (near the direction's base when there is none).
class DsnResolver {
public:
    explicit DsnResolver(const ConnectionData& data) : data_(data) {
        for (const auto& s : data.segments) by_direction_[static_cast<std::size_t>(s.direction)].push_back({s.row, s.dsn});
    }
    std::uint64_t relative(DataDirection d, std::uint32_t row, std::uint64_t raw, bool eight_bytes) const {
        const auto& list = by_direction_[static_cast<std::size_t>(d)];
        auto it = std::upper_bound(list.begin(), list.end(), row,
                                   [](std::uint32_t r, const std::pair<std::uint32_t, std::uint64_t>& s) { return r < s.first; });
        const std::uint64_t near = it == list.begin() ? data_.base[static_cast<std::size_t>(d)] : std::prev(it)->second;
        return data_.relative(d, extend_dsn(raw, eight_bytes, near));
    }

private:
    const ConnectionData& data_;
    std::array<std::vector<std::pair<std::uint32_t, std::uint64_t>>, 2> by_direction_;  // (row, DSN), capture order
};

void add_connection_events(const PacketTable& table, const ConnectionModel& model, const MptcpConnection* m,
                           const std::vector<std::uint32_t>& tcp_streams, const ConnectionDataSource& source,
                           std::vector<MptcpEvent>& out) {
    const auto& c = table.columns();
    const ConnectionData* data = m ? &source(*m) : nullptr;
    const std::optional<DsnResolver> dsns = data ? std::optional<DsnResolver>(*data) : std::nullopt;
    for (std::size_t i = 0; i < tcp_streams.size(); ++i) {
        const TcpConnection* conn = model.find_tcp(tcp_streams[i]);
        if (!conn) continue;
        const Subflow* sf = m ? &m->subflows[i] : nullptr;
        const bool towards_server = sf ? sf->towards_server : true;
        for (auto row : conn->rows) {
            const auto bits = c.mptcp_subtypes[row];
            if (!bits) continue;
            const bool only_dss = bits == (1U << static_cast<unsigned>(MptcpSubtype::Dss));
            if (only_dss && !(c.dss_bits[row] & dss_bit::kDataFin) &&
                !((c.dss_bits[row] & dss_bit::kMapping) && c.dss_length[row] == 0))
                continue;
            const PacketRecord r = table.record(row);
            const bool from_subflow_client = conn->direction_of(table, row) == TcpDirection::ClientToServer;
            const bool from_mptcp_client = from_subflow_client == towards_server;
            auto event = [&](std::string kind) {
                MptcpEvent e;
                e.time_ns = e.last_time_ns = r.time_ns;
                e.frame = e.last_frame = r.frame_number;
                e.tcp_stream = r.tcp_stream;
                e.mptcp_stream = m ? m->mptcp_stream : -1;
                e.kind = std::move(kind);
                e.sender = from_mptcp_client ? "client" : "server";
                return e;
            };
            const DataDirection sent = from_mptcp_client ? DataDirection::ToServer : DataDirection::ToClient;
            // The DSN field of an option, in the DSN space of direction `d`.
            auto with_dsn = [&](MptcpEvent& e, DataDirection d, std::uint64_t raw, bool eight_bytes) {
                e.raw_dsn = raw;
                if (dsns) e.dsn = dsns->relative(d, row, raw, eight_bytes);
            };
            for (const auto& o : r.mptcp_options) {
                switch (o.subtype) {
                    case MptcpSubtype::Capable: {
                        auto e = event("mp_capable");
                        e.details = {{"step", V::named(handshake_step(r.flags))}, {"version", V::count(o.version)},
                                     {"checksum_requested", V::flag(o.flags & 0x80)}};
                        if (o.has_sender_key) e.details.emplace_back("sender_key", V::key(o.sender_key));
                        if (o.has_receiver_key) e.details.emplace_back("receiver_key", V::key(o.receiver_key));
                        out.push_back(std::move(e));
                        break;
                    }
                    case MptcpSubtype::Join: {
                        auto e = event("mp_join");
                        e.details = {{"step", V::named(handshake_step(r.flags))}};
                        if (o.has_address_id) e.details.emplace_back("address_id", V::count(o.address_id));
                        if (o.has_token) e.details.emplace_back("token", V::token(o.token));
                        if (r.flags & tcp_flag::kSyn) e.details.emplace_back("backup", V::flag(o.backup));
                        if (sf && sf->hmac_valid && o.hmac_length)
                            e.details.emplace_back("hmac", V::named(*sf->hmac_valid ? "valid" : "mismatch"));
                        out.push_back(std::move(e));
                        break;
                    }
                    case MptcpSubtype::AddAddr: {
                        auto e = event("add_addr");
                        e.details = {{"address_id", V::count(o.address_id)},
                                     {"address", V::named(o.address.to_string())},
                                     {"port", o.has_port ? V::count(o.port) : V::named("")},
                                     {"echo", V::flag(o.echo)}};
                        out.push_back(std::move(e));
                        break;
                    }
                    case MptcpSubtype::RemoveAddr: {
                        auto e = event("remove_addr");
                        e.details = {{"address_ids", V::named(ids_text(o.address_ids))}};
                        out.push_back(std::move(e));
                        break;
                    }
                    case MptcpSubtype::Prio: {
                        auto e = event("mp_prio");
                        e.details = {{"backup", V::flag(o.backup)}};
                        if (o.has_address_id) e.details.emplace_back("address_id", V::count(o.address_id));
                        out.push_back(std::move(e));
                        break;
                    }
                    case MptcpSubtype::Fail: {
                        // Sent by the receiver of the failed data: its DSN is of the other end's data.
                        auto e = event("mp_fail");
                        with_dsn(e, sent == DataDirection::ToServer ? DataDirection::ToClient : DataDirection::ToServer,
                                 o.dsn, true);
                        out.push_back(std::move(e));
                        break;
                    }
                    case MptcpSubtype::FastClose: {
                        auto e = event("mp_fastclose");
                        e.details = {{"receiver_key", V::key(o.receiver_key)}};
                        out.push_back(std::move(e));
                        break;
                    }
                    case MptcpSubtype::TcpRst: {
                        auto e = event("mp_tcprst");
                        e.details = {{"reason", V::count(o.reason)}, {"flags", V::count(o.flags)}};
                        out.push_back(std::move(e));
                        break;
                    }
                    case MptcpSubtype::Dss: {
                        if (o.has_mapping && o.data_level_length == 0) {
                            auto e = event("infinite_mapping");
                            with_dsn(e, sent, o.dsn, o.dsn_8);
                            out.push_back(std::move(e));
                        }
                        if (o.data_fin) {
                            auto e = event("data_fin");
                            if (o.has_mapping) with_dsn(e, sent, o.dsn, o.dsn_8);
                            out.push_back(std::move(e));
                        }
                        break;
                    }
                    default:
                        break;
                }
            }
        }
    }
    if (m) {
        // DSS checksums we could verify (payload captured whole): a failure is an event.
        for (const auto& chk : data->checksums) {
            if (chk.valid) continue;
            MptcpEvent e;
            e.time_ns = e.last_time_ns = c.time_ns[chk.row];
            e.frame = e.last_frame = c.frame_number[chk.row];
            e.tcp_stream = c.tcp_stream[chk.row];
            e.mptcp_stream = m->mptcp_stream;
            e.kind = "checksum_failure";
            e.sender = chk.direction == DataDirection::ToServer ? "client" : "server";
            e.details = {{"mapping_first_frame", V::count(c.frame_number[chk.row])},
                         {"mapping_last_frame", V::count(c.frame_number[chk.last_row])}};
            out.push_back(std::move(e));
        }
    }
    if (m && m->fallback != Fallback::None) {
        for (std::uint32_t row = 0; row < table.size(); ++row) {
            if (c.frame_number[row] != m->fallback_frame) continue;
            MptcpEvent e;
            e.time_ns = e.last_time_ns = c.time_ns[row];
            e.frame = e.last_frame = m->fallback_frame;
            e.tcp_stream = c.tcp_stream[row];
            e.mptcp_stream = m->mptcp_stream;
            e.kind = "fallback";
            e.sender = m->fallback_direction == DataDirection::ToServer ? "client" : "server";
            e.details = {{"reason", V::named(to_string(m->fallback))}};
            out.push_back(std::move(e));
            break;
        }
    }
}

// Folds each event into the last one of the same kind, sender and subflow when their content is
// the same (a repetition); a change in between (MP_PRIO backup, then not, then backup again)
// keeps them apart.
std::vector<MptcpEvent> merge_repetitions(std::vector<MptcpEvent> events) {
    std::vector<MptcpEvent> out;
    std::map<std::tuple<std::int64_t, std::uint32_t, std::string, std::string>, std::size_t> last;
    for (auto& e : events) {
        const auto key = std::make_tuple(e.mptcp_stream, e.tcp_stream, e.kind, e.sender);
        auto it = last.find(key);
        if (it != last.end() && out[it->second].same_content(e)) {
            MptcpEvent& first = out[it->second];
            ++first.count;
            first.last_frame = e.frame;
            first.last_time_ns = e.time_ns;
            continue;
        }
        last[key] = out.size();
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace

bool MptcpEvent::same_content(const MptcpEvent& o) const {
    return tcp_stream == o.tcp_stream && mptcp_stream == o.mptcp_stream && kind == o.kind && sender == o.sender &&
           dsn == o.dsn && raw_dsn == o.raw_dsn && details == o.details;
}

std::vector<MptcpEvent> mptcp_events(const PacketTable& table, const ConnectionModel& model,
                                     const MptcpConnection* connection, const ConnectionDataSource& source) {
    std::vector<MptcpEvent> out;
    auto streams_of = [](const MptcpConnection& m) {
        std::vector<std::uint32_t> s;
        for (const auto& sf : m.subflows) s.push_back(sf.tcp_stream);
        return s;
    };
    if (connection) {
        add_connection_events(table, model, connection, streams_of(*connection), source, out);
    } else {
        for (const auto& m : model.mptcp) add_connection_events(table, model, &m, streams_of(m), source, out);
        add_connection_events(table, model, nullptr, model.unattached_subflows, source, out);
    }
    std::stable_sort(out.begin(), out.end(), [](const MptcpEvent& a, const MptcpEvent& b) { return a.frame < b.frame; });
    return merge_repetitions(std::move(out));
}

std::vector<MptcpEvent> mptcp_events(const PacketTable& table, const ConnectionModel& model,
                                     const MptcpConnection* connection) {
    ConnectionData kept;
    return mptcp_events(table, model, connection, [&](const MptcpConnection& m) -> const ConnectionData& {
        kept = map_connection_data(table, model, m);
        return kept;
    });
}

}  // namespace mptcpanalyzer
