"""The small demo data set loads through the real ingest path with every row accounted for."""
from __future__ import annotations

import demo
from tests.integration.loader_files import count, load


def test_small_demo_folder_loads_with_every_row_accounted_for(engine, tmp_path):
    frames = demo.generate("small", seed=7)
    demo.write_csv(frames, tmp_path)
    reports = load(engine, tmp_path)
    assert sorted(r.kind for r in reports) == sorted(frames)
    for report in reports:
        assert report.rows == len(frames[report.kind]), report.kind
        assert report.rows == report.accepted + report.rejected, report.kind
        assert report.rejected == 0, (report.kind, report.errors[:3])
    keyed = [r.kind for r in reports if r.kind != "worklog"]  # worklog sums repeated (ticket, staff, day, type)
    assert {kind: count(engine, kind) for kind in keyed} == {kind: len(frames[kind]) for kind in keyed}
