"""Peak memory of the current process, for the benchmark figures."""
from __future__ import annotations

import resource
from pathlib import Path

STATUS = Path("/proc/self/status")


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB (one decimal).

    Linux: ``VmHWM`` of /proc/self/status, which starts afresh when the process execs. ``ru_maxrss`` does not:
    a benchmark subprocess reported its parent's peak at the fork (the 3.5 GB of a parent that had generated the
    `large` demo files became every subprocess's "peak"). Elsewhere: ``ru_maxrss``.
    """
    if STATUS.exists():
        for line in STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
