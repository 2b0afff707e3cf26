"""The shared HTTP layer of the capture and social stages.

``guard`` (which addresses may be reached), ``resolver`` (name resolution under that
guard, pinned answers), ``fetcher`` (the polite, bounded aiohttp client with named
outcomes, retries and ``Retry-After``) and ``warc`` (recording exchanges in WARC files
and replaying them offline). Only ``barometre.capture`` and ``barometre.social`` import
this package: checks, scoring and publishing never touch the network.
"""
