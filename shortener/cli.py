"""The `shortener` console script: parse arguments, call the domain, print JSON.

Bad arguments and domain errors end with one line on standard error and a
non-zero exit status, never a traceback.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from redis.exceptions import RedisError

from shortener.config import ConfigError, Settings
from shortener.errors import InvalidInput, ShortenerError
from shortener.links.rules import MAX_CLICKS_LIMIT


class Context:
    """Builds the app lazily, so `--help` needs no Redis."""

    def __init__(self) -> None:
        self._app: Any = None

    @property
    def app(self) -> Any:
        if self._app is None:
            from shortener import create_app

            self._app = create_app(Settings.from_env())
            _say_which_redis(self._app)
            _adopt_announced_public_url(self._app)
        return self._app

    @property
    def redis(self) -> Any:
        return self.app.extensions["redis"]

    @property
    def settings(self) -> Settings:
        return self.app.extensions["settings"]


pass_context = click.make_pass_decorator(Context, ensure=True)


def _say_which_redis(app: Any) -> None:
    """One line on stderr when the embedded server is used: which one, and whether
    this command had to start it (no service runs on that DATA_DIR), so that data
    written to a second, forgotten database does not go unnoticed."""
    origin = app.extensions.get("redis_origin")
    if origin is not None and origin.embedded:
        click.echo(origin.describe(app.extensions["settings"]), err=True)


def _adopt_announced_public_url(app: Any) -> None:
    """With PUBLIC_URL unset, print links under the URL the running service announced."""
    import dataclasses

    from shortener.service import get_announcement

    settings = app.extensions["settings"]
    if settings.public_url_explicit:
        return
    announcement = get_announcement(app.extensions["redis"])
    if announcement is not None and announcement.public_url != settings.public_url:
        app.extensions["settings"] = dataclasses.replace(
            settings, public_url=announcement.public_url)


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


FORMATS = {
    "json": "a JSON array",
    "jsonl": "one JSON object per line",
    "table": "a table for people",
    "csv": "CSV of the table's columns, with a header",
}


def format_option(*choices: str, default: str) -> Callable[[Any], Any]:
    """The --format option of a list command, offering ``choices`` (names in FORMATS)."""
    return click.option(
        "--format", "output_format", type=click.Choice(list(choices)), default=default,
        show_default=True,
        help="; ".join(f"{name}: {FORMATS[name]}" for name in choices) + ".")


FORMAT_OPTION = format_option("jsonl", "table", "csv", default="jsonl")


def print_rows(rows: list[dict[str, Any]], output_format: str,
               columns: list[str] | None = None) -> None:
    """Rows as JSON (an array, or one object per line), or the given columns as a
    plain table or CSV."""
    if output_format == "json":
        print_json(rows)
        return
    if output_format == "jsonl":
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False, default=str))
        return
    columns = columns or (list(rows[0]) if rows else [])
    if output_format == "csv":
        _print_csv(rows, columns)
        return
    cells = [[_table_cell(row.get(column)) for column in columns] for row in rows]
    widths = [max([len(column), *(len(line[i]) for line in cells)])
              for i, column in enumerate(columns)]
    for line in [columns, *cells]:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(line, widths,
                                                                         strict=True)).rstrip())


def _print_csv(rows: list[dict[str, Any]], columns: list[str]) -> None:
    from shortener.dashboard.tables import FORMULA_PREFIXES

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        # Nothing is an empty cell here, not the table's "-".
        cells = ["" if row.get(column) in (None, [], (), {}) else _table_cell(row.get(column))
                 for column in columns]
        # A spreadsheet would run a cell starting with "=" as a formula.
        writer.writerow(["'" + cell if cell.startswith(FORMULA_PREFIXES) else cell
                         for cell in cells])
    click.echo(buffer.getvalue(), nl=False)


def _table_cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and value > 1e9:  # a Unix time
        import datetime as dt

        return dt.datetime.fromtimestamp(value, dt.UTC).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, list | tuple):
        return ",".join(str(item) for item in value) or "-"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False) if value else "-"
    return str(value)


def reports_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn domain, configuration and storage errors into one line and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ShortenerError as exc:
            field = f" ({exc.field})" if exc.field else ""
            raise click.ClickException(f"{exc.message}{field}") from None
        except ConfigError as exc:
            raise click.ClickException(f"configuration: {exc}") from None
        except RedisError as exc:
            raise click.ClickException(f"Redis is unavailable: {exc}") from None

    return wrapper


def link_json(settings: Settings, link: Any, advocate: Any = None) -> dict[str, Any]:
    data = link.to_dict()
    data["short_url"] = settings.short_url(link.code)
    if advocate is not None:
        data["share_url"] = f"{settings.public_url}/s/{advocate.share_token}"
    return data


def with_referral_code(ctx: Context, data: dict[str, Any], link: Any) -> dict[str, Any]:
    """The link's JSON with the advocate's referral code in its campaign."""
    from shortener.links.codes import get_referral_code

    data["referral_code"] = get_referral_code(ctx.redis, link.campaign_id, link.advocate)
    return data


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """shortener: tracked short links per advocate and campaign."""


@main.group()
def campaign() -> None:
    """Create, list, show, change and archive campaigns."""


@campaign.command("create")
@click.option("--name", required=True, help="Campaign name.")
@click.option("--destination", required=True, help="Where clicks go (http or https URL).")
@click.option("--utm-source", help="Default utm_source.")
@click.option("--utm-medium", help="Default utm_medium.")
@click.option("--utm-campaign", help="Default utm_campaign.")
@click.option("--allowed-host", "allowed_hosts", multiple=True,
              help="A host links may send clicks to (repeat; '*.example.com' for subdomains).")
@click.option("--channel-utm/--no-channel-utm", default=False,
              help="Write the classified channel into utm_source/utm_medium when unset.")
@click.option("--reward", "rewards", multiple=True,
              help="A reward tier as 'CONVERSIONS, NAME', e.g. '3, Free month' (repeat).")
@click.option("--friend-incentive", help="What the friend gets, shown on the share page.")
@click.option("--code-prefix", help="Start of every referral code, e.g. SPRING "
              "(default: the advocate's name).")
@pass_context
@reports_errors
def campaign_create(ctx: Context, name: str, destination: str, utm_source: str | None,
                    utm_medium: str | None, utm_campaign: str | None,
                    allowed_hosts: tuple[str, ...], channel_utm: bool,
                    rewards: tuple[str, ...], friend_incentive: str | None,
                    code_prefix: str | None) -> None:
    """Create a campaign and print it as JSON."""
    from shortener.links.campaigns import create_campaign, parse_tiers

    utm = {"utm_source": utm_source, "utm_medium": utm_medium, "utm_campaign": utm_campaign}
    created = create_campaign(
        ctx.redis, name=name, destination=destination,
        utm={key: value for key, value in utm.items() if value},
        allowed_hosts=list(allowed_hosts), channel_utm=channel_utm,
        rewards=parse_tiers("\n".join(rewards)), friend_incentive=friend_incentive,
        code_prefix=code_prefix,
    )
    print_json(created.to_dict())


@main.group()
def link() -> None:
    """Mint, list, show, disable, enable and change links."""


@link.command("mint")
@click.option("--campaign", "campaign_id", required=True, help="Campaign id.")
@click.option("--advocate", required=True, help="The advocate's external id.")
@click.option("--channel", help="Channel tag, e.g. whatsapp or email.")
@click.option("--alias", help="Custom short code.")
@click.option("--max-clicks", type=click.IntRange(min=1, max=MAX_CLICKS_LIMIT),
              help="Human clicks allowed.")
@pass_context
@reports_errors
def link_mint(ctx: Context, campaign_id: str, advocate: str, channel: str | None,
              alias: str | None, max_clicks: int | None) -> None:
    """Mint (or return the existing) link of an advocate and print it as JSON."""
    from shortener.links.advocates import get_advocate
    from shortener.links.minting import mint_link

    minted = mint_link(ctx.redis, ctx.settings, campaign_id=campaign_id, advocate=advocate,
                       channel=channel, alias=alias, max_clicks=max_clicks)
    data = with_referral_code(ctx, link_json(ctx.settings, minted.link,
                                             get_advocate(ctx.redis, advocate)), minted.link)
    data["created"] = minted.created
    print_json(data)


CAMPAIGN_COLUMNS = ["id", "name", "status", "destination", "cost", "value_per_click",
                    "currency", "reward_goal", "created_at"]
LINK_COLUMNS = ["code", "campaign", "advocate", "channel", "enabled", "expires_at",
                "max_clicks", "destination", "short_url"]


@campaign.command("list")
@click.option("--status", type=click.Choice(["active", "archived"]), help="Only these.")
@FORMAT_OPTION
@pass_context
@reports_errors
def campaign_list(ctx: Context, status: str | None, output_format: str) -> None:
    """Print every campaign, oldest first."""
    from shortener.links import store

    campaigns = store.get_campaigns(ctx.redis, store.list_campaign_ids(ctx.redis))
    print_rows([item.to_dict() for item in campaigns if status in (None, item.status)],
               output_format, CAMPAIGN_COLUMNS)


@campaign.command("show")
@click.argument("campaign_id")
@pass_context
@reports_errors
def campaign_show(ctx: Context, campaign_id: str) -> None:
    """Print a campaign as JSON."""
    from shortener.links.campaigns import get_campaign

    print_json(get_campaign(ctx.redis, campaign_id).to_dict())


@campaign.command("update")
@click.argument("campaign_id")
@click.option("--name", help="A new name.")
@click.option("--destination", help="Where clicks go (http or https URL).")
@click.option("--utm-source", help="Default utm_source ('' removes it).")
@click.option("--utm-medium", help="Default utm_medium ('' removes it).")
@click.option("--utm-campaign", help="Default utm_campaign ('' removes it).")
@click.option("--allowed-host", "allowed_hosts", multiple=True,
              help="Replaces the allowed hosts (repeat); --allowed-host '' clears them.")
@click.option("--cost", type=float, help="What the campaign costs, for cost per advocate.")
@click.option("--value-per-click", type=float, help="For earned media value.")
@click.option("--currency", help="ISO 4217 code, e.g. EUR.")
@click.option("--reward-goal", type=click.IntRange(min=1), help="Conversions for the reward.")
@click.option("--fraud-rule", "fraud_rules", multiple=True, metavar="RULE=on|off",
              help="Turn a fraud review rule on or off (repeat), e.g. burst=off; rules: "
                   "self_referral, repeat_visitor, no_human_click, burst.")
@pass_context
@reports_errors
def campaign_update(ctx: Context, campaign_id: str, **options: Any) -> None:
    """Change a campaign; only the options given change. Prints it as JSON."""
    from shortener.links.campaigns import get_campaign, update_campaign

    changes = {name: value for name, value in options.items()
               if value is not None and not name.startswith("utm_") and name != "allowed_hosts"
               and name != "fraud_rules"}
    if options["fraud_rules"]:
        changes["fraud_rules"] = parse_rule_toggles(options["fraud_rules"])
    utm_given = {name: value for name, value in options.items()
                 if name.startswith("utm_") and value is not None}
    if utm_given:
        utm = {**get_campaign(ctx.redis, campaign_id).utm, **utm_given}
        changes["utm"] = {name: value for name, value in utm.items() if value}
    if options["allowed_hosts"]:
        changes["allowed_hosts"] = [host for host in options["allowed_hosts"] if host]
    if not changes:
        raise click.UsageError("give at least one option to change")
    print_json(update_campaign(ctx.redis, campaign_id, changes).to_dict())


@campaign.command("archive")
@click.argument("campaign_id")
@click.option("--undo", is_flag=True, help="Make the campaign active again.")
@pass_context
@reports_errors
def campaign_archive(ctx: Context, campaign_id: str, undo: bool) -> None:
    """Archive a campaign: no new links, and its links answer 410 (within
    LINK_CACHE_SECONDS). --undo brings it back."""
    from shortener.links.campaigns import update_campaign

    status = "active" if undo else "archived"
    print_json(update_campaign(ctx.redis, campaign_id, {"status": status}).to_dict())


@link.command("list")
@click.option("--campaign", "campaign_id", help="A campaign's links.")
@click.option("--advocate", help="An advocate's links.")
@FORMAT_OPTION
@pass_context
@reports_errors
def link_list(ctx: Context, campaign_id: str | None, advocate: str | None,
              output_format: str) -> None:
    """Print a campaign's or an advocate's links (give one of the two), oldest first."""
    from shortener.links import store
    from shortener.links.advocates import get_advocate
    from shortener.links.campaigns import get_campaign

    if (campaign_id is None) == (advocate is None):
        raise click.UsageError("give --campaign or --advocate")
    if campaign_id is not None:
        get_campaign(ctx.redis, campaign_id)
    else:
        get_advocate(ctx.redis, advocate or "")
    codes = store.list_link_codes(ctx.redis, campaign_id=campaign_id, advocate=advocate)
    rows = []
    for item in store.get_links(ctx.redis, codes):
        data = link_json(ctx.settings, item)
        data["campaign"] = data.pop("campaign_id", item.campaign_id)
        rows.append(data)
    print_rows(rows, output_format, LINK_COLUMNS)


@link.command("show")
@click.argument("code")
@pass_context
@reports_errors
def link_show(ctx: Context, code: str) -> None:
    """Print a link as JSON, with its short URL and the advocate's share page."""
    from shortener.links import store
    from shortener.links.minting import get_link

    found = get_link(ctx.redis, code)
    print_json(with_referral_code(ctx, link_json(
        ctx.settings, found, store.get_advocate(ctx.redis, found.advocate)), found))


