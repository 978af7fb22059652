"""DSS checksums are verified from the captured payload: every mapping of the checksum
scenarios that was captured whole checks out, except the one whose payload the corpus relay
corrupted on its way to the server (scenario mpfail) - and only in the server's capture, the
client's capture holding the original bytes."""

import json
import os

from common import DATA_DIR, Checker, manifest, run_program, tshark_fields


def summary(capture):
    return json.loads(run_program("mptcp-summary", "--json", "-r", capture, "0").stdout)


def failures(capture):
    events = json.loads(run_program("events", "--json", "-r", capture).stdout)["events"]
    return [e for e in events if e["kind"] == "checksum_failure"]


def main():
    checker = Checker("dss checksums")
    scenarios = {s["name"]: s for s in manifest()["scenarios"]}
    checked = 0
    for name, scn in scenarios.items():
        if scn.get("sysctls", {}).get("net.mptcp.checksum_enabled") != 1:
            continue
        modified = [m for m in scn.get("modified", []) if m["reason"] == "payload_byte_corrupted"]
        for side in ("client", "server"):
            capture = os.path.join(DATA_DIR, scn["captures"][side])
            s = summary(capture)
            fails = failures(capture)
            checked += 1
            checker.check(s["checksums"] and s["dss_checksums"]["verified"] > 0,
                          f"{name}.{side}: checksums negotiated and some verified: {s['dss_checksums']}")
            # The relay sits between the captures: the server's capture has the corrupted bytes.
            expect_failure = side == "server" and bool(modified)
            checker.check(len(fails) == (1 if expect_failure else 0) and s["dss_checksums"]["failed"] == len(fails),
                          f"{name}.{side}: {len(fails)} checksum failures, expected {1 if expect_failure else 0}")
            for m in modified if expect_failure else []:
                rows = tshark_fields(capture, ["frame.number"], preferences=[],
                                     display_filter=f"tcp.srcport=={m['sport']} && tcp.seq_raw=={m['seq']} && tcp.len=={m['len']}")
                frames = [int(r[0]) for r in rows]
                checker.check(bool(frames), f"{name}.{side}: the corrupted segment (seq {m['seq']}) is in the capture")
                for f in frames[:1]:
                    hit = [e for e in fails if int(e["details"]["mapping_first_frame"]) <= f <= int(e["details"]["mapping_last_frame"])]
                    checker.check(bool(hit), f"{name}.{side}: the failing mapping covers the corrupted frame {f}: {fails}")
    checker.check(checked >= 4, f"the corpus has checksum scenarios on both sides ({checked} captures)")
    # Without checksums, nothing is verified and nothing fails.
    basic = os.path.join(DATA_DIR, scenarios["basic"]["captures"]["client"])
    s = summary(basic)
    checker.check(s["dss_checksums"] == {"verified": 0, "failed": 0} and not failures(basic),
                  f"basic: no checksum, nothing verified: {s['dss_checksums']}")
    checker.finish()


if __name__ == "__main__":
    main()
