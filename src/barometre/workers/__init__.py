"""Workers on a task queue: the barometer spread over several processes and machines.

The queue is Procrastinate, on the PostgreSQL the barometer already uses: tasks capture,
render, audit and read the social accounts of one collectivité of one edition; they are
idempotent and guarded by the leases of :mod:`barometre.storage.lease_repo`, so that a
duplicate delivery or a dead worker neither loses nor duplicates anything. A periodic
task runs the monthly edition. The embedded default (one process, SQLite) does not use
this package.
"""
