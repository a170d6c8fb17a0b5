"""Masakari's record of each evacuation: the VMove rows of a notification.

The rows are what a retried notification, or an engine that took one over
from an engine that died, reads to pick up where the last attempt stopped.
Two facts matter there besides the status, and the table (upstream's
schema, unchanged) has no column of their own for them:

* ``requested``: an attempt asked Nova to evacuate the server. It is
  recorded by the ``start_time`` the row gets when it turns ``ongoing``,
  just before the request (and kept when a retry sets it back to
  ``pending``).
* ``locked_by_masakari``: that attempt locked the server, so whoever ends
  the evacuation unlocks it. It is recorded by ``LOCKED_MESSAGE`` as the
  message of the ``ongoing`` row, which is also what an operator reading
  ``GET .../vmoves`` sees.

``EvacuationRecord`` reads both from a row, and the functions below write
them; nothing else in the engine looks at those columns.
"""

import dataclasses

from oslo_utils import timeutils

from masakari.db import api as db_api

TYPE = 'evacuation'
PENDING = 'pending'
ONGOING = 'ongoing'
SUCCEEDED = 'succeeded'
FAILED = 'failed'
IGNORED = 'ignored'
UNFINISHED = (PENDING, ONGOING, FAILED)
LOCKED_MESSAGE = 'Evacuating; the instance is locked by masakari.'


@dataclasses.dataclass(frozen=True)
class EvacuationRecord:
    """One server's evacuation, as masakari recorded it."""

    uuid: str
    instance_uuid: str
    status: str
    requested: bool = False
    locked_by_masakari: bool = False

    @classmethod
    def from_vmove(cls, vmove):
        return cls(uuid=vmove.uuid, instance_uuid=vmove.instance_uuid,
                   status=vmove.status,
                   requested=vmove.start_time is not None,
                   locked_by_masakari=(vmove.status == ONGOING and
                                       vmove.message == LOCKED_MESSAGE))


def unfinished(notification_uuid):
    """The records still to act on, in the order they were created."""
    vmoves = db_api.vmove_get_all(
        filters={'notification_uuid': notification_uuid},
        sort_keys=['id'], sort_dirs=['asc'])
    return [EvacuationRecord.from_vmove(vmove) for vmove in vmoves
            if vmove.status in UNFINISHED]


def failed_instances(notification_uuid):
    return sorted(vmove.instance_uuid for vmove in db_api.vmove_get_all(
        filters={'notification_uuid': notification_uuid, 'status': FAILED}))


def record_selected(notification_uuid, source_host, servers):
    """One record per selected server, reusing an earlier attempt's.

    Returns the number of records still unfinished from earlier attempts.
    A finished record of a server selected again (it is still on the
    failed host) goes back to ``pending``; records of servers not selected
    now are left as they are.
    """
    existing = {vmove.instance_uuid: vmove for vmove in db_api.vmove_get_all(
        filters={'notification_uuid': notification_uuid})}
    new = []
    for server in servers:
        vmove = existing.get(server.id)
        if vmove is None:
            new.append({'notification_uuid': notification_uuid,
                        'instance_uuid': server.id,
                        'instance_name': server.name or server.id,
                        'source_host': source_host, 'type': TYPE,
                        'status': PENDING})
        elif vmove.status not in (PENDING, ONGOING):
            db_api.vmove_update(vmove.uuid, {
                'status': PENDING, 'end_time': None, 'message': None,
                'dest_host': None})
    # One transaction for all of them: hundreds of instances per host.
    db_api.vmove_create_many(new)
    return sum(1 for vmove in existing.values()
               if vmove.status in UNFINISHED)


def mark_requested(record, locked_by_masakari):
    """The evacuation is about to be asked for; written before the lock,
    so that whoever ends the evacuation knows to unlock the server.
    Returns the record as it now stands."""
    db_api.vmove_update(record.uuid, {
        'status': ONGOING, 'start_time': timeutils.utcnow(),
        'end_time': None,
        'message': LOCKED_MESSAGE if locked_by_masakari else None})
    return dataclasses.replace(record, status=ONGOING, requested=True,
                               locked_by_masakari=locked_by_masakari)


def mark_succeeded(record, dest_host):
    values = {'status': SUCCEEDED, 'dest_host': dest_host,
              'end_time': timeutils.utcnow(), 'message': None}
    if not record.requested:
        values['start_time'] = values['end_time']
    db_api.vmove_update(record.uuid, values)


def mark_failed(record, message):
    db_api.vmove_update(record.uuid, {
        'status': FAILED, 'end_time': timeutils.utcnow(),
        'message': message})


def mark_ignored(record, message):
    db_api.vmove_update(record.uuid, {
        'status': IGNORED, 'end_time': timeutils.utcnow(),
        'message': message})
