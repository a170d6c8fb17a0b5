"""Running what a claimed notification asks for, and naming the outcome.

``recover(driver, context, notification, host, lease)`` decides from the
notification's type and payload (``rules.decide``) what to do, runs the
host, process or instance recovery through the notification driver, and
returns an ``Outcome``: the status the notification ends in and a message
explaining it. It never raises for a failed recovery: the failure is the
outcome (``error``), with the exception kept for the ``.error`` event.
"""

import dataclasses
import json
import time

from oslo_log import log as logging

from masakari.conf import CONF
from masakari.db import api as db_api
from masakari.engine import leases
from masakari.engine import rules
from masakari import exception
from masakari.ha import hosts as ha_hosts

LOG = logging.getLogger(__name__)

# Back-off of the retried write of a notification's outcome.
OUTCOME_RETRY_FIRST_DELAY = 0.5
OUTCOME_RETRY_MAX_DELAY = 5.0


@dataclasses.dataclass(frozen=True)
class Outcome:
    status: str
    message: str
    error: Exception | None = None

    @property
    def failed(self):
        return self.status in ('error', 'failed')


def load_payload(notification):
    """The stored payload as a dict ({} when it is not a JSON object)."""
    try:
        payload = json.loads(notification.payload or '{}')
    except (TypeError, ValueError):
        return {}
    return payload if isinstance(payload, dict) else {}


def recover(driver, context, notification, host, lease=None):
    """Run the recovery ``notification`` asks for; its ``Outcome``."""
    if host is None:
        return Outcome('error', "The source host '%s' of this notification "
                                'no longer exists.'
                       % notification.source_host_uuid)
    decision = rules.decide(notification.type, load_payload(notification))
    if decision.outcome is not None:
        return Outcome(decision.outcome, decision.message)
    try:
        if decision.set_maintenance:
            ha_hosts.put_failed_host_on_maintenance(
                context, host, host_failure=decision.recovery == 'host')
        message = _RECOVERIES[decision.recovery](
            driver, context, notification, host, decision, lease)
    except leases.LeaseLost as exc:
        return Outcome('error', exc.message, exc)
    except exception.SkipRecovery as exc:
        return Outcome('finished', exc.message)
    except exception.IgnoreInstanceRecoveryException as exc:
        return Outcome('ignored', exc.message)
    except exception.MasakariException as exc:
        return Outcome('error', exc.message, exc)
    except Exception as exc:
        LOG.exception('Unexpected failure processing notification %s',
                      notification.notification_uuid)
        return Outcome('error', 'Unexpected error: %s' % exc, exc)
    return Outcome('finished', message)


def record_outcome(uuid, owner, status, message):
    """Write the outcome while ``owner`` holds the notification (the row,
    or None when it lost it), trying again while the database is away.

    A recovery cut short by a database restart ends ``error``; written as
    soon as the database is back, the periodic task retries it then,
    instead of after its lease has run out. The lease is held (and renewed
    once the database answers) meanwhile.
    """
    deadline = time.monotonic() + CONF.notification_lease_seconds
    delay = OUTCOME_RETRY_FIRST_DELAY
    while True:
        try:
            return db_api.notification_finish(
                uuid, owner, {'status': status, 'message': message})
        except db_api.UNAVAILABLE_ERRORS as exc:
            if time.monotonic() + delay > deadline:
                raise
            LOG.warning('Cannot record that notification %s is %s (%s); '
                        'trying again in %.1fs', uuid, status, exc, delay)
            time.sleep(delay)
            delay = min(delay * 2, OUTCOME_RETRY_MAX_DELAY)


def _recover_host(driver, context, notification, host, decision, lease):
    segment = host.failover_segment
    method = segment.recovery_method
    reserved = []
    if method != 'auto':
        reserved = [spare.name for spare in
                    ha_hosts.reserved_hosts_for_evacuation(context, host)]
    driver.execute_host_failure(
        context, host.name, method, notification.notification_uuid,
        reserved_host_list=reserved, lease=lease)
    moved = db_api.vmove_get_all(filters={
        'notification_uuid': notification.notification_uuid,
        'status': 'succeeded'})
    return ("Host '%s' recovered (%s): %d instance(s) evacuated."
            % (host.name, method, len(moved)))


def _recover_process(driver, context, notification, host, decision, lease):
    if decision.process_name != 'nova-compute':
        return ("Host '%s' set on maintenance; no recovery exists for "
                "process '%s'." % (host.name, decision.process_name))
    driver.execute_process_failure(
        context, decision.process_name, host.name,
        notification.notification_uuid, lease=lease)
    return ("Process '%s' recovered: its service on host '%s' is "
            'disabled.' % (decision.process_name, host.name))


def _recover_instance(driver, context, notification, host, decision,
                      lease):
    driver.execute_instance_failure(
        context, decision.instance_uuid, notification.notification_uuid,
        lease=lease)
    return ("Instance '%s' recovered: it is active again."
            % decision.instance_uuid)


_RECOVERIES = {'host': _recover_host, 'process': _recover_process,
               'instance': _recover_instance}
