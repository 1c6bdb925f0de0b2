"""localstripe (a stateful fake Stripe server) on one loopback port, its state in memory only.

localstripe pickles its whole store to /tmp/localstripe.pickle after every change, shared by every run on the
machine; the tests' server keeps nothing, so runs side by side never see each other's objects.
"""
import sys

from aiohttp import web

import localstripe.resources

localstripe.resources.Store.dump_to_disk = lambda self: None

from localstripe.server import app  # noqa: E402 (after the patch above)

if __name__ == "__main__":
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
