"""The signed-in user's own account: change the password (forced after a reset)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from shortener.accounts.users import change_own_password
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
                flash("Your password has been changed.", "info")
                return redirect(url_for("dashboard.overview"))
    return render_template("dashboard/password.html", form=form,
                           forced=g.user.must_change_password), status
