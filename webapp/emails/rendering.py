"""Staff's own email texts, rendered in a sandbox that sees only the plain values documented for each kind.

No model object ever reaches these templates and no attribute may be read, so `{{ order_number }}` works and
`{{ "".__class__ }}` or `{{ name.upper() }}` do not. The HTML part is the text part with every character escaped
(what staff type included, not only the values), in paragraphs, its web addresses made links.
"""
import re

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup, escape

LONGEST_RENDERED = 20_000  # characters: an email body, not a loop gone wild


class TemplateProblem(Exception):
    """The subject or body cannot be sent; the message says why, in staff's words."""


class _PlainValuesEnvironment(ImmutableSandboxedEnvironment):
    """Placeholders, filters and tags, but no attribute of anything, and no string multiplied into gigabytes."""

    intercepted_binops = frozenset({"*", "**"})

    def is_safe_attribute(self, obj, attr, value):
        return False

    def call_binop(self, context, operator, left, right):
        if operator == "**" or isinstance(left, str) or isinstance(right, str):
            raise SecurityError("repeating text is not allowed")
        return super().call_binop(context, operator, left, right)


_environment = _PlainValuesEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
# Only filters that cannot blow a value up (no center, indent, wordwrap to a billion) and no globals (no range
# to loop a billion times): a staff member's typo must not hang a request.
_environment.filters = {name: _environment.filters[name] for name in (
    "default", "d", "upper", "lower", "title", "capitalize", "trim", "truncate", "replace", "length", "first", "last")}
_environment.globals = {}


def render_text(source, values):
    """The template filled with the values; TemplateProblem for an unknown placeholder, a syntax error or an
    attempt to reach past the values."""
    try:
        text = _environment.from_string(source).render(values)
    except TemplateSyntaxError as error:
        raise TemplateProblem(f"Line {error.lineno}: {error.message}. Placeholders look like "
                              "{{ order_number }}.") from None
    except SecurityError:
        raise TemplateProblem("Use the placeholders by their names alone: emails cannot read anything "
                              "else (no dots or brackets after a name).") from None
    except UndefinedError as error:
        raise TemplateProblem(f"Unknown placeholder: {_undefined_name(error)}. Use one of those listed.") from None
    except Exception as error:  # noqa: BLE001 (anything a template may do wrong, e.g. adding text to a number)
        raise TemplateProblem(f"This cannot be filled in: {error}.") from None
    if len(text) > LONGEST_RENDERED:
        raise TemplateProblem(f"Filled in, this is longer than {LONGEST_RENDERED:,} characters.")
    return text


def _undefined_name(error):
    found = re.match(r"'([^']+)' is undefined", str(error))
    return f"{{{{ {found.group(1)} }}}}" if found else str(error)


def render_subject(source, values):
    """One line of at most 200 characters (what a subject holds)."""
    subject = " ".join(render_text(source, values).split())
    if not subject:
        raise TemplateProblem("Filled in, the subject is empty.")
    if len(subject) > 200:
        raise TemplateProblem("Filled in, the subject is longer than 200 characters.")
    return subject


_WEB_ADDRESS = re.compile(r"https?://[^\s<>\"']+")


def _linked(line):
    """One line of text, escaped, its web addresses made links."""
    out, last = [], 0
    for found in _WEB_ADDRESS.finditer(line):
        address = found.group(0).rstrip(".,;:)")
        out += [escape(line[last:found.start()]), Markup('<a href="{0}">{0}</a>').format(address)]
        last = found.start() + len(address)
    out.append(escape(line[last:]))
    return Markup("").join(out)


def html_paragraphs(text):
    """The text part as HTML paragraphs (a blank line between them, line breaks kept), everything escaped."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return [Markup("<br>\n").join(_linked(line) for line in p.splitlines()) for p in paragraphs]
