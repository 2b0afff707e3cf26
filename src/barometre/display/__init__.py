"""Rich display of the pipeline's typed reports, one module per report kind.

The command line (:mod:`barometre.cli`) parses options, calls :mod:`barometre.pipeline`
and hands the report it gets back to the function here that shows it: tables, panels and
the French lines that go with them. These modules read typed reports only; an
import-linter contract keeps them away from ``storage`` and the stage packages.
"""
