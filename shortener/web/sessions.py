"""Flask's signed-cookie sessions, never opened on the redirect.

A short link must not read or set a cookie, and building the session's
signing serializer on every click costs the hot path for nothing. Flask
opens the session before it matches the route, so the path decides.
"""

from __future__ import annotations

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

from shortener.links.codes import is_short_link_path


class SessionInterface(SecureCookieSessionInterface):
    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if is_short_link_path(request.path):
            return self.null_session_class()
        return super().open_session(app, request)
