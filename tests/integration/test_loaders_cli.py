"""`cli.py ingest` and `cli.py stats` as a user runs them: exit codes, JSON shape, no tracebacks.

The commands are called in-process through `cli.main` (same parser, same exit codes, stdout/stderr captured);
one test runs `python cli.py` as a subprocess to check what a shell sees."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest

import cli as cli_module
from tests.integration.loader_files import BASE, DATA, write

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def cli(monkeypatch, capsys) -> Callable[..., SimpleNamespace]:
    """Run `cli.py ARGS` in-process against database `url`: returncode, stdout, stderr."""

    def run(url: str, *args: str) -> SimpleNamespace:
        monkeypatch.setenv("DATABASE_URL", url)
        capsys.readouterr()
        try:
            code = cli_module.main(list(args))
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 2
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err, err
        return SimpleNamespace(returncode=code, stdout=out, stderr=err)

    return run


def url_of(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_ingest_of_good_files_exits_0_with_the_exact_json_shape(engine, cli):
    proc = cli(url_of(engine), "ingest", str(BASE / "partners.csv"), str(BASE / "staff.csv"), "--json")
    assert proc.returncode == 0
    assert json.loads(proc.stdout) == {"files": [
        {"path": str(BASE / "partners.csv"), "kind": "partners", "rows": 3, "accepted": 3, "rejected": 0, "errors": []},
        {"path": str(BASE / "staff.csv"), "kind": "staff", "rows": 2, "accepted": 2, "rejected": 0, "errors": []},
    ]}


def test_ingest_with_rejected_rows_exits_3_and_lists_them(engine, tmp_path, cli):
    path = write(tmp_path, "staff.csv", "staff,line\nS1,1\nS2,4\n")
    proc = cli(url_of(engine), "ingest", str(path), "--json")
    assert proc.returncode == 3
    assert json.loads(proc.stdout)["files"][0]["errors"] == [
        {"row": 2, "column": "line", "value": "4", "reason": "line must be 1, 2 or 3"}]


def test_ingest_with_refused_files_exits_2_even_when_others_load(engine, tmp_path, cli):
    empty, missing = DATA / "broken" / "tickets_empty.csv", tmp_path / "nowhere.csv"
    proc = cli(url_of(engine), "ingest", str(BASE / "staff.csv"), str(empty), str(missing), "--json")
    assert proc.returncode == 2
    files = json.loads(proc.stdout)["files"]
    assert [f["accepted"] for f in files] == [2, 0, 0]
    assert [f["errors"] for f in files[1:]] == [
        [{"row": None, "column": None, "value": None, "reason": f"{empty}: the file is empty"}],
        [{"row": None, "column": None, "value": None, "reason": f"{missing}: file not found"}]]


def test_stats_counts_every_kind_and_quarantine(engine, tmp_path, cli):
    write(tmp_path, "staff_extra.csv", "staff,line\nS3,9\n")
    for path in BASE.iterdir():
        write(tmp_path, path.name, path.read_text())
    cli(url_of(engine), "ingest", str(tmp_path), "--json")
    proc = cli(url_of(engine), "stats", "--json")
    assert proc.returncode == 0
    assert json.loads(proc.stdout) == {
        "partners": 3, "staff": 2, "clients": 4, "projects": 2, "monitor_tests": 0, "license_keys": 0, "surveys": 0,
        "tickets": 2, "ticket_pauses": 0, "worklog": 0, "deposits": 0, "kkv_points": 0, "enterprise_reports": 0,
        "leads": 0, "saas_contracts": 0, "quarantine": 1}


def test_human_output_is_a_table_with_the_first_errors(tmp_path, cli):
    path = write(tmp_path, "staff.csv", "staff,line\nS1,1\nS2,x\n")
    proc = cli(f"sqlite:///{tmp_path / 'cli.db'}", "ingest", str(path))
    assert proc.returncode == 3
    assert "staff" in proc.stdout and "row 2, line = 'x': line must be a whole number, not 'x'" in proc.stdout


def test_bad_naive_tz_exits_2_with_a_message_in_a_real_shell(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    proc = subprocess.run([sys.executable, "cli.py", "ingest", str(BASE / "staff.csv"), "--naive-tz", "Mars/Olympus"],
                          check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    assert proc.returncode == 2
    assert "unknown time zone 'Mars/Olympus'" in proc.stderr
