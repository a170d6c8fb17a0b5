"""Write doc/source/reference/reliability.rst from measured figures.

Reads the JSON lines the fault and load tests append when
``MASAKARI_FIGURES_FILE`` is set (``masakari/tests/figures.py``) and the
result of ``python -m benchmarks.loadtest``, and writes the page: the
page is generated, so change the text here, not in the .rst::

    python -m benchmarks.reliability_report \\
        [--figures benchmarks/results/reliability.jsonl] \\
        [--loadtest benchmarks/results/loadtest.json] \\
        [--rst doc/source/reference/reliability.rst]
"""

import argparse
import collections
import json
import os
import re
import sys

from benchmarks import rst

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, 'benchmarks', 'results')
FIGURES = os.path.join(RESULTS, 'reliability.jsonl')
LOADTEST = os.path.join(RESULTS, 'loadtest.json')
RST = os.path.join(ROOT, 'doc', 'source', 'reference',
                   'reliability.rst')

# (scenario, title, what breaks): the rows of the table, in order.
SCENARIOS = (
    ('engine_sigkill', 'Engine SIGKILL mid-recovery',
     'the engine running a host recovery is SIGKILLed with evacuations '
     'done and under way; the other engine takes over once the lease '
     'expires, or the same one restarted resumes at once'),
    ('engines_racing', 'Two engines racing',
     'two engines start the same notifications at the same moment (on '
     'SQLite, PostgreSQL and MariaDB)'),
    ('broker_restart_under_load', 'Broker stop/start under load',
     'the RabbitMQ node is killed and started again while monitors post '
     'and operators list'),
    ('database_restart_under_load', 'Database restart under load',
     'PostgreSQL is shut down (immediate) and started again while '
     'monitors post and operators list'),
    ('nova_faults', 'Nova timeouts and 500s',
     'Nova answers 500 once, answers after the client timeout, loses its '
     'answer after evacuating, or answers 500 for good'),
    ('duplicates', 'Duplicate notifications',
     'ten host monitors and ten instance monitors report the same two '
     'failures at once, to two API workers'),
    ('load', 'No fault, load only',
     'sixteen hosts fail together while operators page through lists'),
)
# The same faults, and their combinations, on a 3-node Galera cluster and a
# 3-node RabbitMQ cluster with quorum queues.
CLUSTER_SCENARIOS = (
    ('cluster_no_fault', 'No fault, clustered',
     'eight hosts fail while operators page through lists; two APIs and '
     'two engines write through different Galera nodes'),
    ('cluster_galera_node', 'Galera node stop/start',
     'the Galera node an API and an engine write through stops (clean '
     'shutdown) and comes back, catching up by IST'),
    ('cluster_queue_leader', 'Queue leader killed',
     "the RabbitMQ node leading the engines' quorum queue is SIGKILLed "
     'and started again'),
    ('cluster_galera_and_broker', 'Galera node and queue leader',
     'both of the above at once'),
    ('cluster_engine_sigkill_galera', 'Engine SIGKILL, Galera node down',
     'a Galera node stops and the engine writing through it is SIGKILLed '
     'mid-recovery; the other engine takes over after the lease'),
)
TESTS = ('masakari/tests/e2e/test_engine_crash.py',
         'masakari/tests/e2e/test_faults.py',
         'masakari/tests/e2e/test_faults_under_load.py',
         'masakari/tests/e2e/test_load.py',
         'masakari/tests/functional/engine/test_leases.py'
         '::test_two_engines_race_for_every_notification',
         'masakari/tests/functional/engine/test_manager.py'
         '::test_two_engines_racing_recover_once',
         'masakari/tests/e2e/test_cluster_faults.py')
KINDS = (('create_notification', 'POST /notifications'),
         ('list_segments', 'GET /segments (a page)'),
         ('list_hosts', 'GET /segments/{id}/hosts (a page)'),
         ('list_notifications', 'GET /notifications (a page)'),
         ('show', 'GET one segment, host or notification'))


def read_figures(path):
    with open(path) as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _sum(records, key):
    return sum(r.get(key) or 0 for r in records)


def requests_cell(scenario, records):
    """What the clients asked and how it was answered."""
    if scenario == 'duplicates':
        return '%d POSTs: %d x 202, %d x 409' % (
            _sum(records, 'posted'), _sum(records, 'accepted'),
            _sum(records, 'refused_409'))
    if 'requests' not in records[0]:
        return '-'
    total = _sum(records, 'requests')
    text = '%d, all answered (%d errors)' % (total, _sum(records, 'errors'))
    outages = [r['outage'] for r in records
               if r.get('outage') and r.get('faults')]
    if outages:
        during = sum(o['requests'] for o in outages)
        posts = sum(o['posts'] for o in outages)
        refused = sum(o['statuses'].get('503', 0) for o in outages)
        held = max(o['max_ms'] for o in outages) / 1000
        text += ('; %d asked during the outage (%d POSTs): %d got 503, '
                 'longest held %.1f s' % (during, posts, refused, held))
        later = _sum(records, 'answered_503') - refused
        if later > 0:
            text += '; %d more 503s while connections came back' % later
    return text


