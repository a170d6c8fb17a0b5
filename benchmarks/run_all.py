"""Run every benchmark and regenerate the performance page.

    python -m benchmarks.run_all            # ~8 minutes; rewrites
                                            # doc/source/reference/
                                            #   performance.rst and
                                            # doc/source/_static/perf/*.png
    python -m benchmarks.run_all --quick    # ~2 minutes; writes everything
                                            # to benchmarks/results/quick/

The raw results go next to the page's sources as JSON
(``benchmarks/results/<mode>.json``); ``--report-only`` rebuilds the page
from them without running anything.
"""

import argparse
import datetime
import json
import os
import sys
import time

from benchmarks import api_load
from benchmarks import machine
from benchmarks import recovery
from benchmarks import report

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, 'benchmarks', 'results')
DOC_RST = os.path.join(ROOT, 'doc', 'source', 'reference',
                       'performance.rst')
DOC_IMAGES = os.path.join(ROOT, 'doc', 'source', '_static', 'perf')


def _wait_for_quiet(max_load, patience, out):
    """Wait (up to ``patience`` s) for the load average to fall below
    ``max_load``: the machine may be shared."""
    deadline = time.monotonic() + patience
    while True:
        load = machine.load_average()
        if load is None or load < max_load or time.monotonic() > deadline:
            return load
        out.write('load average %.1f >= %.1f; waiting\n' % (load, max_load))
        out.flush()
        time.sleep(15)


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m benchmarks.run_all',
                                     description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true',
                        help='short runs; output to benchmarks/results/quick')
    parser.add_argument('--skip-recovery', action='store_true',
                        help='keep the recovery results of the last run')
    parser.add_argument('--skip-api', action='store_true',
                        help='keep the API results of the last run')
    parser.add_argument('--report-only', action='store_true',
                        help='rebuild the page from the saved JSON')
    parser.add_argument('--max-load', type=float, default=None,
                        help='first wait (up to 10 minutes) for the 1-minute '
                             'load average to drop below this')
    parser.add_argument('--output', help='directory for the page and plots '
                                         '(default: the docs; quick: '
                                         'benchmarks/results/quick)')
    args = parser.parse_args(argv)
    mode = 'quick' if args.quick else 'full'
    out = sys.stdout
    if args.output:
        rst, images = (os.path.join(args.output, 'performance.rst'),
                       args.output)
    elif args.quick:
        target = os.path.join(RESULTS, 'quick')
        rst, images = os.path.join(target, 'performance.rst'), target
    else:
        rst, images = DOC_RST, DOC_IMAGES
    os.makedirs(os.path.dirname(rst), exist_ok=True)
    json_path = os.path.join(RESULTS, '%s.json' % mode)
    if args.report_only:
        with open(json_path) as handle:
            results = json.load(handle)
    else:
        previous = {}
        if os.path.exists(json_path):
            with open(json_path) as handle:
                previous = json.load(handle)
        results = run(args, mode, out, previous)
        os.makedirs(RESULTS, exist_ok=True)
        with open(json_path, 'w') as handle:
            json.dump(results, handle, indent=1)
    for path in report.write(results, rst, images):
        out.write('wrote %s\n' % os.path.relpath(path, ROOT))
    return 0


def run(args, mode, out, previous):
    """Run the benchmarks not skipped; a skipped one keeps its previous
    results (from the JSON of the same mode), so one part can be rerun."""
    if args.max_load:
        _wait_for_quiet(args.max_load, 600, out)
    started = time.monotonic()
    command = 'python -m benchmarks.run_all' + (' --quick' if args.quick
                                                else '')
    results = {'mode': mode, 'command': command,
               'date': datetime.datetime.utcnow().strftime('%Y-%m-%d'),
               'machine': machine.describe(),
               'load_average': {'start': machine.load_average()}}
    flag = ['--quick'] if args.quick else []
    if not args.skip_recovery:
        out.write('== recovery benchmark\n')
        rec_args = recovery.parser().parse_args(flag)
        load_start = machine.load_average()
        results['recovery'] = recovery.run(rec_args, out)
        results['recovery']['minutes'] = (time.monotonic() - started) / 60
        results['recovery']['load_average'] = {
            'start': load_start, 'end': machine.load_average()}
    elif previous.get('recovery'):
        results['recovery'] = previous['recovery']
    if not args.skip_api:
        out.write('== API benchmark\n')
        api_args = api_load.parser().parse_args(flag)
        api_started = time.monotonic()
        load_start = machine.load_average()
        results['api'] = api_load.run(api_args, out)
        results['api']['minutes'] = (time.monotonic() - api_started) / 60
        results['api']['load_average'] = {
            'start': load_start, 'end': machine.load_average()}
    elif previous.get('api'):
        results['api'] = previous['api']
    results['load_average']['end'] = machine.load_average()
    results['minutes'] = sum(results[part].get('minutes', 0)
                             for part in ('recovery', 'api')
                             if part in results)
    return results


if __name__ == '__main__':
    sys.exit(main())
