#!/usr/bin/env python3
"""Regenerates tests/golden/ and the generated sections of the docs (golden_cases.DOC_SECTIONS)
from the current program (default: build/release). Review the diff before committing: a golden
file changes only when an output change is intended."""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SOURCE, "tests", "integration"))
from golden_cases import DOC_SECTIONS, cases, doc_section_bounds  # noqa: E402

DATA = os.path.join(SOURCE, "tests", "data")
GOLDEN = os.path.join(SOURCE, "tests", "golden")


def main():
    program = sys.argv[1] if len(sys.argv) > 1 else os.path.join(SOURCE, "build", "release", "analyzer", "mptcpanalyzer")
    os.makedirs(GOLDEN, exist_ok=True)
    for name, args in cases(DATA):
        rel = [os.path.basename(a) if a.startswith(DATA) else a for a in args]
        out = subprocess.run([program, *rel], cwd=DATA, capture_output=True, text=True, check=True).stdout
        with open(os.path.join(GOLDEN, name), "w", encoding="utf-8") as f:
            f.write(out)
        print(f"wrote tests/golden/{name}")
    for doc, marker, args in DOC_SECTIONS:
        path = os.path.join(SOURCE, doc)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        bounds = doc_section_bounds(text, marker)
        if bounds is None:
            sys.exit(f"{doc}: no <!-- {marker}:begin --> ... <!-- {marker}:end --> markers")
        out = subprocess.run([program, *args], capture_output=True, text=True, check=True).stdout
        with open(path, "w", encoding="utf-8") as f:
            f.write(text[:bounds[0]] + out + text[bounds[1]:])
        print(f"wrote the {marker} section of {doc}")


if __name__ == "__main__":
    main()
