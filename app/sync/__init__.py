"""Sync with headquarters: the protocol shared with HQ (protocol, kinds), laptop rows as
records and back (records, apply), and the laptop's client (client, enrolment, transport,
upload, download, state)."""
