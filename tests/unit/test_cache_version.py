"""The data version behind every cached view survives the cache's own eviction (components.cache).

SimpleCache (`make run`, one process) prunes once it holds CACHE_THRESHOLD entries, entries without a timeout
first, so the data-version key is the first to go. A version counted from 0 then restarted and met views cached
under a number it had before: after the next load a stale view was served as current.
"""
from __future__ import annotations

from flask import Flask
from flask_caching import Cache
from flask_login import LoginManager

from components.cache import _VERSION_KEY, data_version, invalidate_data_cache, scoped_memoize


def _app(threshold: int) -> Flask:
    server = Flask(__name__)
    cache = Cache(config={"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": threshold, "CACHE_DEFAULT_TIMEOUT": 300})
    cache.init_app(server)
    server.extensions["quality"] = {"cache": cache}
    LoginManager(server).user_loader(lambda _user_id: None)  # anonymous: views cached under the public scope
    return server


def test_a_load_after_the_version_key_was_evicted_never_serves_a_view_cached_before_it():
    stored = {"value": "before the loads"}

    @scoped_memoize(live=False)
    def view() -> str:
        return stored["value"]

    server = _app(threshold=4)
    cache = server.extensions["quality"]["cache"]
    with server.test_request_context():
        invalidate_data_cache()  # a first load
        cache.set("other-0", 0)
        cache.set("other-1", 1)
        assert view() == "before the loads"  # cached after the two others: not the oldest entry
        cache.set("other-2", 2)
        cache.set("other-3", 3)  # past the threshold: the version key (no timeout) is pruned first
        assert cache.get(_VERSION_KEY) is None and cache.get("other-3") == 3
        stored["value"] = "after the second load"
        invalidate_data_cache()  # the second load (its own set prunes the oldest view, other-0)
        assert view() == "after the second load"


def test_the_version_is_stable_between_loads_and_new_after_each():
    server = _app(threshold=100)
    with server.test_request_context():
        first = data_version()
        assert data_version() == first
        invalidate_data_cache()
        second = data_version()
        assert second != first and data_version() == second
