"""The simulator's versioned notifications, received by a real
oslo.messaging notification listener (in-process ``fake://`` bus), for
evacuations asked through novaclient."""

import queue

from oslo_config import cfg
import oslo_messaging
from oslo_messaging import opts as messaging_opts
import pytest

from masakari.simulator import NovaSimulator
from masakari.tests.functional.simulator.base import FAST
from masakari.tests.functional.simulator.base import novaclient


class Heard:
    """A notification endpoint that keeps what it hears."""

    def __init__(self):
        self.queue = queue.Queue()

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        self.queue.put(('info', publisher_id, event_type, payload))

    def error(self, ctxt, publisher_id, event_type, payload, metadata):
        self.queue.put(('error', publisher_id, event_type, payload))

    def next_about(self, server_id):
        """The next notification about ``server_id``: the fake bus keeps
        what earlier tests sent while nobody listened."""
        while True:
            heard = self.queue.get(timeout=10)
            if heard[3]['nova_object.data'].get('uuid') == server_id:
                return heard


@pytest.fixture
def heard():
    conf = cfg.ConfigOpts()
    for group, opts in messaging_opts.list_opts():
        if group is None:
            conf.register_opts(opts)
    transport = oslo_messaging.get_notification_transport(conf,
                                                          url='fake://')
    endpoint = Heard()
    server = oslo_messaging.get_notification_listener(
        transport,
        [oslo_messaging.Target(topic='versioned_notifications',
                               exchange='nova')],
        [endpoint], executor='threading', pool='test')
    server.start()
    yield endpoint
    server.stop()
    server.wait()


@pytest.fixture
def sim(heard):
    simulator = NovaSimulator(notification_url='fake://', **FAST).start()
    for name in ('compute1', 'compute2'):
        simulator.state.add_host(name, vcpus=8, memory_mb=16384)
    yield simulator
    simulator.stop()


def evacuate_one(sim, mode=None):
    server_id = sim.state.add_server('compute1')
    if mode:
        sim.state.inject_evacuation_fault(server_id, mode)
    sim.state.fail_host('compute1')
    novaclient(sim).servers.evacuate(server_id)
    return server_id


def test_an_evacuation_as_nova_announces_it(sim, heard):
    server_id = evacuate_one(sim)
    got = [heard.next_about(server_id) for _ in range(3)]
    assert [(p, who, what) for p, who, what, _ in got] == [
        ('info', 'nova-api:controller', 'instance.evacuate'),
        ('info', 'nova-compute:compute2', 'instance.rebuild.start'),
        ('info', 'nova-compute:compute2', 'instance.rebuild.end')]
    for _, _, _, payload in got:
        assert payload['nova_object.data']['uuid'] == server_id
    assert got[0][3]['nova_object.name'] == 'InstanceActionPayload'
    end = got[2][3]
    assert end['nova_object.name'] == 'InstanceActionRebuildPayload'
    assert end['nova_object.data']['host'] == 'compute2'
    assert end['nova_object.data']['task_state'] is None


def test_a_failed_rebuild_is_an_error_with_its_fault(sim, heard):
    server_id = evacuate_one(sim, 'fail')
    got = [heard.next_about(server_id) for _ in range(3)]
    priority, _, event_type, payload = got[-1]
    assert (priority, event_type) == ('error', 'instance.rebuild.error')
    fault = payload['nova_object.data']['fault']['nova_object.data']
    assert fault['exception'] == 'InjectedFault'
    assert 'Simulated evacuation failure' in fault['exception_message']
