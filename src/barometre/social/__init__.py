"""Social layer: what the collectivités' accounts publish, where public data allows.

* connectors, one folder per platform with the same files (``client``, ``types``,
  ``urls``, ``errors``): Mastodon, Bluesky, YouTube, the site's own RSS/Atom feeds and
  the Meta Ad Library (sponsored posts), all on the shared HTTP layer
  (:mod:`barometre.net`) through :mod:`barometre.social.http`;
* imports of the exports an account owner downloads from closed platforms (Facebook,
  Instagram, X, LinkedIn, TikTok, Threads) and a CSV of declared figures;
* analysis (pure functions): metrics per account, re-publication of the site's news,
  themes and communication mode.

Every figure carries its :class:`~barometre.models.SocialSource`.
"""
