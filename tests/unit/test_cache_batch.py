"""`scoped_memoize(...).many`: several entries of one memoized function at once (the manager's home asks for the
findings of all of a manager's clients); the cached ones are read, only the missing ones are computed, together, and
each is cached under the key a single call uses (components.cache)."""
from __future__ import annotations

from flask import Flask
from flask_caching import Cache
from flask_login import LoginManager

from components.cache import scoped_memoize


def _app() -> Flask:
    server = Flask(__name__)
    cache = Cache(config={"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 100, "CACHE_DEFAULT_TIMEOUT": 300})
    cache.init_app(server)
    server.extensions["quality"] = {"cache": cache}
    LoginManager(server).user_loader(lambda _user_id: None)  # anonymous: the public scope
    return server


def _memoized():
    """A memoized findings-like function and the log of what it and its batch computed."""
    computed: list[tuple] = []

    @scoped_memoize(live=False)
    def findings(client_id: str, states: str) -> list[str] | None:
        computed.append((client_id, states))
        return None if client_id == "unknown" else [f"{client_id}@{states}"]

    def batch(missing: list[tuple]) -> list:
        computed.append(tuple(missing))
        return [None if c == "unknown" else [f"{c}@{s}"] for c, s in missing]

    return findings, batch, computed


def test_many_computes_only_the_missing_entries_in_one_batch():
    findings, batch, computed = _memoized()
    with _app().test_request_context():
        assert findings("a", "1:0") == ["a@1:0"]
        computed.clear()
        values = findings.many([("a", "1:0"), ("b", "0:2"), ("unknown", "0:0")], batch)
    assert values == [["a@1:0"], ["b@0:2"], None]
    assert computed == [(("b", "0:2"), ("unknown", "0:0"))]  # one batch of the two missing, "a" read from the cache


def test_entries_of_a_batch_serve_later_single_calls_and_batches_and_a_cached_none_is_a_hit():
    findings, batch, computed = _memoized()
    with _app().test_request_context():
        findings.many([("a", "1:0"), ("unknown", "0:0")], batch)
        computed.clear()
        assert findings("a", "1:0") == ["a@1:0"] and findings("unknown", "0:0") is None
        assert findings.many([("unknown", "0:0"), ("a", "1:0")], batch) == [None, ["a@1:0"]]
    assert computed == []


def test_a_changed_fingerprint_is_a_new_entry():
    findings, batch, computed = _memoized()
    with _app().test_request_context():
        findings.many([("a", "1:0")], batch)
        assert findings.many([("a", "1:1")], batch) == [["a@1:1"]]
    assert computed == [(("a", "1:0"),), (("a", "1:1"),)]
