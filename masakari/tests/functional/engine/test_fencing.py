"""Host recovery with fencing: the host's BMC (a real Redfish or IPMI
endpoint on 127.0.0.1) powers it off before anything of it is evacuated.

The test BMCs' power-off makes the host fail in the Nova simulator, as
cutting a real host's power stops its compute service; the simulator keeps
the service "up" for a minute, as a real Nova would, so only a fenced host
can be recovered at once.
"""

import logging
import time

import pytest

from masakari.compute import nova
from masakari.engine import periodic
from masakari.tests.fixtures.assertions import assert_evacuated_once
from masakari.tests.fixtures.kdump import kdump_conf  # noqa: F401
from masakari.tests.fixtures.kdump import kdump_senders  # noqa: F401
from masakari.tests.functional.engine.conftest import notification
from masakari.tests.functional.engine.conftest import vmoves


def _details(manager, ctx, uuid):
    row = notification(uuid)
    return {entry['name']: [item['message'] for item in
                            entry['progress_details']]
            for entry in manager.get_notification_recovery_workflow_details(
                ctx, {'notification_uuid': uuid,
                      'failover_segment_uuid': row.failover_segment_uuid})}


@pytest.fixture
def forced_down_at(monkeypatch):
    """When the engine forced a compute service down (monotonic)."""
    seen = []
    force_down = nova.API.force_down_service

    def recording(self, context, host_name, *args, **kwargs):
        seen.append(time.monotonic())
        return force_down(self, context, host_name, *args, **kwargs)

    monkeypatch.setattr(nova.API, 'force_down_service', recording)
    return seen


def _failed_host(cloud, simulator, bmc_kind, bmcs, servers=2):
    """Segment with c1 (behind a BMC whose power-off fails it in Nova) and
    c2; ``servers`` HA servers on c1; the host monitor's notification."""
    # Nova would call c1 down only after a minute of silence, and hold
    # its disable meanwhile: waiting for it is what fencing avoids.
    simulator.state.configure(service_down_time=60, rpc_response_timeout=60)
    segment = cloud.segment('auto')
    failed = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    ha = cloud.servers('c1', servers, ha=True)
    bmc = getattr(bmcs, bmc_kind)('c1')
    bmc.on_power_off = lambda: cloud.fail('c1')
    return bmc, ha, cloud.host_down(failed)


def _patient(engine_conf):
    """Timings a loaded machine meets (an IPMI login may take a second or
    more there), for the tests where the BMC is expected to answer."""
    engine_conf.set_override('bmc_call_timeout', 10, 'fencing')
    engine_conf.set_override('power_off_timeout', 30, 'fencing')


@pytest.mark.parametrize('bmc_kind', ['redfish', 'ipmi'])
def test_fenced_then_forced_down_then_evacuated(
        cloud, manager, ctx, simulator, bmcs, bmc_kind,
        forced_down_at, engine_conf):
    _patient(engine_conf)
    bmc, ha, uuid = _failed_host(cloud, simulator, bmc_kind, bmcs)

    assert manager.process(ctx, uuid) == 'finished', notification(
        uuid).message

    assert_evacuated_once([cloud.info(s) for s in ha], 'c1', unlocked=True)
    service = cloud.service('c1')
    assert service['forced_down'] is True
    assert service['status'] == 'disabled'
    # The service was forced down only once the BMC reported the host off.
    assert len(bmc.powered_off_at) == 1
    assert forced_down_at and forced_down_at[0] > bmc.powered_off_at[0]
    details = _details(manager, ctx, uuid)
    assert details['FenceHostTask'][-1].startswith(
        "Host 'c1' powered off through its BMC (%s)" % bmc_kind)
    disable = details['DisableComputeServiceTask']
    assert ("Marked compute service on host 'c1' as forced down (the host "
            'is fenced)') in disable
    assert not any('Waiting up to' in message for message in disable)


def test_a_host_already_off_counts_as_fenced(cloud, manager, ctx, simulator,
                                             bmcs, engine_conf):
    _patient(engine_conf)
    bmc, ha, uuid = _failed_host(cloud, simulator, 'redfish', bmcs)
    bmc.set_state('off')
    cloud.fail('c1')

    assert manager.process(ctx, uuid) == 'finished'

    assert bmc.power_off_requests == []
    assert_evacuated_once([cloud.info(s) for s in ha], 'c1')
    assert _details(manager, ctx, uuid)['FenceHostTask'] == [
        "Host 'c1' is powered off already (redfish): fenced"]


