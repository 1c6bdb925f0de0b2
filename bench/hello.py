"""A bare Flask application that only returns a short text: the framework's ceiling on this machine."""
from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    """A short text."""
    return "Hello, World!"
