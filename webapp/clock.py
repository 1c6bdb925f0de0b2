"""The business's local time: meetings are stored and compared in it."""
import datetime
from zoneinfo import ZoneInfo

from .templating import current_company


def local_now():
    """Now, as naive local time of the company."""
    return datetime.datetime.now(ZoneInfo(current_company().timezone)).replace(tzinfo=None, microsecond=0)


def local_today():
    """Today, as the company's calendar has it."""
    return local_now().date()
