"""The dashboard's pages: overview, campaign, advocate, link; forms; the live feed.

Views parse the request, call the domain (links/) and the read side
(analytics/), and render. Each table can be downloaded as CSV with
?export=<table name>, over the same rows the page shows.
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from shortener.analytics.feed import list_latest_clicks
from shortener.analytics.overview import (
    get_advocate_progress,
    get_campaign_page,
    get_overview_page,
    list_link_totals,
    narrowed,
    narrowing,
)
from shortener.analytics.queries import get_advocate_stats, get_link_stats
from shortener.analytics.results import CampaignRow, Filter, Leaders
from shortener.analytics.results import figures as plain
from shortener.config import Settings, get_settings
from shortener.dashboard.auth import FORGED_FORM_MESSAGE, login_required
from shortener.dashboard.formatting import chart_palette
from shortener.dashboard.forms import (
    MAX_ADVOCATES_PER_MINT,
    CampaignForm,
    MintForm,
    split_ids,
)
from shortener.dashboard.ranges import PRESET_DAYS, DateRange, last_days, parse_range
from shortener.dashboard.tables import Column, Table, csv_response
from shortener.db import get_redis
from shortener.errors import InvalidInput, ShortenerError
from shortener.links import store
from shortener.links.advocates import get_advocate
from shortener.links.campaigns import create_campaign, get_campaign, parse_tiers
from shortener.links.codes import get_codes_of_advocates
from shortener.links.minting import get_link, mint_link
from shortener.links.models import Advocate, Link

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
MAX_LINK_ROWS = 500
# The campaign page shows its links a page at a time, newest first.
LINKS_PER_PAGE = 100


@bp.after_request
def no_store(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def share_url(settings: Settings, advocate: Advocate | None) -> str | None:
    if advocate is None or not advocate.share_token:
        return None
    return f"{settings.public_url}/s/{advocate.share_token}"


def _range() -> DateRange:
    span = parse_range(request.args)
    if span.error:
        flash(span.error, "error")
    return span


# The overview's filter, kept when the range changes.
FILTER_ARGS = ("campaign", "channel", "device")


def _presets() -> list[tuple[str, dict[str, str]]]:
    today = dt.datetime.now(dt.UTC).date()
    kept = {name: request.args[name] for name in FILTER_ARGS
            if request.args.get(name) and len(request.args.getlist(name)) == 1}
    return [(f"{days} days", {**last_days(days, today).as_args(), **kept})
            for days in PRESET_DAYS]


def _export_or_render(tables: list[Table], span: DateRange, page: str, template: str,
                      *, bad_input: bool = False, **context: Any) -> Any:
    from shortener.dashboard.roles import without_personal_data

    tables = without_personal_data(tables)
    wanted = request.args.get("export")
    if wanted:
        for table in tables:
            if table.name == wanted:
                return csv_response(table, f"{page}-{table.name}-{span.start}-{span.end}.csv")
        abort(404, description=f"there is no table {wanted!r} on this page")
    status = 400 if span.error or bad_input else 200
    return render_template(template, span=span, presets=_presets(), tables=tables,
                           palette=chart_palette(), **context), status


# Tables ----------------------------------------------------------------------


def campaigns_table(rows: tuple[CampaignRow, ...]) -> Table:
    return Table(
        "campaigns", "Campaigns",
        [Column("name", "Campaign"), Column("status", "Status"),
         Column("clicks", "Clicks", "number"),
         Column("unique_visitors", "Unique visitors", "number"),
         Column("dark_share", "Dark share", "percent"),
         Column("conversions", "Conversions", "number"),
         Column("conversion_rate", "Conversion rate", "percent"),
         Column("advocates", "Advocates", "number"), Column("links", "Links", "number"),
         Column("earned_media_value", "Earned media value", "money"),
         Column("cost_per_advocate", "Cost per advocate", "money"),
         Column("roi", "ROI", "percent")],
        [{"name": row.campaign.name,
          "name_href": url_for("dashboard.campaign", campaign_id=row.campaign.id),
          "status": row.campaign.status, "clicks": row.clicks,
          "unique_visitors": row.unique_visitors,
          "dark_share": row.dark_share, "conversions": row.conversions,
          "conversion_rate": row.conversion_rate, "advocates": row.advocates,
          "links": row.links, "earned_media_value": row.earned_media_value,
          "cost_per_advocate": row.cost_per_advocate, "roi": row.roi,
          "currency": row.campaign.currency}
         for row in rows],
        empty="No campaigns yet: create one to mint links.",
    )


def leaders_table(leaders: Leaders, *, with_campaign: bool) -> Table:
    columns = [Column("rank", "Rank", "number"), Column("advocate", "Advocate", "code"),
               Column("name", "Name")]
    if with_campaign:
        columns.append(Column("campaign", "Campaign"))
    columns += [Column("clicks", "Clicks", "number"),
                Column("conversions", "Conversions", "number"),
                Column("conversion_rate", "Conversion rate", "percent")]
    start, end = (dt.date.fromisoformat(day).strftime("%-d %b %Y")
                  for day in (leaders.start, leaders.end))
    title = f"Top advocates, {start} to {end}"
    if not leaders.complete:
        title += f", among the {leaders.searched:,} with the most clicks of all time"
    return Table(
        "advocates", title, columns,
        [{"rank": leader.rank, "advocate": leader.advocate, "name": leader.name,
          "clicks": leader.clicks, "conversions": leader.conversions,
          "conversion_rate": leader.conversion_rate,
          "campaign": leader.campaign.name,
          "campaign_href": url_for("dashboard.campaign", campaign_id=leader.campaign.id),
          "advocate_href": url_for("dashboard.advocate", external_id=leader.advocate)}
         for leader in leaders.rows],
        empty="No advocate brought a click in this range.",
    )


def links_table(settings: Settings, links: list[Link], *, title: str = "Links") -> Table:
    totals = list_link_totals(get_redis(), [link.code for link in links])
    now = time.time()
    # Built once: url_for costs more than the rest of a row.
    link_href = url_for("dashboard.link", code="CODE").rpartition("CODE")[0]
    advocate_href = url_for("dashboard.advocate", external_id="ID").rpartition("ID")[0]
    rows = []
    for link in links:
        figures = totals[link.code]
        status = "disabled" if not link.enabled else "expired" if link.is_expired(now) \
            else "active"
        rows.append({
            "code": link.code, "code_href": link_href + quote(link.code, safe=""),
            "advocate": link.advocate,
            "advocate_href": advocate_href + quote(link.advocate, safe=""),
            "channel": link.channel, "short_url": settings.short_url(link.code),
            "clicks": figures.clicks, "previews": sum(figures.previews.values()),
            "conversions": figures.conversions, "status": status,
        })
    return Table(
        "links", title,
        [Column("code", "Code", "code"), Column("advocate", "Advocate", "code"),
         Column("channel", "Channel tag", "channel"), Column("short_url", "Short URL", "url"),
         Column("clicks", "Clicks (all time)", "number"),
         Column("previews", "Preview fetches", "number"),
         Column("conversions", "Conversions", "number"), Column("status", "Status")],
        rows, empty="No links yet: mint some with the form.",
    )


def _latest_links(*, campaign_id: str | None = None, advocate: str | None = None
                  ) -> list[Link]:
    r = get_redis()
    return store.get_links(r, store.list_latest_link_codes(
        r, campaign_id=campaign_id, advocate=advocate, limit=MAX_LINK_ROWS))


# Pages -----------------------------------------------------------------------


@bp.get("/")
@login_required
def overview() -> Any:
    r = get_redis()
    span = _range()
    every = store.get_campaigns(r, store.list_campaign_ids(r))
    chosen = set(request.args.getlist("campaign")) - {""}
    campaigns = [item for item in every if not chosen or item.id in chosen]
    narrowed_to, bad_filter = _filter(sorted(chosen))
    # Unfiltered, the programme day hashes answer: one per day whatever the
    # number of campaigns.
    page = get_overview_page(r, campaigns, start=span.start, end=span.end,
                             programme=not chosen, narrowed_to=narrowed_to)
    tables = [campaigns_table(page.figures.campaigns),
              leaders_table(page.leaders, with_campaign=True)]
    return _export_or_render(tables, span, "overview", "dashboard/overview.html",
                             model=page, figures=page.figures, feed_scope={},
                             has_campaigns=bool(every), all_campaigns=every, chosen=chosen,
                             bad_input=bad_filter)


def _filter(campaigns: list[str]) -> tuple[Filter, bool]:
    """The overview's channel and device filter; an unknown one is left out, with a
    message."""
    channel = request.args.get("channel") or None
    device = request.args.get("device") or None
    try:
        return narrowing(campaigns, channel, device), False
    except ValueError as exc:
        flash(str(exc), "error")
        return Filter(tuple(campaigns)), True


@bp.get("/campaigns/<campaign_id>")
@login_required
def campaign(campaign_id: str) -> Any:
    r = get_redis()
    settings = get_settings()
    found = get_campaign(r, campaign_id)
    span = _range()
    page = get_campaign_page(r, found, start=span.start, end=span.end)
    pager = _links_pager(page.links)
    links = store.get_links(r, store.list_latest_link_codes(
        r, campaign_id=found.id, limit=LINKS_PER_PAGE, offset=pager["first"] - 1))
    title = "Links (newest first)" if pager["pages"] == 1 else \
        f"Links (newest first, page {pager['page']} of {pager['pages']})"
    tables = [leaders_table(page.leaders, with_campaign=False),
              links_table(settings, links, title=title)]
    from shortener.dashboard.survey import survey_panel

    survey = survey_panel(r, found, page.figures.channel_mix.counts, span)
    return _export_or_render(tables, span, f"campaign-{found.id}", "dashboard/campaign.html",
                             campaign=found, model=page, figures=page.figures,
                             mint_form=MintForm(), feed_scope={"campaign": found.id},
                             pager=pager, bad_input=pager["error"], survey=survey,
                             shares=page.shares)


def _links_pager(total: int) -> dict[str, Any]:
    """Which page of links the request asks for (``links_page``, from 1), and the links
    to the pages beside it; a page that is not a whole number from 1 shows the first."""
    pages = max(1, -(-total // LINKS_PER_PAGE))
    asked = request.args.get("links_page", "1")
    page = int(asked) if asked.isdigit() and int(asked) >= 1 else 0
    error = page == 0
    if error:
        flash("links_page must be a whole number from 1; showing the first page", "error")
        page = 1
    page = min(page, pages)

    def href(number: int) -> str:
        return "?" + urlencode({**request.args, "links_page": number}) + "#links"

    first = (page - 1) * LINKS_PER_PAGE + 1
    return {"page": page, "pages": pages, "total": total, "first": first, "error": error,
            "last": min(total, first + LINKS_PER_PAGE - 1),
            "newer": href(page - 1) if page > 1 else None,
            "older": href(page + 1) if page < pages else None}


@bp.get("/advocates/<external_id>")
@login_required
def advocate(external_id: str) -> Any:
    r = get_redis()
    settings = get_settings()
    found = get_advocate(r, external_id)
    span = _range()
    stats = get_advocate_stats(r, found.external_id, start=span.start, end=span.end)
    links = _latest_links(advocate=found.external_id)
    codes = get_codes_of_advocates(r, [found.external_id])[found.external_id]
    campaigns = store.get_campaigns(r, sorted({link.campaign_id for link in links} | set(codes)))
    progress = [(item, get_advocate_progress(r, item, found.external_id)) for item in campaigns]
    tables = [links_table(settings, links)]
    return _export_or_render(tables, span, f"advocate-{found.external_id}",
                             "dashboard/advocate.html", advocate=found, stats=stats,
                             figures=narrowed(stats), progress=progress, referral_codes=codes,
                             share_url=share_url(settings, found),
                             feed_scope={"advocate": found.external_id})


@bp.get("/links/<code>")
@login_required
def link(code: str) -> Any:
    r = get_redis()
    settings = get_settings()
    found = get_link(r, code)
    span = _range()
    stats = get_link_stats(r, found.code, start=span.start, end=span.end)
    owner = store.get_advocate(r, found.advocate)
    return _export_or_render([], span, f"link-{found.code}", "dashboard/link.html",
                             link=found, campaign=store.get_campaign(r, found.campaign_id),
                             figures=narrowed(stats),
                             short_url=settings.short_url(found.code),
                             share_url=share_url(settings, owner),
                             feed_scope={"code": found.code})


# Forms -----------------------------------------------------------------------


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


@bp.route("/campaigns/new", methods=["GET", "POST"])
@login_required
def new_campaign() -> Any:
    form = CampaignForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            utm = {name: getattr(form, name).data.strip()
                   for name in ("utm_source", "utm_medium", "utm_campaign")
                   if (getattr(form, name).data or "").strip()}
            hosts = (form.allowed_hosts.data or "").replace(",", " ").split()
            try:
                created = create_campaign(
                    get_redis(), name=form.name.data or "",
                    destination=(form.destination.data or "").strip(), utm=utm,
                    allowed_hosts=hosts, cost=_number(form.cost.data),
                    value_per_click=_number(form.value_per_click.data),
                    currency=(form.currency.data or "").strip(),
                    reward_goal=form.reward_goal.data,
                    rewards=parse_tiers(form.rewards.data or ""),
                    friend_incentive=(form.friend_incentive.data or "").strip() or None,
                    fraud_rules=form.fraud_rules(),
                )
            except InvalidInput as exc:
                status = 422
                # A tier's field (rewards.2.name) is shown on the tiers box.
                target = getattr(form, (exc.field or "").split(".")[0], None) or form.name
                target.errors = [*target.errors, exc.message]
            else:
                flash(f"Campaign “{created.name}” created. Mint links for its advocates below.",
                      "success")
                return redirect(url_for("dashboard.campaign", campaign_id=created.id))
        else:
            status = 400
            if "csrf_token" in form.errors:
                flash(FORGED_FORM_MESSAGE, "error")
    return render_template("dashboard/campaign_new.html", form=form), status


@bp.post("/campaigns/<campaign_id>/links")
@login_required
def mint(campaign_id: str) -> Any:
    r = get_redis()
    settings = get_settings()
    found = get_campaign(r, campaign_id)
    form = MintForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            flash(FORGED_FORM_MESSAGE, "error")
        else:
            flash("Paste at least one advocate id.", "error")
        return redirect(url_for("dashboard.campaign", campaign_id=found.id)), 303
    ids = split_ids(form.advocates.data or "")
    if len(ids) > MAX_ADVOCATES_PER_MINT:
        flash(f"At most {MAX_ADVOCATES_PER_MINT} advocates at a time; you pasted {len(ids)}.",
              "error")
        return redirect(url_for("dashboard.campaign", campaign_id=found.id)), 303
    created, existing, failed = 0, 0, []
    for external_id in ids:
        try:
            minted = mint_link(r, settings, campaign_id=found.id, advocate=external_id,
                               channel=form.channel.data or None)
        except ShortenerError as exc:
            failed.append(f"{external_id}: {exc.message}")
            continue
        created += minted.created
        existing += not minted.created
    flash(f"Minted {created} new link{'s' if created != 1 else ''}"
          + (f"; {existing} already existed" if existing else "") + ".",
          "success" if created or existing else "error")
    for problem in failed[:10]:
        flash(problem, "error")
    if len(failed) > 10:
        flash(f"…and {len(failed) - 10} more ids were refused.", "error")
    return redirect(url_for("dashboard.campaign", campaign_id=found.id) + "#links"), 303


# Live feed -------------------------------------------------------------------


@bp.get("/feed.json")
@login_required
def feed() -> Response:
    """The newest click events for the page's scope, polled by static/js/dashboard.js."""
    r = get_redis()
    campaign_id = request.args.get("campaign")
    code = request.args.get("code")
    external_id = request.args.get("advocate")
    if code:
        campaign_ids = [get_link(r, code).campaign_id]
    elif campaign_id:
        campaign_ids = [get_campaign(r, campaign_id).id]
    elif external_id:
        codes = store.list_link_codes(r, advocate=external_id)
        campaign_ids = sorted({link.campaign_id for link in store.get_links(r, codes)})
    else:
        campaign_ids = store.list_campaign_ids(r)
    events = list_latest_clicks(r, campaign_ids, code=code or None,
                                advocate=external_id or None)
    return jsonify(clicks=[plain(event) for event in events])
