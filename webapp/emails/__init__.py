"""Email: links that work outside a request, opt-outs and the unsubscribe pages."""
