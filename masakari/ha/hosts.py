"""Hosts of failover segments: the API's reads and writes, and the host
updates the engine makes while recovering.

Rules:

* a host's name must be that of a nova-compute service (400 otherwise),
  checked with Nova on create and on a rename;
* a host of a segment under recovery can be neither updated nor deleted
  (409 HostInUse). The database checks it in the transaction that writes
  (``db_api.Refused.UNDER_RECOVERY``). An update also checks it first, so
  that it fails before asking Nova about a new name and before any
  ``host.update`` event, as upstream does;
* the engine, which is the one recovering, writes without that check: it
  puts a failed host on maintenance and takes reserved hosts into use.
"""

from oslo_utils import uuidutils

from masakari.compute import nova
from masakari.db import api as db_api
from masakari import exception
from masakari.ha import segments
from masakari import notifications


# --- API -------------------------------------------------------------------
def get(context, segment_uuid, host_uuid):
    """The host ``host_uuid`` of the live segment ``segment_uuid``; 404
    when either is absent."""
    segments.get(context, segment_uuid)
    if not uuidutils.is_uuid_like(host_uuid):
        raise exception.HostNotFound(id=host_uuid)
    return db_api.host_get_by_uuid(host_uuid, segment_uuid=segment_uuid)


def get_all(context, segment_uuid, filters, **list_params):
    """Hosts of the segment matching ``filters``, paged and sorted by
    ``list_params``; the caller has looked the segment up."""
    filters = dict(filters, failover_segment_id=segment_uuid)
    return db_api.host_get_all(filters=filters, **list_params)


def create(context, segment_uuid, values):
    """A new host of the segment; 400 unless Nova knows its name."""
    segment = segments.get(context, segment_uuid)
    _check_compute_host(context, values['name'])
    values = dict(values, failover_segment_id=segment.uuid)
    return notifications.around(
        notifications.notify_host_create, context,
        dict(values, failover_segment=segment), db_api.host_create, values)


def update(context, segment_uuid, host_uuid, values):
    """The updated host; 409 while its segment is under recovery, 400
    when it is renamed to a name Nova does not know."""
    host = get(context, segment_uuid, host_uuid)
    if db_api.segment_under_recovery(host.failover_segment_id):
        raise exception.HostInUse(uuid=host.uuid, action='updated')
    if renamed(host, values):
        _check_compute_host(context, values['name'])
    return notifications.around(
        notifications.notify_host_update, context, host,
        _update, host, values)


def delete(context, segment_uuid, host_uuid):
    """Delete the host; 409 while its segment is under recovery."""
    host = get(context, segment_uuid, host_uuid)
    notifications.around(
        notifications.notify_host_delete, context, host, _delete, host)


def renamed(host, values):
    """Whether the update ``values`` give ``host`` another name."""
    return 'name' in values and values['name'] != host.name


def _check_compute_host(context, name):
    """400 unless Nova has a nova-compute service on host ``name``."""
    nova.API().find_compute_service(context, name)


def _update(host, values):
    updated = db_api.host_update(host.uuid, values,
                                 segment_uuid=host.failover_segment_id)
    if updated is db_api.Refused.UNDER_RECOVERY:
        raise exception.HostInUse(uuid=host.uuid, action='updated')
    return updated


def _delete(host):
    refused = db_api.host_delete(host.uuid,
                                 segment_uuid=host.failover_segment_id)
    if refused is db_api.Refused.UNDER_RECOVERY:
        raise exception.HostInUse(uuid=host.uuid, action='deleted')


# --- engine ----------------------------------------------------------------
def maintenance_values(host, host_failure):
    """What putting the failed ``host`` on maintenance writes: a host that
    failed as a whole is no longer a spare either."""
    values = {'on_maintenance': True}
    if host_failure and host.reserved:
        values['reserved'] = False
    return values


def put_failed_host_on_maintenance(context, host, host_failure=False):
    """Set the failed ``host`` on maintenance (and, for a host failure,
    no longer reserved); returns the updated host."""
    return db_api.host_update(host.uuid, maintenance_values(host,
                                                            host_failure),
                              check_recovery=False)


def take_reserved_host_into_use(context, host_name):
    """The reserved host ``host_name`` now takes evacuated instances: it is
    no longer reserved. Returns the updated host."""
    host = db_api.host_get_by_name(host_name)
    return db_api.host_update(host.uuid, {'reserved': False},
                              check_recovery=False)


def spare_hosts(candidates, failed_host):
    """The reserved ``candidates`` that may receive ``failed_host``'s
    instances: all but the failed host itself, in the given order."""
    return [host for host in candidates if host.uuid != failed_host.uuid]


def reserved_hosts_for_evacuation(context, failed_host):
    """Hosts of ``failed_host``'s segment that are reserved and not on
    maintenance, but for ``failed_host``, in the default list order."""
    return spare_hosts(
        db_api.reserved_hosts_of_segment(failed_host.failover_segment_id),
        failed_host)


def segment_of(host_name):
    """The failover segment of the host named ``host_name``, or None when
    no such host exists (any more)."""
    try:
        return db_api.host_get_by_name(host_name).failover_segment
    except exception.HostNotFoundByName:
        return None
