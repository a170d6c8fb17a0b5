"""Measured times of the real-monitor scenarios, kept past pytest's
capture and rendered for doc/source/admin/monitors.rst.

Each scenario records ``(monitor, what, seconds)`` rows into a JSON file
(``$MASAKARI_MONITORS_RESULTS``, by default ``monitors-results.json``
beside the OpenStack suite's own results), rewritten on every record.
The committed copy is ``doc/source/admin/monitors-timings.json``; the
table the page includes is made from it with::

    python -m masakari.tests.e2e.openstack.monitors.timings \\
        doc/source/admin/monitors-timings.json \\
        > doc/source/admin/monitors-timings.inc
"""

import json
import os
import platform
import subprocess
import sys
import time

from masakari.tests.e2e.openstack.monitors import venv
from masakari.tests.fixtures import openstack_timings

_rows = []


def results_path():
    return os.environ.get('MASAKARI_MONITORS_RESULTS') or os.path.join(
        os.path.dirname(openstack_timings.results_path()),
        'monitors-results.json')


def _commit():
    result = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'],
                            capture_output=True, text=True,
                            cwd=os.path.dirname(__file__))
    return result.stdout.strip() or None


def record(monitor, what, seconds, **facts):
    """Add a row and rewrite the file (a crashed run keeps its rows)."""
    _rows.append(dict({'monitor': monitor, 'what': what,
                       'seconds': seconds}, **facts))
    path = results_path()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    data = {
        'written': time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime()),
        'commit': _commit(),
        'masakari_monitors': venv.VERSION,
        'python': platform.python_version(),
        'machine': '%d cores' % os.cpu_count(),
        'rows': _rows,
    }
    with open(path + '.tmp', 'w') as handle:
        json.dump(data, handle, indent=2)
        handle.write('\n')
    os.replace(path + '.tmp', path)


def render(data):
    """An rst list-table of the rows, with the run's facts above it."""
    lines = [
        '.. list-table:: Measured by the suite on %s (commit %s, '
        'masakari-monitors %s, Python %s, %s)' % (
            data['written'], data.get('commit'), data['masakari_monitors'],
            data['python'], data['machine']),
        '   :header-rows: 1',
        '   :widths: 25 55 20',
        '',
        '   * - Monitor',
        '     - From, to',
        '     - Seconds',
    ]
    for row in data['rows']:
        lines += ['   * - %s' % row['monitor'], '     - %s' % row['what'],
                  '     - %s' % row['seconds']]
    return '\n'.join(lines) + '\n'


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    with open(argv[0] if argv else results_path()) as handle:
        sys.stdout.write(render(json.load(handle)))


if __name__ == '__main__':
    main()
