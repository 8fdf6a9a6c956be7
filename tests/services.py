"""What a test does when a service it needs (PostgreSQL, Redis, Chromium) is missing.

Inside `make test` (which sets QUALITY_TEST_REQUIRE_SERVICES=1 after setting the services up) and under
CI=true a missing service fails the test loudly; elsewhere the test is skipped and the reason printed
(pytest.ini runs with -rs, so every skip's reason is in the summary). A run counts only with zero skips.
"""
from __future__ import annotations

import os
import sys
from typing import NoReturn

import pytest

REQUIRE_ENV = "QUALITY_TEST_REQUIRE_SERVICES"


def services_required() -> bool:
    return os.environ.get(REQUIRE_ENV, "") == "1" or os.environ.get("CI", "").lower() == "true"


def service_missing(reason: str) -> NoReturn:
    """Fail (make test, CI) or skip with the printed reason (a bare pytest run on a machine without it)."""
    if services_required():
        pytest.fail(f"{reason} ({REQUIRE_ENV}=1 or CI=true: make test sets the service up and requires it)",
                    pytrace=False)
    print(f"\nSKIP {reason}", file=sys.stderr)
    pytest.skip(reason)
