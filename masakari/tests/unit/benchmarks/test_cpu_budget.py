"""The CPU budget: the engine probe's accounting and the page's arithmetic."""

import json
import os
import pathlib
import sys
import threading
import time
import types

import pytest

from benchmarks import cpu_budget
from benchmarks.engine_probe import cpu_probe

RESULTS = pathlib.Path(cpu_budget.RESULTS)


def burn(seconds):
    """Spend ``seconds`` of this thread's CPU."""
    until = time.thread_time() + seconds
    while time.thread_time() < until:
        pass


def test_only_the_outermost_probed_call_of_a_thread_counts():
    accounts = cpu_probe.Accounts()
    inner = accounts.wrap('log_lines', 'm:inner', lambda: burn(0.02))

    def outer_work():
        burn(0.02)
        inner()
    outer = accounts.wrap('nova_calls', 'm:outer', outer_work)

    outer()
    inner()
    assert accounts.calls == {'m:outer': 1, 'm:inner': 1}
    assert 0.035 <= accounts.cpu['nova_calls'] < 0.1
    assert 0.015 <= accounts.cpu['log_lines'] < 0.05


def test_each_thread_counts_its_own_cpu():
    accounts = cpu_probe.Accounts()
    work = accounts.wrap('db_writes', 'm:f', lambda: burn(0.02))
    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert accounts.calls['m:f'] == 3
    assert 0.055 <= accounts.cpu['db_writes'] < 0.2


def test_patch_wraps_loaded_functions_and_methods_once(monkeypatch):
    module = types.ModuleType('probed_module')

    class Listener:
        def poll(self):
            return 'polled'

    module.Listener = Listener
    module.call = lambda value: value * 2
    monkeypatch.setitem(sys.modules, 'probed_module', module)
    kinds = {'nova_calls': ('probed_module:call',),
             'nova_events': ('probed_module:Listener.poll',
                             'not_loaded_module:f')}
    accounts, done = cpu_probe.Accounts(), set()

    wrapped = cpu_probe.patch(accounts, kinds, done)
    assert sorted(wrapped) == ['probed_module:Listener.poll',
                               'probed_module:call']
    assert cpu_probe.patch(accounts, kinds, done) == []
    assert module.call(21) == 42
    assert Listener().poll() == 'polled'
    assert accounts.calls == {'probed_module:call': 1,
                              'probed_module:Listener.poll': 1}


def test_the_probe_writes_snapshots_the_benchmark_reads(tmp_path,
                                                       monkeypatch):
    module = types.ModuleType('probed_later')
    module.work = lambda: burn(0.01)
    path = str(tmp_path / 'probe.json')
    started = time.time()
    stop = cpu_probe.start(path, kinds={'db_writes': ('probed_later:work',)},
                           interval=0.02)
    try:
        first = cpu_budget.read_snapshot(path, started)
        assert first['missing'] == ['probed_later:work']
        # Imported after the probe started: wrapped when it appears.
        monkeypatch.setitem(sys.modules, 'probed_later', module)
        while cpu_budget.read_snapshot(path, time.time())['missing']:
            pass
        module.work()
        snapshot = cpu_budget.read_snapshot(path, time.time())
    finally:
        stop.set()
    assert snapshot['calls'] == {'probed_later:work': 1}
    assert snapshot['cpu']['db_writes'] >= 0.009
    assert snapshot['process_cpu'] > 0


def test_difference_is_what_was_spent_between_two_snapshots():
    before = {'process_cpu': 1.0, 'cpu': {'nova_calls': 0.5},
              'calls': {'m:f': 10}}
    after = {'process_cpu': 3.0, 'cpu': {'nova_calls': 1.25,
                                         'db_writes': 0.5},
             'calls': {'m:f': 30, 'm:g': 4}, 'missing': []}
    assert cpu_budget.difference(before, after) == {
        'process_cpu': 2.0, 'cpu': {'nova_calls': 0.75, 'db_writes': 0.5},
        'calls': {'m:f': 20, 'm:g': 4}, 'missing': []}


