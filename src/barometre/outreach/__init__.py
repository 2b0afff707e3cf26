"""Reaching the people measured: check one site now (:mod:`.check`), tell each
collectivité what its edition says (:mod:`.notify`), explore an edition live
(:mod:`.explore`).

Cross-stage wiring, like the pipeline: these modules call the stages (capture, checks,
scoring, publish) and storage; the command line only wraps them."""
