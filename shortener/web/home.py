"""GET /: the dashboard, which sends whoever is not signed in to the sign-in page."""

from __future__ import annotations

from flask import Blueprint, redirect, url_for
from werkzeug.wrappers import Response

bp = Blueprint("home", __name__)


@bp.get("/")
def home() -> Response:
    return redirect(url_for("dashboard.overview"))
