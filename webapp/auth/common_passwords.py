"""Commonly used passwords: zxcvbn's list of the 30,000 passwords most found in leaked password sets."""
from functools import cache


@cache
def common_passwords():
    """The list as a lower-case frozenset, loaded once per process, on the first password set."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # about 18 MB with zxcvbn's other lists: only when needed

    return frozenset(password.lower() for password in FREQUENCY_LISTS["passwords"])


def is_common(password):
    """True when the password, in any letter case, is on the list."""
    return password.lower() in common_passwords()
