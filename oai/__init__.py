"""OAI-PMH 2.0: request parsing, tokens, formats and crosswalks, verb builders, harvesting.

Pure protocol code: no Flask, no IIIF. Functions take a store session, the parsed request and
the settings, and return bytes.
"""
