"""Server-rendered log-in form (CSRF-protected POST), log-out, language switch, health check."""
from __future__ import annotations

import datetime as dt
import secrets
import time
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, redirect, render_template_string, request, session
from flask_login import current_user, login_user, logout_user
from sqlalchemy import update

from auth.audit import audit, client_ip, utcnow
from auth.context import current_config, current_engine
from auth.guard import SESSION_SEEN
from auth.passwords import hash_password, needs_rehash, verify_password
from auth.scope import LoginUser
from auth.sessions import rotate
from auth.throttle import FAILED, MAX_FAILURES, MAX_IP_FAILURES, WINDOW, login_block
from auth.users import get_user, normalize_login
from components.i18n import LANGUAGES, SESSION_KEY, current_language, t
from store.models import User

bp = Blueprint("auth", __name__)
CSRF_KEY = "csrf"
MOSCOW = ZoneInfo("Europe/Moscow")

PAGE = """<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} · {{ product }}</title>
<link rel="stylesheet" href="/assets/00_bootstrap_flatly.min.css">
<link rel="stylesheet" href="/assets/style.css">
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
</head><body class="login-body">
<main class="container"><div class="row justify-content-center"><div class="col-sm-9 col-md-6 col-lg-4">
<div class="card login-card shadow-sm mt-5"><div class="card-body p-4">
<h1 class="h4 mb-1">{{ product }}</h1>
<div class="d-flex justify-content-between align-items-center mb-3">
<h2 class="h6 text-muted mb-0">{{ title }}</h2>
<div class="small">{% for code in languages %}<a class="ms-2{% if code == lang %} fw-bold{% endif %}"
 href="/lang/{{ code }}?next={{ here | urlencode }}">{{ code | upper }}</a>{% endfor %}</div></div>
{{ body | safe }}
</div></div></div></div></main></body></html>"""

FORM = """{% if message %}<div class="alert alert-{{ level }} py-2" role="alert" id="login-message">{{ message }}</div>{% endif %}
<form method="post" action="/login" id="login-form" novalidate>
<input type="hidden" name="csrf_token" value="{{ csrf }}">
<input type="hidden" name="next" value="{{ next }}">
<div class="mb-3"><label class="form-label" for="login-login">{{ t('login.login') }}</label>
<input class="form-control" id="login-login" name="login" autocomplete="username" autofocus required value="{{ login }}"></div>
<div class="mb-3"><label class="form-label" for="login-password">{{ t('login.password') }}</label>
<input class="form-control" id="login-password" name="password" type="password" autocomplete="current-password" required></div>
<button class="btn btn-primary w-100" id="login-submit" type="submit">{{ t('login.submit') }}</button>
</form>
{% if demo %}<p class="text-muted small mt-3 mb-0" id="login-demo-hint">{{ t('login.demo_hint') }}</p>{% endif %}"""


def _page(title: str, body: str) -> str:
    return render_template_string(
        PAGE, title=title, body=body, product=t("product"), lang=current_language(),
        languages=LANGUAGES, here=request.full_path.rstrip("?"),
    )


def error_page() -> str:
    """The plain page shown instead of any unexpected server error."""
    body = render_template_string('<div class="alert alert-warning">{{ m }}</div><a href="/">{{ h }}</a>',
                                  m=t("error.page"), h=t("nav.home"))
    return _page(t("product"), body)


def safe_next(target: str | None, allow_login: bool = False) -> str:
    """Only same-site relative paths are followed after log-in (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    if target.startswith("/logout") or (target.startswith("/login") and not allow_login):
        return "/"
    return target


def csrf_token() -> str:
    """The session's CSRF token (made on first use), sent back with every form POST."""
    if CSRF_KEY not in session:
        session[CSRF_KEY] = secrets.token_urlsafe(32)
    return session[CSRF_KEY]


def _login_form(message: str = "", level: str = "danger", login: str = "", next_: str = "/", status: int = 200):
    body = render_template_string(
        FORM, message=message, level=level, csrf=csrf_token(), next=next_, login=login, t=t,
        demo=current_config().demo,
    )
    return _page(t("login.title"), body), status


