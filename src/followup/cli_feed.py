"""Feed commands: serve, feed urls, feed rotate, publish (being written)."""