def _change_link(ctx: Context, code: str, changes: dict[str, Any]) -> None:
    from shortener.links.minting import update_link

    print_json(link_json(ctx.settings, update_link(ctx.redis, code, changes)))


@link.command("disable")
@click.argument("code")
@pass_context
@reports_errors
def link_disable(ctx: Context, code: str) -> None:
    """Stop a link (it answers 410 within LINK_CACHE_SECONDS); its figures stay."""
    _change_link(ctx, code, {"enabled": False})


@link.command("enable")
@click.argument("code")
@pass_context
@reports_errors
def link_enable(ctx: Context, code: str) -> None:
    """Let a disabled link redirect again."""
    _change_link(ctx, code, {"enabled": True})


@link.command("update")
@click.argument("code")
@click.option("--expires", type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M",
                                                         "%Y-%m-%dT%H:%M:%S"]),
              help="UTC time after which the link answers 410.")
@click.option("--no-expiry", is_flag=True, help="Remove the expiry time.")
@click.option("--max-clicks", type=click.IntRange(min=1), help="Human clicks allowed.")
@click.option("--no-max-clicks", is_flag=True, help="Remove the click limit.")
@click.option("--destination", help="Send this link's clicks here instead of the campaign's.")
@click.option("--campaign-destination", is_flag=True,
              help="Send clicks to the campaign's destination again.")