def _limits() -> dict:
    cfg = current_app.config
    return dict(
        max_failures=cfg.get("LOGIN_MAX_FAILURES", MAX_FAILURES),
        max_ip_failures=cfg.get("LOGIN_IP_MAX_FAILURES", MAX_IP_FAILURES),
        window=dt.timedelta(minutes=cfg.get("LOGIN_LOCK_MINUTES", WINDOW.total_seconds() / 60)),
    )


def _record_failure(login: str) -> None:
    """Audit the failure (the source of the lock counts) and mirror the count on the user row."""
    audit(FAILED, "wrong login or password", login=login)
    with current_engine().begin() as conn:
        conn.execute(update(User).where(User.login == login).values(failed_logins=User.failed_logins + 1))


def rate_limited_form() -> Response:
    """The log-in form with the "too many attempts" message (HTTP 429)."""
    body, status = _login_form(t("login.rate_limited"), login=normalize_login(request.form.get("login", ""))[:64],
                               status=429)
    return Response(body, status=status, mimetype="text/html")


@bp.get("/login")
def login_form():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    message = {"expired": t("login.expired"), "logged_out": t("login.logged_out")}.get(request.args.get("m", ""), "")
    return _login_form(message, level="info", next_=safe_next(request.args.get("next")))


@bp.post("/login")
def login_submit():
    form = request.form
    login = normalize_login(form.get("login", ""))[:64]
    next_ = safe_next(form.get("next"))
    if not _csrf_ok():
        return _login_form(t("login.bad_form"), login=login, next_=next_, status=400)
    engine = current_engine()
    now = utcnow()
    block = login_block(engine, login, client_ip(), now, **_limits())
    if block is not None:
        audit(block.reason, login=login)
        until = block.until.astimezone(MOSCOW).strftime("%H:%M")
        key = "login.locked" if block.reason == "login_locked" else "login.ip_throttled"
        if block.reason == "login_locked":
            with engine.begin() as conn:
                conn.execute(update(User).where(User.login == login).values(locked_until=block.until))
        return _login_form(t(key, until=until), login=login, next_=next_, status=429)
    record = get_user(engine, login) if login else None
    password = form.get("password", "")
    ok = verify_password(record.password_hash if record else None, password)
    if not ok or record is None or not record.active:
        _record_failure(login)
        return _login_form(t("login.bad_credentials"), login=login, next_=next_, status=401)
    if needs_rehash(record.password_hash):
        with engine.begin() as conn:
            conn.execute(update(User).where(User.id == record.id).values(password_hash=hash_password(password)))
        record = get_user(engine, login)
    lang = session.get(SESSION_KEY)
    session.clear()  # a fresh session with a new token at log-in (no fixation)
    rotate(session)
    purge_expired = getattr(current_app.session_interface.store, "purge_expired", None)
    if purge_expired is not None:
        purge_expired()
    if lang:
        session[SESSION_KEY] = lang
    session.permanent = True
    login_user(LoginUser(record))
    session[SESSION_SEEN] = time.time()
    with engine.begin() as conn:
        conn.execute(update(User).where(User.id == record.id).values(failed_logins=0, locked_until=None))
    audit("login", f"role={record.role}", login=record.login)
    return redirect(next_)


def _csrf_ok() -> bool:
    token = session.get(CSRF_KEY)
    return bool(token) and secrets.compare_digest(str(request.form.get("csrf_token", "")), token)


@bp.post("/logout")
def logout():
    """Log-out by POST with the CSRF token; the server-side session is deleted, not just forgotten."""
    if not _csrf_ok():
        return _login_form(t("login.bad_form"), status=400)
    if current_user.is_authenticated:
        audit("logout")
        logout_user()
    lang = session.get(SESSION_KEY)
    session.clear()
    rotate(session)  # the stored session is deleted: a copy of the old cookie opens nothing
    if lang:
        session[SESSION_KEY] = lang
    return redirect("/login?m=logged_out")


@bp.get("/lang/<code>")
def switch_language(code: str):
    if code in LANGUAGES:
        session[SESSION_KEY] = code
    return redirect(safe_next(request.args.get("next"), allow_login=True))


@bp.get("/favicon.ico")
def favicon():
    return redirect("/assets/favicon.svg", code=301)


@bp.get("/healthz")
def health() -> Response:
    return Response("ok", mimetype="text/plain")
