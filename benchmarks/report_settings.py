"""The recovery rows of every benchmarked setting side by side (idealised,
realistic, realistic with fencing), each with its bound, its two clocks,
its costs per instance and the conditions it was measured under."""

from benchmarks import bounds
from benchmarks import conditions
from benchmarks import rst
from benchmarks.report_format import f as _f

HEADER = ['setting', 'N', 'P', 'bound (s)', 'from the failure (s)',
          'from the POST (s)', 'ratio', 'fence (s)',
          'before 1st evacuation (s)', 'engine CPU per instance (ms)',
          'Nova API requests per instance', 'DB rows written per instance']


def _row(label, r):
    cpu = (r.get('cpu_ms_per_instance') or {}).get('engine')
    clock = r.get('bound_clock', 'post')
    return [label, str(r['n']), str(r['p']),
            '%s (%s)' % (_f(r['lower_bound'], '%.1f'),
                         'failure' if clock == 'failure' else 'POST'),
            _f(r.get('seconds_from_failure')), _f(r.get('seconds')),
            _f(r.get('ratio'), '%.3f'), _f(r.get('fence_seconds'), '%.3f'),
            _f(r.get('before_first_evacuation')), _f(cpu, '%.1f'),
            _f(r.get('nova_requests_per_instance'), '%.1f'),
            _f(r.get('rows_written_per_instance'), '%.1f')]


def rows(recovery):
    """Every (N, P) measured in a realistic setting, the idealised run of
    the same N and P first when there is one."""
    others = recovery.get('settings') or []
    pairs = []
    for entry in others:
        for r in entry['runs']:
            if (r['n'], r['p']) not in pairs:
                pairs.append((r['n'], r['p']))
    out = []
    for n, p in sorted(pairs):
        for r in recovery.get('runs', []):
            if (r['n'], r['p']) == (n, p):
                out.append(_row('idealised', r))
        for entry in others:
            for r in entry['runs']:
                if (r['n'], r['p']) == (n, p):
                    out.append(_row(entry['name'], r))
    return out


def _worst_ratio(entry):
    ratios = [r['ratio'] for r in entry['runs'] if r.get('ratio')]
    return max(ratios) if ratios else None


def _targets(entry):
    """' target (bound + 1 s) met at N=10, missed at ...' or ''."""
    verdicts = ['%s at N=%d' % ('met' if r['seconds'] <= r['target_seconds']
                                else 'missed', r['n'])
                for r in entry['runs']
                if r.get('target_seconds') and r.get('seconds')]
    return '; target (bound + 1 s) %s' % ', '.join(verdicts) \
        if verdicts else ''


def section(recovery):
    others = recovery.get('settings') or []
    if not others:
        return ''
    duration = recovery['evacuate_seconds']
    out = [
        rst.title('Recovery under realistic conditions', '-'),
        rst.para(
            'The same recovery in three settings. *idealised*: the table '
            'above (Nova reports the host down at once, no API latency, '
            'the engine forces the service down). *realistic*: the '
            'simulator\'s ``realistic`` profile (see '
            ':doc:`/reference/simulator`) and the engine\'s defaults: no '
            'force-down and no fencing, so the engine waits until Nova '
            'itself sees the host down, ``service_down_time`` after its '
            'last heartbeat; the clock that matters starts at the host '
            'failure. *fenced*: the realistic profile with Redfish '
            'fencing: the host\'s compute keeps running until the engine '
            'powers it off through its BMC (an emulator, '
            '``masakari.simulator.bmc``, whose power-off fails the host in '
            'the simulator), then forces it down and evacuates; its clock '
            'starts at the POST, and the host *fails* only at the '
            'power-off, so its time from the failure is the shorter one. '
            'L = %g s throughout.' % duration),
        rst.para(
            'The bounds (``benchmarks/bounds.py``), with lat the smallest '
            'API latency, c the claim time per evacuation on its target '
            '(one claim at a time per target host), T = 4 target hosts and '
            'R = N - P·(ceil(N/P) - 1) the slots that run ceil(N/P) '
            'evacuations, whose first claims T hosts grant T per c: '
            'idealised %s; realistic %s, from the failure, or the per-'
            'target term lat + ceil(N/T)·c + L in place of the per-slot '
            'one when larger; fenced %s, from the POST, where *fence* is '
            'the BMC\'s own time from the power-off request to the host '
            'off (the emulator: immediate). Each evacuation request waits '
            'its latency and its claim before its L, so they are on every '
            'slot\'s path; the RPC timeout of a disable is not (the engine '
            'disables beside its wait). The *ratio* is measured / bound on '
            'the bound\'s clock. The issue\'s target for the fenced row is '
            'that bound + 1 s (force-down, disable, listing); the second '
            'is an allowance, not physics, so it is not in the bound.' % (
                bounds.FORMULAS['ideal'], bounds.FORMULAS['nova_down'],
                bounds.FORMULAS['fenced'])),
        rst.table(HEADER, rows(recovery)), '',
        rst.bullet('*Nova API requests*: the requests the simulator served '
                   'during the recovery (every route, counted by the '
                   'simulator: ``GET /simulator/requests``), divided by N;'),
        rst.bullet('*DB rows written*: PostgreSQL\'s rows inserted, updated '
                   'or deleted in the engine\'s database (engine, taskflow '
                   'and API together), divided by N;'),
        rst.bullet('*engine CPU*: the engine process\'s CPU time during the '
                   'recovery, divided by N; :doc:`cpu-budget` splits it by '
                   'kind of work and sets it against the floor of the '
                   'libraries the engine uses.'), '']
    if recovery.get('quick'):
        out.append(rst.para(
            'Quick mode: the realistic rows run with ``service_down_time`` '
            'and ``rpc_response_timeout`` of 10 s instead of the '
            'profile\'s 60 s (see the conditions), and N = 10 only.'))
    for entry in others:
        worst = _worst_ratio(entry)
        out.append(rst.para('Conditions of *%s* (%s; worst ratio %s%s):' % (
            entry['name'], entry['title'], _f(worst, '%.3f'),
            _targets(entry))))
        out.append(conditions.describe(entry.get('conditions'),
                                       recovery.get('git')))
    return '\n'.join(out)
