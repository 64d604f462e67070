from __future__ import annotations


def test_healthz_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_pings_redis(client):
    assert client.get("/readyz").json["redis"] == "ok"


def test_readyz_says_503_when_redis_is_gone(app, client):
    from shortener.config import Settings
    from shortener.db import connect

    app.extensions["redis"] = connect(Settings(redis_url="unix:///nonexistent/redis.sock"))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"


def test_secrets_are_made_once_and_kept(settings):
    from shortener import create_app
    from shortener.instance import SECRET_NAMES

    first = create_app(settings).extensions["settings"].secrets
    second = create_app(settings).extensions["settings"].secrets
    assert first == second
    assert set(first) == set(SECRET_NAMES)
    assert len(set(first.values())) == len(SECRET_NAMES)
    assert all(len(value) >= 32 for value in first.values())
