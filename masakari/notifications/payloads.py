"""Payloads of the versioned notifications, as oslo.versionedobjects
primitives: ``{"masakari_object.name", ".namespace", ".version", ".data"}``.

A subject is either a database row or, before it is written, the dict of
values about to be stored; only the fields known are put in ``data``.
"""

import json
import traceback

NAMESPACE = 'masakari'

SEGMENT_FIELDS = ('id', 'uuid', 'name', 'service_type', 'description',
                  'recovery_method', 'enabled')
SEGMENT_OBJECT_FIELDS = SEGMENT_FIELDS + ('created_at', 'updated_at',
                                          'deleted_at', 'deleted')
HOST_FIELDS = ('id', 'uuid', 'name', 'failover_segment_id', 'type',
               'reserved', 'control_attributes', 'on_maintenance')
NOTIFICATION_FIELDS = ('id', 'notification_uuid', 'generated_time',
                       'source_host_uuid', 'type', 'payload', 'status')


def primitive(name, version, data):
    return {'masakari_object.name': name,
            'masakari_object.namespace': NAMESPACE,
            'masakari_object.version': version,
            'masakari_object.data': data}


def _isotime(value):
    """oslo.versionedobjects' DateTimeField form: ``2026-01-02T03:04:05Z``."""
    if value is None or isinstance(value, str):
        return value
    return value.strftime('%Y-%m-%dT%H:%M:%SZ')


def _values(subject, fields):
    """The known ``fields`` of a row or a dict."""
    if isinstance(subject, dict):
        return {f: subject[f] for f in fields if f in subject}
    return {f: getattr(subject, f) for f in fields if hasattr(subject, f)}


def exception_payload(exception):
    """``ExceptionPayload`` 1.0 of an exception (or of an error string)."""
    if exception is None:
        return None
    if isinstance(exception, BaseException):
        module_name = function_name = ''
        tb = exception.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        if tb is not None:
            module_name = tb.tb_frame.f_globals.get('__name__', '')
            function_name = tb.tb_frame.f_code.co_name
        text = ''.join(traceback.format_exception(
            type(exception), exception, exception.__traceback__))
        message = (exception.format_message()
                   if hasattr(exception, 'format_message')
                   else str(exception))
        data = {'module_name': module_name, 'function_name': function_name,
                'exception': type(exception).__name__,
                'exception_message': message, 'traceback': text}
    else:
        data = {'module_name': '', 'function_name': '',
                'exception': type(exception).__name__,
                'exception_message': str(exception), 'traceback': ''}
    return primitive('ExceptionPayload', '1.0', data)


def segment_object(segment):
    """The nested ``FailoverSegment`` 1.1 object of a host payload."""
    data = _values(segment, SEGMENT_OBJECT_FIELDS)
    for key in ('created_at', 'updated_at', 'deleted_at'):
        if key in data:
            data[key] = _isotime(data[key])
    if 'deleted' in data:
        data['deleted'] = bool(data['deleted'])
    return primitive('FailoverSegment', '1.1', data)


def segment_payload(segment, exception=None):
    data = _values(segment, SEGMENT_FIELDS)
    data['fault'] = exception_payload(exception)
    return primitive('SegmentApiPayload', '1.1', data)


def host_payload(host, exception=None):
    data = _values(host, HOST_FIELDS)
    segment = (host.get('failover_segment') if isinstance(host, dict)
               else getattr(host, 'failover_segment', None))
    if segment is not None:
        data['failover_segment'] = segment_object(segment)
    data['fault'] = exception_payload(exception)
    return primitive('HostApiPayload', '1.0', data)


def notification_payload(notification, exception=None):
    data = _values(notification, NOTIFICATION_FIELDS)
    if isinstance(data.get('payload'), str):
        try:
            data['payload'] = json.loads(data['payload'])
        except ValueError:
            pass
    if 'generated_time' in data:
        data['generated_time'] = _isotime(data['generated_time'])
    data['fault'] = exception_payload(exception)
    return primitive('NotificationApiPayload', '1.0', data)


STORM_BRAKE_FIELDS = ('segment_uuid', 'segment_name', 'failed_hosts',
                      'notifications', 'action', 'reason')
RECOVERY_PAUSE_FIELDS = ('uuid', 'scope', 'reason', 'notifications')


def storm_brake_payload(subject, exception=None):
    """``StormBrakePayload`` 1.0 (this project's own): the segment whose
    host recovery the brake holds, the failed hosts that tripped it, the
    notifications concerned, and what an operator did (``release`` or
    ``cancel``, with a ``reason``) when it ends."""
    data = {field: subject.get(field) for field in STORM_BRAKE_FIELDS}
    data['fault'] = exception_payload(exception)
    return primitive('StormBrakePayload', '1.0', data)


def recovery_pause_payload(subject, exception=None):
    """``RecoveryPausePayload`` 1.0 (this project's own): a pause of
    automatic recovery, ``scope`` ``*`` (all segments) or a segment's uuid;
    on resume, the notifications it let go."""
    data = _values(subject, RECOVERY_PAUSE_FIELDS)
    data['fault'] = exception_payload(exception)
    return primitive('RecoveryPausePayload', '1.0', data)


def protection_payload(segment, report):
    """``SegmentProtectionPayload`` 1.0: the segment and the sets of hosts
    whose loss its other hosts would not absorb, with the instances that
    would not fit (ids)."""
    data = _values(segment, SEGMENT_FIELDS)
    data.update(
        protected=report.protected, host_failures=report.host_failures,
        checked=report.checked,
        not_absorbed=[{'hosts': list(outcome.failed),
                       'unplaced': [item.instance.id
                                    for item in outcome.unplaced]}
                      for outcome in report.failed_sets],
        warnings=list(report.warnings))
    return primitive('SegmentProtectionPayload', '1.0', data)
