"""The API driven by openstacksdk's ``instance_ha`` proxy, as monitors and
operators use it (noauth2: a keystoneauth session with no auth plugin and
an endpoint override)."""

import datetime

from keystoneauth1 import noauth
from keystoneauth1 import session as ks_session
import openstack
from openstack import exceptions as sdk_exc
import pytest

from masakari.db import api as db_api
from masakari.tests.conftest import BACKENDS


def _connect(api, **kwargs):
    session = ks_session.Session(auth=noauth.NoAuth())
    conn = openstack.connection.Connection(
        session=session, instance_ha_endpoint_override=api.v1, **kwargs)
    return conn.instance_ha


@pytest.fixture
def ha(api):
    return _connect(api)


def _now():
    return datetime.datetime.utcnow().isoformat()


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_segment_and_host_crud(ha, api):
    segment = ha.create_segment(name='seg1', recovery_method='auto',
                                service_type='COMPUTE',
                                description='first')
    assert (segment.name, segment.recovery_method, segment.service_type,
            segment.description, segment.is_enabled) == (
        'seg1', 'auto', 'COMPUTE', 'first', True)
    assert isinstance(segment.id, int)
    fetched = ha.get_segment(segment.uuid)
    assert fetched.uuid == segment.uuid and fetched.name == 'seg1'

    host = ha.create_host(segment.uuid, name='compute1', type='COMPUTE',
                          control_attributes='ssh', reserved=True)
    assert host.failover_segment_id == segment.uuid
    assert host.reserved is True and host.on_maintenance is False
    listed = list(ha.hosts(segment.uuid))
    assert [h.uuid for h in listed] == [host.uuid]
    assert listed[0].failover_segment_id == segment.uuid

    updated = ha.update_host(host.uuid, segment.uuid, on_maintenance='True',
                             reserved='False', control_attributes='ipmi')
    assert (updated.on_maintenance, updated.reserved,
            updated.control_attributes) == (True, False, 'ipmi')
    assert ha.get_host(host.uuid, segment.uuid).on_maintenance is True

    spare = ha.create_host(segment.uuid, name='compute3', type='COMPUTE',
                           control_attributes='ssh')
    ha.delete_host(spare.uuid, segment.uuid, ignore_missing=False)
    with pytest.raises(sdk_exc.ResourceNotFound):
        ha.get_host(spare.uuid, segment.uuid)
    assert [h.uuid for h in ha.hosts(segment.uuid)] == [host.uuid]

    renamed = ha.update_segment(segment.uuid, name='seg1b',
                                recovery_method='reserved_host',
                                service_type='OTHER')
    assert (renamed.name, renamed.recovery_method,
            renamed.service_type) == ('seg1b', 'reserved_host', 'OTHER')

    ha.delete_segment(segment.uuid, ignore_missing=False)
    with pytest.raises(sdk_exc.ResourceNotFound):
        ha.get_segment(segment.uuid)
    # deleting the segment deleted its host
    with pytest.raises(sdk_exc.ResourceNotFound):
        ha.get_host(host.uuid, segment.uuid)
    assert db_api.host_get_all(filters={'name': 'compute1'}) == []


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_notification_flow(ha, api, engine):
    segment = ha.create_segment(name='seg', recovery_method='auto',
                                service_type='COMPUTE')
    host = ha.create_host(segment.uuid, name='compute2', type='COMPUTE',
                          control_attributes='ssh')
    generated = _now()
    notification = ha.create_notification(
        type='COMPUTE_HOST', hostname='compute2', generated_time=generated,
        payload={'event': 'STOPPED', 'host_status': 'NORMAL',
                 'cluster_status': 'OFFLINE'})
    assert notification.status == 'new'
    assert notification.source_host_uuid == host.uuid
    casts = engine.wait_for_casts(1)
    assert [c['notification_uuid'] for c in casts] == [
        notification.notification_uuid]

    fetched = ha.get_notification(notification.notification_uuid)
    assert fetched.payload == {'event': 'STOPPED', 'host_status': 'NORMAL',
                               'cluster_status': 'OFFLINE'}
    listed = list(ha.notifications(source_host_uuid=host.uuid))
    assert [n.notification_uuid for n in listed] == [
        notification.notification_uuid]
    # the same notification again is a duplicate: 409
    with pytest.raises(sdk_exc.ConflictException):
        ha.create_notification(
            type='COMPUTE_HOST', hostname='compute2',
            generated_time=generated,
            payload={'event': 'STOPPED', 'host_status': 'NORMAL',
                     'cluster_status': 'OFFLINE'})
    # the segment is under recovery while the notification is new
    with pytest.raises(sdk_exc.ConflictException):
        ha.update_segment(segment.uuid, description='busy')


