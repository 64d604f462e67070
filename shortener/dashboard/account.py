"""The signed-in user's own account: change the password (forced after a reset).

A change ends the account's other sessions; the one that made it stays.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for

from shortener.accounts.users import change_own_password, end_other_sessions
from shortener.dashboard.auth import login_required
from shortener.dashboard.forms import PasswordForm
from shortener.db import get_redis
from shortener.errors import InvalidInput

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password() -> Any:
    form = PasswordForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                change_own_password(get_redis(), g.user.email,
                                    form.current_password.data or "",
                                    form.new_password.data or "")
            except InvalidInput as exc:
                getattr(form, exc.field or "new_password").errors.append(exc.message)
            else:
                # This browser stays signed in; every other one must sign in again.
                end_other_sessions(get_redis(), g.user.email, session["sid"])
                flash("Your password has been changed; your other sessions have ended.",
                      "info")
                return redirect(url_for("dashboard.overview"))
    return render_template("dashboard/password.html", form=form,
                           forced=g.user.must_change_password), status
