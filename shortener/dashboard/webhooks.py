"""/dashboard/webhooks: admins subscribe URLs to events, delete them, see and retry deliveries.

Admin only (roles.py). The secret of a new subscription is shown once, on
the page that answers the form. The deliveries list is paged like the API's
(``cursor``); ``back`` carries the cursors of the pages before, so that
"Previous" goes back one page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import flash, redirect, render_template, request, url_for

from shortener.config import get_settings
from shortener.dashboard.admin_forms import campaign_form, campaign_names, when
from shortener.dashboard.auth import FORGED_FORM_MESSAGE, login_required
from shortener.dashboard.forms import DeleteForm, WebhookForm
from shortener.dashboard.views import bp
from shortener.db import get_redis
from shortener.errors import ShortenerError
from shortener.webhooks.subscriptions import (
    DELIVERY_CURSOR,
    DELIVERY_STATUSES,
    create_webhook,
    delete_webhook,
    get_webhook,
    list_webhooks,
    page_deliveries,
    retry_delivery,
    webhook_summary,
)

DELIVERIES_PER_PAGE = 50
# Pages remembered for "Previous"; older ones fall off (the first page is a link away).
MAX_BACK_PAGES = 40


def _when(ts: float | None) -> str:
    return when(ts, seconds=True) or "\N{EN DASH}"


def _page(form: WebhookForm, names: dict[str, str], status: int = 200,
          **context: Any) -> Any:
    r = get_redis()
    subscriptions = [{**webhook_summary(r, webhook), "created": _when(webhook.created_at)}
                     for webhook in list_webhooks(r)]
    return render_template("dashboard/webhooks.html", form=form, names=names,
                           subscriptions=subscriptions, delete_form=DeleteForm(),
                           **context), status


@bp.route("/webhooks", methods=["GET", "POST"])
@login_required
def webhooks() -> Any:
    names = campaign_names()
    form = campaign_form(WebhookForm, names)
    if request.method == "GET":
        return _page(form, names)
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            flash(FORGED_FORM_MESSAGE, "error")
        return _page(form, names, 400)
    try:
        created = create_webhook(get_redis(), url=form.url.data, events=form.events.data,
                                 campaigns=form.campaigns.data or None,
                                 allow_private=get_settings().webhook_allow_private)
    except ShortenerError as exc:
        field = {"events": form.events, "campaigns": form.campaigns}.get(exc.field or "",
                                                                          form.url)
        field.errors = [*field.errors, exc.message]
        return _page(form, names, exc.status)
    return _page(campaign_form(WebhookForm, names, blank=True), names, 201, created=created)


@bp.post("/webhooks/<webhook_id>/delete")
@login_required
def webhook_delete(webhook_id: str) -> Any:
    if not DeleteForm().validate_on_submit():
        flash(FORGED_FORM_MESSAGE, "error")
    else:
        try:
            delete_webhook(get_redis(), webhook_id)
        except ShortenerError as exc:
            flash(exc.message, "error")
        else:
            flash(f"Webhook {webhook_id} was deleted with the events queued for it.",
                  "success")
    return redirect(url_for("dashboard.webhooks")), 303


@bp.get("/webhooks/<webhook_id>")
@login_required
def webhook(webhook_id: str) -> Any:
    r = get_redis()
    found = get_webhook(r, webhook_id)
    status = request.args.get("status") or None
    if status not in (None, *DELIVERY_STATUSES):
        flash(f"status must be one of {', '.join(DELIVERY_STATUSES)}; showing all", "error")
        status = None
    cursor = request.args.get("cursor") or None
    back = [item for item in request.args.get("back", "").split(",")
            if item == "-" or DELIVERY_CURSOR.fullmatch(item)]
    if cursor is not None and not DELIVERY_CURSOR.fullmatch(cursor):
        flash("cursor is not a page of this list; showing the first page", "error")
        cursor, back = None, []
    deliveries, following = page_deliveries(r, found.id, status=status, cursor=cursor,
                                            limit=DELIVERIES_PER_PAGE)
    kept = {"status": status} if status else {}
    pager = {
        # "-" stands for the first page, which has no cursor.
        "next": _href(kept, following, [*back, cursor or "-"][-MAX_BACK_PAGES:])
        if following else None,
        "previous": _href(kept, None if back[-1] == "-" else back[-1], back[:-1])
        if back else None,
    }
    rows = [{"delivery": delivery, "created": _when(delivery.created_at),
             "next_attempt": _when(delivery.next_attempt_at),
             "finished": _when(delivery.finished_at),
             # The head of the queue can be sent at once; one behind it waits its turn.
             "retry": delivery.status != "pending"
             or (index == 0 and cursor is None and delivery.attempts > 0)}
            for index, delivery in enumerate(deliveries)]
    here = {**kept, **({"cursor": cursor} if cursor else {}),
            **({"back": ",".join(back)} if back else {})}
    return render_template("dashboard/webhook.html", webhook=webhook_summary(r, found),
                           names=campaign_names(), rows=rows, status=status,
                           statuses=DELIVERY_STATUSES, pager=pager, here=here,
                           retry_form=DeleteForm())


def _href(kept: dict[str, str], cursor: str | None, back: list[str]) -> str:
    args = {**kept, **({"cursor": cursor} if cursor else {}),
            **({"back": ",".join(back)} if back else {})}
    return "?" + urlencode(args) + "#deliveries"


@bp.post("/webhooks/<webhook_id>/deliveries/<delivery_id>/retry")
@login_required
def webhook_retry(webhook_id: str, delivery_id: str) -> Any:
    kept: dict[str, Any] = {name: value for name, value in request.args.items()
                            if name in {"status", "cursor", "back"}}
    if not DeleteForm().validate_on_submit():
        flash(FORGED_FORM_MESSAGE, "error")
    else:
        try:
            again = retry_delivery(get_redis(), webhook_id, delivery_id)
        except ShortenerError as exc:
            flash(exc.message, "error")
        else:
            flash(f"Delivery {delivery_id} goes again now." if again.id == delivery_id
                  else f"Delivery {delivery_id} was queued again as {again.id}.", "success")
    return redirect(url_for("dashboard.webhook", webhook_id=webhook_id, **kept)), 303
