"""Sync: storages (vdir folder, CalDAV collection, ...) and the engine that drives them.

The storage interface and its errors are in :mod:`followup.sync.storage`.
"""
