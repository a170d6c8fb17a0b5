"""Rules of /segments/{segment_id}/hosts (alias ``os-hosts``)."""

from masakari.policies import base

HOSTS = base.MASAKARI_API + ':os-hosts:%s'
INDEX = HOSTS % 'index'
DETAIL = HOSTS % 'detail'
CREATE = HOSTS % 'create'
UPDATE = HOSTS % 'update'
DELETE = HOSTS % 'delete'
RECOVERY_PREVIEW = HOSTS % 'recovery_preview'

_COLLECTION = '/segments/{segment_id}/hosts'
_MEMBER = _COLLECTION + '/{host_id}'

rules = [
    base.api_rule(INDEX, 'GET', _COLLECTION,
                  'Lists IDs, names, type, reserved, on_maintenance for '
                  'all hosts.'),
    base.api_rule(DETAIL, 'GET', _MEMBER, 'Shows details for a host.'),
    base.api_rule(CREATE, 'POST', _COLLECTION,
                  'Creates a host under given segment.'),
    base.api_rule(UPDATE, 'PUT', _MEMBER,
                  'Updates the editable attributes of an existing host.'),
    base.api_rule(DELETE, 'DELETE', _MEMBER,
                  'Deletes a host from given segment.'),
    base.api_rule(RECOVERY_PREVIEW, 'GET', _MEMBER + '/recovery_preview',
                  'Shows what a recovery of the host would do now, without '
                  'doing it (microversion 1.4).'),
    base.discoverable('os-hosts'),
]


def list_rules():
    return rules