@pass_context
@reports_errors
def link_update(ctx: Context, code: str, expires: Any, no_expiry: bool, max_clicks: int | None,
                no_max_clicks: bool, destination: str | None,
                campaign_destination: bool) -> None:
    """Change a link's expiry, click limit or destination; prints it as JSON."""
    import datetime as dt

    changes: dict[str, Any] = {}
    for given, removed, name, value in (
        (expires, no_expiry, "expires_at",
         expires.replace(tzinfo=dt.UTC).timestamp() if expires else None),
        (max_clicks, no_max_clicks, "max_clicks", max_clicks),
        (destination, campaign_destination, "destination", destination),
    ):
        if given is not None and removed:
            raise click.UsageError(f"{name}: give a value or remove it, not both")
        if given is not None or removed:
            changes[name] = value
    if not changes:
        raise click.UsageError("give at least one option to change")
    _change_link(ctx, code, changes)


@main.group()
def stats() -> None:
    """Read click figures."""


@stats.command("link")
@click.argument("code")
@pass_context
@reports_errors
def stats_link(ctx: Context, code: str) -> None:
    """Print a link's figures as JSON: human clicks, by channel, by kind, previews."""
    from shortener.analytics.queries import get_link_stats
    from shortener.analytics.results import figures
    from shortener.links.minting import get_link

    get_link(ctx.redis, code)
    print_json({"code": code, **figures(get_link_stats(ctx.redis, code), leave=_SERIES)})