def result(**changes):
    base = {
        'recovery': {'n': 100, 'p': 10, 'seconds': 30.0,
                     'lower_bound': 29.0,
                     'nova_requests': {'GET /servers/{server_id}': 100,
                                       'POST /servers/{server_id}/action':
                                           300},
                     'cpu_ms_per_instance': {'engine': 9.5}},
        'engine': {'process_cpu': 1.0,
                   'cpu': {'nova_calls': 0.4, 'nova_events': 0.2,
                           'db_writes': 0.15, 'log_lines': 0.01,
                           'progress_saves': 0.04},
                   'calls': {'masakari.compute.nova:_call': 400,
                             cpu_budget.EVENT_DISPATCH: 300,
                             'oslo_messaging._drivers.amqpdriver:'
                             'AMQPListener.poll': 900,
                             'masakari.db.api:vmove_update': 200,
                             'logging:Logger.handle': 100,
                             'taskflow.storage:Storage.set_task_progress':
                                 30}},
        'probe_kinds': cpu_probe.KINDS,
        'units': {'nova_get': 0.2, 'nova_action': 0.4, 'event': 0.5,
                  'vmove_update': 0.3, 'log_line': 0.05,
                  'nova_get_with_latency': 1.0},
        'setting_title': 'fenced', 'conditions': {},
        'git': {'commit': 'a' * 40, 'dirty': False},
        'machine': {'cpu': 'CPU', 'cores': 2}, 'cores': None}
    base.update(changes)
    return base


def rows_by_kind(plan):
    return {row['kind']: row for row in plan['rows']}


def test_budget_splits_the_engine_cpu_per_instance_by_kind():
    plan = cpu_budget.budget(result())
    rows = rows_by_kind(plan)
    assert plan['total'] == pytest.approx(10.0)  # 1 s over 100 instances
    assert rows['nova_calls']['calls'] == 4.0
    assert rows['nova_calls']['ms'] == pytest.approx(4.0)
    # One event is one dispatch, not one of the poller's wake-ups.
    assert rows['nova_events']['calls'] == 3.0
    assert rows['db_writes']['ms_per_call'] == pytest.approx(0.75)
    # What no kind claims is the engine's own work.
    assert rows['rest']['ms'] == pytest.approx(10.0 - 8.0)


def test_the_floor_is_calls_times_the_cost_at_best():
    rows = rows_by_kind(cpu_budget.budget(result()))
    # Nova's unit is weighted by the recovery's mix: 1 read, 3 actions.
    assert rows['nova_calls']['alone'] == pytest.approx(0.35)
    assert rows['nova_calls']['floor'] == pytest.approx(4 * 0.35)
    assert rows['nova_events']['floor'] == pytest.approx(1.5)
    assert rows['db_writes']['floor'] == pytest.approx(0.6)
    assert rows['progress_saves']['floor'] is None
    plan = cpu_budget.budget(result())
    assert plan['floor'] == pytest.approx(1.4 + 1.5 + 0.6 + 0.05)
    assert plan['needed'] == pytest.approx(4.0 + 2.0 + 1.5 + 0.1)


@pytest.mark.parametrize('floor_scale,needed_scale,verdict', [
    (1.0, 1.0, 'is below what they cost in the recovery'),
    (2.0, 1.0, 'is below even the floor'),
    (0.1, 0.1, "for the engine's own work"),
])
def test_the_goal_verdict_follows_the_numbers(floor_scale, needed_scale,
                                              verdict):
    plan = {'floor': 4.0 * floor_scale, 'needed': 8.0 * needed_scale}
    assert verdict in cpu_budget._goal_verdict(plan)


def test_the_page_prints_the_measured_numbers_and_both_core_layouts():
    shared = result()
    own = result(cores={'engine': [1], 'others': [0]})
    page = cpu_budget.render({'runs': [shared, own]})
    assert 'Cores shared' in page
    assert 'The engine on a core of its own' in page
    assert 'core(s) 1' in page
    assert 'Commit ``%s``' % ('a' * 12) in page
    assert '   * - total\n     - \n     - 10.00' in page


def test_core_layouts():
    cpus = sorted(os.sched_getaffinity(0))
    assert cpu_budget._core_layouts('none') == [None]
    if len(cpus) > 1:
        assert cpu_budget._core_layouts('last') == [None, {cpus[-1]}]
        assert cpu_budget._core_layouts('0') == [None, {0}]


@pytest.mark.skipif(not RESULTS.exists(), reason='no committed results')
def test_the_committed_results_render_with_their_conditions():
    results = json.loads(RESULTS.read_text())
    page = cpu_budget.render(results)
    for run in results['runs']:
        plan = cpu_budget.budget(run)
        assert '%.2f' % plan['total'] in page
        assert run['git']['commit'][:12] in page
