"""The client address behind reverse proxies, and Flask-Limiter rate limits on the log-in POST (SPEC §8).

`ProxyFix` trusts exactly `config.proxy_count` proxies (env `PROXY_COUNT`, default 0: the
X-Forwarded-* headers are ignored, since anyone can send them). The limits count failed log-in
attempts per client address and per login in Redis in production (shared by the workers), in
memory in the embedded default. They come before the audit-log locks of `auth.throttle`, which
give the user the time the lock lifts.
"""
from __future__ import annotations

from flask import Flask, Response, request
from flask_limiter import Limiter, RequestLimit
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

from auth.users import normalize_login
from config import Config

LOGIN_ENDPOINT = "auth.login_submit"


def trust_proxies(server: Flask, count: int) -> None:
    """Read the client address, scheme and host from the headers of `count` reverse proxies."""
    if count > 0:
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=count, x_proto=count, x_host=count)


def _login_key() -> str:
    return "login:" + normalize_login(request.form.get("login", ""))[:64]


def _failed(response: Response) -> bool:
    return response.status_code != 302  # a successful log-in redirects


def _refused(_limit: RequestLimit) -> Response:
    from auth.views import rate_limited_form

    return rate_limited_form()


def limit_logins(server: Flask, config: Config) -> Limiter:
    """Attach Flask-Limiter to `server` with the two log-in limits of `config`."""
    storage = config.redis_url if config.mode == "production" else "memory://"
    limiter = Limiter(get_remote_address, app=server, storage_uri=storage, strategy="moving-window",
                      key_prefix="pqm-login")
    view = server.view_functions[LOGIN_ENDPOINT]
    view = limiter.limit(config.login_rate_per_login, key_func=_login_key, deduct_when=_failed,
                         on_breach=_refused)(view)
    view = limiter.limit(config.login_rate_per_address, deduct_when=_failed, on_breach=_refused)(view)
    server.view_functions[LOGIN_ENDPOINT] = view
    return limiter
