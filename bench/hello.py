"""Bare Flask applications: the framework's ceiling on this machine, and the floor of a form post."""
from flask import Flask, request
from flask_wtf import CSRFProtect
from flask_wtf.csrf import generate_csrf

app = Flask(__name__)


@app.route("/")
def hello():
    """A short text."""
    return "Hello, World!"


# What every Cubby form post pays before it does anything: the signed session cookie, Flask-WTF's
# CSRF check and the form. Measured beside hello so the post targets can be read against it.
form_post = Flask(__name__)
form_post.secret_key = "bench only"
CSRFProtect(form_post)


@form_post.route("/", methods=["GET", "POST"])
def checked_post():
    """GET: a CSRF token (and the session cookie holding its seed); POST: checks it and echoes a field."""
    return generate_csrf() if request.method == "GET" else "ok " + request.form.get("reason", "")
