"""Dashboard edits: change a campaign; disable, enable and limit a link; a link's QR code.

Routes on the dashboard blueprint, so roles.py keeps viewers out of every
write. Each edit goes through the same domain functions as the API and CLI
(update_campaign, update_link).
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import segno
from flask import Flask, Response, abort, flash, redirect, render_template, request, url_for

from shortener.config import get_settings
from shortener.dashboard.auth import FORGED_FORM_MESSAGE, login_required
from shortener.dashboard.forms import CampaignForm, LinkLimitsForm, ToggleForm
from shortener.dashboard.views import bp
from shortener.db import get_redis
from shortener.errors import InvalidInput
from shortener.fraud.rules import rules_of
from shortener.links.campaigns import get_campaign, update_campaign
from shortener.links.minting import get_link, update_link
from shortener.links.models import Link

QR_PNG_SCALE = 8


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


@bp.route("/campaigns/<campaign_id>/edit", methods=["GET", "POST"])
@login_required
def edit_campaign(campaign_id: str) -> Any:
    found = get_campaign(get_redis(), campaign_id)
    form = CampaignForm(data={
        "name": found.name, "destination": found.destination,
        **{name: found.utm.get(name, "") for name in ("utm_source", "utm_medium",
                                                      "utm_campaign")},
        "allowed_hosts": " ".join(found.allowed_hosts), "cost": found.cost,
        "value_per_click": found.value_per_click, "currency": found.currency,
        "reward_goal": found.reward_goal,
        **rules_of(found.fraud_rules),
    } if request.method == "GET" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            # The UTM fields on the form replace the campaign's; term and content,
            # which the form does not show, are kept.
            utm = {**found.utm, **{name: (getattr(form, name).data or "").strip()
                                   for name in ("utm_source", "utm_medium", "utm_campaign")}}
            try:
                updated = update_campaign(get_redis(), found.id, {
                    "name": form.name.data or "",
                    "destination": (form.destination.data or "").strip(),
                    "utm": {name: value for name, value in utm.items() if value},
                    "allowed_hosts": (form.allowed_hosts.data or "").replace(",", " ").split(),
                    "cost": _number(form.cost.data),
                    "value_per_click": _number(form.value_per_click.data),
                    "currency": (form.currency.data or "").strip(),
                    "reward_goal": form.reward_goal.data,
                    "fraud_rules": form.fraud_rules(),
                })
            except InvalidInput as exc:
                status = 422
                target = getattr(form, exc.field or "", None) or form.name
                target.errors = [*target.errors, exc.message]
            else:
                flash(f"Campaign “{updated.name}” saved.", "success")
                return redirect(url_for("dashboard.campaign", campaign_id=found.id)), 303
        elif "csrf_token" in form.errors:
            flash(FORGED_FORM_MESSAGE, "error")
    return render_template("dashboard/campaign_new.html", form=form, campaign=found), status


def _back_to_link(code: str) -> Any:
    return redirect(url_for("dashboard.link", code=code)), 303


@bp.post("/links/<code>/enabled")
@login_required
def toggle_link(code: str) -> Any:
    found = get_link(get_redis(), code)
    if not ToggleForm().validate_on_submit():
        flash(FORGED_FORM_MESSAGE, "error")
        return _back_to_link(found.code)
    enable = request.form.get("enabled") == "true"
    update_link(get_redis(), found.code, {"enabled": enable})
    flash(f"Link {found.code} {'enabled' if enable else 'disabled'}; it takes effect within "
          f"{get_settings().link_cache_seconds} s.", "success")
    return _back_to_link(found.code)


@bp.post("/links/<code>/limits")
@login_required
def limit_link(code: str) -> Any:
    found = get_link(get_redis(), code)
    form = LinkLimitsForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(FORGED_FORM_MESSAGE if "CSRF" in str(error) else str(error), "error")
        return _back_to_link(found.code)
    day = form.expires_on.data
    # The link stays usable through the whole UTC day chosen.
    expires_at = None if day is None else dt.datetime.combine(
        day + dt.timedelta(days=1), dt.time(), dt.UTC).timestamp()
    try:
        update_link(get_redis(), found.code, {"expires_at": expires_at,
                                              "max_clicks": form.max_clicks.data})
    except InvalidInput as exc:
        flash(exc.message, "error")
    else:
        flash(f"Link {found.code}: expiry and click limit saved.", "success")
    return _back_to_link(found.code)


@bp.get("/links/<code>/qr.<kind>")
@login_required
def link_qr(code: str, kind: str) -> Response:
    """The short URL as a QR code to download, SVG (print) or PNG (anything else)."""
    if kind not in {"svg", "png"}:
        abort(404, description="QR codes come as .svg or .png")
    found = get_link(get_redis(), code)
    qr = segno.make(get_settings().short_url(found.code), error="m")
    buffer = io.BytesIO()
    if kind == "svg":
        qr.save(buffer, kind="svg", scale=4, border=4, xmldecl=True)
    else:
        qr.save(buffer, kind="png", scale=QR_PNG_SCALE, border=4)
    response = Response(buffer.getvalue(),
                        mimetype="image/svg+xml" if kind == "svg" else "image/png")
    response.headers["Content-Disposition"] = f'attachment; filename="qr-{found.code}.{kind}"'
    return response


def link_forms(link: Link) -> dict[str, Any]:
    """The forms of the link page's "Manage this link" card, filled with its limits."""
    expires_on = None
    if link.expires_at is not None:
        expires_on = (dt.datetime.fromtimestamp(link.expires_at, dt.UTC)
                      - dt.timedelta(seconds=1)).date()
    return {"toggle": ToggleForm(),
            "limits": LinkLimitsForm(formdata=None, expires_on=expires_on,
                                     max_clicks=link.max_clicks)}


def timestamp(value: float | None) -> str:
    """A Unix time as people read it, in UTC."""
    if value is None:
        return "—"
    return dt.datetime.fromtimestamp(value, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def init_app(app: Flask) -> None:
    app.jinja_env.globals["link_forms"] = link_forms
    app.jinja_env.filters["timestamp"] = timestamp
