"""The outcome check the tests and the load benchmark share."""

import pytest

from masakari.simulator import checks
from masakari.tests.fixtures import assertions
from masakari.tests.unit.simulator.helpers import make_cloud


def _record(**fields):
    record = {'id': 'id-1', 'name': 'vm-1', 'status': 'ACTIVE',
              'host': 'c2', 'evacuations': 1, 'locked': False}
    record.update(fields)
    return record


def test_no_problem_for_one_evacuation_elsewhere():
    assert checks.evacuation_problems([_record()], 'c1') == []


def test_every_problem_is_named():
    problems = checks.evacuation_problems(
        [_record(host='c1'), _record(name='vm-2', id='id-2', evacuations=2),
         _record(name='vm-3', id='id-3', status='ERROR', evacuations=0,
                 locked=True)],
        'c1', unlocked=True)
    assert problems == ['vm-1 (id-1) is ACTIVE on c1',
                        'vm-2 (id-2) was evacuated 2 times',
                        'vm-3 (id-3) is ERROR on c2',
                        'vm-3 (id-3) was evacuated 0 times',
                        'vm-3 (id-3) is still locked']


def test_locks_only_checked_when_asked():
    assert checks.evacuation_problems([_record(locked=True)]) == []


def test_the_assertion_lists_the_problems():
    cloud = make_cloud()
    try:
        sid = cloud.add_server('c1')
        with pytest.raises(AssertionError) as info:
            assertions.assert_evacuated_once([cloud.server_info(sid)], 'c1')
    finally:
        cloud.stop()
    message = str(info.value)
    assert message.startswith('not every one of 1 instances was evacuated '
                              'exactly once from c1:\n  ')
    assert 'is ACTIVE on c1' in message
    assert 'was evacuated 0 times' in message
