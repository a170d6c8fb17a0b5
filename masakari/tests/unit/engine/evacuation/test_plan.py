"""Which servers a host failure evacuates, how, and what comes first."""

import pytest

from masakari.compute import resources
from masakari.engine.evacuation import plan
from masakari.engine.evacuation import records


def server(id_='s', vm_state='active', task_state=None, power_state=1,
           host='c1', metadata=None, locked=False):
    return resources.Server(id=id_, name=id_, vm_state=vm_state,
                       task_state=task_state, power_state=power_state,
                       host=host, metadata=metadata or {}, locked=locked)


@pytest.mark.parametrize('value,enabled', [
    ('True', True), ('true', True), ('yes', True), ('1', True), ('on', True),
    ('y', True), ('False', False), ('no', False), ('0', False),
    ('banana', False), ('', False), (None, False)])
def test_ha_enabled_metadata_is_parsed_leniently(value, enabled):
    metadata = {} if value is None else {'HA_Enabled': value}
    assert server(metadata=metadata).metadata_flag('HA_Enabled') is enabled


def test_select_ha_first_then_the_rest():
    ha1 = server('ha1', metadata={'HA_Enabled': 'True'})
    plain = server('plain')
    ha2 = server('ha2', metadata={'HA_Enabled': 'yes'})
    broken = server('broken', vm_state='error')
    selected, skipped = plan.select_instances(
        [plain, ha1, broken, ha2], 'HA_Enabled', True, False)
    assert [s.id for s in selected] == ['ha1', 'ha2', 'plain', 'broken']
    assert skipped == []


def test_select_only_ha_and_skip_errors():
    ha = server('ha', metadata={'HA_Enabled': 'True'})
    ha_broken = server('ha_broken', vm_state='error',
                       metadata={'HA_Enabled': 'True'})
    plain = server('plain')
    selected, skipped = plan.select_instances(
        [ha, ha_broken, plain], 'HA_Enabled', False, True)
    assert [s.id for s in selected] == ['ha']
    reasons = {s.id: reason for s, reason in skipped}
    assert 'error state' in reasons['ha_broken']
    assert 'not HA-enabled' in reasons['plain']


def test_custom_metadata_key():
    selected, _ = plan.select_instances(
        [server('x', metadata={'ha': 'true', 'HA_Enabled': 'false'})],
        'ha', False, False)
    assert len(selected) == 1


P = plan.EvacuationPlan
G, D, F, S = (plan.Progress.GOING, plan.Progress.DONE, plan.Progress.FAILED,
              plan.Progress.SETTLING)


@pytest.mark.parametrize('vm_state,task_state,power_state,expected', [
    ('active', None, 1, P(False, 'active', False, False)),
    ('stopped', None, 4, P(False, 'stopped', False, False)),
    ('error', None, 0, P(False, 'error', True, True)),
    ('active', 'powering-off', 1, P(True, 'error', False, False)),
    ('stopped', 'powering-on', 4, P(True, 'error', True, False)),
    ('error', 'rebuilding', 0, P(True, 'error', True, True)),
    ('paused', None, 3, P(True, 'error', True, False)),
    ('suspended', None, 7, P(True, 'error', True, False)),
    ('resized', None, 1, P(True, 'error', False, False)),
    ('resized', None, 4, P(True, 'error', True, False)),
])
def test_plan_evacuation(vm_state, task_state, power_state, expected):
    assert plan.plan_evacuation(
        server(vm_state=vm_state, task_state=task_state,
               power_state=power_state)) == expected


@pytest.mark.parametrize('polled,expected,result', [
    (dict(task_state='rebuilding'), 'active', G),
    (dict(task_state='rebuild_spawning', host='c2'), 'active', G),
    (dict(host='c2'), 'active', D),
    (dict(host='c2', vm_state='stopped'), 'stopped', D),
    (dict(host='c2', vm_state='error'), 'active', F),
    # An error instance comes back active; error elsewhere: still going.
    (dict(host='c2', vm_state='error'), 'error', G),
    (dict(host='c2', vm_state='active'), 'error', D),
    # Nova gave up: no task left, still on the failed host, in error.
    (dict(vm_state='error'), 'active', F),
    # No task, still on the failed host: Nova's window between clearing
    # the task and moving the host, or a silent failure; can't tell yet.
    (dict(vm_state='error'), 'error', S),
    (dict(), 'active', S),
])
def test_evacuation_progress(polled, expected, result):
    assert plan.evacuation_progress(server(**polled), 'c1',
                                            expected) is result


@pytest.mark.parametrize('record', ['failed', 'error'])
def test_evacuation_progress_failed_record(record):
    """Nova's evacuation record tells a failure from the window at once."""
    assert plan.evacuation_progress(
        server(), 'c1', 'active', record) is F


def test_evacuation_progress_done_record_on_source_host():
    # Nova marks the record done after it moved the host: the server read
    # before that is still settling.
    assert plan.evacuation_progress(
        server(), 'c1', 'active', 'done') is S


def record(requested=False, locked=False):
    return records.EvacuationRecord('r', 's', 'ongoing' if requested
                                    else 'pending', requested=requested,
                                    locked_by_masakari=locked)


A = plan.Action


@pytest.mark.parametrize('polled,recorded,action,unlock,lock', [
    # Runs elsewhere, no task: an earlier attempt moved it.
    (dict(host='c2'), record(), A.ALREADY_MOVED, False, False),
    # ...and masakari still holds the lock that attempt took.
    (dict(host='c2', locked=True), record(True, True), A.ALREADY_MOVED,
     True, False),
    # An operator's lock is not masakari's to release.
    (dict(host='c2', locked=True), record(True, False), A.ALREADY_MOVED,
     False, False),
    # Rebuilding elsewhere: an evacuation is finishing.
    (dict(host='c2', task_state='rebuild_spawning'), record(),
     A.AWAIT_EARLIER, False, False),
    # Rebuilding on the failed host after masakari asked: wait for it.
    (dict(task_state='rebuilding', locked=True), record(True, True),
     A.AWAIT_EARLIER, True, False),
    # Rebuilding on the failed host, never asked for: evacuate it.
    (dict(task_state='rebuilding'), record(), A.EVACUATE, True, True),
    # Plain server on the failed host: lock it, evacuate it, unlock it.
    (dict(), record(), A.EVACUATE, True, True),
    # Locked by an operator: evacuate, leave the lock alone.
    (dict(locked=True), record(), A.EVACUATE, False, False),
    # Locked by masakari before an engine died: evacuate, then unlock.
    (dict(locked=True), record(True, True), A.EVACUATE, True, False),
])
def test_decide_start(polled, recorded, action, unlock, lock):
    start = plan.decide_start(server(**polled), recorded, 'c1')
    assert (start.action, start.unlock, start.lock) == (action, unlock, lock)
    assert (start.plan is not None) == (action is A.EVACUATE)