@stats.command("campaign")
@click.argument("campaign_id")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="First UTC day.")
@click.option("--until", type=click.DateTime(formats=["%Y-%m-%d"]), help="Last UTC day.")
@pass_context
@reports_errors
def stats_campaign(ctx: Context, campaign_id: str, since: Any, until: Any) -> None:
    """Print a campaign's figures and KPIs as JSON (all time, or --since/--until)."""
    from shortener.analytics.kpis import get_campaign_report
    from shortener.analytics.results import figures
    from shortener.analytics.shares import with_shares
    from shortener.links.campaigns import get_campaign

    found = get_campaign(ctx.redis, campaign_id)
    report = get_campaign_report(ctx.redis, found, start=since.date() if since else None,
                                 end=until.date() if until else None)
    shown = _SERIES if report.stats.by_day is None else _SERIES[1:]
    stats = with_shares(ctx.redis, found.id, report.stats)
    print_json({"campaign": found.id, "name": found.name, **figures(stats, leave=shown),
                "kpis": figures(report.kpis)})


# Series a figure carries only over a range (UTC days) or in a zone (the API's).
_SERIES = ("by_day", "zoned_by_day", "zoned_by_hour")


@main.group()
def apikey() -> None:
    """Create, list and revoke API keys."""


@apikey.command("create")
@click.option("--name", required=True, help="Who or what uses the key.")
@click.option("--read-only", is_flag=True, help="Every :read scope and nothing else.")
@click.option("--scopes", help="Comma-separated: campaigns:read, campaigns:write, links:write, "
                               "conversions:write, stats:read, advocates:read, webhooks:write, "
                               "admin. Without it (and --read-only) the key has full access.")
@click.option("--campaign", "campaigns", multiple=True,
              help="Limit the key to this campaign id (repeat for several).")
@pass_context
@reports_errors
def apikey_create(ctx: Context, name: str, read_only: bool, scopes: str | None,
                  campaigns: tuple[str, ...]) -> None:
    """Create a key and print it; the key itself is shown this once only."""
    from shortener.api.apikeys import create_api_key
    from shortener.links.campaigns import get_campaign

    if scopes is not None and read_only:
        raise click.UsageError("give --scopes or --read-only, not both")
    for campaign_id in campaigns:
        get_campaign(ctx.redis, campaign_id)
    record, token = create_api_key(
        ctx.redis, name=name, read_only=read_only,
        scopes=scopes.split(",") if scopes is not None else None, campaigns=list(campaigns))
    print_json({**record.to_dict(), "key": token})
    click.echo("Store the key now: only its hash is kept.", err=True)


APIKEY_COLUMNS = ["id", "name", "prefix", "read_only", "scopes", "campaigns", "created_at",
                  "revoked_at"]


@apikey.command("list")
@format_option("json", "table", "csv", default="json")
@pass_context
@reports_errors
def apikey_list(ctx: Context, output_format: str) -> None:
    """Print every key's id, name, prefix, scopes, campaigns and times (never the key)."""
    from shortener.api.apikeys import list_api_keys

    rows = [record.to_dict() for record in list_api_keys(ctx.redis)]
    if output_format != "json":
        # In a table, no scopes (full access) and no campaigns (every one) read as "all".
        rows = [{**row, "scopes": row["scopes"] if row["scopes"] is not None else ["all"],
                 "campaigns": row["campaigns"] or ["all"]} for row in rows]
    print_rows(rows, output_format, APIKEY_COLUMNS)


@apikey.command("revoke")
@click.argument("key_id")
@pass_context
@reports_errors
def apikey_revoke(ctx: Context, key_id: str) -> None:
    """Revoke a key by its id; it stops working at once."""
    from shortener.api.apikeys import revoke_api_key

    print_json(revoke_api_key(ctx.redis, key_id).to_dict())


@main.group()
def advocate() -> None:
    """Import advocates, or erase one's personal data."""


@advocate.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--campaign", "campaign_id", required=True, help="Campaign to mint links in.")
@click.option("--failed", "failed_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write failed rows with the reason (default FILE.failed.csv).")
@pass_context
@reports_errors
def advocate_import(ctx: Context, csv_file: Path, campaign_id: str,
                    failed_path: Path | None) -> None:
    """Upsert the advocates of a CSV file and mint each one's link in a campaign.

    Columns: external_id (required), then any of name, contact, referred_by,
    channel. Safe to run twice: advocates are upserted and minting is
    idempotent. Failed rows go to a file with the reason; a summary is
    printed as JSON.
    """
    from shortener.links.campaigns import get_campaign
    from shortener.links.importing import import_advocates

    get_campaign(ctx.redis, campaign_id)
    failed_path = failed_path or csv_file.with_name(csv_file.stem + ".failed.csv")
    try:
        with csv_file.open(newline="", encoding="utf-8-sig") as source:
            reader = csv.DictReader(source)
            rows = list(reader)
            columns = reader.fieldnames or []
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{csv_file} is not UTF-8 text (byte {exc.start} cannot be read); "
                           "save it as UTF-8 and import again", field="csv_file") from None
    except csv.Error as exc:
        raise InvalidInput(f"{csv_file} is not a CSV file this import reads: {exc}",
                           field="csv_file") from None
    if "external_id" not in columns:
        # A file without its header line would otherwise fail row by row.
        found = ", ".join(repr(column) for column in columns[:6]) or "nothing"
        raise InvalidInput(f"{csv_file} has no external_id column: its first line must "
                           "name the columns (external_id, then any of name, contact, "
                           f"referred_by, channel); it reads {found}", field="csv_file")
    with click.progressbar(length=len(rows), label="Importing", file=sys.stderr) as bar:
        summary = import_advocates(ctx.redis, ctx.settings, campaign_id, rows,
                                   failed_path=failed_path, progress=bar.update)
    print_json(summary)


