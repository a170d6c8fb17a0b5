"""Engine against a real Nova API: the simulator, over HTTP, via novaclient.

Each test gets a fresh simulator with short simulated durations, a migrated
SQLite database that also holds the taskflow logbooks, and a
``MasakariManager`` with the taskflow driver. ``cloud`` builds segments and
hosts in both the database and the simulator, and files notifications.
"""

import datetime
import json

from oslo_utils import timeutils
import pytest

from masakari import context as masakari_context
from masakari.compute import client as nova_client
from masakari.compute import nova
from masakari.db import api as db_api
from masakari.engine import driver as engine_driver
from masakari.engine import manager as engine_manager
from masakari.simulator import NovaSimulator
from masakari.tests.fixtures.bmc import bmc_inventory  # noqa: F401
from masakari.tests.fixtures.bmc import bmcs  # noqa: F401

FAST = {'evacuate_duration': 0.05, 'stop_duration': 0.02,
        'start_duration': 0.02, 'boot_duration': 0.02}


@pytest.fixture
def simulator():
    sim = NovaSimulator(**FAST).start()
    yield sim
    sim.stop()


@pytest.fixture
def engine_conf(conf, database, simulator, monkeypatch):
    conf.set_override('auth_type', 'none', 'nova')
    conf.set_override('endpoint_override', simulator.url, 'nova')
    conf.set_override('call_retries', 1, 'nova')
    conf.set_override('call_timeout', 5.0, 'nova')
    conf.set_override('verify_interval', 1)
    conf.set_override('wait_period_after_service_update', 5)
    conf.set_override('wait_period_after_evacuation', 10)
    conf.set_override('wait_period_after_power_off', 5)
    conf.set_override('wait_period_after_power_on', 5)
    conf.set_override('periodic_enable', False)
    # The fast path: tests notice each evacuation end within 0.05 s.
    conf.set_override('evacuation_watch_interval', 0.05, 'host_failure')
    monkeypatch.setattr(nova, 'RETRY_BASE_DELAY', 0.01)
    nova_client.reset_clients()
    yield conf
    nova_client.reset_clients()


@pytest.fixture
def manager(engine_conf):
    mgr = engine_manager.MasakariManager(driver=engine_driver.TaskFlowDriver())
    yield mgr
    mgr.stop(timeout=10)


@pytest.fixture
def ctx():
    return masakari_context.RequestContext(is_admin=True,
                                           request_id='req-engine-test')


class Cloud:
    """Segments and hosts in masakari's database and in the simulator."""

    def __init__(self, simulator):
        self.sim = simulator
        self.state = simulator.state

    def segment(self, method='auto', enabled=True, name=None):
        return db_api.segment_create({
            'name': name or 'segment-%s' % timeutils.utcnow().timestamp(),
            'service_type': 'COMPUTE', 'recovery_method': method,
            'enabled': enabled})

    def host(self, segment, name, reserved=False, in_nova=True,
             on_maintenance=False):
        """A compute host; a reserved one is disabled in Nova."""
        if in_nova:
            self.state.add_host(name, enabled=not reserved,
                                disabled_reason='spare' if reserved else None)
        return db_api.host_create({
            'name': name, 'type': 'COMPUTE', 'control_attributes': 'SSH',
            'failover_segment_id': segment.uuid, 'reserved': reserved,
            'on_maintenance': on_maintenance})

    def notify(self, host, type_, payload, generated_time=None):
        row = db_api.notification_create({
            'type': type_, 'payload': payload,
            'generated_time': generated_time or timeutils.utcnow().replace(
                microsecond=0),
            'source_host_uuid': host.uuid,
            'failover_segment_uuid': host.failover_segment_id}, 0)
        return row.notification_uuid

    def host_down(self, host, event='STOPPED', host_status='NORMAL',
                  **kwargs):
        payload = {'event': event, 'cluster_status': 'OFFLINE'}
        if host_status is not None:
            payload['host_status'] = host_status
        return self.notify(host, 'COMPUTE_HOST', payload, **kwargs)

    def fail(self, host_name):
        self.state.fail_host(host_name)

    def servers(self, host_name, count=1, ha=True, **kwargs):
        metadata = kwargs.pop('metadata', None)
        if metadata is None and ha is not None:
            metadata = {'HA_Enabled': 'True' if ha else 'False'}
        return self.state.add_servers(host_name, count, metadata=metadata,
                                      **kwargs)

    def where(self, server_id):
        return self.state.host_of(server_id)

    def info(self, server_id):
        return self.state.server_info(server_id)

    def evacuations(self, server_id):
        return self.state.evacuation_count(server_id)

    def service(self, host_name):
        return self.state.host_info(host_name)


@pytest.fixture
def cloud(simulator, engine_conf):
    return Cloud(simulator)


def notification(uuid):
    return db_api.notification_get_by_uuid(uuid)


def vmoves(uuid):
    return sorted(db_api.vmove_get_all(filters={'notification_uuid': uuid}),
                  key=lambda vmove: vmove.id)


def payload_of(uuid):
    return json.loads(notification(uuid).payload)


def old(seconds):
    """A generated_time ``seconds`` ago."""
    return (timeutils.utcnow() - datetime.timedelta(seconds=seconds)).replace(
        microsecond=0)
