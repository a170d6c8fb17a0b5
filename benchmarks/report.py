"""Turn benchmark results into ``doc/source/reference/performance.rst``
and plots.

``write(results, rst_path, image_dir)`` takes the dict ``run_all`` builds
(``machine``, ``recovery``, ``api``, ``commands``...) and writes the page
and its PNGs (matplotlib, Agg backend). The page is generated: change the
text here, not in the .rst.
"""

import os

import matplotlib

matplotlib.use('Agg')
from matplotlib import pyplot  # noqa: E402

from benchmarks import report_recovery  # noqa: E402
from benchmarks import report_settings  # noqa: E402
from benchmarks import rst  # noqa: E402
from benchmarks.report_format import f as _f, mib as _mib  # noqa: E402



# --- plots -------------------------------------------------------------------
def plot_api(api, path):
    sizes = api['sizes']
    ops = [entry['op'] for entry in sizes[0]['ops']]
    xs = [entry['notifications'] for entry in sizes]
    figure, axes = pyplot.subplots(1, 3, figsize=(15, 4.8))
    panels = (('serial', 'p50_ms', 'p50 latency, 1 client (ms)'),
              ('serial', 'p99_ms', 'p99 latency, 1 client (ms)'),
              ('concurrent', 'rps', 'requests/s, %d clients'
               % api['concurrency']))
    labels = ['{:,}'.format(x) for x in xs]
    for axis, (mode, key, title) in zip(axes, panels, strict=True):
        for index, op in enumerate(ops):
            ys = [next(o for o in entry['ops'] if o['op'] == op)[mode][key]
                  for entry in sizes]
            axis.plot(xs, ys, 'o-', color='C%d' % index, label=op)
        axis.set_xscale('log')
        axis.set_xticks(xs)
        axis.set_xticklabels(labels)
        axis.minorticks_off()
        axis.set_ylim(bottom=0)
        axis.set_xlabel('notifications in the table')
        axis.set_title(title)
        axis.grid(True, alpha=0.3)
    axes[0].legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    pyplot.close(figure)


# --- sections ----------------------------------------------------------------
def _machine(results):
    m = results['machine']
    loads = results.get('load_average', {})
    lines = [rst.title('Machine', '-'),
             rst.bullet('%s, %s cores, %s GiB RAM, %s; Python %s, PostgreSQL '
                     '%s. Every service, the load generator and the '
                     'databases run on this one machine and talk over '
                     'loopback.' % (m['cpu'], m['cores'], m['memory_gib'],
                                    m['os'], m['python'],
                                    m['postgresql'] or '-'))]
    parts = [(name, results[key]) for key, name in (
        ('recovery', 'recovery benchmark'), ('api', 'API benchmark'))
        if results.get(key) and results[key].get('load_average')]
    if parts:
        lines.append(rst.bullet(
            '1-minute load average %s. The machine is shared with other '
            'work: differences of a few per cent between runs are noise.'
            % '; '.join(_load_span(name, part['load_average'])
                        for name, part in parts)))
    elif loads:
        lines.append(rst.bullet(
            '1-minute load average %s when the run started, %s when it '
            'ended. The machine is shared with other work: differences of '
            'a few per cent between runs are noise.' % (
                _f(loads.get('start')), _f(loads.get('end')))))
    lines.append(rst.bullet('Run of %s (%s mode), %.0f minutes.' % (
        results['date'], results['mode'], results['minutes'])))
    return '\n'.join(lines) + '\n'


def _load_span(name, loads):
    if loads.get('end') is None:
        return '%s at the start of the %s' % (_f(loads.get('start')), name)
    return '%s -> %s during the %s' % (_f(loads.get('start')),
                                       _f(loads.get('end')), name)


