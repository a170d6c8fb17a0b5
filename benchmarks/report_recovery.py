"""The recovery part of the performance page: the plot, the table of the
idealised runs and where their time goes; the rows of the other
settings and their conditions are in ``benchmarks.report_settings``."""

import os

from matplotlib import pyplot

from benchmarks import conditions
from benchmarks import rst
from benchmarks.report_format import TARGET_RATIO, f as _f

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


def plot(recovery, path):
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


def _layout(stack):
    if stack.get('separate_engine'):
        return ('The API (gunicorn, 2 workers), ``masakari-engine``, '
                '``masakari-nova-simulator``, PostgreSQL and RabbitMQ are '
                'separate processes')
    return ('The API and the engine share one process (no message broker '
            'was installed); ``masakari-nova-simulator`` and %s are '
            'separate' % stack.get('db', 'the database'))


def section(recovery, image):
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
              'before the critical path ceil(N/P)·L, the *bound*. This is '
              'the idealised setting; the realistic ones follow in the next '
              'section. %s. Conditions:'
              % (duration, _layout(recovery.get('stack', {})))),
        conditions.describe(recovery.get('conditions'), recovery.get('git')),
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
