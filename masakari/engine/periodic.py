"""The engine's periodic tasks: nothing stays new, error or running.

Each takes the engine's manager and hands what it finds to
``manager.submit`` with the claim that fits it; ``EngineService`` runs them
on their own threads (``TASKS``: name, function, interval option).

* ``process_unfinished_notifications``: retry ``error`` notifications once,
  and run ``new`` ones the API's cast never delivered; a notification held
  for an operator (storm brake, pause) is left alone, except one held by a
  pause that has ended (``db_api.pauses_reconcile``);
* ``check_expired_notifications``: mark ``failed`` what stayed new,
  running or error for ``notifications_expired_interval``, except held
  ones: they wait for an operator however long it takes;
* ``take_over_expired``: the sweep for running notifications whose
  engine stopped renewing its lease;
* ``return_to_service.return_repaired_hosts``: repaired hosts back in
  service after their burn-in (only for the segments that opt in);
* ``check_protection``: the protection check of every segment, reporting
  changes (``engine.protection_watch``); off unless ``[protection]
  check_interval`` is set.
"""

from futurist import waiters
from oslo_log import log as logging
from oslo_utils import timeutils

from masakari.conf import CONF
from masakari import context as masakari_context
from masakari.db import api as db_api
from masakari.engine.claims import Claim
from masakari.engine import return_to_service
from masakari.ha import holds

LOG = logging.getLogger(__name__)


def process_unfinished_notifications(manager, context=None):
    """Retry ``error`` notifications once, and run lost ``new`` ones.

    An attempt from here that ends in error makes the notification
    ``failed``: every error gets exactly one automatic retry. Returns the
    futures of the notifications it dispatched, once they are done.
    """
    context = context or masakari_context.get_admin_context()
    for row in db_api.pauses_reconcile(holds.RESUMED_MESSAGE):
        LOG.warning('Notification %s was still held by a pause that has '
                    'ended; releasing it', row.notification_uuid)
    rows = db_api.notification_get_all(filters={'status': ['error', 'new'],
                                                'held': False})
    futures = []
    for row in rows:
        if row.status == 'new' and not timeutils.is_older_than(
                row.generated_time,
                CONF.retry_notification_new_status_interval):
            continue
        LOG.info('Dispatching %s notification %s again', row.status,
                 row.notification_uuid)
        future = manager.submit(context, row.notification_uuid, Claim.RETRY,
                                expected=[row.status])
        if future is not None:
            futures.append(future)
    waiters.wait_for_all(futures)
    return futures


def check_expired_notifications(manager, context=None):
    """Mark ``failed`` what stayed new/running/error for too long; returns
    how many. (It needs no manager, but every periodic task takes one.)"""
    interval = CONF.notifications_expired_interval
    rows = db_api.notification_get_all(
        filters={'status': ['new', 'running', 'error'], 'held': False})
    expired = 0
    for row in rows:
        if not timeutils.is_older_than(row.generated_time, interval):
            continue
        updated = db_api.notification_update(
            row.notification_uuid,
            {'status': 'failed', 'engine_host': None,
             'lease_expires_at': None,
             'message': 'Expired: still %s after %ss.'
                        % (row.status, interval)},
            expected_statuses=[row.status], unless_held=True)
        if updated is not None:
            expired += 1
            LOG.warning('Notification %s expired (was %s)',
                        row.notification_uuid, row.status)
    return expired


def take_over_expired(manager, context=None):
    """The sweep: resume running notifications whose lease expired.

    Their engine stopped renewing (killed, frozen, cut off from the
    database). Each is taken over with a conditional UPDATE, so of several
    engines sweeping at once one gets it. At most as many as the engine
    has free slots are taken per sweep; the rest wait for the next.
    Returns the futures.
    """
    context = context or masakari_context.get_admin_context()
    busy = manager.busy()
    if busy is None:  # stopping
        return []
    free = manager.max_workers - len(busy)
    if free <= 0:
        return []
    futures = []
    for row in db_api.notifications_with_expired_lease(
            limit=free + len(busy)):
        if row.notification_uuid in busy or len(futures) >= free:
            continue
        LOG.warning('The lease of notification %s held by engine %s '
                    'expired at %s; taking it over', row.notification_uuid,
                    row.engine_host, row.lease_expires_at)
        future = manager.submit(context, row.notification_uuid,
                                Claim.EXPIRED)
        if future is not None:
            futures.append(future)
    return futures


def check_protection(manager, context=None):
    """Check every segment's protection; report the changes (see
    ``engine.protection_watch``). Returns the reports by segment uuid."""
    return manager.protection_watch.check_all(context)


# (name, function, interval option): a name in [DEFAULT], or
# (group, name); an interval of 0 turns the task off.
TASKS = (
    ('process_unfinished_notifications', process_unfinished_notifications,
     'process_unfinished_notifications_interval'),
    ('check_expired_notifications', check_expired_notifications,
     'check_expired_notifications_interval'),
    ('take_over_expired_notifications', take_over_expired,
     'notification_heartbeat_interval'),
    ('return_repaired_hosts', return_to_service.return_repaired_hosts,
     ('return_to_service', 'check_interval')),
    ('check_protection', check_protection,
     ('protection', 'check_interval')),
)


def interval(option):
    """The seconds of a TASKS interval option."""
    if isinstance(option, tuple):
        group, name = option
        return CONF[group][name]
    return CONF[option]
