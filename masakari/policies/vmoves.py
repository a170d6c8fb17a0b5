"""Rules of /notifications/{notification_id}/vmoves."""

from masakari.policies import base

VMOVES = base.MASAKARI_API + ':vmoves:%s'
INDEX = VMOVES % 'index'
DETAIL = VMOVES % 'detail'

_COLLECTION = '/notifications/{notification_id}/vmoves'

rules = [
    base.api_rule(INDEX, 'GET', _COLLECTION,
                  'Lists IDs, notification_id, instance_id, source_host, '
                  'dest_host, status and type for all VM moves.'),
    base.api_rule(DETAIL, 'GET', _COLLECTION + '/{vmove_id}',
                  'Shows details for one VM move.'),
    base.discoverable('vmoves'),
]


def list_rules():
    return rules
