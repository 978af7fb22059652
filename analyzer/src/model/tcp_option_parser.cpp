#include "mptcpanalyzer/model/tcp_option_parser.hpp"

#include <algorithm>
#include <cstring>

namespace mptcpanalyzer {
namespace {

constexpr std::uint8_t kOptEol = 0;
constexpr std::uint8_t kOptNop = 1;
constexpr std::uint8_t kOptMss = 2;
constexpr std::uint8_t kOptWindowScale = 3;
constexpr std::uint8_t kOptTimestamps = 8;
constexpr std::uint8_t kOptMptcp = 30;

std::uint16_t be16(const std::uint8_t* p) {
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
std::uint32_t be32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}
std::uint64_t be64(const std::uint8_t* p) {
    return (std::uint64_t{be32(p)} << 32) | be32(p + 4);
}

void parse_capable(std::span<const std::uint8_t> o, MptcpOption& m) {
    m.version = o[2] & 0x0f;
    m.flags = o[3];
    const std::size_t len = o.size();
    if (len >= 12) {
        m.has_sender_key = true;
        m.sender_key = be64(&o[4]);
    }
    if (len >= 20) {
        m.has_receiver_key = true;
        m.receiver_key = be64(&o[12]);
    }
    if (len >= 22) {  // v1: third ACK carrying data
        m.data_level_length = be16(&o[20]);
        m.has_mapping = false;
    }
    if (len >= 24) {
        m.has_checksum = true;
        m.checksum = be16(&o[22]);
    }
}

void parse_join(std::span<const std::uint8_t> o, MptcpOption& m) {
    m.flags = o[2] & 0x0f;
    m.backup = (o[2] & 0x01) != 0;
    m.address_id = o[3];
    m.has_address_id = true;
    switch (o.size()) {
        case 12:  // SYN: receiver's token, sender's random number
            m.has_token = true;
            m.token = be32(&o[4]);
            m.has_nonce = true;
            m.nonce = be32(&o[8]);
            break;
        case 16:  // SYN/ACK: truncated HMAC, random number
            m.hmac_length = 8;
            std::memcpy(m.hmac.data(), &o[4], 8);
            m.has_nonce = true;
            m.nonce = be32(&o[12]);
            break;
        case 24:  // third ACK: full HMAC; the B bit and address id are reserved here
            m.backup = false;
            m.has_address_id = false;
            m.address_id = 0;
            m.hmac_length = 20;
            std::memcpy(m.hmac.data(), &o[4], 20);
            break;
        default:
            m.truncated = true;
    }
}

void parse_dss(std::span<const std::uint8_t> o, MptcpOption& m) {
    m.flags = o[3];
    m.data_fin = (m.flags & 0x10) != 0;
    std::size_t at = 4;
    const std::size_t len = o.size();
    if (m.flags & 0x01) {
        const std::size_t w = (m.flags & 0x02) ? 8 : 4;
        if (at + w > len) {
            m.truncated = true;
            return;
        }
        m.has_data_ack = true;
        m.data_ack_8 = w == 8;
        m.data_ack = w == 8 ? be64(&o[at]) : be32(&o[at]);
        at += w;
    }
    if (m.flags & 0x04) {
        const std::size_t w = (m.flags & 0x08) ? 8 : 4;
        if (at + w + 6 > len) {
            m.truncated = true;
            return;
        }
        m.has_mapping = true;
        m.dsn_8 = w == 8;
        m.dsn = w == 8 ? be64(&o[at]) : be32(&o[at]);
        at += w;
        m.subflow_seq = be32(&o[at]);
        at += 4;
        m.data_level_length = be16(&o[at]);
        at += 2;
        if (at + 2 <= len) {
            m.has_checksum = true;
            m.checksum = be16(&o[at]);
        }
    }
}

void parse_add_addr(std::span<const std::uint8_t> o, MptcpOption& m) {
    const std::uint8_t low = o[2] & 0x0f;
    m.flags = low;
    m.address_id = o[3];
    m.has_address_id = true;
    const std::size_t len = o.size();
    std::uint8_t family = 0;
    bool port = false;
    if (low == 4 || low == 6) {  // v0 (RFC 6824): the low nibble is the IP version
        family = low;
        port = (family == 4 && len == 10) || (family == 6 && len == 22);
    } else {  // v1 (RFC 8684): the low nibble holds the E (echo) flag
        m.echo = (low & 0x01) != 0;
        switch (len) {
            case 8: case 16: family = 4; break;
            case 10: case 18: family = 4; port = true; break;
            case 20: case 28: family = 6; break;
            case 22: case 30: family = 6; port = true; break;
            default: m.truncated = true; return;
        }
        if (len == 16 || len == 18 || len == 28 || len == 30) {
            m.hmac_length = 8;
            std::memcpy(m.hmac.data(), &o[len - 8], 8);
        }
    }
    const std::size_t addr_len = family == 4 ? 4 : 16;
    if (family == 0 || 4 + addr_len + (port ? 2 : 0) > len) {
        m.truncated = true;
        return;
    }
    m.address = IpAddress::from_bytes(family, &o[4]);
    if (port) {
        m.has_port = true;
        m.port = be16(&o[4 + addr_len]);
    }
}

}  // namespace

std::optional<std::size_t> find_tcp_header(std::span<const std::uint8_t> bytes, std::uint16_t sport,
                                           std::uint16_t dport, std::uint32_t seq_raw,
                                           std::uint32_t ack_raw, std::uint8_t header_length) {
    // 12 bytes of ports, seq and ack make a pattern that does not occur by chance; the data
    // offset nibble confirms it. The header is near the start: search forward.
    std::array<std::uint8_t, 12> pattern{
        static_cast<std::uint8_t>(sport >> 8), static_cast<std::uint8_t>(sport),
        static_cast<std::uint8_t>(dport >> 8), static_cast<std::uint8_t>(dport),
        static_cast<std::uint8_t>(seq_raw >> 24), static_cast<std::uint8_t>(seq_raw >> 16),
        static_cast<std::uint8_t>(seq_raw >> 8), static_cast<std::uint8_t>(seq_raw),
        static_cast<std::uint8_t>(ack_raw >> 24), static_cast<std::uint8_t>(ack_raw >> 16),
        static_cast<std::uint8_t>(ack_raw >> 8), static_cast<std::uint8_t>(ack_raw)};
    auto it = bytes.begin();
    while (true) {
        it = std::search(it, bytes.end(), pattern.begin(), pattern.end());
        if (it == bytes.end()) return std::nullopt;
        const auto offset = static_cast<std::size_t>(it - bytes.begin());
        if (offset + 13 <= bytes.size() && (bytes[offset + 12] >> 4) * 4 == header_length) {
            return offset;
        }
        ++it;
    }
}

std::uint16_t ones_complement_sum(std::span<const std::uint8_t> bytes) {
    std::uint64_t sum = 0;
    std::size_t i = 0;
    for (; i + 1 < bytes.size(); i += 2) sum += static_cast<std::uint64_t>((bytes[i] << 8) | bytes[i + 1]);
    if (i < bytes.size()) sum += static_cast<std::uint64_t>(bytes[i] << 8);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(sum);
}

MptcpOption parse_mptcp_option(std::span<const std::uint8_t> o) {
    MptcpOption m;
    if (o.size() < 3) {
        m.truncated = true;
        return m;
    }
    m.length = o[1];
    m.subtype = static_cast<MptcpSubtype>(o[2] >> 4);
    if (o[1] > o.size()) {
        // Cut by the snapshot length: the layout depends on the full length, and a field read
        // from a shorter layout would be wrong. Report the subtype only.
        m.truncated = true;
        return m;
    }
    const std::size_t len = o.size();
    switch (m.subtype) {
        case MptcpSubtype::Capable:
            if (len < 4) { m.truncated = true; break; }
            parse_capable(o, m);
            break;
        case MptcpSubtype::Join:
            if (len < 12) { m.truncated = true; break; }
            parse_join(o, m);
            break;
        case MptcpSubtype::Dss:
            if (len < 4) { m.truncated = true; break; }
            parse_dss(o, m);
            break;
        case MptcpSubtype::AddAddr:
            if (len < 8) { m.truncated = true; break; }
            parse_add_addr(o, m);
            break;
        case MptcpSubtype::RemoveAddr:
            m.flags = o[2] & 0x0f;
            m.address_ids.assign(o.begin() + 3, o.end());
            break;
        case MptcpSubtype::Prio:
            m.flags = o[2] & 0x0f;
            m.backup = (o[2] & 0x01) != 0;
            if (len >= 4) {
                m.has_address_id = true;
                m.address_id = o[3];
            }
            break;
        case MptcpSubtype::Fail:
            if (len < 12) { m.truncated = true; break; }
            m.dsn = be64(&o[4]);
            m.has_mapping = false;
            break;
        case MptcpSubtype::FastClose:
            if (len < 12) { m.truncated = true; break; }
            m.has_receiver_key = true;
            m.receiver_key = be64(&o[4]);
            break;
        case MptcpSubtype::TcpRst:
            m.flags = o[2] & 0x0f;
            if (len >= 4) m.reason = o[3];
            break;
        default:
            m.flags = o[2] & 0x0f;
            break;
    }
    return m;
}

void parse_tcp_options(std::span<const std::uint8_t> options, bool complete, PacketRecord& record) {
    std::size_t at = 0;
    const std::size_t n = options.size();
    while (at < n) {
        const std::uint8_t kind = options[at];
        if (kind == kOptEol) break;
        if (kind == kOptNop) {
            ++at;
            continue;
        }
        if (at + 1 >= n) break;  // length byte not captured: nothing to decode
        const std::uint8_t len = options[at + 1];
        if (len < 2) break;  // malformed: cannot advance safely
        const bool cut = at + len > n;
        if (cut && complete) break;  // claims more than the header holds: malformed
        const auto opt = options.subspan(at, cut ? n - at : len);
        switch (kind) {
            case kOptMss:
                if (!cut && len == 4) record.mss = be16(&opt[2]);
                break;
            case kOptWindowScale:
                // The shift as on the wire (Wireshark's tcp.options.wscale.shift); >14 is invalid
                // but shown as sent, capped to the column's range.
                if (!cut && len == 3) record.window_scale = static_cast<std::int8_t>(std::min<int>(opt[2], 127));
                break;
            case kOptTimestamps:
                if (!cut && len == 10) {
                    record.has_timestamps = true;
                    record.tsval = be32(&opt[2]);
                    record.tsecr = be32(&opt[6]);
                }
                break;
            case kOptMptcp: {
                if (opt.size() < 3) break;  // the subtype byte was not captured
                MptcpOption m = parse_mptcp_option(opt);
                m.length = len;
                if (cut) m.truncated = true;
                record.mptcp_options.push_back(std::move(m));
                break;
            }
            default:
                break;
        }
        if (cut) break;
        at += len;
    }
}

}  // namespace mptcpanalyzer