def notes_cell(scenario, records):
    notes = []
    if _sum(records, 'redispatched'):
        notes.append('%d dispatched by the periodic task (no cast got '
                     'through)' % _sum(records, 'redispatched'))
    if _sum(records, 'retried_after_error'):
        notes.append('%d retried after an error' % _sum(
            records, 'retried_after_error'))
    if _sum(records, 'taken_over'):
        notes.append('%d taken over after its lease' % _sum(
            records, 'taken_over'))
    if _sum(records, 'transactions_retried'):
        notes.append('%d transactions run again (refused at commit or '
                     'connection lost)' % _sum(records,
                                               'transactions_retried'))
    backends = sorted({r['backend'] for r in records if r.get('backend')})
    if backends:
        notes.append('on %s' % ', '.join(backends))
    return '; '.join(notes) or '-'


def fault_rows(records, scenarios=SCENARIOS):
    by = collections.defaultdict(list)
    for record in records:
        by[record['scenario']].append(record)
    rows = []
    for scenario, name, what in scenarios:
        mine = by.get(scenario)
        if not mine:
            rows.append([name, what, 'not run', '', '', '', '', '', ''])
            continue
        rows.append([
            name, what, str(len(mine)), str(_sum(mine, 'faults')),
            '%d (%d stored)' % (_sum(mine, 'posted'),
                                _sum(mine, 'accepted')),
            str(_sum(mine, 'lost')),
            '%d of %d' % (_sum(mine, 'double'), _sum(mine, 'instances')),
            requests_cell(scenario, mine), notes_cell(scenario, mine)])
    return rows


def load_section(result):
    out = [rst.title('Load test', '-'), '']
    config, stack = result['config'], result.get('stack') or {}
    where = ('an external deployment' if config.get('external') else
             '%s, %s, gunicorn with %s workers and %s engine processes' % (
                 stack.get('db'), stack.get('transport'),
                 stack.get('api_workers'), stack.get('engines')))
    out.append(rst.para(
        '%d compute hosts with %d HA instances each (%d in all, in %d '
        'segments) fail together; one monitor per host posts its '
        'notification, the monitors starting over %g s, while %d '
        'operators page through segments, hosts and notifications '
        '(marker and limit, sort keys, filters) and show single items '
        'until every notification is final. Each simulated evacuation '
        'takes %s s. Stack: %s. Machine: %s%s.' % (
            config['hosts'], config['per_host'],
            result['evacuations']['instances'], config['segments'],
            config['ramp_s'], config['operators'],
            config['evacuate_seconds'], where,
            _machine(result.get('machine') or {}),
            _load(result.get('load_average')))))
    out.append('')
    rows = []
    for kind, label in KINDS:
        k = result['kinds'].get(kind)
        if k:
            rows.append([label, str(k['count']), '%.1f' % k['rps'],
                         '%.0f' % k['p50_ms'], '%.0f' % k['p99_ms'],
                         str(k['errors'])])
    rows.append(['All requests', str(result['requests']),
                 '%.1f' % result['rps'], '-', '-', str(result['errors'])])
    out.append(rst.table(['Request', 'Count', 'Req/s', 'p50 (ms)', 'p99 (ms)',
                      'Errors'], rows))
    notes, moves = result['notifications'], result['evacuations']
    out.append(rst.para(
        'Over %.1f s of load: %d errors; %d notifications posted, %d '
        'finished, %d lost (every notification finished: %s); %d of %d '
        'HA instances evacuated exactly once, %d more than once, %d '
        'never (as the Nova simulator recorded them).' % (
            result['wall_s'], result['errors'], notes['posted'],
            notes['finished'], notes['lost'],
            'yes' if result['all_finished'] else 'NO',
            moves['evacuated_once'], moves['instances'], moves['double'],
            moves['not_evacuated'])))
    return '\n'.join(out)


def _load(averages):
    if not averages or None in averages:
        return ''
    return ('; its 1-minute load average was %.1f before the run and %.1f '
            'after it' % tuple(averages))


def _machine(machine):
    parts = [machine.get('cpu')]
    if machine.get('cores'):
        parts.append('%s cores' % machine['cores'])
    if machine.get('memory_gib'):
        parts.append('%s GiB' % machine['memory_gib'])
    return ', '.join(str(p) for p in parts if p) or 'unknown'


def _commit(git):
    if not git or not git.get('commit'):
        return 'an unrecorded commit'
    return '``%s``%s' % (git['commit'][:12], ' with uncommitted changes'
                         if git.get('dirty') else '')


def measured_at(records, loadtest):
    """Which commit(s) the figures were measured at."""
    tests = sorted({_commit(record.get('git')) for record in records})
    text = 'Fault tests measured at %s' % ', '.join(tests or ['-'])
    if loadtest:
        text += '; load test at %s' % _commit(loadtest.get('git'))
    return text + '.'


