"""Helpers of the getting-in tests: links read from the mail sent, Dana's guardians by name."""
import re

from webapp.models import Guardian, User


def link_in(message, path):
    """The first absolute link to `path` in a sent message's plain-text part, as a path (what a browser opens)."""
    found = re.search(r"https?://[^/\s]+(" + re.escape(path) + r"[^\s]*)", message.body)
    assert found, f"no {path} link in: {message.body}"
    return found.group(1)


def last_mail_to(outbox, address):
    sent = [m for m in outbox if address in m.to]
    assert sent, f"nothing was sent to {address}"
    return sent[-1]


def guardian_named(name):
    return Guardian.select(Guardian, User).join(User).where(User.name == name).get()
