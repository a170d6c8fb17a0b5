"""The decisions of masakari.ha that need no database, as tables."""

import types

import pytest

from masakari import exception
from masakari.ha import hosts
from masakari.ha import notifications


def _host(uuid='h1', name='compute1', reserved=False, enabled=True):
    segment = types.SimpleNamespace(enabled=enabled)
    return types.SimpleNamespace(uuid=uuid, name=name, reserved=reserved,
                                 failover_segment=segment)


@pytest.mark.parametrize('reserved,host_failure,values', [
    (False, False, {'on_maintenance': True}),
    (False, True, {'on_maintenance': True}),
    (True, False, {'on_maintenance': True}),
    (True, True, {'on_maintenance': True, 'reserved': False}),
])
def test_maintenance_values(reserved, host_failure, values):
    assert hosts.maintenance_values(_host(reserved=reserved),
                                    host_failure) == values


@pytest.mark.parametrize('values,renamed', [
    ({}, False),
    ({'reserved': True}, False),
    ({'name': 'compute1'}, False),
    ({'name': 'compute2'}, True),
])
def test_renamed(values, renamed):
    assert hosts.renamed(_host(name='compute1'), values) is renamed


def test_spare_hosts_keep_the_order_without_the_failed_host():
    failed = _host('h2')
    candidates = [_host('h3'), _host('h2'), _host('h1')]
    assert [h.uuid for h in hosts.spare_hosts(candidates, failed)] == [
        'h3', 'h1']
    assert hosts.spare_hosts([], failed) == []


@pytest.mark.parametrize('host,retry,ignored', [
    (_host(enabled=False), False, True),
    (_host(enabled=False), True, False),
    (_host(enabled=True), False, False),
    (_host(enabled=True), True, False),
    (None, False, False),
])
def test_ignore_for_disabled_segment(host, retry, ignored):
    assert notifications.ignore_for_disabled_segment(
        host, retry=retry) is ignored


def test_segment_disabled_message_is_upstreams():
    assert notifications.SEGMENT_DISABLED_MESSAGE == (
        'Recovery aboart: the segment HA is disabled.')


def test_no_notification_accepted_from_a_host_on_maintenance():
    notifications.check_accepted_from(
        types.SimpleNamespace(on_maintenance=False), 'compute1', 'VM')
    with pytest.raises(exception.HostOnMaintenanceError) as info:
        notifications.check_accepted_from(
            types.SimpleNamespace(on_maintenance=True), 'compute1', 'VM')
    assert 'compute1' in info.value.format_message()
    assert info.value.code == 409
