"""Makeup tokens that run out: an available token past its date becomes Expired (a job, hourly)."""
import datetime

from ..database import write_transaction
from ..models import MakeupToken


def expire_makeup_tokens(today=None):
    """Available tokens whose last valid day has passed become Expired; returns how many (pending ones stay:
    they are already applied to a makeup class)."""
    today = today or datetime.date.today()
    with write_transaction():
        return MakeupToken.update(status=MakeupToken.EXPIRED).where(
            (MakeupToken.status == MakeupToken.AVAILABLE) & (MakeupToken.expires_on < today)).execute()
