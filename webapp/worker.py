"""The job consumer's entry point: `huey_consumer webapp.worker.huey` builds the app the jobs run in."""
from . import create_app
from .jobs import huey  # noqa: F401 (what huey_consumer loads)

app = create_app()
