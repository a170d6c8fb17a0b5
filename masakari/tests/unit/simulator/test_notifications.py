"""The versioned notifications the simulator sends during an evacuation,
in Nova's order and shape."""

import pytest

from masakari.simulator import lifecycle
from masakari.simulator.models import Fault
from masakari.simulator import notifications
from masakari.tests.unit.simulator.helpers import caller, make_cloud


class Recorder:
    """Stands in for ``NovaNotifier``: what was sent, with the server as
    it was at that moment."""

    def __init__(self):
        self.sent = []

    def evacuate_accepted(self, server, user_id=None):
        self.sent.append(('instance.evacuate', 'api', server.host,
                          server.task_state, server.fault))

    def rebuild(self, server, target, phase):
        self.sent.append(('instance.rebuild.%s' % phase, target,
                          server.host, server.task_state, server.fault))

    def rebuild_unschedulable(self, server):
        self.sent.append(('compute_task.rebuild_server.error', 'conductor',
                          server.host, server.task_state, server.fault))


@pytest.fixture
def cloud():
    state = make_cloud(hosts=('c1', 'c2'))
    state.notifier = Recorder()
    yield state
    state.stop()


def evacuate(cloud, mode=None):
    sid = cloud.add_server('c1')
    if mode:
        cloud.inject_evacuation_fault(sid, mode)
    cloud.fail_host('c1')
    lifecycle.evacuate(cloud, sid, caller(cloud))
    assert cloud.wait_for_idle(2)
    return [sent[:4] for sent in cloud.notifier.sent], cloud.notifier.sent


def test_an_evacuation_announces_acceptance_start_and_end(cloud):
    sent, _ = evacuate(cloud)
    assert sent == [
        ('instance.evacuate', 'api', 'c1', 'rebuilding'),
        ('instance.rebuild.start', 'c2', 'c1', 'rebuilding'),
        ('instance.rebuild.end', 'c2', 'c2', None)]


def test_with_a_host_lag_the_end_comes_before_the_host_moves(cloud):
    cloud.configure(evacuate_host_lag=0.1)
    sent, _ = evacuate(cloud)
    assert sent[-1] == ('instance.rebuild.end', 'c2', 'c1', None)


@pytest.mark.parametrize('mode, with_fault', [('fail', True),
                                              ('rollback', False)])
def test_a_failed_rebuild_is_an_error(cloud, mode, with_fault):
    sent, full = evacuate(cloud, mode)
    assert sent[-1] == ('instance.rebuild.error', 'c2', 'c1', None)
    assert (full[-1][4] is not None) is with_fault


def test_a_stuck_rebuild_never_ends(cloud):
    sid = cloud.add_server('c1')
    cloud.inject_evacuation_fault(sid, 'stuck')
    cloud.fail_host('c1')
    lifecycle.evacuate(cloud, sid, caller(cloud))
    cloud.wait_for_idle(0.5)
    assert [s[0] for s in cloud.notifier.sent] == [
        'instance.evacuate', 'instance.rebuild.start']


def test_no_valid_host_is_the_conductors_error_not_a_rebuild(cloud):
    sid = cloud.add_server('c1')
    cloud.fail_host('c1')
    cloud.fail_host('c2')
    lifecycle.evacuate(cloud, sid, caller(cloud))
    cloud.wait_for_idle(2)
    sent = cloud.notifier.sent
    assert [s[0] for s in sent] == ['instance.evacuate',
                                    'compute_task.rebuild_server.error']
    # Sent once the server is back in error on its host, with the fault.
    assert sent[-1][2:4] == ('c1', None)
    assert sent[-1][4].details == 'NoValidHost'


def test_the_conductors_payload_is_shaped_like_novas(cloud):
    sid = cloud.add_server('c1')
    server = cloud.servers[sid]
    server.vm_state = 'error'
    server.fault = Fault(500, 'No valid host was found.', 'NoValidHost')
    payload = notifications.compute_task_payload(server)
    assert payload['nova_object.name'] == 'ComputeTaskPayload'
    data = payload['nova_object.data']
    assert (data['instance_uuid'], data['state']) == (sid, 'error')
    reason = data['reason']['nova_object.data']
    assert (reason['exception'], reason['module_name']) == (
        'NoValidHost', 'nova.conductor.manager')


def test_the_payload_is_shaped_like_novas(cloud):
    sid = cloud.add_server('c1', metadata={'HA_Enabled': 'True'})
    server = cloud.servers[sid]
    payload = notifications.instance_payload(server,
                                             notifications.REBUILD_PAYLOAD)
    assert payload['nova_object.name'] == 'InstanceActionRebuildPayload'
    assert payload['nova_object.namespace'] == 'nova'
    data = payload['nova_object.data']
    assert data['uuid'] == sid
    assert (data['host'], data['state'], data['task_state'],
            data['power_state']) == ('c1', 'active', None, 'running')
    assert data['metadata'] == {'HA_Enabled': 'True'}
    assert data['fault'] is None


def test_a_fault_is_an_exception_payload():
    fault = notifications.fault_payload(Fault(500, 'Boom', 'InjectedFault'))
    assert fault['nova_object.name'] == 'ExceptionPayload'
    assert fault['nova_object.data']['exception'] == 'InjectedFault'
    assert fault['nova_object.data']['exception_message'] == 'Boom'


def test_a_notifier_needs_somewhere_to_send():
    with pytest.raises(ValueError):
        notifications.NovaNotifier()
