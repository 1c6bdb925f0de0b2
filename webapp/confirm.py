"""Irreversible actions ask once: a post without confirm=yes answers with the question, the same post with it acts.

It works without JavaScript (the question is a page with a form), and under htmx the question takes the page's
main content, with the answer buttons where the thumb is.
"""
from flask import request

from .extensions import htmx
from .templating import render


def confirmed():
    """True when the post carries the answer to ask_first()'s question."""
    return request.form.get("confirm") == "yes"


def ask_first(question, detail, yes, back, **fields):
    """The question page: "yes" posts the same form again with confirm=yes; "no" goes back and changes nothing."""
    response = render("confirm.html", "confirm", question=question, detail=detail, yes=yes, back=back,
                      action=request.path, fields=fields)
    if htmx:
        response.headers.update({"HX-Retarget": "#main", "HX-Reswap": "innerHTML"})
    return response