def _commands(results):
    return '\n'.join([
        rst.title('Reproduce', '-'),
        rst.para('From the top of the repository, with the project installed '
              'and matplotlib, gunicorn, psycopg2 and psutil available. '
              'PostgreSQL is used as the functional tests use it (the '
              'server of ``benchmarks.servers``); a RabbitMQ '
              'broker is started on free ports when ``rabbitmq-server`` is '
              'installed. Each script starts the services it needs unless '
              'it is given URLs.'),
        '::', '',
        ('    # everything (about %.0f minutes here): rewrites this page '
         'and its plots' % (results['minutes'] if results.get('mode') ==
                            'full' else 15)),
        '    python -m benchmarks.run_all',
        '    # about 3 minutes, into benchmarks/results/quick/ (tox -e bench)',
        '    python -m benchmarks.run_all --quick',
        '    # one part, against running services',
        '    python -m benchmarks.recovery --api-url http://127.0.0.1:15868 '
        '\\',
        '        --simulator-url http://127.0.0.1:18774/simulator \\',
        '        --threads 10 --sizes 10,100,500',
        '    python -m benchmarks.api_load --api-url http://127.0.0.1:15868 '
        '\\',
        '        --database-url postgresql+psycopg2://USER:PASS@127.0.0.1/DB',
        '', rst.para('This page: ``%s``; the raw numbers are in '
                  '``benchmarks/results/%s.json``.' % (results['command'],
                                                        results['mode']))])


def _api(api, image):
    descriptions = api['descriptions']
    concurrency = api['concurrency']
    out = [rst.title('API latency and throughput', '-'),
           rst.para('PostgreSQL holds 10,000 hosts in 100 segments and 1,000, '
                 '10,000, then 100,000 notifications, bulk inserted and '
                 'then ``ANALYZE``\'d. The API runs under gunicorn with %d '
                 'sync workers, with %s messaging (nothing consumes the '
                 'casts). Each operation is measured with %d requests from '
                 'one client, for the cost of one request, and %d requests '
                 'from %d concurrent clients, for throughput and latency '
                 'under saturation. The clients are processes on the same '
                 'cores, so the throughput is a lower bound. Notifications '
                 'created by the benchmark are deleted before the next '
                 'size.' % (api['workers'],
                            {'rabbit': 'RabbitMQ', 'fake': 'the in-process '
                             'fake:// transport'}.get(
                                 api.get('stack', {}).get('transport'), '?'),
                            api['serial_requests'],
                            api['concurrent_requests'], concurrency))]
    header = ['operation', 'notifications', 'p50 / p99, 1 client (ms)',
              'p50 / p99, %d clients (ms)' % concurrency, 'req/s']
    rows = []
    for op in [o['op'] for o in api['sizes'][0]['ops']]:
        for index, entry in enumerate(api['sizes']):
            result = next(o for o in entry['ops'] if o['op'] == op)
            single, loaded = result['serial'], result['concurrent']
            errors = single['errors'] + loaded['errors']
            rows.append([
                '``%s``' % descriptions[op] if index == 0 else '',
                '{:,}'.format(entry['notifications']),
                '%s / %s' % (_f(single['p50_ms'], '%.1f'),
                             _f(single['p99_ms'], '%.1f')),
                '%s / %s' % (_f(loaded['p50_ms'], '%.1f'),
                             _f(loaded['p99_ms'], '%.1f')),
                _f(loaded['rps'], '%.0f') + (' (%d errors)' % errors
                                             if errors else '')])
    out += [rst.table(header, rows, widths=[40, 12, 16, 16, 8]), '',
            '.. image:: %s' % image,
            '   :alt: API latency and throughput against the table size', '']
    plans = api.get('plans')
    if plans:
        out.append(rst.para(
            'How PostgreSQL runs the statements of one request of each kind '
            'at {:,} notifications (``EXPLAIN ANALYZE``; the host row lock '
            'of a create only ``EXPLAIN``):'.format(
                api['sizes'][-1]['notifications'])))
        rows = []
        for op, statements in plans.items():
            for index, p in enumerate(statements):
                rows.append(['``%s``' % op if index == 0 else '',
                             '``%s``' % p['sql'].replace('`', "'"),
                             ', '.join(p['plan']),
                             '%s / %s' % (_f(p.get('rows'), '%d'),
                                          _f(p.get('filtered'), '%d')),
                             _f(p.get('ms'), '%.2f')])
        out += [rst.table(['request', 'statement', 'plan',
                        'rows returned / filtered out', 'ms'], rows,
                       widths=[10, 44, 30, 10, 6]), '']
    out.append(rst.para(
        '``masakari/tests/functional/test_query_counts.py`` checks the same '
        'properties on every test run, on SQLite and PostgreSQL: the number '
        'of SQL queries of each list, show and create request does not '
        'depend on the number of rows or on the page size (no query per '
        'row), and the duplicate check and the notification list filters '
        'are served by indexes, not full table scans.'))
    return '\n'.join(out)


