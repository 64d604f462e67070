"""The short-link middleware's 302 is the one werkzeug's redirect() would send."""

from __future__ import annotations

import pytest
from werkzeug.test import create_environ
from werkzeug.utils import redirect

from shortener.web.headers import add_security_headers
from shortener.web.redirect import _found

LOCATIONS = [
    "https://shop.example/spring?utm_source=x&utm_content=alice&sclid=ab.CD-ef_12",
    "https://shop.example/a%20b?q=1;2&r=(x)*!$'#frag/ment?",
    "https://shop.example/p|q?x={y}&z=[1]^`",
    "https://shop.example/say \"hi\"?<b>=>",
    "https://xn--bcher-kva.example/bücher?name=jürgen#über",
    "http://[2001:db8::1]:8080/path?x=1",
]


@pytest.mark.parametrize("location", LOCATIONS)
@pytest.mark.parametrize("secure", [False, True])
def test_it_answers_as_werkzeug_would(location, secure):
    expected = add_security_headers(redirect(location, code=302), secure=secure)
    expected.headers["Cache-Control"] = "no-store"
    environ = create_environ("/abc", "https://go.example" if secure else "http://go.example")
    wanted = dict(expected.get_wsgi_headers(environ).items())
    headers, body = _found(location, secure=secure)
    assert dict(headers) == wanted
    assert int(dict(headers)["Content-Length"]) == len(body)
