"""What each notification asks for (contract section 2.7)."""

import pytest

from masakari.engine import rules


@pytest.mark.parametrize('payload,outcome', [
    ({'event': 'STOPPED', 'host_status': 'NORMAL'}, None),
    ({'event': 'stopped', 'host_status': 'normal'}, None),
    ({'event': 'STOPPED', 'host_status': 'UNKNOWN'}, 'ignored'),
    ({'event': 'STOPPED'}, 'ignored'),
    ({'event': 'STARTED', 'host_status': 'NORMAL'}, 'finished'),
    ({'event': 'STARTED'}, 'ignored'),
    ({'event': 'REBOOTED', 'host_status': 'NORMAL'}, 'ignored'),
])
def test_compute_host(payload, outcome):
    decision = rules.decide('COMPUTE_HOST', payload)
    assert decision.outcome == outcome
    if outcome is None:
        assert decision.recovery == 'host'
        assert decision.set_maintenance is True
    else:
        assert decision.message


def test_process():
    stopped = rules.decide('PROCESS', {'event': 'STOPPED',
                                       'process_name': 'nova-compute'})
    assert (stopped.recovery, stopped.process_name,
            stopped.set_maintenance) == ('process', 'nova-compute', True)
    assert rules.decide('PROCESS', {'event': 'STARTED'}).outcome == (
        'finished')
    assert rules.decide('PROCESS', {'event': 'PAUSED'}).outcome == 'ignored'


@pytest.mark.parametrize('event,detail,recovered', [
    ('LIFECYCLE', 'STOPPED_FAILED', True),
    ('QEMU_GUEST_AGENT_ERROR', 'STOPPED_FAILED', True),
    ('IO_ERROR', 'IO_ERROR_REPORT', True),
    ('LIFECYCLE', 'STOPPED_SHUTDOWN', False),
    ('LIFECYCLE', 'STOPPED_DESTROYED', False),
    ('LIFECYCLE', 'SUSPENDED_IOERROR', False),
    ('IO_ERROR', 'IO_ERROR_PAUSE', False),
    ('REBOOT', 'UNKNOWN', False),
    ('WATCHDOG', 'WATCHDOG_RESET', False),
    ('CONTROL_ERROR', 'UNKNOWN', False),
])
def test_vm_event_table(event, detail, recovered):
    decision = rules.decide('VM', {'event': event, 'vir_domain_event': detail,
                                   'instance_uuid': 'abc'})
    if recovered:
        assert (decision.outcome, decision.recovery,
                decision.instance_uuid) == (None, 'instance', 'abc')
        assert decision.set_maintenance is False
    else:
        assert decision.outcome == 'ignored'


def test_unknown_type_and_bad_payload_are_ignored():
    assert rules.decide('STORAGE', {}).outcome == 'ignored'
    assert rules.decide('VM', None).outcome == 'ignored'
