"""Command outputs on corpus captures are exactly the golden files of tests/golden/: output is
deterministic (stable order, fixed formats) and any change to it is deliberate. After an
intended change: tools/golden/update.py, then review the diff."""

import os

from common import DATA_DIR, SOURCE_DIR, Checker, run_program
from golden_cases import DOC_SECTIONS, cases, doc_section_bounds

GOLDEN_DIR = os.path.join(SOURCE_DIR, "tests", "golden")


def main():
    checker = Checker("golden outputs")
    for name, args in cases(DATA_DIR):
        path = os.path.join(GOLDEN_DIR, name)
        if not checker.check(os.path.exists(path), f"{name}: golden file exists (run tools/golden/update.py)"):
            continue
        with open(path, encoding="utf-8") as f:
            expected = f.read()
        # Paths in outputs are the capture path as given: run from tests/data with a relative name.
        rel = [os.path.basename(a) if a.startswith(DATA_DIR) else a for a in args]
        got = run_program(*rel, cwd=DATA_DIR).stdout
        if not checker.check(got == expected, f"{name}: output differs from the golden file"):
            for i, (g, e) in enumerate(zip(got.splitlines(), expected.splitlines())):
                if g != e:
                    print(f"  first difference at line {i + 1}:\n    got      {g}\n    expected {e}")
                    break
    # Documentation generated from the program's own descriptions (report columns) is current.
    for doc, marker, args in DOC_SECTIONS:
        with open(os.path.join(SOURCE_DIR, doc), encoding="utf-8") as f:
            text = f.read()
        bounds = doc_section_bounds(text, marker)
        if not checker.check(bounds is not None, f"{doc}: has the <!-- {marker}:begin/end --> markers"):
            continue
        got = run_program(*args).stdout
        checker.check(text[bounds[0]:bounds[1]] == got,
                      f"{doc}: the {marker} section differs from `mptcpanalyzer {' '.join(args)}` "
                      "(run tools/golden/update.py)")
    checker.finish()


if __name__ == "__main__":
    main()
