"""/dashboard/users: admins create accounts and set roles (roles.py keeps others out).

A new account gets a generated one-time password, shown once on the page that
answers the form; the user must change it at the first sign-in. A password
reset does the same for an existing account. A reset, a demotion and a
deletion end the account's sessions (accounts.users).
"""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, request, url_for

from shortener.accounts.users import (
    create_user,
    delete_user,
    generate_password,
    list_users,
    reset_password,
    set_role,
)
from shortener.dashboard.auth import FORGED_FORM_MESSAGE, login_required
from shortener.dashboard.forms import DeleteForm, RoleForm, UserForm
from shortener.dashboard.views import bp
from shortener.db import get_redis
from shortener.errors import ShortenerError


def _page(form: UserForm, status: int = 200, **context: Any) -> Any:
    return render_template("dashboard/users.html", form=form, users=list_users(get_redis()),
                           delete_form=DeleteForm(), **context), status


@bp.route("/users", methods=["GET", "POST"])
@login_required
def users() -> Any:
    form = UserForm()
    if request.method == "GET":
        return _page(form)
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            flash(FORGED_FORM_MESSAGE, "error")
        return _page(form, 400)
    password = generate_password()
    try:
        created = create_user(get_redis(), email=form.email.data or "", password=password,
                              role=form.role.data or "viewer", must_change_password=True)
    except ShortenerError as exc:
        form.email.errors = [*form.email.errors, exc.message]
        return _page(form, exc.status)
    return _page(UserForm(formdata=None), 201, created=created, password=password)


def _own_account(email: str) -> bool:
    if email == g.user.email:
        flash("You cannot change your own role or password here, or delete yourself; "
              "use your account page or ask another admin.", "error")
        return True
    return False


@bp.post("/users/<email>/role")
@login_required
def user_role(email: str) -> Any:
    form = RoleForm()
    if not form.validate_on_submit():
        flash(FORGED_FORM_MESSAGE if "csrf_token" in form.errors else "Choose a role.", "error")
    elif not _own_account(email):
        changed = set_role(get_redis(), email, form.role.data or "")
        flash(f"{changed.email} is now {changed.role}.", "success")
    return redirect(url_for("dashboard.users")), 303


@bp.post("/users/<email>/delete")
@login_required
def user_delete(email: str) -> Any:
    form = DeleteForm()
    if not form.validate_on_submit():
        flash(FORGED_FORM_MESSAGE, "error")
    elif not _own_account(email):
        deleted = delete_user(get_redis(), email)
        flash(f"{deleted.email} was deleted.", "success")
    return redirect(url_for("dashboard.users")), 303


@bp.post("/users/<email>/password")
@login_required
def user_reset_password(email: str) -> Any:
    """A new one-time password for another account, shown once; its sessions end."""
    form = DeleteForm()
    if not form.validate_on_submit():
        flash(FORGED_FORM_MESSAGE, "error")
        return redirect(url_for("dashboard.users")), 303
    if _own_account(email):
        return redirect(url_for("dashboard.users")), 303
    password = generate_password()
    try:
        user = reset_password(get_redis(), email, password)
    except ShortenerError as exc:
        flash(exc.message, "error")
        return redirect(url_for("dashboard.users")), 303
    return _page(UserForm(formdata=None), reset=user, password=password)
