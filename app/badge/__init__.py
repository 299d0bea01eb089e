"""Certificates (badges): the payload format and its verification, trust and revocation lists,
issuer keys, issuing, QR codes."""
