"""The barometer's national figures, computed from the indicator catalogue
(:mod:`barometre.methodology.indicators`): per peer group, per edition (the series),
per département and région (the maps)."""
