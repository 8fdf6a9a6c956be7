"""The benchmark's peak memory of a subprocess is its own, not its parent's (issue 14 memory figures)."""
from __future__ import annotations

import subprocess
import sys

from config import ROOT

PARENT_MB = 400


def test_a_subprocess_reports_its_own_peak_not_its_parents():
    held = bytearray(PARENT_MB * 1024 * 1024)
    held[::4096] = b"\x01" * len(held[::4096])  # touch every page: resident in this (the parent) process
    child = subprocess.run([sys.executable, "-c", "from benchmarks.memory import peak_rss_mb; print(peak_rss_mb())"],
                           capture_output=True, text=True, cwd=ROOT, check=True)
    assert float(child.stdout) < PARENT_MB / 2
    del held
