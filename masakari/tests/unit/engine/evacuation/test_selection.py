"""Exclusions and restart priority: which servers are left alone, and the
order of the others."""

import threading
import types

import pytest

from masakari.compute import resources
from masakari.engine.evacuation import plan
from masakari.engine.evacuation import selection


def server(id_='s', name='vm', metadata=None, project='p1', flavor='small',
           specs=None):
    return resources.Server(id=id_, name=name, metadata=metadata or {},
                            vm_state='active', host='c1', project_id=project,
                            flavor_name=flavor,
                            flavor_extra_specs=specs or {})


EXCLUSIONS = selection.Exclusions(
    metadata_keys=('masakari_exclude',), projects=frozenset({'octavia'}),
    flavors=frozenset({'pinned'}),
    flavor_extra_specs=(('hw:cpu_policy', 'dedicated'), ('trait:X', None)),
    name_patterns=('amphora-*',))


@pytest.mark.parametrize('candidate,reason', [
    (server(), None),
    (server(metadata={'masakari_exclude': 'true'}),
     'its metadata masakari_exclude is set'),
    (server(metadata={'masakari_exclude': 'false'}), None),
    (server(project='octavia'), 'its project octavia is excluded'),
    (server(flavor='pinned'), 'its flavor pinned is excluded'),
    (server(specs={'hw:cpu_policy': 'dedicated'}),
     'its flavor has hw:cpu_policy=dedicated'),
    (server(specs={'hw:cpu_policy': 'shared'}), None),
    (server(specs={'trait:X': 'required'}), 'its flavor has trait:X'),
    (server(name='amphora-1234'), 'its name matches amphora-*'),
    (server(name='my-amphora-1'), None),
])
def test_exclusion_reasons(candidate, reason):
    assert EXCLUSIONS.reason(candidate) == reason


def test_no_exclusions_exclude_nothing():
    assert selection.Exclusions().reason(server(name='amphora-1')) is None


@pytest.mark.parametrize('value,expected', [
    ('high', 3), ('Medium', 2), ('low', 1), ('10', 10), ('-1', -1),
    (None, 0), ('soon', 0), ('', 0)])
def test_priority_from_metadata(value, expected):
    metadata = {} if value is None else {'HA_Priority': value}
    assert selection.priority(server(metadata=metadata),
                              'HA_Priority') == expected


def test_no_priority_key_means_all_equal():
    assert selection.priority(server(metadata={'HA_Priority': 'high'}),
                              None) == 0
    assert selection.priority(None, 'HA_Priority') == 0


def test_priority_levels_highest_first_stable_within():
    items = [('a', 1), ('b', 3), ('c', 1), ('d', 3), ('e', 2)]
    assert selection.in_priority_order(items, lambda item: item[1]) == [
        [('b', 3), ('d', 3)], [('e', 2)], [('a', 1), ('c', 1)]]


def test_select_leaves_excluded_out_and_orders_by_priority():
    low = server('low', metadata={'HA_Enabled': 'true', 'P': 'low'})
    high = server('high', metadata={'HA_Enabled': 'true', 'P': 'high'})
    plain = server('plain', metadata={'P': 'high'})
    amphora = server('amp', name='amphora-1',
                     metadata={'HA_Enabled': 'true', 'P': 'high'})
    selected, skipped = plan.select_instances(
        [low, high, plain, amphora], 'HA_Enabled', True, False,
        exclusions=EXCLUSIONS, priority_key='P')
    assert [s.id for s in selected] == ['high', 'plain', 'low']
    assert [(s.id, reason) for s, reason in skipped] == [
        ('amp', 'it is excluded from evacuation: its name matches '
                'amphora-*')]


@pytest.mark.parametrize('configured,waits', [
    ([], False), (['*'], True), (['gold'], True), (['seg-uuid'], True),
    (['silver'], False)])
def test_which_segments_wait_for_higher_priorities(conf, configured, waits):
    conf.set_override('wait_for_higher_priority_segments', configured,
                      'host_failure')
    segment = types.SimpleNamespace(name='gold', uuid='seg-uuid')
    assert selection.waits_for_higher_priority(segment) is waits
    assert selection.waits_for_higher_priority(None) is False


def test_start_order_holds_lower_priorities_until_higher_started():
    order = selection.StartOrder([['h1', 'h2'], ['m1'], ['l1']])
    assert order.may_start('h1') and order.may_start('h2')
    assert not order.may_start('m1') and not order.may_start('l1')
    order.started('h1')
    assert not order.may_start('m1')
    order.started('h2')
    assert order.may_start('m1') and not order.may_start('l1')
    order.started('m1')
    assert order.may_start('l1')


def test_start_order_counts_each_server_once():
    order = selection.StartOrder([['h1', 'h2'], ['m1']])
    order.started('h1')
    order.started('h1')  # taken by Nova, then ended: one start
    assert not order.may_start('m1')


def test_wait_turn_returns_once_higher_priorities_started():
    order = selection.StartOrder([['h1'], ['m1']])
    released = threading.Event()
    waiter = threading.Thread(
        target=lambda: (order.wait_turn('m1'), released.set()))
    waiter.start()
    order.started('h1')
    waiter.join(timeout=10)
    assert released.is_set()
