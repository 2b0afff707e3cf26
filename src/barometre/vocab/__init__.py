"""The project's shared words, one module per concept, importable by every layer.

* :mod:`.text`: accent folding and text normalisation;
* :mod:`.fr`: French numbers, percentages, scores, dates and plurals;
* :mod:`.platforms`: the social platforms (ids, display names, hosts, URL rules);
* :mod:`.status`: the labels of result statuses, fetch outcomes, confidence, sources;
* :mod:`.cms`: CMS and provider display names;
* :mod:`.authorities`: authority kinds and their labels, and references to a
  collectivité (``commune:75056``, ``75056``, ``75`` with a type).

Pure modules: no I/O beyond reading bundled data, no network, no database.
"""
