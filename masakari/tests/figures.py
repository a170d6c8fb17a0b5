"""Figures of the fault and load tests, for
doc/source/reference/reliability.rst.

A test that measures a scenario calls ``emit(scenario, **figures)``. When
the environment variable ``MASAKARI_FIGURES_FILE`` names a file, one JSON
line is appended to it (under a lock: pytest-xdist workers write at once);
otherwise nothing happens, so tests cost nothing extra by default.
``python -m benchmarks.reliability_report`` turns the lines into the page.
"""

import datetime
import fcntl
import functools
import json
import os

from benchmarks import conditions

ENV = 'MASAKARI_FIGURES_FILE'
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


@functools.lru_cache(maxsize=1)
def _git():
    """The checkout the figures are measured at (read once per process)."""
    return conditions.git_state(ROOT)


def enabled():
    return bool(os.environ.get(ENV))


def emit(scenario, **figures):
    """Append ``{"scenario": ..., **figures}`` to the figures file.

    Keep ``figures`` JSON-serializable: counts, seconds, small dicts.
    The test's id (``PYTEST_CURRENT_TEST``) and the commit are recorded
    with them.
    """
    path = os.environ.get(ENV)
    if not path:
        return
    record = {'scenario': scenario,
              'test': os.environ.get('PYTEST_CURRENT_TEST', '').split(' ')[0],
              'at': datetime.datetime.now(datetime.timezone.utc).isoformat(
                  timespec='seconds'),
              'git': _git()}
    record.update(figures)
    line = json.dumps(record, sort_keys=True) + '\n'
    with open(path, 'a') as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            handle.write(line)
            handle.flush()
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def emit_outcome(scenario, *, faults, posted, accepted, reached,
                 recoveries, **extra):
    """The figures every fault scenario shares.

    ``posted``: notifications the monitors sent; ``accepted``: stored;
    ``reached``: stored ones that ended as the test expects (a recovery
    Nova keeps refusing ends ``failed``); ``recoveries``: how many times
    Nova recovered (evacuated or restarted) each HA instance involved.
    """
    emit(scenario, faults=faults, posted=posted, accepted=accepted,
         lost=accepted - reached, instances=len(recoveries),
         double=sum(count > 1 for count in recoveries), **extra)


def read(path):
    """Every record of a figures file, in order."""
    with open(path) as handle:
        return [json.loads(line) for line in handle if line.strip()]
