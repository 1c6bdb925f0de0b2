"""Health checks: /healthz answers while the process is up, /readyz only when the database and the queue answer;
neither sets a cookie nor reads the session, and neither is logged."""
import logging

from webapp.health import QuietHealthChecks, is_health_check


def test_healthz_answers_without_a_session_cookie(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_data(as_text=True) == "ok\n"
    assert "Set-Cookie" not in response.headers and response.headers["Cache-Control"] == "no-store"


def test_readyz_checks_the_database_and_the_queue(client):
    response = client.get("/readyz")
    assert response.status_code == 200 and response.get_data(as_text=True) == "ready\n"
    assert "Set-Cookie" not in response.headers


def test_readyz_is_503_when_the_database_is_gone(app_with, tmp_path):
    app = app_with(DATABASE_URL=f"sqlite:///{tmp_path}/missing/folder/cubby.sqlite3")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503 and "database" in response.get_data(as_text=True)
    assert app.test_client().get("/healthz").status_code == 200  # the process itself is up


def test_readyz_is_503_when_the_queue_is_unreachable(client, monkeypatch):
    from webapp import jobs

    def down():
        raise ConnectionError("redis is down")

    monkeypatch.setattr(jobs.huey, "pending_count", down)
    response = client.get("/readyz")
    assert response.status_code == 503 and response.get_data(as_text=True) == "not ready: queue not reachable\n"


def test_health_checks_stay_out_of_the_request_logs():
    quiet = QuietHealthChecks()

    def record(message):
        return logging.LogRecord("werkzeug", logging.INFO, "", 0, message, (), None)

    assert not quiet.filter(record('127.0.0.1 - - [01/Dec/2026 10:00:00] "GET /healthz HTTP/1.1" 200 -'))
    assert not quiet.filter(record('127.0.0.1 - - [01/Dec/2026 10:00:00] "GET /readyz HTTP/1.1" 503 -'))
    assert quiet.filter(record('127.0.0.1 - - [01/Dec/2026 10:00:00] "GET /billing/cart HTTP/1.1" 200 -'))
    assert not is_health_check('"GET /healthzz HTTP/1.1"') and is_health_check('"GET /readyz?probe=1 HTTP/1.1"')
