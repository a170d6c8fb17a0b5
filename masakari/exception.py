"""Exceptions that carry their HTTP status, so the API maps them in one place.

Every exception has a ``msg_fmt`` filled from keyword arguments and a
``code``; the API's fault wrapper turns any ``MasakariException`` into an
OpenStack-style fault body with that code.
"""

import logging

LOG = logging.getLogger(__name__)


class MasakariException(Exception):
    msg_fmt = 'An unknown exception occurred.'
    code = 500
    headers: dict = {}
    safe = False

    def __init__(self, message=None, **kwargs):
        self.kwargs = kwargs
        if 'code' not in self.kwargs:
            self.kwargs['code'] = self.code
        if not message:
            try:
                message = self.msg_fmt % kwargs
            except (KeyError, TypeError, ValueError):
                LOG.exception('Exception in string format operation: %s',
                              kwargs)
                message = self.msg_fmt
        self.message = message
        super().__init__(message)

    def format_message(self):
        return self.args[0]


# --- 400 ------------------------------------------------------------------
class Invalid(MasakariException):
    msg_fmt = 'Bad Request - Invalid Parameters'
    code = 400


class InvalidInput(Invalid):
    msg_fmt = 'Invalid input received: %(reason)s'


class ValidationError(Invalid):
    msg_fmt = '%(detail)s'


class MalformedRequestBody(Invalid):
    msg_fmt = 'Malformed message body: %(reason)s'


class InvalidAPIVersionString(Invalid):
    msg_fmt = ('API Version String %(version)s is of invalid format. Must '
               'be of format MajorNum.MinorNum.')


class MarkerNotFound(Invalid):
    msg_fmt = 'Marker %(marker)s could not be found.'


class InvalidSortKey(Invalid):
    msg_fmt = 'Sort key supplied was not valid.'


class HostNotFoundByName(Invalid):
    """An unknown notification hostname is a bad request, not a 404."""
    msg_fmt = 'Host with name %(host_name)s could not be found.'


class ComputeNotFoundByName(Invalid):
    msg_fmt = 'Compute service with name %(compute_name)s could not be found.'


class NotificationWithoutVMoves(Invalid):
    msg_fmt = 'This notification %(id)s without vm moves.'


class ProjectIdMismatch(Invalid):
    msg_fmt = ("Mismatch between project_id in the URL (%(url)s) and "
               "project_id in the context (%(context)s).")


# --- 401 / 403 --------------------------------------------------------------
class NotAuthorized(MasakariException):
    msg_fmt = 'Not authorized.'
    code = 403


class PolicyNotAuthorized(NotAuthorized):
    msg_fmt = "Policy doesn't allow %(action)s to be performed."


class Forbidden(NotAuthorized):
    msg_fmt = 'Forbidden.'


# --- 404 ------------------------------------------------------------------
class NotFound(MasakariException):
    msg_fmt = 'Resource could not be found.'
    code = 404


class FailoverSegmentNotFound(NotFound):
    msg_fmt = 'No failover segment with id %(id)s.'


class HostNotFound(NotFound):
    msg_fmt = 'No host with id %(id)s.'


class HostNotFoundUnderFailoverSegment(HostNotFound):
    msg_fmt = ("Host '%(host_uuid)s' under failover_segment "
               "'%(segment_uuid)s' could not be found.")


class NotificationNotFound(NotFound):
    msg_fmt = 'No notification with id %(id)s.'


class VMoveNotFound(NotFound):
    msg_fmt = 'No vm move with id %(id)s.'


class ExtensionNotFound(NotFound):
    msg_fmt = 'No extension with alias %(alias)s.'


class InstanceNotFound(NotFound):
    msg_fmt = 'Instance %(instance_id)s could not be found.'


# --- 406 / 409 --------------------------------------------------------------
class RecoveryPauseNotFound(NotFound):
    msg_fmt = 'Recovery pause %(id)s could not be found.'


class InvalidGlobalAPIVersion(MasakariException):
    msg_fmt = ('Version %(req_ver)s is not supported by the API. Minimum is '
               '%(min_ver)s and maximum is %(max_ver)s.')
    code = 406


class Conflict(MasakariException):
    msg_fmt = 'Conflict.'
    code = 409


class FailoverSegmentExists(Conflict):
    msg_fmt = 'Failover segment with name %(name)s already exists.'


class HostExists(Conflict):
    msg_fmt = 'Host with name %(name)s already exists.'


class FailoverSegmentInUse(Conflict):
    msg_fmt = ("Failover segment %(uuid)s can't be %(action)s as it is "
               "in-use to process notifications.")


class HostInUse(Conflict):
    msg_fmt = ("Host %(uuid)s can't be %(action)s as it is in-use to "
               "process notifications.")


class HostOnMaintenanceError(Conflict):
    msg_fmt = ('Notification received from host %(host_name)s of type '
               "'%(notification_type)s' is ignored as the host is already "
               'under maintenance.')


class DuplicateNotification(Conflict):
    msg_fmt = ('Notification received from host %(host)s of type '
               '%(type)s is duplicate.')


# --- 5xx --------------------------------------------------------------------
class RecoveryAlreadyPaused(Conflict):
    msg_fmt = 'Automatic recovery is already paused for %(scope)s.'


class NothingHeld(Conflict):
    msg_fmt = ('No notification of segment %(segment)s is held by the '
               'storm brake.')


class ServiceUnavailable(MasakariException):
    msg_fmt = 'The service is temporarily unavailable: %(reason)s'
    code = 503


class NovaUnavailable(ServiceUnavailable):
    msg_fmt = 'Nova could not be reached: %(reason)s'


class ConfigInvalid(MasakariException):
    msg_fmt = 'Invalid configuration: %(reason)s'


# --- engine outcomes (never reach a client) --------------------------------
class SkipRecovery(MasakariException):
    """Nothing needs recovering: the notification ends ``finished``."""
    msg_fmt = 'Skipping recovery: %(reason)s'


class SkipHostRecoveryException(SkipRecovery):
    msg_fmt = 'Skipping host recovery: %(reason)s'


class SkipInstanceRecoveryException(SkipRecovery):
    msg_fmt = 'Skipping instance recovery: %(reason)s'


class SkipProcessRecoveryException(SkipRecovery):
    msg_fmt = 'Skipping process recovery: %(reason)s'


class IgnoreInstanceRecoveryException(MasakariException):
    """The instance is in a state that must not be touched: ``ignored``."""
    msg_fmt = 'Ignoring instance recovery: %(reason)s'


class RecoveryFailed(MasakariException):
    """The workflow failed: the notification ends ``error``."""
    msg_fmt = 'Recovery failed: %(reason)s'


class HostRecoveryFailureException(RecoveryFailed):
    msg_fmt = 'Failed to execute host recovery: %(reason)s'


class HostFencingFailed(RecoveryFailed):
    """The failed host could not be made sure to be powered off: nothing
    of it is evacuated (two copies of an instance could write to the same
    disk)."""
    msg_fmt = ("Fencing of host '%(host)s' failed, so none of its "
               'instances were evacuated: %(reason)s')


class InstanceRecoveryFailureException(RecoveryFailed):
    msg_fmt = 'Failed to execute instance recovery workflow: %(reason)s'


class ProcessRecoveryFailureException(RecoveryFailed):
    msg_fmt = 'Failed to execute process recovery workflow: %(reason)s'


class ReservedHostsUnavailable(RecoveryFailed):
    msg_fmt = 'No reserved_hosts available for evacuation.'


class LockAlreadyAcquired(RecoveryFailed):
    msg_fmt = 'Lock is already acquired on %(resource)s.'
