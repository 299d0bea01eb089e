"""Sync with headquarters: the protocol shared with HQ, laptop rows as records, the laptop's
client."""
