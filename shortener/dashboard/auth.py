"""Sign-in for marketers: /login, /logout, and the login_required decorator.

The session cookie (Flask's signed cookie; HttpOnly, SameSite=Lax, Secure
when SECURE_COOKIES is set, see create_app) holds the e-mail, the time of
sign-in and a session id that Redis must still know (accounts.users): signing
out ends the session on the server, and a password change ends them all. A
session older than SESSION_MAX_AGE is refused with a message.

Sign-in attempts are limited per address, and failed ones per account and
address: guesses from elsewhere use up their own budget, never the one of
the person who owns the account.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse

from shortener.accounts.models import User
from shortener.accounts.users import (
    authenticate,
    end_session,
    get_session_user,
    start_session,
)
from shortener.config import get_settings
from shortener.dashboard.forms import LoginForm, LogoutForm
from shortener.db import get_redis
from shortener.limits import client_key, limiter

bp = Blueprint("auth", __name__)

SESSION_MAX_AGE = dt.timedelta(hours=12)
# Every attempt from one address, whichever account it names.
LOGIN_RATE_LIMIT = "10/minute;100/hour"
# Failed attempts at one account from one address.
LOGIN_FAILURES_PER_ACCOUNT = "30/hour"
FORGED_FORM_MESSAGE = ("This form has expired or did not come from this site. "
                       "Reload the page and try again.")


def _account_key() -> str:
    """The account named in the form and the client's address, both as keyed hashes."""
    email = request.form.get("email", "").strip().lower()
    key = get_settings().secrets["visitor_key"].encode()[:64]
    account = hashlib.blake2b(email.encode(), key=key, digest_size=12).hexdigest()
    return f"login:{account}:{client_key()}"


def _failed(response: Response) -> bool:
    return response.status_code == 401


def _session_user() -> tuple[User | None, bool]:
    """(the signed-in user, whether a session was there but has expired or was ended)."""
    email, session_id = session.get("user"), session.get("sid")
    if not email:
        return None, False
    signed_in_at = session.get("login_at", 0)
    user = None
    if isinstance(session_id, str) and isinstance(signed_in_at, int | float) \
            and time.time() - signed_in_at <= SESSION_MAX_AGE.total_seconds():
        user = get_session_user(get_redis(), email, session_id,
                                max_age_seconds=SESSION_MAX_AGE.total_seconds())
    if user is None:
        session.clear()
        return None, True
    return user, False


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Let signed-in marketers through; send others to /login (JSON 401 for .json)."""

    @functools.wraps(view)
    def wrapped(**kwargs: Any) -> Any:
        user, expired = _session_user()
        if user is None:
            message = ("Your session has expired. Sign in again." if expired
                       else "Sign in to see the dashboard.")
            if request.path.endswith(".json"):
                return jsonify(error={"code": "not-signed-in", "message": message,
                                      "field": None}), 401
            flash(message, "info")
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        g.user = user
        g.logout_form = LogoutForm()
        return view(**kwargs)

    return wrapped


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another host."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") \
                and not target.startswith("//") and "\\" not in target:
            return target
    return url_for("dashboard.overview")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_RATE_LIMIT, methods=["POST"])
@limiter.limit(LOGIN_FAILURES_PER_ACCOUNT, methods=["POST"], key_func=_account_key,
               deduct_when=_failed)
def login() -> Any:
    form = LoginForm()
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            status = 400
            if "csrf_token" in form.errors:
                flash(FORGED_FORM_MESSAGE, "error")
        else:
            user = authenticate(get_redis(), form.email.data or "", form.password.data or "")
            if user is None:
                status = 401
                flash("Wrong e-mail or password.", "error")
            else:
                session.clear()  # a fresh session: no fixation, a fresh CSRF secret
                session.permanent = True
                session["user"] = user.email
                session["login_at"] = time.time()
                session["sid"] = start_session(
                    get_redis(), user, max_age_seconds=SESSION_MAX_AGE.total_seconds())
                return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout() -> BaseResponse:
    form = LogoutForm()
    if not form.validate_on_submit():
        flash(FORGED_FORM_MESSAGE, "error")
        return redirect(url_for("dashboard.overview"))
    if session.get("user") and isinstance(session.get("sid"), str):
        end_session(get_redis(), session["user"], session["sid"])
    session.clear()
    flash("You have signed out.", "info")
    return redirect(url_for("auth.login"))
