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

from benchmarks import rst  # noqa: E402

MIB = 1024 * 1024
TARGET_RATIO = 1.10




def _f(value, fmt='%.2f', missing='-'):
    return missing if value is None else fmt % value


def _mib(value):
    return _f(value / MIB if value else None, '%.0f MiB')


# --- plots -------------------------------------------------------------------
def _series(runs, specs):
    """{label: [runs]} for the P values asked for, ordered by N."""
    out = {}
    for spec in specs:
        if spec == 'N':
            chosen = [r for r in runs if r['p'] == r['n']]
            label = 'P = N'
        else:
            k = int(spec)
            chosen = [r for r in runs if r['p'] == k]
            label = 'P = %d' % k
        if chosen:
            out[label] = sorted(chosen, key=lambda r: r['n'])
    return out


def plot_recovery(recovery, path):
    runs = [r for r in recovery['runs'] if r.get('seconds')]
    series = _series(runs, recovery['thread_specs'])
    figure, (left, right) = pyplot.subplots(1, 2, figsize=(12, 4.8))
    for index, (label, chosen) in enumerate(series.items()):
        color = 'C%d' % index
        ns = [r['n'] for r in chosen]
        left.plot(ns, [r['seconds'] for r in chosen], 'o-', color=color,
                  label='%s measured' % label)
        left.plot(ns, [r['lower_bound'] for r in chosen], '--',
                  color=color, alpha=0.7,
                  label='%s bound ceil(N/P)·L' % label)
        right.plot(ns, [r['ratio'] for r in chosen], 'o-', color=color,
                   label=label)
    sizes = sorted({r['n'] for r in runs})
    for axis in (left, right):
        axis.set_xscale('log')
        axis.set_xticks(sizes)
        axis.set_xticklabels([str(n) for n in sizes])
        axis.minorticks_off()
        axis.set_xlabel('instances on the failed host (N)')
        axis.grid(True, alpha=0.3)
    left.set_yscale('log')
    left.set_ylabel('seconds until the last instance is ACTIVE')
    left.set_title('Recovery time (L = %gs per evacuation)'
                   % recovery['evacuate_seconds'])
    left.legend(fontsize=8)
    right.axhline(TARGET_RATIO, color='grey', linestyle=':',
                  label='target %.2f' % TARGET_RATIO)
    right.axhline(1.0, color='black', linewidth=0.8)
    # Log scale: ratios near 1 stay readable next to large ones.
    right.set_yscale('log')
    top = max([r['ratio'] for r in runs] + [1.5])
    ticks = [t for t in (1, 1.25, 1.5, 2, 3, 5, 10, 20, 50)
             if t <= top * 1.2]
    right.set_yticks(ticks)
    right.set_yticklabels(['%g' % t for t in ticks])
    right.minorticks_off()
    right.set_ylabel('measured / lower bound')
    right.set_title('Ratio to the critical-path lower bound')
    right.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    pyplot.close(figure)


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
        '    # everything (about 8 minutes here): rewrites this page and '
        'its plots',
        '    python -m benchmarks.run_all',
        '    # about 2 minutes, into benchmarks/results/quick/ (tox -e bench)',
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


def _conditions(conditions):
    """The engine options every run had, as a sentence (none for results
    recorded before they were kept)."""
    if not conditions:
        return ''
    return (' Engine options: %s (``evacuation_watch_interval`` 0.05 is '
            'the fast path, not the 1 s default).' % ', '.join(
                '``%s = %s``' % item for item in sorted(conditions.items())))


def _layout(stack):
    if stack.get('separate_engine'):
        return ('The API (gunicorn, 2 workers), ``masakari-engine``, '
                '``masakari-nova-simulator``, PostgreSQL and RabbitMQ are '
                'separate processes')
    return ('The API and the engine share one process (no message broker '
            'was installed); ``masakari-nova-simulator`` and %s are '
            'separate' % stack.get('db', 'the database'))


