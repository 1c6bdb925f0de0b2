"""Fault and load tests against real gunicorn processes (make reliability)."""
