"""A small pcapng editor for tests: rewrite the TCP options of chosen frames of a real capture.

Only what the tests need: Enhanced Packet Blocks over Ethernet, Linux cooked (SLL, SLL2) or raw
IP; IPv4 and IPv6 (no extension headers). Block lengths never change: an option is overwritten
in place (e.g. by NOPs) and the TCP checksum recomputed, so the result is a valid capture the
kernel could have sent."""

import struct

LINKTYPE_L3_OFFSET = {1: 14, 113: 16, 276: 20, 101: 0, 228: 0, 229: 0}  # Ethernet, SLL, SLL2, raw, IPv4, IPv6
TCP_OPTION_MPTCP = 30


def _blocks(data):
    """(offset, type, length, endian) of every block."""
    pos = 0
    endian = "<"
    while pos + 12 <= len(data):
        btype = struct.unpack_from(endian + "I", data, pos)[0]
        if btype == 0x0A0D0D0A:  # section header: its byte-order magic decides the endianness
            endian = "<" if data[pos + 8:pos + 12] == b"\x4d\x3c\x2b\x1a" else ">"
        blen = struct.unpack_from(endian + "I", data, pos + 4)[0]
        if blen < 12 or pos + blen > len(data):
            raise ValueError(f"bad pcapng block at offset {pos}")
        yield pos, btype, blen, endian
        pos += blen


