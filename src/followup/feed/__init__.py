"""The subscription feed: published files and the WSGI server."""
