"""Requests of the ``instance_ha_ops`` commands: a GET at a given
microversion, name-or-id lookups, and API faults as CommandError."""

from osc_lib import exceptions
from oslo_utils import uuidutils


def get(client, path, microversion, params=None):
    """The JSON body of GET ``path``; CommandError with the API's fault
    message for an error answer."""
    return send(client, 'GET', path, microversion, params=params)


def send(client, method, path, microversion, body=None, params=None):
    """The JSON body ({} when empty) of ``method`` ``path``; CommandError
    with the API's fault message for an error answer."""
    kwargs = {'microversion': microversion, 'params': params,
              'raise_exc': False}
    if body is not None:
        kwargs['json'] = body
    response = client.request(path, method, **kwargs)
    if response.status_code >= 400:
        raise exceptions.CommandError(
            '%s (HTTP %d)' % (_fault_message(response),
                              response.status_code))
    return response.json() if response.content else {}


def _fault_message(response):
    try:
        body = response.json()
    except ValueError:
        return response.text.strip() or response.reason
    for fault in body.values():
        if isinstance(fault, dict) and 'message' in fault:
            return fault['message']
    return str(body)


def segment_id(client, name_or_id):
    """The uuid of the segment named or identified ``name_or_id``."""
    if uuidutils.is_uuid_like(name_or_id):
        return name_or_id
    segments = get(client, '/segments', '1.0')['segments']
    return _one('segment', name_or_id,
                [s['uuid'] for s in segments if s['name'] == name_or_id])


def host_id(client, segment_uuid, name_or_id):
    """The uuid of the host of that segment named or identified
    ``name_or_id``."""
    if uuidutils.is_uuid_like(name_or_id):
        return name_or_id
    hosts = get(client, '/segments/%s/hosts' % segment_uuid, '1.0',
                params={'name': name_or_id})['hosts']
    return _one('host', name_or_id, [h['uuid'] for h in hosts])


def _one(kind, name, uuids):
    if not uuids:
        raise exceptions.CommandError('No %s named %s' % (kind, name))
    if len(uuids) > 1:
        raise exceptions.CommandError('More than one %s named %s: use its '
                                      'ID' % (kind, name))
    return uuids[0]
