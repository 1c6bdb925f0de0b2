"""Makeup tokens that run out: an available token past its date becomes Expired (a job, hourly)."""

from ..clock import local_today
from ..database import write_transaction
from ..models import MakeupToken


def expire_makeup_tokens(today=None):
    """Available tokens whose last valid day has passed become Expired; returns how many (pending ones stay:
    they are already applied to a makeup class)."""
    today = today or local_today()  # the school's date: UTC is a day ahead each evening
    with write_transaction():
        return MakeupToken.update(status=MakeupToken.EXPIRED).where(
            (MakeupToken.status == MakeupToken.AVAILABLE) & (MakeupToken.expires_on < today)).execute()
