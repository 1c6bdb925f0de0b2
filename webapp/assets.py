"""Static files under content-hashed names, compressed, served by WhiteNoise with far-future cache headers.

`flask assets build` (run by `make setup` and on each deploy) copies every shell file to static/build/ under a name
that carries a hash of its content (css/cubby.3f2a9c1e.css), writes a gzip copy beside it and a manifest.json.
Pages name files through `asset()`, so a deploy that changes a file changes its address and no phone keeps a
stale copy; the service worker's precache list is made from the same manifest. WhiteNoise answers only those
/static/ addresses; every other request goes to Flask.
"""
import hashlib
import json
import logging
import os
import shutil
from pathlib import Path

import click
from flask import current_app, url_for
from flask.cli import AppGroup
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

log = logging.getLogger(__name__)
assets_cli = AppGroup("assets", help="Static files.")
BUILD = "build"
# What pages link to. The web app manifest and the icons it names keep their plain names: an installed app
# looks them up by those, and Flask serves them with a short max-age.
SHELL = ["css/cubby.css", "js/cubby.js", "vendor/htmx.min.js", "icons/icon-192.png", "icons/apple-touch-icon.png"]
YEAR = 365 * 24 * 3600


def hashed_name(name, content):
    """css/cubby.css -> css/cubby.<8 hex of its SHA-256>.css"""
    path = Path(name)
    return str(path.with_name(f"{path.stem}.{hashlib.sha256(content).hexdigest()[:8]}{path.suffix}"))


def build(static_folder):
    """Write static/build/ afresh: hashed copies, their gzip twins and the manifest. Returns the manifest."""
    static, target = Path(static_folder), Path(static_folder) / BUILD
    staging, old = target.with_name(f"{BUILD}.new.{os.getpid()}"), target.with_name(f"{BUILD}.old.{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    manifest = {}
    for name in SHELL:
        content = (static / name).read_bytes()
        manifest[name] = hashed_name(name, content)
        (staging / manifest[name]).parent.mkdir(parents=True, exist_ok=True)
        (staging / manifest[name]).write_bytes(content)
    compressor = Compressor(use_brotli=False, quiet=True)
    for path in list(staging.rglob("*")):
        if path.is_file() and compressor.should_compress(path.name):
            list(compressor.compress(str(path)))
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
    if target.exists():
        target.rename(old)
    try:
        staging.rename(target)
    except OSError:  # another build put the same files there a moment ago
        shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
    return manifest


def asset(name):
    """The address of a static file: its hashed name when built, else the plain one (a checkout not yet built)."""
    hashed = current_app.extensions["cubby_assets"].get(name)
    return f"{current_app.static_url_path}/{hashed}" if hashed else url_for("static", filename=name)


def _immutable(path, url):
    return True  # every file under static/build carries its content's hash in its name


def _nosniff(headers, path, url):
    headers["X-Content-Type-Options"] = "nosniff"


def init_app(app):
    manifest_path = Path(app.static_folder) / BUILD / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    if not manifest:
        log.warning("static/build is missing: run `flask --app wsgi assets build`; serving files by their plain names")
    app.extensions["cubby_assets"] = manifest
    app.jinja_env.globals["asset"] = asset
    if manifest:
        app.wsgi_app = WhiteNoise(app.wsgi_app, root=str(manifest_path.parent), prefix=app.static_url_path.lstrip("/"),
                                  max_age=YEAR, immutable_file_test=_immutable, add_headers_function=_nosniff)
    app.cli.add_command(assets_cli)


@assets_cli.command("build")
def build_command():
    """Hash, copy and compress the static shell files into static/build."""
    manifest = build(current_app.static_folder)
    click.echo(f"{len(manifest)} static files built into static/{BUILD}")