def test_a_host_writing_a_crash_dump_is_fenced_without_a_power_off(
        cloud, manager, ctx, simulator, bmcs, engine_conf,
        kdump_senders):  # noqa: F811
    """Its kdump kernel's fence_kdump messages fence it: its compute
    service is forced down at once and its instances are evacuated, and
    its BMC is never asked to power it off (the dump survives)."""
    _patient(engine_conf)
    bmc, ha, uuid = _failed_host(cloud, simulator, 'redfish', bmcs)
    bmcs.set_entry('c1', dict(bmc.inventory_entry(),
                              kdump_addresses=['127.0.0.1']))
    cloud.fail('c1')  # its kernel crashed: the compute service is gone
    kdump_senders()

    assert manager.process(ctx, uuid) == 'finished', notification(
        uuid).message

    assert bmc.power_off_requests == []
    assert_evacuated_once([cloud.info(s) for s in ha], 'c1')
    assert cloud.service('c1')['forced_down'] is True
    assert _details(manager, ctx, uuid)['FenceHostTask'] == [
        "Host 'c1' is writing a kernel crash dump (fence_kdump message from "
        '127.0.0.1): fenced, not powered off']


@pytest.mark.parametrize('fault', ['refuse', 'never-off', 'hang'])
def test_no_evacuation_unless_fenced(cloud, manager, ctx, simulator, bmcs,
                                     fault, caplog):
    bmc, ha, uuid = _failed_host(cloud, simulator, 'redfish', bmcs)
    bmc.set_fault(fault)

    with caplog.at_level(logging.WARNING):
        assert manager.process(ctx, uuid) == 'error'

    row = notification(uuid)
    assert row.message.startswith("Fencing of host 'c1' failed, so none of "
                                  'its instances were evacuated')
    assert {cloud.evacuations(s) for s in ha} == {0}
    assert {cloud.where(s) for s in ha} == {'c1'}
    assert vmoves(uuid) == []
    service = cloud.service('c1')
    assert (service['forced_down'], service['status']) == (False, 'enabled')
    assert list(_details(manager, ctx, uuid)) == ['FenceHostTask']
    assert any(record.levelno >= logging.ERROR and 'c1' in record.message
               for record in caplog.records)


def test_the_retry_fences_again_and_recovers(cloud, manager, ctx, simulator,
                                             bmcs, engine_conf):
    bmc, ha, uuid = _failed_host(cloud, simulator, 'redfish', bmcs)
    bmc.set_fault('refuse')
    assert manager.process(ctx, uuid) == 'error'

    _patient(engine_conf)
    bmc.set_fault(None)
    periodic.process_unfinished_notifications(manager, ctx)

    assert notification(uuid).status == 'finished'
    assert_evacuated_once([cloud.info(s) for s in ha], 'c1')


def test_no_fallback_to_another_method_when_fencing_fails(
        cloud, manager, ctx, simulator, bmcs, caplog):
    simulator.state.configure(service_down_time=60)
    segment = cloud.segment('auto_priority')
    failed = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2', reserved=True)
    ha = cloud.servers('c1', 1, ha=True)
    bmcs.redfish('c1').set_fault('never-off')

    assert manager.process(ctx, cloud.host_down(failed)) == 'error'

    assert 'now trying' not in caplog.text
    assert cloud.evacuations(ha[0]) == 0


def test_hosts_without_a_bmc_recover_as_before(cloud, manager, ctx,
                                                bmcs):
    bmcs.redfish('c9')  # an inventory that does not list c1
    segment = cloud.segment('auto')
    failed = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    ha = cloud.servers('c1', 1, ha=True)
    cloud.fail('c1')
    uuid = cloud.host_down(failed)

    assert manager.process(ctx, uuid) == 'finished'

    assert_evacuated_once([cloud.info(s) for s in ha], 'c1')
    # Not fenced here: the workflow reads as it did without the task.
    assert 'FenceHostTask' not in _details(manager, ctx, uuid)
    assert cloud.service('c1')['forced_down'] is False


def test_the_bmc_password_is_never_shown(cloud, manager, ctx, simulator,
                                         bmcs, caplog):
    bmc, _, uuid = _failed_host(cloud, simulator, 'redfish', bmcs)
    password = bmc.inventory_entry()['password']
    bmcs.set_entry('c1', dict(bmc.inventory_entry(), password=password,
                              username='nobody'))

    with caplog.at_level(logging.DEBUG):
        assert manager.process(ctx, uuid) == 'error'

    shown = [caplog.text, notification(uuid).message,
             repr(_details(manager, ctx, uuid))]
    assert not [text for text in shown if password in text]
