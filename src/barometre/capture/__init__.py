"""Capture: crawl plan, robots.txt, per-site capture, DNS/TLS facts, browser rendering.

With the social connectors, the only stage that touches the web; both go through the
shared HTTP layer in :mod:`barometre.net`.
"""