def _ones_complement(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def _tcp_checksum(packet, ip_off, tcp_off, tcp_len):
    version = packet[ip_off] >> 4
    if version == 4:
        pseudo = packet[ip_off + 12:ip_off + 20] + struct.pack("!BBH", 0, 6, tcp_len)
    else:
        pseudo = packet[ip_off + 8:ip_off + 40] + struct.pack("!IxxxB", tcp_len, 6)
    segment = bytearray(packet[tcp_off:tcp_off + tcp_len])
    segment[16:18] = b"\0\0"
    return (~_ones_complement(bytes(pseudo) + bytes(segment))) & 0xFFFF


def _tcp_header(packet, l3):
    """(IP header offset, TCP header offset, TCP segment length) of a captured packet, or None."""
    version = packet[l3] >> 4
    if version == 4:
        ihl = (packet[l3] & 0x0F) * 4
        if packet[l3 + 9] != 6:
            return None
        total = struct.unpack_from("!H", packet, l3 + 2)[0]
        return l3, l3 + ihl, total - ihl
    if version == 6:
        if packet[l3 + 6] != 6:
            return None
        return l3, l3 + 40, struct.unpack_from("!H", packet, l3 + 4)[0]
    return None


def replace_tcp_options(src, dst, frames, kind=TCP_OPTION_MPTCP):
    """Copy `src` to `dst`, overwriting every TCP option of `kind` in the given frame numbers
    (1-based, in file order) with NOPs and fixing their TCP checksums. Returns the frames where
    an option was replaced."""
    with open(src, "rb") as f:
        data = bytearray(f.read())
    linktypes = []
    frame = 0
    changed = []
    for pos, btype, blen, endian in _blocks(data):
        if btype == 1:  # interface description
            linktypes.append(struct.unpack_from(endian + "H", data, pos + 8)[0])
        elif btype == 6:  # enhanced packet
            frame += 1
            if frame not in frames:
                continue
            iface, _, _, caplen, _ = struct.unpack_from(endian + "IIIII", data, pos + 8)
            start = pos + 28
            packet = data[start:start + caplen]
            l3 = LINKTYPE_L3_OFFSET[linktypes[iface]]
            where = _tcp_header(packet, l3)
            if where is None:
                continue
            ip_off, tcp_off, tcp_len = where
            doff = (packet[tcp_off + 12] >> 4) * 4
            i = tcp_off + 20
            replaced = False
            while i < tcp_off + doff:
                k = packet[i]
                if k == 0:
                    break
                if k == 1:
                    i += 1
                    continue
                olen = packet[i + 1]
                if olen < 2:
                    break
                if k == kind:
                    packet[i:i + olen] = b"\x01" * olen
                    replaced = True
                i += olen
            if not replaced:
                continue
            if tcp_off + tcp_len > len(packet):
                raise ValueError(f"frame {frame} is not captured whole: cannot fix its TCP checksum")
            struct.pack_into("!H", packet, tcp_off + 16, _tcp_checksum(packet, ip_off, tcp_off, tcp_len))
            data[start:start + caplen] = packet
            changed.append(frame)
    with open(dst, "wb") as f:
        f.write(data)
    return changed


def _ip_checksum(header):
    header = bytearray(header)
    header[10:12] = b"\0\0"
    return (~_ones_complement(bytes(header))) & 0xFFFF


def _enhanced_packet(endian, iface, ts_high, ts_low, packet):
    """An Enhanced Packet Block holding `packet` whole, without options."""
    padded = bytes(packet) + b"\0" * (-len(packet) % 4)
    blen = 32 + len(padded)
    return (struct.pack(endian + "IIIIIII", 6, blen, iface, ts_high, ts_low, len(packet), len(packet)) + padded +
            struct.pack(endian + "I", blen))


def split_segments(src, dst, frames, piece):
    """Copy `src` to `dst`, replacing each given frame (1-based, file order) whose TCP payload is
    longer than `piece` bytes by consecutive wire-sized segments of at most `piece` bytes, as TSO
    or GSO would send them: same headers and timestamp, sequence numbers advanced, PSH and FIN on
    the last piece only, IP lengths and checksums fixed. The frames must be captured whole.
    Returns {frame: number of pieces} for the frames split."""
    with open(src, "rb") as f:
        data = f.read()
    out = bytearray()
    linktypes = []
    frame = 0
    split = {}
    for pos, btype, blen, endian in _blocks(data):
        block = data[pos:pos + blen]
        if btype == 1:
            linktypes.append(struct.unpack_from(endian + "H", data, pos + 8)[0])
        if btype != 6:
            out += block
            continue
        frame += 1
        if frame not in frames:
            out += block
            continue
        iface, ts_high, ts_low, caplen, origlen = struct.unpack_from(endian + "IIIII", data, pos + 8)
        packet = data[pos + 28:pos + 28 + caplen]
        l3 = LINKTYPE_L3_OFFSET[linktypes[iface]]
        where = _tcp_header(packet, l3)
        if where is None or caplen != origlen:
            out += block
            continue
        ip_off, tcp_off, tcp_len = where
        doff = (packet[tcp_off + 12] >> 4) * 4
        payload = packet[tcp_off + doff:tcp_off + tcp_len]
        if len(payload) <= piece:
            out += block
            continue
        seq = struct.unpack_from("!I", packet, tcp_off + 4)[0]
        flags = packet[tcp_off + 13]
        chunks = [payload[i:i + piece] for i in range(0, len(payload), piece)]
        for n, chunk in enumerate(chunks):
            p = bytearray(packet[:tcp_off + doff]) + chunk
            struct.pack_into("!I", p, tcp_off + 4, (seq + n * piece) & 0xFFFFFFFF)
            if n + 1 < len(chunks):
                p[tcp_off + 13] = flags & ~0x09  # PSH and FIN stay on the last piece
            seg_len = doff + len(chunk)
            if packet[ip_off] >> 4 == 4:
                struct.pack_into("!H", p, ip_off + 2, tcp_off - ip_off + seg_len)
                struct.pack_into("!H", p, ip_off + 10, _ip_checksum(p[ip_off:tcp_off]))
            else:
                struct.pack_into("!H", p, ip_off + 4, seg_len)
            struct.pack_into("!H", p, tcp_off + 16, _tcp_checksum(p, ip_off, tcp_off, seg_len))
            out += _enhanced_packet(endian, iface, ts_high, ts_low, p)
        split[frame] = len(chunks)
    with open(dst, "wb") as f:
        f.write(out)
    return split


def to_ethernet(src, dst):
    """Copy `src` to `dst` with an Ethernet link layer (LINKTYPE_ETHERNET, zero MAC addresses) in
    place of each packet's own (Linux cooked SLL/SLL2, raw IP): for tools that read Ethernet
    captures only (tcprewrite edits no SLL2 capture, and no IP header inside a raw one). Packets
    must be captured at least up to their IP header."""
    with open(src, "rb") as f:
        data = f.read()
    out = bytearray()
    linktypes = []
    for pos, btype, blen, endian in _blocks(data):
        block = bytearray(data[pos:pos + blen])
        if btype == 1:
            linktypes.append(struct.unpack_from(endian + "H", data, pos + 8)[0])
            struct.pack_into(endian + "H", block, 8, 1)
            out += block
            continue
        if btype != 6:
            out += block
            continue
        iface, ts_high, ts_low, caplen, origlen = struct.unpack_from(endian + "IIIII", data, pos + 8)
        l3 = LINKTYPE_L3_OFFSET[linktypes[iface]]
        ip = data[pos + 28 + l3:pos + 28 + caplen]
        ethertype = 0x86DD if ip[0] >> 4 == 6 else 0x0800
        packet = b"\0" * 12 + struct.pack("!H", ethertype) + ip
        padded = bytes(packet) + b"\0" * (-len(packet) % 4)
        options = data[pos + 28 + caplen + (-caplen % 4):pos + blen - 4]
        new_len = 32 + len(padded) + len(options)
        out += struct.pack(endian + "IIIIIII", 6, new_len, iface, ts_high, ts_low, len(packet), origlen - l3 + 14)
        out += padded + options + struct.pack(endian + "I", new_len)
    with open(dst, "wb") as f:
        f.write(out)
