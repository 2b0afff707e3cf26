"""The pipeline: one library function per stage, and their order (``pipeline.run``).

Each stage module takes a :class:`~barometre.pipeline.core.Setup` (settings and
database) and an edition, and returns a typed report; the command line, the
demonstration, the tests and the benchmarks call them. Nothing below imports the
pipeline; the command line reaches the stages only through it.
"""

from barometre.pipeline.core import EditionRun, Setup, check_edition, open_edition
from barometre.pipeline.run import ORDER, STAGES, Stage, run_stages

__all__ = [
    "ORDER",
    "STAGES",
    "EditionRun",
    "Setup",
    "Stage",
    "check_edition",
    "open_edition",
    "run_stages",
]
