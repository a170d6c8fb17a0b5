"""Reading Nova's versioned notifications: a table of payloads.

The payloads are Nova-shaped: built by the simulator the way Nova builds
them (``simulator.notifications``) or written out here by hand, never
copied from Nova.
"""

import pytest

from masakari.engine.evacuation import nova_events
from masakari.engine.evacuation.nova_events import Outcome
from masakari.simulator import flavors
from masakari.simulator import models
from masakari.simulator import notifications

UUID = '5f1c2d1e-7a0b-4c43-9d55-3e8a1c0f9b21'


def simulated(task_state=None, host='c2', fault=None, rebuild=True):
    """A payload as the simulator (and Nova) would send it."""
    server = models.Server(
        id=UUID, num=1, name='vm', tenant_id='p', user_id='u',
        flavor=flavors.find(flavors.DEFAULT_FLAVOR),
        image_id='img', host=host, metadata={'HA_Enabled': 'True'},
        task_state=task_state, fault=fault)
    kind = (notifications.REBUILD_PAYLOAD if rebuild
            else notifications.ACTION_PAYLOAD)
    return notifications.instance_payload(server, kind)


def conductor_says_no_valid_host():
    """The conductor's payload as the simulator (and Nova) sends it."""
    server = models.Server(
        id=UUID, num=1, name='vm', tenant_id='p', user_id='u',
        flavor=flavors.find(flavors.DEFAULT_FLAVOR), image_id='img',
        host='c1', metadata={}, vm_state='error',
        fault=models.Fault(500, 'No valid host was found.', 'NoValidHost'))
    return notifications.compute_task_payload(server)


def by_hand(data, name='InstanceActionRebuildPayload'):
    return {'nova_object.name': name, 'nova_object.namespace': 'nova',
            'nova_object.version': '1.10', 'nova_object.data': data}


FAULT = {'nova_object.name': 'ExceptionPayload',
         'nova_object.namespace': 'nova', 'nova_object.version': '1.1',
         'nova_object.data': {'exception': 'BuildAbortException',
                              'exception_message': 'no disk on c2',
                              'function_name': 'rebuild_instance',
                              'module_name': 'nova.compute.manager',
                              'traceback': ''}}


@pytest.mark.parametrize('event_type, payload, outcome, fault', [
    ('instance.evacuate', simulated('rebuilding', 'c1', rebuild=False),
     Outcome.GOING, None),
    ('instance.rebuild.start', simulated('rebuilding', 'c1'),
     Outcome.GOING, None),
    ('instance.rebuild.end', simulated(None, 'c1'), Outcome.DONE, None),
    ('instance.rebuild.error',
     simulated(None, 'c1', fault=models.Fault(500, 'Boom', 'InjectedFault')),
     Outcome.FAILED, 'InjectedFault: Boom'),
    ('instance.rebuild.error',
     by_hand({'uuid': UUID, 'host': 'c1', 'state': 'error',
              'task_state': 'rebuilding', 'fault': FAULT}),
     Outcome.FAILED, 'BuildAbortException: no disk on c2'),
    # A fault without its message, or with an unknown shape.
    ('instance.rebuild.error',
     by_hand({'uuid': UUID, 'fault': {'nova_object.data': {
         'exception': 'Timeout'}}}), Outcome.FAILED, 'Timeout'),
    ('instance.rebuild.error', by_hand({'uuid': UUID, 'fault': 'text'}),
     Outcome.FAILED, None),
    # The conductor found no host: its own payload, its own field names.
    ('compute_task.rebuild_server.error', conductor_says_no_valid_host(),
     Outcome.FAILED, 'NoValidHost: No valid host was found.'),
    ('compute_task.rebuild_server.error',
     by_hand({'instance_uuid': UUID, 'state': 'active',
              'request_spec': None, 'reason': FAULT},
             name='ComputeTaskPayload'),
     Outcome.FAILED, 'BuildAbortException: no disk on c2'),
])
def test_evacuation_events(event_type, payload, outcome, fault):
    event = nova_events.parse(event_type, payload)
    assert event.instance_uuid == UUID
    assert event.outcome is outcome
    assert event.ended == (outcome is not Outcome.GOING)
    assert event.fault == fault


def test_the_fields_the_engine_reads():
    event = nova_events.parse('instance.rebuild.start',
                              simulated('rebuild_spawning', 'c1'))
    assert (event.host, event.vm_state, event.task_state) == (
        'c1', 'active', 'rebuild_spawning')


@pytest.mark.parametrize('event_type, payload', [
    # Not about an evacuation.
    ('instance.update', simulated()),
    ('instance.rebuild_scheduled', simulated()),
    ('compute.instance.rebuild.end', {'instance_id': UUID}),  # legacy
    # Malformed: not a Nova object, no data, no or a bad uuid.
    ('instance.rebuild.end', None),
    ('instance.rebuild.end', 'instance.rebuild.end'),
    ('instance.rebuild.end', {'uuid': UUID}),
    ('instance.rebuild.end', {'nova_object.data': None}),
    ('instance.rebuild.end', by_hand({'host': 'c2'})),
    ('instance.rebuild.end', by_hand({'uuid': ''})),
    ('instance.rebuild.end', by_hand({'uuid': 42})),
])
def test_anything_else_is_none(event_type, payload):
    assert nova_events.parse(event_type, payload) is None


def test_odd_field_types_are_left_out():
    event = nova_events.parse('instance.rebuild.end', by_hand(
        {'uuid': UUID, 'host': ['c2'], 'state': 1, 'task_state': None}))
    assert event.outcome is Outcome.DONE
    assert (event.host, event.vm_state, event.task_state) == (None,) * 3
