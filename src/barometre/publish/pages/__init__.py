"""The site's pages as data: typed page models (:mod:`.models`), their builders from
storage rows and from what other stages computed (:mod:`.build`), and the one list of
pages that drives the build, the navigation, the site map and ``sitemap.xml``
(:mod:`.registry`)."""