@advocate.command("erase")
@click.argument("external_id")
@pass_context
@reports_errors
def advocate_erase(ctx: Context, external_id: str) -> None:
    """Erase an advocate's personal data on their request; counts stay.

    Name and contact are dropped and the external id is replaced everywhere
    (key names, click events, links) by a random erased-... id, printed with
    the record; Redis then rewrites its append-only file.
    """
    from shortener.links.advocates import erase_personal_data

    print_json(erase_personal_data(ctx.redis, external_id,
                                   settle_seconds=ctx.settings.link_settle_seconds).to_dict())


@main.group()
def clicks() -> None:
    """Export raw click events, or drop those past the retention window."""


@clicks.command("export")
@click.option("--campaign", "campaign_id", required=True, help="Campaign id.")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="First UTC day (YYYY-MM-DD).")
@click.option("--until", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Last UTC day, inclusive.")
@pass_context
@reports_errors
def clicks_export(ctx: Context, campaign_id: str, since: Any, until: Any) -> None:
    """Write a campaign's raw click events as CSV to standard output."""
    from shortener.analytics.queries import iter_click_entries
    from shortener.api.clicks import csv_entries
    from shortener.links.campaigns import get_campaign

    campaign = get_campaign(ctx.redis, campaign_id)
    entries = iter_click_entries(ctx.redis, campaign.id,
                                 start=since.date() if since else None,
                                 end=until.date() if until else None)
    for text in csv_entries(entries):
        click.echo(text, nl=False)


@clicks.command("trim")
@pass_context
@reports_errors
def clicks_trim(ctx: Context) -> None:
    """Drop raw events older than CLICK_RETENTION_DAYS from every campaign (counters stay).

    Each batch of clicks already trims its own campaign; run this daily (cron)
    so that campaigns nobody clicks any more are trimmed too.
    """
    from shortener.clicks.recording import trim_click_streams
    from shortener.links.store import list_campaign_ids
    from shortener.survey.erasure import trim_survey_texts

    dropped = trim_click_streams(ctx.redis, retention_days=ctx.settings.click_retention_days)
    # Survey answers' free text is kept as long as raw click events, no longer.
    texts = trim_survey_texts(ctx.redis, list_campaign_ids(ctx.redis),
                              retention_days=ctx.settings.click_retention_days)
    print_json({"dropped": dropped, "survey_texts_dropped": texts,
                "retention_days": ctx.settings.click_retention_days})


@main.group()
def conversions() -> None:
    """List reported conversions, for audits."""


@conversions.command("list")
@click.option("--campaign", "campaign_id", required=True, help="Campaign id.")
@click.option("--advocate", help="Only this advocate's conversions.")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="First UTC day (YYYY-MM-DD).")
@click.option("--until", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Last UTC day, inclusive.")
@click.option("--cursor", help="next_cursor of the page before.")
@click.option("--limit", type=click.IntRange(1, 1000), default=100, show_default=True)
@click.option("--status", type=click.Choice(["accepted", "review", "rejected"]),
              help="Only conversions in this review status.")
@pass_context
@reports_errors
def conversions_list(ctx: Context, campaign_id: str, advocate: str | None, since: Any,
                     until: Any, cursor: str | None, limit: int,
                     status: str | None = None) -> None:
    """Print one page of a campaign's conversions as JSON, oldest first."""
    from shortener.analytics.conversions import list_conversions
    from shortener.api.render import decode_cursor, encode_cursor, iso
    from shortener.links.campaigns import get_campaign

    campaign = get_campaign(ctx.redis, campaign_id)
    page = list_conversions(ctx.redis, campaign.id, advocate=advocate,
                            since=since.date() if since else None,
                            until=until.date() if until else None,
                            after=decode_cursor(cursor), limit=limit, status=status)
    print_json({
        "items": [{**conversion.to_dict(), "ts": iso(conversion.ts), "id": conversion.id}
                  for conversion in page.items],
        "next_cursor": encode_cursor(page.next_position),
    })


def parse_rule_toggles(values: tuple[str, ...]) -> dict[str, bool]:
    """"burst=off" options as {"burst": False}; the campaign's rules check the names."""
    toggles: dict[str, bool] = {}
    for value in values:
        name, _, state = value.partition("=")
        if state.lower() not in ("on", "off", "true", "false"):
            raise click.BadParameter(f"{value!r}: write RULE=on or RULE=off",
                                     param_hint="--fraud-rule")
        toggles[name.strip()] = state.lower() in ("on", "true")
    return toggles


@conversions.group("review")
def conversions_review() -> None:
    """The fraud review queue: list flagged conversions, accept or reject them."""


@conversions_review.command("list")
@click.option("--campaign", "campaign_id", required=True, help="Campaign id.")
@click.option("--cursor", help="next_cursor of the page before.")
@click.option("--limit", type=click.IntRange(1, 1000), default=100, show_default=True)
@pass_context
@reports_errors
def conversions_review_list(ctx: Context, campaign_id: str, cursor: str | None,
                            limit: int) -> None:
    """Print one page of the campaign's conversions waiting for review as JSON, oldest first,
    with their flags and evidence."""
    from shortener.api.render import decode_cursor, encode_cursor
    from shortener.fraud.review import list_review
    from shortener.links.campaigns import get_campaign
    from shortener.webhooks.events import conversion_data

    campaign = get_campaign(ctx.redis, campaign_id)
    page = list_review(ctx.redis, campaign.id, after=decode_cursor(cursor), limit=limit)
    print_json({"items": [conversion_data(conversion) for conversion in page.items],
                "waiting": page.waiting, "next_cursor": encode_cursor(page.next_position)})


@conversions_review.command("accept")
@click.argument("conversion_id")
@pass_context
@reports_errors
def conversions_review_accept(ctx: Context, conversion_id: str) -> None:
    """Accept a conversion: it counts everywhere, once (recorded as done by 'cli')."""
    from shortener.fraud.review import set_conversion_status
    from shortener.webhooks.events import conversion_data

    print_json(conversion_data(set_conversion_status(ctx.redis, conversion_id, "accepted",
                                                     by="cli")))


@conversions_review.command("reject")
@click.argument("conversion_id")
@pass_context
@reports_errors
def conversions_review_reject(ctx: Context, conversion_id: str) -> None:
    """Reject a conversion held for review: it counts nowhere (recorded as done by 'cli')."""
    from shortener.fraud.review import set_conversion_status
    from shortener.webhooks.events import conversion_data

    print_json(conversion_data(set_conversion_status(ctx.redis, conversion_id, "rejected",
                                                     by="cli")))


@conversions.command("index")
@pass_context
@reports_errors
def conversions_index(ctx: Context) -> None:
    """Put conversions recorded before the time-ordered list into it (run once after upgrading).

    Safe to repeat; orders already listed keep their place.
    """
    from shortener.clicks.conversions import index_earlier_conversions
    from shortener.links.store import list_campaign_ids

    added = {campaign_id: index_earlier_conversions(ctx.redis, campaign_id)
             for campaign_id in list_campaign_ids(ctx.redis)}
    print_json({"indexed": sum(added.values()),
                "campaigns": {campaign_id: count for campaign_id, count in added.items()
                              if count}})


@main.group()
def user() -> None:
    """Marketer accounts for the dashboard."""


ROLE_CHOICE = click.Choice(["admin", "editor", "viewer"])


@user.command("create")
@click.option("--email", required=True, help="The marketer's e-mail address (their login).")
@click.option("--role", type=ROLE_CHOICE,
              help="admin (everything, users and keys), editor (campaigns, links, "
                   "advocates, conversions) or viewer (figures only). Default: admin for "
                   "the first user, viewer after that.")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from standard input instead of generating one.")
@pass_context
@reports_errors
def user_create(ctx: Context, email: str, role: str | None, password_stdin: bool) -> None:
    """Create a dashboard account; a generated password is printed once, never stored."""
    from shortener.accounts.users import count_users, create_user, generate_password

    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else generate_password()
    role = role or ("admin" if count_users(ctx.redis) == 0 else "viewer")
    created = create_user(ctx.redis, email=email, password=password, role=role)
    data: dict[str, Any] = created.to_dict()
    if not password_stdin:
        data["password"] = password
    print_json(data)


@main.command("classify")
@click.option("--user-agent", "user_agent", default="", help="The User-Agent header.")
@click.option("--referrer", default="", help="The Referer header.")
@click.option("--query", default="", help="The short link's query string, as 'a=b&c=d'.")
@click.option("--channel-tag", default=None, help="The link's channel tag, if it has one.")
@click.option("--ip", "address", default=None,
              help="The client's address, looked up offline for network class and country "
                   "(TRUSTED_NETWORKS applies); it is not stored.")
@reports_errors
def classify_click(user_agent: str, referrer: str, query: str, channel_tag: str | None,
                   address: str | None) -> None:
    """Print how a click with these headers would be classified, and why, as JSON.

    Needs no Redis: nothing is read or recorded.
    """
    from shortener.classify import classify, explain
    from shortener.clicks.network import TrustedNetworks, look_up_network
    from shortener.clicks.visitor import parse_query

    trusted = TrustedNetworks.parse(Settings.from_env().trusted_networks)
    network, country = look_up_network(address, trusted=trusted) if address else (None, None)
    result = classify(user_agent=user_agent, referrer=referrer, query=parse_query(query),
                      channel_tag=channel_tag, network=network, country=country)
    print_json(explain(result))


@user.command("password")
@click.option("--email", required=True, help="The account's e-mail address.")
@click.option("--password-stdin", is_flag=True,
              help="Read the new password from standard input instead of generating one.")
@pass_context
@reports_errors
def user_password(ctx: Context, email: str, password_stdin: bool) -> None:
    """Set a new password; every session of the account ends (sign in again)."""
    from shortener.accounts.users import change_password, generate_password

    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else generate_password()
    changed = change_password(ctx.redis, email, password)
    data: dict[str, Any] = changed.to_dict()
    if not password_stdin:
        data["password"] = password
    print_json(data)


@main.command("migrate")
@pass_context
@reports_errors
def migrate(ctx: Context) -> None:
    """Upgrade data written by an earlier version (every start does this too)."""
    from shortener.migrations import get_schema_version, upgrade

    upgrade(ctx.redis)
    print_json({"schema": get_schema_version(ctx.redis)})


@main.group()
def rewards() -> None:
    """Review rewards and export approved ones for payout."""


@rewards.command("list")
@click.option("--campaign", "campaign_id", help="Only this campaign's rewards.")
@click.option("--status", type=click.Choice(["pending", "approved", "paid", "rejected"]))
@pass_context
@reports_errors
def rewards_list(ctx: Context, campaign_id: str | None, status: str | None) -> None:
    """Print rewards as JSON lines, oldest first."""
    from shortener.rewards.granting import reward_data
    from shortener.rewards.review import list_rewards

    after = None
    while True:
        page, after = list_rewards(ctx.redis, campaign_id=campaign_id, status=status,
                                   after=after, limit=500)
        for reward in page:
            click.echo(json.dumps(reward_data(reward), ensure_ascii=False))
        if after is None:
            return


@rewards.command("set-status")
@click.argument("reward_id")
@click.argument("status", type=click.Choice(["approved", "paid", "rejected"]))
@pass_context
@reports_errors
def rewards_set_status(ctx: Context, reward_id: str, status: str) -> None:
    """Approve, reject or mark paid a reward (recorded as done by 'cli')."""
    from shortener.rewards.granting import reward_data
    from shortener.rewards.review import set_reward_status

    print_json(reward_data(set_reward_status(ctx.redis, reward_id, status, by="cli")))


@rewards.command("export")
@click.option("--campaign", "campaign_id", help="Only this campaign's rewards.")
@pass_context
@reports_errors
def rewards_export(ctx: Context, campaign_id: str | None) -> None:
    """Write approved rewards as CSV to standard output, for payout."""
    from shortener.dashboard.tables import FORMULA_PREFIXES
    from shortener.rewards.review import EXPORT_COLUMNS, iter_approved

    writer = csv.writer(sys.stdout)
    writer.writerow(EXPORT_COLUMNS)
    for row in iter_approved(ctx.redis, campaign_id):
        writer.writerow(["'" + value if isinstance(value, str)
                         and value.startswith(FORMULA_PREFIXES) else value
                         for value in (row[name] for name in EXPORT_COLUMNS)])


@user.command("list")
@FORMAT_OPTION
@pass_context
@reports_errors
def user_list(ctx: Context, output_format: str) -> None:
    """Print every account (never a password hash), oldest first."""
    from shortener.accounts.users import list_users

    print_rows([account.to_dict() for account in list_users(ctx.redis)], output_format,
               ["email", "role", "must_change_password", "created_at"])


@user.command("set-role")
@click.option("--email", required=True, help="The account's e-mail address.")
@click.option("--role", type=ROLE_CHOICE, required=True, help="The new role.")
@pass_context
@reports_errors
def user_set_role(ctx: Context, email: str, role: str) -> None:
    """Change an account's role; it applies to the next page the user opens."""
    from shortener.accounts.users import set_role

    print_json(set_role(ctx.redis, email, role).to_dict())


@user.command("reset-password")
@click.option("--email", required=True, help="The account's e-mail address.")
@click.option("--password-stdin", is_flag=True,
              help="Read the one-time password from standard input instead of generating one.")
@pass_context
@reports_errors
def user_reset_password(ctx: Context, email: str, password_stdin: bool) -> None:
    """Set a one-time password (printed once); the user must change it at the next sign-in."""
    from shortener.accounts.users import generate_password, reset_password

    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else generate_password()
    data: dict[str, Any] = reset_password(ctx.redis, email, password).to_dict()
    if not password_stdin:
        data["password"] = password
    print_json(data)



@user.command("delete")
@click.option("--email", required=True, help="The account's e-mail address.")
@pass_context
@reports_errors
def user_delete(ctx: Context, email: str) -> None:
    """Delete an account; its sessions stop working at their next request."""
    from shortener.accounts.users import delete_user

    print_json({**delete_user(ctx.redis, email).to_dict(), "deleted": True})


@main.command("status")
@pass_context
@reports_errors
def status(ctx: Context) -> None:
    """Print the Redis in use, the data folder, whether a service serves on it, the public URL."""
    from shortener.accounts.users import count_users
    from shortener.service import answers, get_announcement

    settings = ctx.settings
    origin = ctx.app.extensions["redis_origin"]
    announcement = get_announcement(ctx.redis)
    serving = announcement is not None and (
        answers(announcement.local_url) or answers(announcement.public_url))
    print_json({
        "redis": origin.url,
        "redis_kind": ("embedded, started by this command" if origin.started_here
                       else "embedded" if origin.embedded else "REDIS_URL"),
        "data_dir": str(settings.data_dir.resolve()),
        "serving": serving,
        "service": announcement.to_dict() if announcement else None,
        "public_url": settings.public_url,
        "public_url_from": ("PUBLIC_URL" if settings.public_url_explicit
                            else "the running service" if announcement
                            else "HOST and PORT"),
        "users": count_users(ctx.redis),
    })


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


@main.group()
def webhook() -> None:
    """Subscribe URLs to events, and see and retry their deliveries."""


def _webhook_json(ctx: Context, webhook_record: Any) -> dict[str, Any]:
    from shortener.webhooks.events import iso
    from shortener.webhooks.subscriptions import webhook_summary

    data = webhook_summary(ctx.redis, webhook_record)
    data["created_at"] = iso(webhook_record.created_at)
    return data


def _delivery_json(delivery: Any) -> dict[str, Any]:
    from shortener.webhooks.events import iso

    data = delivery.to_dict()
    for name in ("next_attempt_at", "created_at", "finished_at"):
        data[name] = iso(data[name])
    return data


@webhook.command("create")
@click.option("--url", required=True, help="Where events are POSTed (http or https).")
@click.option("--events", "event_types", required=True,
              help="Comma-separated event types, e.g. conversion.created,reward.created.")
@click.option("--campaign", "campaigns", multiple=True,
              help="Only this campaign's events (repeat for more); default: every campaign.")
@pass_context
@reports_errors
def webhook_create(ctx: Context, url: str, event_types: str,
                   campaigns: tuple[str, ...]) -> None:
    """Subscribe a URL; prints the subscription with its secret, shown this once."""
    from shortener.webhooks.subscriptions import create_webhook

    created = create_webhook(ctx.redis, url=url,
                             events=[item.strip() for item in event_types.split(",")
                                     if item.strip()],
                             campaigns=list(campaigns) or None,
                             allow_private=ctx.settings.webhook_allow_private)
    print_json({**_webhook_json(ctx, created), "secret": created.secret})
    click.echo("Store the secret now: it signs every delivery and is not shown again.",
               err=True)


@webhook.command("list")
@FORMAT_OPTION
@pass_context
@reports_errors
def webhook_list(ctx: Context, output_format: str) -> None:
    """Every subscription, oldest first (without secrets)."""
    from shortener.webhooks.subscriptions import list_webhooks

    print_rows([_webhook_json(ctx, item) for item in list_webhooks(ctx.redis)], output_format,
               ["id", "url", "events", "campaigns", "pending", "created_at"])


@webhook.command("show")
@click.argument("webhook_id")
@pass_context
@reports_errors
def webhook_show(ctx: Context, webhook_id: str) -> None:
    """One subscription (without its secret)."""
    from shortener.webhooks.subscriptions import get_webhook

    print_json(_webhook_json(ctx, get_webhook(ctx.redis, webhook_id)))


@webhook.command("delete")
@click.argument("webhook_id")
@pass_context
@reports_errors
def webhook_delete(ctx: Context, webhook_id: str) -> None:
    """Delete a subscription and drop the events still queued for it."""
    from shortener.webhooks.subscriptions import delete_webhook

    delete_webhook(ctx.redis, webhook_id)
    print_json({"deleted": webhook_id})


@webhook.command("deliveries")
@click.argument("webhook_id")
@click.option("--status", type=click.Choice(["pending", "delivered", "failed"]),
              help="Only these.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many.")
@FORMAT_OPTION
@pass_context
@reports_errors
def webhook_deliveries(ctx: Context, webhook_id: str, status: str | None, limit: int | None,
                       output_format: str) -> None:
    """Deliveries: pending ones in the order they go, then finished ones, newest first."""
    from shortener.webhooks.subscriptions import page_deliveries

    found: list[dict[str, Any]] = []
    cursor = None
    while limit is None or len(found) < limit:
        page, cursor = page_deliveries(ctx.redis, webhook_id, status=status, cursor=cursor,
                                       limit=min(500, limit - len(found)) if limit else 500)
        found += [_delivery_json(delivery) for delivery in page]
        if cursor is None:
            break
    print_rows(found, output_format, ["id", "type", "status", "attempts",
                                      "last_response_code", "next_attempt_at", "last_error"])


@webhook.command("retry")
@click.argument("webhook_id")
@click.argument("delivery_id")
@pass_context
@reports_errors
def webhook_retry(ctx: Context, webhook_id: str, delivery_id: str) -> None:
    """Send a delivery again now (a finished one is queued again at the end)."""
    from shortener.webhooks.subscriptions import retry_delivery

    print_json(_delivery_json(retry_delivery(ctx.redis, webhook_id, delivery_id)))


@main.group()
def survey() -> None:
    """The "how did you hear about us?" survey: its snippet, its token, erasure of an answer."""


@survey.command("embed")
@click.option("--campaign", "campaign_id", required=True, help="Campaign id.")
@click.option("--lang", "language", default="en", show_default=True,
              help="Language of the widget (en, de).")
@click.option("--rotate", is_flag=True, help="Give the campaign a new survey token first; "
              "the old one stops working at once.")
@pass_context
@reports_errors
def survey_embed(ctx: Context, campaign_id: str, language: str, rotate: bool) -> None:
    """Print the snippets a shop pastes into its thank-you page (ORDER_ID: the order id)."""
    from shortener.links.campaigns import get_campaign
    from shortener.survey import embed
    from shortener.survey.store import ensure_survey_tokens, rotate_survey_token
    from shortener.survey.translations import choose_language

    campaign = get_campaign(ctx.redis, campaign_id)
    token = rotate_survey_token(ctx.redis, campaign.id) if rotate else \
        ensure_survey_tokens(ctx.redis, [campaign.id])[campaign.id]
    language = choose_language(language)
    public_url = ctx.settings.public_url
    print_json({"campaign": campaign.id, "language": language,
                "survey_embed": embed.script_snippet(public_url, campaign.id, token, language),
                "survey_embed_frame": embed.frame_snippet(public_url, campaign.id, token,
                                                          language)})


@survey.command("erase")
@click.option("--campaign", "campaign_id", required=True, help="Campaign id.")
@click.option("--order", "order_id", required=True, help="The order whose answer's text goes.")
@pass_context
@reports_errors
def survey_erase(ctx: Context, campaign_id: str, order_id: str) -> None:
    """Erase what a customer typed with their answer (their request); the count stays."""
    from shortener.db import rewrite_persistence
    from shortener.errors import NotFound
    from shortener.links.campaigns import get_campaign
    from shortener.survey.erasure import erase_answer_text

    campaign = get_campaign(ctx.redis, campaign_id)
    answer = erase_answer_text(ctx.redis, campaign.id, order_id)
    if answer is None:
        raise NotFound(f"order {order_id!r} has no survey answer in campaign {campaign.id}",
                       field="order")
    rewrite_persistence(ctx.redis)
    print_json(answer.to_dict())
