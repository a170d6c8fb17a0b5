"""Rows the business-rule tests start from, made straight in the
database."""

import datetime

from masakari.db import api as db_api

WHEN = datetime.datetime(2026, 1, 1, 12, 0, 0)


def make_segment(name='seg', **extra):
    return db_api.segment_create(dict(
        {'name': name, 'recovery_method': 'auto', 'service_type': 'COMPUTE'},
        **extra))


def make_host(segment, name='compute1', **extra):
    return db_api.host_create(dict(
        {'name': name, 'type': 'COMPUTE', 'control_attributes': 'ssh',
         'failover_segment_id': segment.uuid}, **extra))


def start_recovery(host, payload=None):
    """A ``new`` notification of ``host``: its segment is under recovery
    until it is set to a final status."""
    return db_api.notification_create(
        {'type': 'COMPUTE_HOST',
         'payload': payload or {'event': 'STOPPED', 'host_status': 'NORMAL'},
         'generated_time': WHEN, 'source_host_uuid': host.uuid,
         'failover_segment_uuid': host.failover_segment_id}, 0)


def finish(notification):
    db_api.notification_update(notification.notification_uuid,
                               {'status': 'finished'})
