"""The `shortener` console script: parse arguments, call the domain, print JSON.

Bad arguments and domain errors end with one line on standard error and a
non-zero exit status, never a traceback.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any

import click
from redis.exceptions import RedisError

from shortener.config import ConfigError, Settings
from shortener.errors import ShortenerError


class Context:
    """Builds the app lazily, so `--help` needs no Redis."""

    def __init__(self) -> None:
        self._app: Any = None

    @property
    def app(self) -> Any:
        if self._app is None:
            from shortener import create_app

            self._app = create_app(Settings.from_env())
        return self._app

    @property
    def redis(self) -> Any:
        return self.app.extensions["redis"]

    @property
    def settings(self) -> Settings:
        return self.app.extensions["settings"]


pass_context = click.make_pass_decorator(Context, ensure=True)


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """shortener: tracked short links per advocate and campaign."""


@main.group()
def campaign() -> None:
    """Create campaigns."""


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
@pass_context
@reports_errors
def campaign_create(ctx: Context, name: str, destination: str, utm_source: str | None,
                    utm_medium: str | None, utm_campaign: str | None,
                    allowed_hosts: tuple[str, ...], channel_utm: bool) -> None:
    """Create a campaign and print it as JSON."""
    from shortener.links.campaigns import create_campaign

    utm = {"utm_source": utm_source, "utm_medium": utm_medium, "utm_campaign": utm_campaign}
    created = create_campaign(
        ctx.redis, name=name, destination=destination,
        utm={key: value for key, value in utm.items() if value},
        allowed_hosts=list(allowed_hosts), channel_utm=channel_utm,
    )
    print_json(created.to_dict())


@main.group()
def link() -> None:
    """Mint links."""


@link.command("mint")
@click.option("--campaign", "campaign_id", required=True, help="Campaign id.")
@click.option("--advocate", required=True, help="The advocate's external id.")
@click.option("--channel", help="Channel tag, e.g. whatsapp or email.")
@click.option("--alias", help="Custom short code.")
@click.option("--max-clicks", type=click.IntRange(min=1), help="Human clicks allowed.")
@pass_context
@reports_errors
def link_mint(ctx: Context, campaign_id: str, advocate: str, channel: str | None,
              alias: str | None, max_clicks: int | None) -> None:
    """Mint (or return the existing) link of an advocate and print it as JSON."""
    from shortener.links.advocates import get_advocate
    from shortener.links.minting import mint_link

    minted = mint_link(ctx.redis, ctx.settings, campaign_id=campaign_id, advocate=advocate,
                       channel=channel, alias=alias, max_clicks=max_clicks)
    data = link_json(ctx.settings, minted.link, get_advocate(ctx.redis, advocate))
    data["created"] = minted.created
    print_json(data)


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
    from shortener.links.minting import get_link

    get_link(ctx.redis, code)
    print_json({"code": code, **get_link_stats(ctx.redis, code)})


@main.group()
def user() -> None:
    """Marketer accounts for the dashboard."""


@user.command("create")
@click.option("--email", required=True, help="The marketer's e-mail address (their login).")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from standard input instead of generating one.")
@pass_context
@reports_errors
def user_create(ctx: Context, email: str, password_stdin: bool) -> None:
    """Create a dashboard account; a generated password is printed once, never stored."""
    from shortener.accounts.users import create_user, generate_password

    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else generate_password()
    created = create_user(ctx.redis, email=email, password=password)
    data: dict[str, Any] = created.to_dict()
    if not password_stdin:
        data["password"] = password
    print_json(data)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
