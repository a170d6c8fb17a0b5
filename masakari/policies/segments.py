"""Rules of /segments."""

from masakari.policies import base

SEGMENTS = base.MASAKARI_API + ':segments:%s'
INDEX = SEGMENTS % 'index'
DETAIL = SEGMENTS % 'detail'
CREATE = SEGMENTS % 'create'
UPDATE = SEGMENTS % 'update'
DELETE = SEGMENTS % 'delete'
PROTECTION = SEGMENTS % 'protection'

_COLLECTION = '/segments'
_MEMBER = _COLLECTION + '/{segment_id}'

rules = [
    base.api_rule(INDEX, 'GET', _COLLECTION,
                  'Lists IDs, names, description, recovery_method, '
                  'service_type for all segments.'),
    base.api_rule(DETAIL, 'GET', _MEMBER, 'Shows details for a segment.'),
    base.api_rule(CREATE, 'POST', _COLLECTION, 'Creates a segment.'),
    base.api_rule(UPDATE, 'PUT', _MEMBER,
                  'Updates the editable attributes of an existing segment.'),
    base.api_rule(DELETE, 'DELETE', _MEMBER, 'Deletes a segment.'),
    base.api_rule(PROTECTION, 'GET', _MEMBER + '/protection',
                  'Shows whether the segment absorbs the loss of any K of '
                  'its hosts, and per host which instances would not fit '
                  '(microversion 1.5).'),
    base.discoverable('segments'),
]


def list_rules():
    return rules