def test_list_filters_sort_and_pagination(ha, api):
    segments = [ha.create_segment(name='seg%d' % i,
                                  recovery_method=('auto' if i % 2
                                                   else 'rh_priority'),
                                  service_type='COMPUTE')
                for i in range(5)]
    # openstacksdk pages with limit and the integer id of the last item
    paged = list(ha.segments(limit=2))
    assert [s.uuid for s in paged] == [s.uuid for s in reversed(segments)]
    ascending = list(ha.segments(sort_key='name', sort_dir='asc'))
    assert [s.name for s in ascending] == ['seg0', 'seg1', 'seg2', 'seg3',
                                           'seg4']
    auto = list(ha.segments(recovery_method='auto'))
    assert sorted(s.name for s in auto) == ['seg1', 'seg3']

    segment = segments[0]
    ha.create_host(segment.uuid, name='compute1', type='COMPUTE',
                   control_attributes='a', reserved=True)
    ha.create_host(segment.uuid, name='compute2', type='OTHER',
                   control_attributes='b', on_maintenance=True)
    reserved = list(ha.hosts(segment.uuid, reserved=True))
    assert [h.name for h in reserved] == ['compute1']
    maintained = list(ha.hosts(segment.uuid, on_maintenance=True))
    assert [h.name for h in maintained] == ['compute2']
    typed = list(ha.hosts(segment.uuid, type='OTHER'))
    assert [h.name for h in typed] == ['compute2']
    not_reserved = list(ha.hosts(segment.uuid, reserved=False))
    assert [h.name for h in not_reserved] == ['compute2']


def test_segment_enabled_needs_microversion_1_2(api):
    old = _connect(api, instance_ha_api_version='1.0')
    with pytest.raises(sdk_exc.BadRequestException):
        old.create_segment(name='s', recovery_method='auto',
                           service_type='COMPUTE', is_enabled=False)
    new = _connect(api, instance_ha_api_version='1.2')
    segment = new.create_segment(name='s', recovery_method='auto',
                                 service_type='COMPUTE', is_enabled=False)
    assert segment.is_enabled is False
    segment = new.update_segment(segment.uuid, is_enabled=True)
    assert segment.is_enabled is True
    assert [s.uuid for s in new.segments(is_enabled=True)] == [segment.uuid]


def test_vmoves(ha, api):
    segment = ha.create_segment(name='seg', recovery_method='auto',
                                service_type='COMPUTE')
    ha.create_host(segment.uuid, name='compute1', type='COMPUTE',
                   control_attributes='ssh')
    notification = ha.create_notification(
        type='COMPUTE_HOST', hostname='compute1', generated_time=_now(),
        payload={'event': 'STOPPED', 'host_status': 'NORMAL'})
    moves = db_api.vmove_create_many([{
        'notification_uuid': notification.notification_uuid,
        'instance_uuid': '6a1c4a44-69b4-4a9c-8ac4-7aa5d6a16ee%d' % i,
        'instance_name': 'vm%d' % i, 'source_host': 'compute1',
        'type': 'evacuation', 'status': status}
        for i, status in enumerate(('pending', 'succeeded', 'failed'))])
    listed = list(ha.vmoves(notification.notification_uuid))
    assert sorted(v.uuid for v in listed) == sorted(m.uuid for m in moves)
    failed = list(ha.vmoves(notification.notification_uuid,
                            status='failed'))
    assert [v.server_name for v in failed] == ['vm2']
    one = ha.get_vmove(moves[1].uuid, notification.notification_uuid)
    assert (one.server_id, one.status, one.source_host) == (
        moves[1].instance_uuid, 'succeeded', 'compute1')
