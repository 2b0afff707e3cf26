"""Capture: the only layer (with social connectors) that touches the web.

Fetcher, crawl plan, robots.txt, politeness, DNS/TLS facts, rendering and the WARC
archive arrive with the capture issue; nothing is implemented here yet.
"""
