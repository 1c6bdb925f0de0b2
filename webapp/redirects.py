"""Where to send the user next: the one gate for redirect targets that come from a request."""
from urllib.parse import quote

# Left as they are: RFC 3986's reserved and unreserved characters (quote never touches letters and digits),
# and "%" so that escapes already made are not escaped twice.
_AS_IS = "!#$%&'()*+,/:;=?@[]~-._"


def safe_next(target):
    """The target as a path on this site, ready for a Location header; None when it is anything else."""
    if not isinstance(target, str) or not target.startswith("/") or len(target) > 2000:
        return None
    # A browser drops tabs and newlines and reads "\" as "/", so "/\t/evil.com" and "/\evil.com" mean
    # "//evil.com"; werkzeug refuses CR and LF in a header. No path of ours holds a control character.
    if any(c < " " or "\x7f" <= c <= "\x9f" or c == "\\" for c in target):
        return None
    try:
        path = quote(target, safe=_AS_IS)  # spaces and non-ASCII as UTF-8 escapes: a header carries ASCII only
    except UnicodeEncodeError:  # a lone surrogate is no text a link could carry
        return None
    return None if path.startswith("//") else path  # "//host" is another site
