"""Headquarters' service: enrolment of laptops, records in, event packages out.

See docs/sync-protocol.md. Nothing here imports Qt.
"""
