"""Timings of the OpenStack end-to-end suite, kept past pytest's capture.

The suite records the stack's bring-up time and each scenario's recovery
time in a JSON file (``$MASAKARI_OSLITE_RESULTS``, by default
``<openstack-lite dir>/e2e-results.json``). ``pytest_terminal_summary``
prints that file at the end of the run; under pytest-xdist it must be
imported by a conftest the controller loads (``masakari/tests/conftest.py``)
since only the workers load this package's conftest.
"""

import json
import os
import time

_LOADED = time.time()
_printed = []


def results_path():
    uid = os.geteuid()
    base = os.environ.get('MASAKARI_OSLITE_DIR') or (
        '/tmp/masakari-oslite' + ('-%d' % uid if uid else ''))
    return os.environ.get('MASAKARI_OSLITE_RESULTS') or os.path.join(
        base, 'e2e-results.json')


class Results:
    """Rows of (group, what, seconds), rewritten on every record so a
    crashed run still leaves what it measured."""

    def __init__(self, path=None):
        self.path = path or results_path()
        self.rows = []

    def reset(self):
        self.rows = []
        try:
            os.unlink(self.path)
        except OSError:
            pass

    def record(self, group, what, seconds):
        self.rows.append({'group': group, 'what': what, 'seconds': seconds})
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        tmp = self.path + '.tmp'
        with open(tmp, 'w') as handle:
            json.dump({'written': time.time(), 'rows': self.rows}, handle,
                      indent=2)
        os.replace(tmp, self.path)


def pytest_terminal_summary(terminalreporter):
    """Print this run's results file, once per process."""
    if _printed:
        return
    try:
        with open(results_path()) as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return
    if data.get('written', 0) < _LOADED:
        return                        # left by an earlier run
    _printed.append(True)
    terminalreporter.write_sep('=', 'OpenStack-lite timings (%s)'
                               % results_path())
    for row in data['rows']:
        seconds = row['seconds']
        text = '%8.1f s' % seconds if isinstance(seconds, (int, float)) \
            else '%10s' % seconds
        terminalreporter.write_line('%s  %-14s %s' % (text, row['group'],
                                                      row['what']))
