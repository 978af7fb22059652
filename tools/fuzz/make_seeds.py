#!/usr/bin/env python3
"""Seeds of the fuzz targets (tests/fuzz), made from the corpus (tests/data) at run time, never
committed: one folder per target under OUT.

  fuzz_tcp_options    the distinct TCP option blocks of every corpus capture (tshark), each
                      behind the target's flag byte (1: the block is complete)
  fuzz_cache_decoder  the bodies of real cache entries of a few corpus captures (written by
                      PROGRAM with a private cache folder), behind flag byte 0 (the target wraps
                      them in a valid header and checksum), one of them of a capture appended to itself past
                      two blocks of packed rows (format 3); and one whole entry behind byte 1
  fuzz_table_reader   CSV and JSON exports of a few corpus captures (written by PROGRAM), the
                      metadata, header and first rows, and each cut a third of the way in
  fuzz_config_reader  every ```ini block of docs/config.md

A target with no folder here is fuzzed from an empty corpus (libFuzzer starts from nothing)."""

import argparse
import glob
import os
import re
import shutil
import struct
import subprocess
import tempfile

SOURCE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DATA_DIR = os.path.join(SOURCE_DIR, "tests", "data")


def write_seeds(folder, seeds):
    os.makedirs(folder, exist_ok=True)
    for i, seed in enumerate(sorted(set(seeds))):
        with open(os.path.join(folder, f"seed-{i:05d}"), "wb") as f:
            f.write(seed)
    return len(set(seeds))


def tcp_option_seeds(captures, env):
    seeds = set()
    for capture in captures:
        out = subprocess.run(["tshark", "-n", "-r", capture, "-Y", "tcp.options", "-T", "fields", "-e", "tcp.options"],
                             capture_output=True, text=True, env=env, check=True).stdout
        for line in out.splitlines():
            hexes = line.strip().replace(":", "")
            if hexes and re.fullmatch(r"[0-9a-fA-F]+", hexes) and len(hexes) % 2 == 0:
                seeds.add(b"\x01" + bytes.fromhex(hexes))
    return seeds


def packet_count(capture):
    """Packets of a capture (capinfos -c), at least 1."""
    out = subprocess.run(["capinfos", "-M", "-c", "-T", capture], capture_output=True, text=True).stdout
    numbers = [int(f) for line in out.splitlines()[1:] for f in line.split("\t")[1:] if f.strip().isdigit()]
    return max(numbers[:1] + [1])


def cache_seeds(program, captures, env):
    seeds = set()
    with tempfile.TemporaryDirectory() as cache:
        # Every corpus capture holds fewer rows than a block of packed columns (4,096): one
        # capture appended to itself past two blocks gives an entry of several blocks, the last
        # one partial (format 3: block headers, bases and group counts per block).
        if captures and shutil.which("mergecap"):
            merged = os.path.join(cache, "blocks.pcapng")
            copies = max(1, -(-9000 // max(1, packet_count(captures[0]))))
            subprocess.run(["mergecap", "-a", "-w", merged] + [captures[0]] * copies, capture_output=True, check=True)
            captures = captures + [merged]
        for capture in captures:
            subprocess.run([program, "--cache-dir", cache, "list-tcp", "-r", capture], capture_output=True, env=env)
        for entry in sorted(glob.glob(os.path.join(cache, "*.mptable"))):
            with open(entry, "rb") as f:
                data = f.read()
            if len(data) < 24 or data[:8] != b"MPTCPTBL":
                continue
            (key_size,) = struct.unpack_from("=Q", data, 16)
            body = data[24 + key_size:-8]
            seeds.add(b"\x00" + body)
            if len(seeds) == 1:
                seeds.add(b"\x01" + data)
    return seeds


def table_seeds(program, captures, env):
    """CSV and JSON exports of a few captures, whole and cut in the middle of a row."""
    seeds = set()
    with tempfile.TemporaryDirectory() as out:
        for capture in captures:
            for suffix in ("csv", "json"):
                path = os.path.join(out, f"{os.path.basename(capture)}.{suffix}")
                subprocess.run([program, "--no-cache", "export", "-r", capture, "-o", path],
                               capture_output=True, env=env)
                if not os.path.exists(path):
                    continue
                with open(path, "rb") as f:
                    data = f.read()
                # Small inputs fuzz faster: the metadata, the header and the first rows.
                lines = data.split(b"\n")
                seeds.add(b"\n".join(lines[:40]) + b"\n" if suffix == "csv" else data[:20000])
                seeds.add(data[: len(data) // 3])
    return seeds


def config_seeds():
    with open(os.path.join(SOURCE_DIR, "docs", "config.md"), encoding="utf-8") as f:
        text = f.read()
    blocks = re.findall(r"```ini\n(.*?)```", text, flags=re.S)
    return {b.encode() for b in blocks} | {b"[output]\nformat = json\n"}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--program", help="an mptcpanalyzer binary (for the cache entries)")
    args = parser.parse_args()
    captures = sorted(glob.glob(os.path.join(DATA_DIR, "*.pcapng")))
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = "detect_leaks=0"
    env["WIRESHARK_CONFIG_DIR"] = tempfile.mkdtemp(prefix="mptcp-seeds-wsconf-")
    shutil.rmtree(args.out, ignore_errors=True)
    n = write_seeds(os.path.join(args.out, "fuzz_tcp_options"), tcp_option_seeds(captures, env))
    print(f"fuzz_tcp_options: {n} seeds")
    if args.program:
        small = [c for c in captures if os.path.getsize(c) < 200_000][:6]
        n = write_seeds(os.path.join(args.out, "fuzz_cache_decoder"), cache_seeds(args.program, small, env))
        print(f"fuzz_cache_decoder: {n} seeds")
        n = write_seeds(os.path.join(args.out, "fuzz_table_reader"), table_seeds(args.program, small[:3], env))
        print(f"fuzz_table_reader: {n} seeds")
    n = write_seeds(os.path.join(args.out, "fuzz_config_reader"), config_seeds())
    print(f"fuzz_config_reader: {n} seeds")


if __name__ == "__main__":
    main()
