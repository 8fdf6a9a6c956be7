"""A missing PostgreSQL/Redis/Chromium fails inside make test (QUALITY_TEST_REQUIRE_SERVICES=1) and under CI=true;
elsewhere it skips with the reason."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.services import REQUIRE_ENV, service_missing


@pytest.mark.parametrize(("env", "outcome"), [
    ({REQUIRE_ENV: "1"}, pytest.fail.Exception), ({"CI": "true"}, pytest.fail.Exception),
    ({}, pytest.skip.Exception), ({REQUIRE_ENV: "0"}, pytest.skip.Exception),
])
def test_a_missing_service_fails_where_it_is_required(monkeypatch, env, outcome):
    monkeypatch.delenv(REQUIRE_ENV, raising=False)
    monkeypatch.delenv("CI", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(BaseException) as raised:  # a skip must not pass for a failure
        service_missing("PostgreSQL unreachable at nowhere")
    assert type(raised.value) is outcome
    assert "PostgreSQL unreachable at nowhere" in str(raised.value)


def test_make_test_requires_the_services():
    makefile = Path("Makefile").read_text(encoding="utf-8")
    target = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert f"{REQUIRE_ENV}=1" in target and "pytest" in target
    assert "postgres" in target.splitlines()[0] and "redis" in target.splitlines()[0]
    assert "browser" in target.splitlines()[0]
