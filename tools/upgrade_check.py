"""List pinned requirements older than the registry's current release (`make upgrade-check`).

Reads the exact pins (``name==version``) of requirements.txt and requirements-dev.txt, asks the
package index (``pip index versions``, which honours this interpreter's Python version) for the newest
release of each, and prints one line per pin. Pins held back on purpose are listed in HELD with the
reason; they are reported as «held», not as outdated. Exit 1 when any pin is outdated and not held.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = ("requirements.txt", "requirements-dev.txt")
PIN = re.compile(r"^\s*([A-Za-z0-9_.\-]+)(\[[^\]]*\])?==([^\s#;]+)")
HELD = {
    "selenium": "dash[testing] 4.4.1 requires selenium<=4.2.0",
}


def pins() -> dict[str, str]:
    """Exact pins of both requirement files, by normalized package name."""
    found: dict[str, str] = {}
    for name in FILES:
        for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
            match = PIN.match(line)
            if match:
                found[match.group(1).lower().replace("_", "-")] = match.group(3)
    return found


def latest(package: str) -> str | None:
    """The newest release the index offers for this interpreter, or None when it cannot be asked."""
    done = subprocess.run([sys.executable, "-m", "pip", "index", "versions", package],
                          capture_output=True, text=True, timeout=120, check=False)
    match = re.search(r"^\S+ \(([^)]+)\)", done.stdout, flags=re.MULTILINE)
    return match.group(1) if match else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="one JSON object instead of a table")
    args = parser.parse_args(argv)
    pinned = pins()
    with ThreadPoolExecutor(max_workers=8) as pool:
        newest = dict(zip(pinned, pool.map(latest, pinned)))
    rows = []
    for package, version in sorted(pinned.items()):
        current = newest[package]
        if current is None:
            status = "unknown"
        elif current == version:
            status = "current"
        else:
            status = "held" if package in HELD else "outdated"
        rows.append({"package": package, "pinned": version, "latest": current, "status": status,
                     "reason": HELD.get(package, "")})
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        for row in rows:
            print(f"{row['package']:<28} {row['pinned']:<12} {row['latest'] or '?':<12} {row['status']:<9} {row['reason']}")
    return 1 if any(row["status"] == "outdated" for row in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