def _memory(results):
    rows = []
    api = results.get('api') or {}
    rss = api.get('worker_rss')
    if rss:
        rows.append(['API, one gunicorn worker', _mib(rss.get('started')),
                     _mib(rss.get('idle')), _mib(rss.get('peak')),
                     'the API benchmark, all sizes'])
    recovery = results.get('recovery') or {}
    measured = [r for r in recovery.get('runs', []) if r.get('rss_peak')]
    if measured:
        largest = max(r['n'] for r in measured)
        together = not recovery.get('stack', {}).get('separate_engine')
        for r in measured:
            if r['n'] != largest:
                continue
            for name, label in (('engine', 'masakari-engine'),
                                ('simulator', 'Nova simulator')):
                if name == 'engine' and together:
                    label = 'API + engine (one process)'
                rows.append([label, '-', _mib(r['rss_idle'].get(name)),
                             _mib(r['rss_peak'].get(name)),
                             'recovery of N = %d, P = %d' % (r['n'], r['p'])])
    if not rows:
        return ''
    return '\n'.join([
        rst.title('Memory', '-'),
        rst.para('Resident set size (psutil). *started*: a fresh gunicorn '
              'worker; *idle*: after its first requests (API), or just '
              'before the recovery, after a warm-up recovery (engine); '
              '*peak*: sampled every 0.2 s during the load or the '
              'recovery.'),
        rst.table(['process', 'started', 'idle', 'peak', 'during'], rows)])


def render(results, image_names):
    parts = [
        '..',
        '   Generated by ``python -m benchmarks.run_all``: change',
        '   benchmarks/report.py, not this file.', '',
        '===========\nPerformance\n===========\n',
        rst.para('How long masakari takes to bring a failed host\'s instances '
              'back, against the shortest time possible, and what API '
              'requests cost as the notification table grows.'),
        _machine(results), _commands(results)]
    if results.get('recovery'):
        parts.append(report_recovery.section(results['recovery'],
                                             image_names['recovery']))
        parts.append(report_settings.section(results['recovery']))
    if results.get('api'):
        parts.append(_api(results['api'], image_names['api']))
    parts.append(_memory(results))
    return '\n'.join(parts).rstrip() + '\n'


def write(results, rst_path, image_dir):
    """Write the page and its plots; returns the paths written."""
    os.makedirs(image_dir, exist_ok=True)
    rel = os.path.relpath(image_dir, os.path.dirname(rst_path))
    names = {'recovery': os.path.join(rel, 'recovery.png'),
             'api': os.path.join(rel, 'api-latency.png')}
    written = [rst_path]
    if results.get('recovery'):
        path = os.path.join(image_dir, 'recovery.png')
        report_recovery.plot(results['recovery'], path)
        written.append(path)
    if results.get('api'):
        path = os.path.join(image_dir, 'api-latency.png')
        plot_api(results['api'], path)
        written.append(path)
    with open(rst_path, 'w') as handle:
        handle.write(render(results, names))
    return written

