"""`cli.py report meeting` end to end: the demo `small` data loaded through the loaders (the session's copy,
`demo_backends.demo_sqlite_file`), then the command called as `cli.main` (one run as a subprocess checks the
exit code and stderr a user sees; seed 004's deteriorating client)."""
from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

import cli
from demo import DETERIORATING_CLIENT_ID
from tests.integration.demo_backends import demo_sqlite_file

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def database_url(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("meeting_cli")
    shutil.copyfile(demo_sqlite_file(tmp_path_factory), folder / "demo.db")
    return f"sqlite:///{folder / 'demo.db'}"


def _report(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "cli.py", "report", *args], check=False, cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_deteriorating_demo_client_gets_the_development_share_flag(database_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert cli.main(["report", "meeting", "--client", DETERIORATING_CLIENT_ID, "--format", "json"]) == 0
    brief = json.loads(capsys.readouterr().out)
    assert brief["client"]["client_id"] == DETERIORATING_CLIENT_ID
    # the demo data runs to 15.11.2026; the deterioration is designed into 02.11–15.11
    assert (brief["period"]["first_day"], brief["period"]["last_day"]) == ("2026-11-02", "2026-11-15")
    flag = brief["flags"][0]
    assert flag["rule"] == "development_pressure"
    assert flag["metric_id"] == "development_share"
    assert flag["previous"] < 30 and flag["current"] > 70  # seed 004: 20 % → 80 %
    assert "приоритет" in flag["action_ru"]
    assert flag["action_en"] == "Add resources or lower the priority of some development tasks."
    assert "line 2" in flag["sentence_en"] or "line 3" in flag["sentence_en"]
    share = next(k for k in brief["kpis"] if k["metric_id"] == "development_share")
    assert share["flagged"] and share["status"] == "worse"
    assert brief["actions"] == {"open": [], "all": [], "last_meeting": None, "history": []}  # none agreed yet


def test_unknown_client_is_a_clear_message_and_exit_2(database_url):
    done = _report(database_url, "meeting", "--client", "NO-SUCH", "--format", "json")
    assert done.returncode == 2
    assert "no client 'NO-SUCH'" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_bad_period_end_is_a_clear_message_and_exit_2(database_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", database_url)
    with pytest.raises(SystemExit) as exit_:
        cli.main(["report", "meeting", "--client", DETERIORATING_CLIENT_ID, "--period-end", "31.02.2026"])
    assert exit_.value.code == 2
    assert "not a date: '31.02.2026'" in capsys.readouterr().err


def test_pdf_and_xlsx_are_written_to_out(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    pdf, xlsx = tmp_path / "brief.pdf", tmp_path / "brief.xlsx"
    for fmt, out in (("pdf", pdf), ("xlsx", xlsx)):
        code = cli.main(["report", "meeting", "--client", DETERIORATING_CLIENT_ID, "--period-end", "15.11.2026",
                         "--format", fmt, "--out", str(out)])
        assert code == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    book = openpyxl.load_workbook(io.BytesIO(xlsx.read_bytes()))
    assert book.sheetnames == ["KPI", "Flags", "Actions", "Tickets", "Hours"]
    assert book["Flags"]["E2"].value.startswith("Добавить ресурсы")
