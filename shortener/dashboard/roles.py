"""What each dashboard role may do, enforced before any dashboard view runs.

- admin: everything, the users and webhooks pages included.
- editor: campaigns, links, advocates, conversions; not users.
- viewer: figures only. Advocates appear by their id, never by name or
  contact, and no form is shown; a write attempted anyway is refused (403).

Checked once for the whole dashboard blueprint, as the API checks keys, so
that no view can forget it. A user whose password was reset is sent to the
password page before anything else. Sign-in itself stays in auth.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Flask, abort, g, redirect, request, session, url_for

from shortener.accounts.users import get_user
from shortener.dashboard import views
from shortener.dashboard.tables import Table
from shortener.db import get_redis

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Pages that are nothing but a form: a viewer has no use for them. And the payout
# export, which lists advocates' names and contacts.
EDITOR_PAGES = frozenset({"dashboard.new_campaign", "dashboard.edit_campaign",
                          "dashboard.rewards_export"})
# Every users, webhooks and API keys endpoint, the forms that post to them included:
# checking only the page would let an editor post a role change, a deletion or a new
# key straight to its URL.
ADMIN_PAGES = frozenset({"dashboard.users", "dashboard.user_role", "dashboard.user_delete",
                         "dashboard.user_reset_password", "dashboard.webhooks",
                         "dashboard.webhook", "dashboard.webhook_delete",
                         "dashboard.webhook_retry", "dashboard.api_keys",
                         "dashboard.api_key_revoke"})
# Columns that carry an advocate's personal data, hidden from viewers (and
# from their CSV exports).
PERSONAL_COLUMNS = frozenset({"name", "contact"})
PERSONAL_TABLES = frozenset({"advocates"})


def can_edit(role: str | None) -> bool:
    return role in {"admin", "editor"}


def can_administer(role: str | None) -> bool:
    return role == "admin"


def sees_personal_data(role: str | None) -> bool:
    return role in {"admin", "editor"}


@views.bp.before_request
def enforce_role() -> Any:
    """403 for what the signed-in user's role does not allow; login_required, which
    runs after, still decides who is signed in."""
    email = session.get("user")
    if not email:
        return None
    user = get_user(get_redis(), email)
    if user is None:
        return None
    g.role = user.role
    if user.must_change_password:
        return redirect(url_for("account.password"))
    if request.endpoint in ADMIN_PAGES and not can_administer(user.role):
        abort(403)
    if (request.method not in SAFE_METHODS or request.endpoint in EDITOR_PAGES) \
            and not can_edit(user.role):
        abort(403)
    return None


def without_personal_data(tables: Iterable[Table]) -> list[Table]:
    """The tables as the signed-in role may see them: for viewers, no names."""
    if sees_personal_data(g.get("role")):
        return list(tables)
    return [Table(table.name, table.title,
                  [column for column in table.columns
                   if not (table.name in PERSONAL_TABLES and column.key in PERSONAL_COLUMNS)],
                  table.rows, table.empty)
            for table in tables]


def init_app(app: Flask) -> None:
    @app.context_processor
    def role_flags() -> dict[str, Any]:
        role = g.get("role")
        return {"can_edit": can_edit(role), "can_administer": can_administer(role),
                "sees_personal_data": sees_personal_data(role)}
