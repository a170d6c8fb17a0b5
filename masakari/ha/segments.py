"""Failover segments: lookup, listing and the writes the API makes.

A segment under recovery (a notification of one of its hosts is new,
running or error) can be neither updated nor deleted: 409
FailoverSegmentInUse. The database checks it in the transaction that
writes (``db_api.Refused.UNDER_RECOVERY``), so a notification arriving
meanwhile cannot slip between check and write; the versioned events
``segment.update``/``segment.delete`` are start then error in that case.
"""

from oslo_utils import uuidutils

from masakari.db import api as db_api
from masakari import exception
from masakari import notifications


def get(context, segment_uuid):
    """The live segment; 404 when absent or not a uuid."""
    if not uuidutils.is_uuid_like(segment_uuid):
        raise exception.FailoverSegmentNotFound(id=segment_uuid)
    return db_api.segment_get_by_uuid(segment_uuid)


def get_all(context, filters, **list_params):
    """Segments matching ``filters``, paged and sorted by ``list_params``
    (``limit``, ``marker``, ``sort_keys``, ``sort_dirs``)."""
    return db_api.segment_get_all(filters=filters, **list_params)


def create(context, values):
    return notifications.around(
        notifications.notify_segment_create, context, values,
        db_api.segment_create, values)


def update(context, segment_uuid, values):
    """The updated segment; 409 while it is under recovery."""
    segment = get(context, segment_uuid)
    return notifications.around(
        notifications.notify_segment_update, context, segment,
        _update, segment.uuid, values)


def delete(context, segment_uuid):
    """Delete the segment and its hosts; 409 while it is under recovery."""
    segment = get(context, segment_uuid)
    notifications.around(
        notifications.notify_segment_delete, context, segment,
        _delete, segment.uuid)


def _update(uuid, values):
    segment = db_api.segment_update(uuid, values)
    if segment is db_api.Refused.UNDER_RECOVERY:
        raise exception.FailoverSegmentInUse(uuid=uuid, action='updated')
    return segment


def _delete(uuid):
    if db_api.segment_delete(uuid) is db_api.Refused.UNDER_RECOVERY:
        raise exception.FailoverSegmentInUse(uuid=uuid, action='deleted')