def render(records, loadtest):
    out = [rst.title('Reliability under faults and load', '='), '']
    out.append('.. This page is generated by python -m '
               'benchmarks.reliability_report; edit that script.\n')
    out.append(rst.para(
        'Each fault below is injected into real processes (masakari-api '
        'under gunicorn, masakari-engine processes, RabbitMQ, PostgreSQL '
        'and the Nova simulator) by a test that asserts the outcome; the '
        'figures are what those tests measured in the recorded run, '
        'summed over the tests of each scenario. A notification is lost '
        'when it was stored but did not end '
        'as expected (``finished``; ``failed`` for a recovery Nova keeps '
        'refusing). A double recovery is an HA instance that Nova '
        'evacuated (or restarted) more than once: the count comes from '
        "the simulator's own records, not from masakari."))
    out.append(rst.para(measured_at(records, loadtest)))
    out.append('')
    out.append(rst.title('Fault scenarios', '-'))
    out.append(rst.table(
        ['Scenario', 'What breaks', 'Runs', 'Faults survived',
         'Notifications posted', 'Lost', 'Double recoveries',
         'Requests answered', 'Notes'],
        fault_rows(records), widths=[10, 22, 4, 6, 8, 4, 7, 22, 17]))
    out.append(rst.para(
        'While the broker is away the API still answers 202 to a monitor: '
        'the row is stored and, when the cast fails after its bounded '
        'retries, left ``new`` for the periodic task of the engines (which '
        'needs no broker); the POST is held for those retries. While the '
        'database is away every request that needs it gets 503 with an '
        'OpenStack fault body (``serviceUnavailable``), never a traceback; '
        'the monitors post again until their notification is stored. '
        'A recovery that the outage broke is retried or taken over after '
        'its lease, never run twice against Nova.'))
    out.append('')
    out.append(rst.title('Clustered: Galera and RabbitMQ', '-'))
    out.append(rst.para(
        'The same deployment spread over a 3-node MariaDB Galera cluster '
        'and a 3-node RabbitMQ cluster with quorum queues '
        '(``masakari/tests/e2e/test_cluster_faults.py``): two API processes '
        '(gunicorn, two workers each) and two engines, each process '
        'reaching the database through a failover proxy that names a '
        'different Galera node first (so they write through different '
        'nodes at once) and listing every broker node in its '
        '``transport_url``, a different one first. Eight compute hosts with '
        'two HA instances each fail while their monitors post and two '
        'operators page through lists. See :doc:`/install/clustering` '
        'for what this deployment assumes.'))
    out.append('')
    out.append(rst.table(
        ['Scenario', 'What breaks', 'Runs', 'Faults survived',
         'Notifications posted', 'Lost', 'Double recoveries',
         'Requests answered', 'Notes'],
        fault_rows(records, CLUSTER_SCENARIOS),
        widths=[10, 22, 4, 6, 8, 4, 7, 22, 17]))
    out.append(rst.para(
        'A node or a broker going away costs no request here: the proxies '
        'send new connections to the nodes that are still synced, a read '
        'whose connection was cut is run again, a write that Galera '
        'refused at commit (another node wrote the row first) is run '
        'again and then sees that row, and the clients of oslo.messaging '
        'reconnect to the next broker node while the quorum queues elect '
        'another leader.'))
    out.append('')
    if loadtest:
        out.append(load_section(loadtest))
    out.append(rst.title('How the figures are made', '-'))
    out.append(rst.para('From the top of the repository (RabbitMQ, '
                    'PostgreSQL, MariaDB and galera-4 installed; the '
                    'fixtures start them):'))
    out.append('\n.. code-block:: console\n')
    commands = [
        '$ rm -f benchmarks/results/reliability.jsonl',
        '$ MASAKARI_FIGURES_FILE=$PWD/benchmarks/results/reliability.jsonl'
        ' \\\n      pytest -p no:cacheprovider -n 2 --dist loadfile \\\n      '
        + ' \\\n      '.join(TESTS),
        '$ python -m benchmarks.loadtest       # writes '
        'benchmarks/results/loadtest.json',
        '$ python -m benchmarks.reliability_report']
    out.extend('   ' + line.replace('\n', '\n   ') for line in commands)
    out.append('')
    return '\n'.join(out)


def parser():
    p = argparse.ArgumentParser(prog='python -m benchmarks.reliability_'
                                'report', description=__doc__.splitlines()[0])
    p.add_argument('--figures', default=FIGURES)
    p.add_argument('--loadtest', default=LOADTEST)
    p.add_argument('--rst', default=RST)
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    records = read_figures(args.figures)
    loadtest = None
    if os.path.exists(args.loadtest):
        with open(args.loadtest) as handle:
            loadtest = json.load(handle)
    text = re.sub(r'\n{3,}', '\n\n', render(records, loadtest))
    with open(args.rst, 'w') as handle:
        handle.write(text)
    print('wrote %s (%d records)' % (args.rst, len(records)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
