"""Mutation score per module from a `mutmut run` (make mutation): killed ÷ checked mutants.

Reads mutmut's result files `mutants/<module>.py.meta` (exit code per mutant, mutmut.stats meanings):
killed = the tests failed (a timeout or a type-check catch counts as killed too); survived = they passed;
"no tests" = no selected test ran the mutated function (counted as a survivor); not checked = the run
stopped before reaching it (left out of the score and reported).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from mutmut.stats import status_by_exit_code

KILLED = {"killed", "timeout", "caught by type check", "segfault"}
SURVIVED = {"survived", "no tests", "suspicious"}


def scores(root: Path = Path("mutants")) -> dict[str, dict[str, int]]:
    out = {}
    for meta in sorted(root.rglob("*.py.meta")):
        codes = json.loads(meta.read_text(encoding="utf-8")).get("exit_code_by_key", {})
        statuses = [status_by_exit_code[c] for c in codes.values()]
        module = str(meta.relative_to(root))[: -len(".meta")]
        out[module] = {"mutants": len(statuses), "killed": sum(s in KILLED for s in statuses),
                       "survived": sum(s in SURVIVED for s in statuses),
                       "not_checked": sum(s == "not checked" for s in statuses)}
    return out


def main() -> int:
    table = scores()
    if not table:
        print("no mutmut results under mutants/: run `make mutation` first", file=sys.stderr)
        return 2
    for module, s in table.items():
        checked = s["killed"] + s["survived"]
        score = f"{100 * s['killed'] / checked:5.1f} %" if checked else "    — "
        print(f"{module:28} {score}  killed {s['killed']:4} survived {s['survived']:4} "
              f"not checked {s['not_checked']:4} of {s['mutants']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
