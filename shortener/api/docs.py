"""The OpenAPI document and a browsable page for it, served from our own static files."""

from __future__ import annotations

from typing import Any

from flask import jsonify, render_template

from shortener.api import bp
from shortener.api.openapi import spec


@bp.get("/openapi.json")
def openapi_document() -> Any:
    return jsonify(spec.spec)


@bp.get("/docs")
def docs_page() -> str:
    return render_template("api/docs.html")
