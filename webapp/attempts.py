"""Limits on password attempts: an attempt is counted before its password is checked, and given back if it was right."""
# Counting first means a burst of guesses gets no more password checks than the limit (testing first and counting
# after the check let a whole burst through); giving a right password's attempt back keeps "only failures count".
# The counters live in the `limits` library's storage: in memory for one process, in Redis for several workers.
import contextlib
import math
import threading
import time
from dataclasses import dataclass
from functools import lru_cache

from flask import current_app
from limits import parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import ServiceUnavailable

LIMIT_SETTINGS = ("SIGNIN_LIMIT_PER_ACCOUNT", "SIGNIN_LIMIT_PER_IP", "RESET_LIMIT_PER_ACCOUNT", "RESET_LIMIT_PER_IP")  # checked at start-up


class TooManyAttempts(Exception):
    """A limit is used up; the message says which one and when to try again."""

    def __init__(self, refusal, retry_after):
        self.retry_after = retry_after
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(f"{refusal} Try again in {minutes} minute{'s' if minutes > 1 else ''}.")


@dataclass(frozen=True)
class Limit:
    """One counter: the setting that holds its rate ("5 per 5 minutes"), whose attempts it counts, what to say."""

    setting: str
    key: str
    refusal: str


class Attempt:
    """One attempt, counted against each of its limits."""

    def __init__(self, counter, counted):
        self._counter, self._counted = counter, counted

    def give_back(self):
        """The password was right: this attempt no longer counts."""
        for rate, key in self._counted:
            self._counter.uncount(rate, key)
        self._counted = []


class AttemptCounter:
    """The counters of one app, in the storage RATELIMIT_STORAGE_URI names."""

    def __init__(self, storage_uri, key_prefix=""):
        self.storage = storage_from_string(storage_uri)
        self.window = FixedWindowRateLimiter(self.storage)
        self.key_prefix = f"{key_prefix}/" if key_prefix else ""
        # limits 5.8's memory storage restarts its expiry timer without a lock: two threads at once can start the
        # same timer twice (RuntimeError), so one thread at a time uses it. Redis needs no such lock.
        self._one_at_a_time = threading.RLock() if isinstance(self.storage, MemoryStorage) else contextlib.nullcontext()

    def count(self, *limits):
        """Count one attempt against each limit; TooManyAttempts (counting nothing) when one is used up."""
        counted = []
        try:
            with self._one_at_a_time:
                for limit in limits:
                    rate, key = _rate(current_app.config[limit.setting]), self.key_prefix + limit.key
                    counted.append((rate, key))
                    if not self.window.hit(rate, key):
                        Attempt(self, counted).give_back()  # refused: no password is checked, so nothing counts
                        reset_at = self.window.get_window_stats(rate, key).reset_time
                        raise TooManyAttempts(limit.refusal, max(1, math.ceil(reset_at - time.time())))
        except self.storage.base_exceptions as error:  # fail closed: no password check without its counter
            raise ServiceUnavailable() from error
        return Attempt(self, counted)

    def uncount(self, rate, key):
        """Take one attempt off the counter, never below zero."""
        with self._one_at_a_time:
            left = self.storage.incr(rate.key_for(key), rate.get_expiry(), amount=-1)
            if left < 0:  # the window ended in between: the next one must not start with attempts in hand
                self.storage.incr(rate.key_for(key), rate.get_expiry(), amount=-left)


@lru_cache(maxsize=32)
def _rate(setting):
    """The parsed rate; a setting that does not parse is a ValueError at start-up (init_app)."""
    return parse(setting)


def count_attempt(*limits):
    """Count a password attempt against each limit before the password is checked (see AttemptCounter.count)."""
    return current_app.extensions["attempts"].count(*limits)


def init_app(app):
    for setting in LIMIT_SETTINGS:
        _rate(app.config[setting])
    app.extensions["attempts"] = AttemptCounter(app.config["RATELIMIT_STORAGE_URI"], app.config["RATELIMIT_KEY_PREFIX"])