def _recovery(recovery, image):
    runs = recovery['runs']
    header = ['N', 'P', 'bound (s)', 'measured (s)', 'ratio',
              'before 1st evacuation (s)', 'overhead per instance (s)',
              'detection lag mean / max (s)', 'slot handoff mean (s)',
              'first wave (s)', 'engine CPU per instance (ms)',
              'DB rows written per instance']
    rows = []
    for r in runs:
        cpu = (r.get('cpu_ms_per_instance') or {}).get('engine')
        rows.append([str(r['n']), str(r['p']), _f(r['lower_bound'], '%.1f'),
                     _f(r['seconds']), _f(r['ratio'], '%.3f'),
                     _f(r['before_first_evacuation']),
                     _f(r['overhead_per_instance'], '%.3f'),
                     '%s / %s' % (_f(r['detect_lag_mean'], '%.3f'),
                                  _f(r['detect_lag_max'], '%.3f')),
                     _f(r.get('handoff_mean'), '%.3f'),
                     _f(r.get('first_wave_seconds')),
                     _f(cpu, '%.1f'),
                     _f(r.get('rows_written_per_instance'), '%.1f')])
    largest = max(r['n'] for r in runs)
    verdicts = ['P=%d: %.3f, %s' % (
        r['p'], r['ratio'], 'met' if r['ratio'] <= TARGET_RATIO else 'missed')
        for r in runs if r['n'] == largest and r['ratio']]
    single = [r for r in runs if r['n'] == 1]
    duration = recovery['evacuate_seconds']
    out = [
        rst.title('Recovery time', '-'),
        rst.para('A compute host with N HA-enabled instances fails; Nova '
              'reports its compute service down at once and the host '
              'monitor\'s notification (``COMPUTE_HOST``, ``STOPPED``) is '
              'posted. The clock runs from that POST until the last '
              'instance is ACTIVE on another host as the Nova simulator '
              'records it: the simulator is polled until the failed host is '
              'empty, and its evacuation records give the moment each '
              'instance finished. Every evacuation takes L = %g s in the '
              'simulator and the engine runs P of them at a time (``[DEFAULT] '
              'host_failure_recovery_threads``; ``[host_failure] '
              'force_down_failed_host = true``), so no engine can finish '
              'before the critical path ceil(N/P)·L, the *bound*. %s.%s'
              % (duration, _layout(recovery.get('stack', {})),
                 _conditions(recovery.get('conditions')))),
        rst.table(header, rows), '',
        rst.bullet('*before 1st evacuation*: from the POST to Nova accepting '
                'the first evacuation (API, RPC, fencing the host, listing '
                'and recording its instances);'),
        rst.bullet('*overhead per instance*: what each of the P slots loses '
                'per instance beyond L, ((last ACTIVE - first evacuation) / '
                'ceil(N/P)) - L: noticing that an evacuation ended, '
                'recording it, starting the next one;'),
        rst.bullet('*detection lag*: from the simulator finishing an '
                'evacuation to the engine recording it (the vmove\'s end '
                'time);'),
        rst.bullet('*slot handoff*: from an evacuation ending in Nova to Nova '
                'accepting the evacuation that took its slot (the k-th end '
                'frees a slot for the (k+P)-th start);'),
        rst.bullet('*first wave*: from the first to the P-th evacuation '
                'request;'),
        rst.bullet('*engine CPU* and *DB rows written*: the engine process\'s '
                'CPU time and PostgreSQL\'s rows inserted, updated or '
                'deleted (engine, taskflow and API together) during the '
                'recovery, divided by N.'), '',
        _where_the_time_goes(runs, duration),
        rst.para('Target: ratio <= %.2f at N = %d. Measured: %s.%s' % (
            TARGET_RATIO, largest, '; '.join(verdicts) or 'no data',
            (' One instance alone (N = 1) is ACTIVE elsewhere after %s s '
             'for L = %g s.' % (_f(single[0]['seconds']), duration))
            if single else '')),
        '.. image:: %s' % image,
        '   :alt: recovery time and its ratio to the lower bound against N',
        '']
    return '\n'.join(out)


def _all_at_once(r, after):
    """Why P >= N is bound by CPU here: the CPU the recovery used (engine,
    simulator, API), spread over the machine's cores, against L."""
    cpu = r.get('cpu_ms_per_instance') or {}
    engine = cpu.get('engine')
    text = ('all evacuations run at once, and the last one started %.1f s '
            'after the first: the engine reads, records, locks and evacuates '
            '%d servers at once, with %s ms of CPU each' % (
                after, r['n'], _f(engine, '%.0f')))
    cores = os.cpu_count() or 1
    floor = sum(cpu.values()) * r['n'] / 1000.0 / cores
    if floor > r['evacuate_seconds']:
        text += ('; the recovery\'s processes (engine, simulator, API) used '
                 '%.1f s of CPU, %.1f s of all %d cores of this machine, more '
                 'than L = %g s itself' % (
                     floor * cores, floor, cores, r['evacuate_seconds']))
    return text


def _where_the_time_goes(runs, duration):
    """One sentence per run at the largest N: how its time above the
    bound splits."""
    largest = max(r['n'] for r in runs)
    sentences = []
    for r in runs:
        if r['n'] != largest or not r['seconds']:
            continue
        extra = r['seconds'] - r['lower_bound']
        after = extra - r['before_first_evacuation']
        if r['p'] >= r['n']:
            detail = _all_at_once(r, after)
        else:
            detail = ('%.1f s between evacuations: each slot lost %.2f s per '
                      'instance, and the engine noticed a finished '
                      'evacuation %.2f s after it ended, on average' % (
                          after, r['overhead_per_instance'],
                          r['detect_lag_mean'] or 0))
        sentences.append('P=%d: %.1f s above the bound; %.1f s before the '
                         'first evacuation; %s.' % (
                             r['p'], extra, r['before_first_evacuation'],
                             detail))
    if not sentences:
        return ''
    return rst.para('Where the time above the bound goes at N = %d. %s'
                 % (largest, ' '.join(sentences)))


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
        parts.append(_recovery(results['recovery'], image_names['recovery']))
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
        plot_recovery(results['recovery'], path)
        written.append(path)
    if results.get('api'):
        path = os.path.join(image_dir, 'api-latency.png')
        plot_api(results['api'], path)
        written.append(path)
    with open(rst_path, 'w') as handle:
        handle.write(render(results, names))
    return written

