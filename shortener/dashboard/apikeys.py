"""/dashboard/api-keys: admins list API keys, create one (the key shown once), revoke one.

Admin only (roles.py): a key opens the API, so making one is as much as
making an admin. The key itself is shown on the page that answers the form
and never again: only its digest is kept (api.apikeys).
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from shortener.api.apikeys import create_api_key, list_api_keys, revoke_api_key
from shortener.dashboard.admin_forms import campaign_form, campaign_names, when
from shortener.dashboard.auth import FORGED_FORM_MESSAGE, login_required
from shortener.dashboard.forms import ApiKeyForm, DeleteForm
from shortener.dashboard.views import bp
from shortener.db import get_redis
from shortener.errors import ShortenerError


def _page(form: ApiKeyForm, names: dict[str, str], status: int = 200,
          **context: Any) -> Any:
    rows = [{"key": record, "created": when(record.created_at),
             "revoked": when(record.revoked_at)}
            for record in list_api_keys(get_redis())]
    return render_template("dashboard/api_keys.html", form=form, names=names, rows=rows,
                           revoke_form=DeleteForm(), **context), status


@bp.route("/api-keys", methods=["GET", "POST"])
@login_required
def api_keys() -> Any:
    names = campaign_names()
    form = campaign_form(ApiKeyForm, names)
    if request.method == "GET":
        return _page(form, names)
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            flash(FORGED_FORM_MESSAGE, "error")
        return _page(form, names, 400)
    try:
        record, token = create_api_key(get_redis(), name=form.name.data or "",
                                       scopes=form.scopes.data or None,
                                       campaigns=form.campaigns.data or None)
    except ShortenerError as exc:
        field = form.scopes if exc.field == "scopes" else form.name
        field.errors = [*field.errors, exc.message]
        return _page(form, names, exc.status)
    return _page(campaign_form(ApiKeyForm, names, blank=True), names, 201, created=record,
                 token=token)


@bp.post("/api-keys/<key_id>/revoke")
@login_required
def api_key_revoke(key_id: str) -> Any:
    if not DeleteForm().validate_on_submit():
        flash(FORGED_FORM_MESSAGE, "error")
    else:
        try:
            record = revoke_api_key(get_redis(), key_id)
        except ShortenerError as exc:
            flash(exc.message, "error")
        else:
            flash(f"API key {record.name} ({record.prefix}…) is revoked: it stops working "
                  "now.", "success")
    return redirect(url_for("dashboard.api_keys")), 303
