"""Damaged and foreign table exports never crash and never give an answer: cut anywhere, a
column removed, a cell garbled, a newer format version, an older export without metadata, and
randomly mutated tables (seeded) each exit with the documented code (docs/exit-codes.md: 4, or 5
for a table without packets) and a message starting with the file's name; the specific cases
name the missing column, or the row and column of the bad cell, or the newer version. Under the
sanitizer build any memory error fails the run."""

import json
import os
import random
import subprocess
import tempfile

from common import DATA_DIR, PROGRAM, Checker

checker = Checker("damaged tables")
WORK = tempfile.mkdtemp(prefix="mptcp-test-damaged-tables-")
ENV = dict(os.environ, XDG_CACHE_HOME=os.path.join(WORK, "cache"), XDG_CONFIG_HOME=os.path.join(WORK, "config"))
CAPTURE = os.path.join(DATA_DIR, "addaddr.client.pcapng")  # ADD_ADDR, MP_JOIN, DSS: every option kind's text
INPUT_INVALID, NO_DATA = 4, 5


def program(*args, stdin_text=""):
    return subprocess.run([PROGRAM, *args], input=stdin_text, capture_output=True, text=True, errors="replace", env=ENV, cwd=WORK,
                          timeout=600)


def write(name, data):
    path = os.path.join(WORK, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def no_crash(what, proc):
    return checker.check(proc.returncode >= 0 and "Sanitizer" not in proc.stderr and "internal error" not in proc.stderr,
                         f"{what}: crashed or internal error (exit {proc.returncode}): {proc.stderr[-500:]}")


def expect_error(what, path, *names, codes=(INPUT_INVALID,)):
    p = program("list-tcp", "-r", path)
    if not no_crash(what, p):
        return
    message = p.stderr.strip().splitlines()[-1] if p.stderr.strip() else ""
    checker.check(p.returncode in codes, f"{what}: exit {p.returncode}, expected {codes}: {p.stderr[-300:]}")
    checker.check(message.startswith(f"mptcpanalyzer: error: {path}: "), f"{what}: message does not name the file: {message}")
    checker.check(p.stdout == "", f"{what}: printed an answer: {p.stdout[:200]}")
    for name in names:
        checker.check(name in message, f"{what}: message does not say {name!r}: {message}")


def main():
    tables = {}
    for fmt in ("csv", "json"):
        path = os.path.join(WORK, f"table.{fmt}")
        p = program("export", "-r", CAPTURE, "-f", fmt, "-o", path)
        checker.check(p.returncode == 0, f"export {fmt}: {p.stderr}")
        with open(path, "rb") as f:
            tables[fmt] = f.read()
    csv_lines = tables["csv"].decode().split("\n")
    header_index = next(i for i, line in enumerate(csv_lines) if not line.startswith("#"))
    header = csv_lines[header_index].split(",")
    data = json.loads(tables["json"])

    # A column the reader needs, removed (header and every row).
    for column in ("tcp_stream", "mptcp_options", "time_ns"):
        i = header.index(column)
        lines = [line if k < header_index or not line else ",".join(c for j, c in enumerate(line.split(",")) if j != i)
                 for k, line in enumerate(csv_lines)]
        # mptcp_options holds commas inside quotes only when quoted; the corpus' cells hold none.
        expect_error(f"CSV without {column}", write(f"no-{column}.csv", "\n".join(lines).encode()), column)
        d = json.loads(tables["json"])
        for row in d["packets"]:
            del row[column]
        expect_error(f"JSON without {column}", write(f"no-{column}.json", json.dumps(d).encode()), column)

    # A garbled cell: named by its row and column.
    for column, value in (("tcp_seq_raw", "12x"), ("ip_src", "10.0.0"), ("mptcp_options", "subtype=2 dsn=zz"),
                          ("tcp_flags", "-1"), ("tcp_stream", "99999999999")):
        i = header.index(column)
        row = 3
        lines = list(csv_lines)
        cells = lines[header_index + row].split(",")
        cells[i] = value
        lines[header_index + row] = ",".join(cells)
        expect_error(f"CSV {column}={value}", write(f"bad-{column}.csv", "\n".join(lines).encode()), f"row {row}",
                     f"column {column}")
        d = json.loads(tables["json"])
        d["packets"][row - 1][column] = value
        expect_error(f"JSON {column}={value}", write(f"bad-{column}.json", json.dumps(d).encode()), f"row {row}",
                     f"column {column}")
    # A plausible but wrong value: the relative sequence number the file states gives it away.
    # (Row 3: the client's first ACK after the handshake; a SYN's relative number is 0 whatever its raw one.)
    lines = list(csv_lines)
    cells = lines[header_index + 3].split(",")
    cells[header.index("tcp_seq_raw")] = str((int(cells[header.index("tcp_seq_raw")]) + 1000) % 2**32)
    lines[header_index + 3] = ",".join(cells)
    expect_error("CSV with a shifted raw sequence number", write("shifted.csv", "\n".join(lines).encode()), "row 3",
                 "column tcp_seq")

    # A newer format version.
    newer = tables["csv"].replace(b"#format_version: 1\n", b"#format_version: 99\n")
    checker.check(newer != tables["csv"], "the CSV states format_version 1")
    expect_error("CSV format_version 99", write("newer.csv", newer), "99", "newer")
    d = dict(data, format_version=99)
    expect_error("JSON format_version 99", write("newer.json", json.dumps(d).encode()), "99", "newer")

    # An export of an older mptcpanalyzer (no metadata): said so, not handed to libwireshark.
    old = "\n".join(csv_lines[header_index:]).encode()
    expect_error("CSV without metadata (older export)", write("old.csv", old), "older")
    expect_error("JSON array (older export)", write("old.json", json.dumps(data["packets"]).encode()), "older")

    # No packet at all.
    empty = b"\n".join(line if not line.startswith(b"#packet_count") else b"#packet_count: 0"
                       for line in "\n".join(csv_lines[:header_index + 1]).encode().split(b"\n")) + b"\n"
    expect_error("CSV header without rows", write("empty.csv", empty), "no packets", codes=(NO_DATA,))

    # Cut anywhere (after the format line: before it, the file is not recognised as a table).
    rng = random.Random(16)
    for fmt in ("csv", "json"):
        size = len(tables[fmt])
        # (The last byte is the final newline: without it the table is whole.)
        for k, cut in enumerate(sorted({40, size - 2, size - 3} | {rng.randrange(40, size) for _ in range(12)})):
            expect_error(f"{fmt} cut at byte {cut} of {size}", write(f"cut{k}.{fmt}", tables[fmt][:cut]), "damaged")

    # Generated damage: random bytes changed, lines dropped or repeated; read in one batch each.
    for fmt in ("csv", "json"):
        paths = []
        for k in range(60):
            raw = bytearray(tables[fmt])
            kind = k % 3
            if kind == 0:
                for _ in range(rng.randrange(1, 8)):
                    pos = rng.randrange(40, len(raw))
                    raw[pos] = rng.choice(b"0123456789,;:\"{}[]x-=/ \n\r\x00\xff")
            elif kind == 1:
                lines = bytes(raw).split(b"\n")
                del lines[rng.randrange(1, len(lines))]
                raw = bytearray(b"\n".join(lines))
            else:
                lines = bytes(raw).split(b"\n")
                j = rng.randrange(1, len(lines))
                lines.insert(j, lines[j])
                raw = bytearray(b"\n".join(lines))
            paths.append(write(f"gen{k}.{fmt}", bytes(raw)))
        text = "".join(f"list-mptcp -r {p} --json\n" for p in paths)
        proc = program("--continue-on-error", "--batch", "-", stdin_text=text)
        if no_crash(f"{fmt}: 60 generated damaged tables", proc):
            # Exit 0 would need every mutation to be harmless; a batch exits with the first failure's code.
            checker.check(proc.returncode in (0, INPUT_INVALID, NO_DATA),
                          f"{fmt}: generated damage: exit {proc.returncode}: {proc.stderr[-300:]}")
            for line in proc.stderr.splitlines():
                if "error:" in line and "stopped" not in line and "gen" in line:
                    checker.check(f"{WORK}/gen" in line, f"{fmt}: error without the file's name: {line}")

    checker.finish()


if __name__ == "__main__":
    main()
