"""The deployment files: gunicorn's settings, its access log without health checks, and the files docs/deploy.md
names exist and agree with the code (the whole stack is started by `make prod-check`)."""
import os
import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def gunicorn_settings(monkeypatch, **environment):
    for name in ("WEB_CONCURRENCY", "GUNICORN_BIND"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))


def test_gunicorn_takes_its_workers_from_the_cpu_count(monkeypatch):
    settings = gunicorn_settings(monkeypatch)
    assert settings["workers"] == os.cpu_count() * 2 + 1 and settings["worker_class"] == "sync"
    assert settings["timeout"] == settings["graceful_timeout"] == 30 and settings["bind"] == "127.0.0.1:8000"
    assert settings["accesslog"] == "-"
    assert gunicorn_settings(monkeypatch, WEB_CONCURRENCY="3")["workers"] == 3


def test_the_access_log_leaves_out_the_health_checks(monkeypatch):
    from gunicorn.glogging import Logger

    logged = []
    monkeypatch.setattr(Logger, "access", lambda self, resp, req, environ, request_time: logged.append(environ["PATH_INFO"]))
    quiet = gunicorn_settings(monkeypatch)["AccessLogWithoutHealthChecks"]
    for path in ("/healthz", "/readyz", "/sign-in", "/healthz/x"):
        quiet.access(object.__new__(quiet), None, None, {"PATH_INFO": path}, None)
    assert logged == ["/sign-in", "/healthz/x"]


def test_the_files_the_deploy_guide_names_exist_and_run_the_right_things():
    guide = (ROOT / "docs" / "deploy.md").read_text()
    for name in ("gunicorn.conf.py", "cubby-web.service", "cubby-worker.service", "Procfile", "cubby.env.example",
                 "Caddyfile", "backup.cron"):
        assert f"deploy/{name}" in guide and (ROOT / "deploy" / name).exists(), name
    web = (ROOT / "deploy" / "cubby-web.service").read_text()
    assert "db upgrade" in web and "gunicorn -c deploy/gunicorn.conf.py wsgi:app" in web
    assert "huey_consumer webapp.worker.huey" in (ROOT / "deploy" / "cubby-worker.service").read_text()
    env = dict(line.split("=", 1) for line in (ROOT / "deploy" / "cubby.env.example").read_text().splitlines()
               if line and not line.startswith("#"))
    assert env["TRUSTED_PROXIES"] == "1" and env["JOBS_URL"].startswith("redis://")
    assert env["RATELIMIT_STORAGE_URI"].startswith("redis://") and env["DATABASE_URL"].startswith("postgresql://")
    assert "flask --app wsgi db backup" in (ROOT / "deploy" / "backup.cron").read_text()
    assert (ROOT / "webapp" / "worker.py").exists()  # what the consumer loads (importing it here would build an app)
