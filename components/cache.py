"""Server-side cache (Flask-Caching) whose keys include the user's scope (SPEC §8)."""
from __future__ import annotations

import functools
import hashlib
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from flask import Flask, current_app
from flask_caching import Cache

from config import Config

DEFAULT_TIMEOUT = 300
#: SLA states of open tickets age with the clock (SPEC §5 live state): a cached view lives one minute at most
LIVE_STATE_SECONDS = 60
_VERSION_KEY = "quality:data-version"


def init_cache(server: Flask, config: Config) -> Cache:
    """SimpleCache (per process) in demo mode, RedisCache at `config.redis_url` in production."""
    if config.mode == "production":
        settings = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": config.redis_url, "CACHE_KEY_PREFIX": "quality:"}
    else:
        settings = {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 2000}
    cache = Cache(config={**settings, "CACHE_DEFAULT_TIMEOUT": DEFAULT_TIMEOUT})
    cache.init_app(server)
    server.extensions["quality"]["cache"] = cache
    return cache


def current_cache() -> Cache:
    """The cache of the app serving the current request."""
    return current_app.extensions["quality"]["cache"]


def data_version() -> str:
    """The data version every cached view is keyed by: a random token, replaced by each invalidation.

    A token, not a counter: when the key is lost (SimpleCache prunes entries without a timeout first once it
    holds CACHE_THRESHOLD entries; Redis may evict it), a counter restarted at 0 and could meet views cached
    under a number it had before, stale data served as current. A lost token is replaced by a new one: the
    views cached before are missed, never served."""
    cache = current_cache()
    version = cache.get(_VERSION_KEY)
    if version is None:
        cache.add(_VERSION_KEY, uuid.uuid4().hex, timeout=0)  # add: another process may have set one meanwhile
        version = cache.get(_VERSION_KEY)
    return str(version)


def invalidate_data_cache() -> None:
    """Make every cached result stale (call after ingest, recompute or an admin change)."""
    current_cache().set(_VERSION_KEY, uuid.uuid4().hex, timeout=0)


def live_bucket() -> str:
    """The minute of `store.clock.now()`: part of every key, so live SLA states are never older than it."""
    from store import clock

    return clock.now().floor(f"{LIVE_STATE_SECONDS}s").isoformat()


def scoped_key(func: Callable, scope_key: str, args: tuple, kwargs: dict, live: bool = True) -> str:
    """Key = function + data version + minute (``live``) + user's scope + arguments, so two scopes never share an
    entry."""
    raw = repr((func.__module__, func.__qualname__, data_version(), live_bucket() if live else None, scope_key, args,
                sorted(kwargs.items())))
    return "scoped:" + hashlib.sha256(raw.encode()).hexdigest()


def scoped_memoize(timeout: int = DEFAULT_TIMEOUT, live: bool = True) -> Callable[[Callable], Callable]:
    """Memoize a function per logged-in scope (`auth.current_scope().cache_key`) and arguments.

    Anonymous calls (public pages) share the scope key ``public``. With ``live`` (the default) an entry is also
    keyed by the minute (:func:`live_bucket`): what depends on the clock is never older than a minute. A function
    memoized with ``live=False`` must receive what it reads of the clock in its arguments (e.g. a fingerprint of
    the live SLA states it reads, `store.queries.client_ticket_activity`'s ``live_states``).

    The memoized function also has ``.many(calls, compute)``: its values for several argument tuples at once, the
    cached ones read in one go and the missing ones computed together by ``compute(missing_calls)`` (a batch that
    returns, in order, what the function returns for each) and cached under the keys the function uses, so a later
    single call, or batch, finds them.
    """

    def decorate(func: Callable) -> Callable:
        def key_of(args: tuple, kwargs: dict) -> str:
            from auth.scope import current_scope_or_none

            scope = current_scope_or_none()
            return scoped_key(func, scope.cache_key if scope else "public", args, kwargs, live)

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            key = key_of(args, kwargs)
            cache = current_cache()
            hit = cache.get(key)
            if hit is not None:  # stored as a 1-tuple so that a cached None is a hit too
                return hit[0]
            value = func(*args, **kwargs)
            cache.set(key, (value,), timeout=timeout)
            return value

        def many(calls: Sequence[tuple], compute: Callable[[list[tuple]], Sequence[Any]]) -> list[Any]:
            keys = [key_of(tuple(args), {}) for args in calls]
            cache = current_cache()
            hits = cache.get_many(*keys) if keys else []
            missing = [i for i, hit in enumerate(hits) if hit is None]
            values = [None if hit is None else hit[0] for hit in hits]
            if missing:
                for i, value in zip(missing, compute([tuple(calls[i]) for i in missing]), strict=True):
                    values[i] = value
                cache.set_many({keys[i]: (values[i],) for i in missing}, timeout=timeout)
            return values

        wrapper.many = many
        return wrapper

    return decorate
