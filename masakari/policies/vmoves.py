"""Rules of /notifications/{notification_id}/vmoves."""

from oslo_policy import policy

from masakari.policies import base

VMOVES = base.MASAKARI_API + ':vmoves:%s'
INDEX = VMOVES % 'index'
DETAIL = VMOVES % 'detail'

_COLLECTION = '/notifications/{notification_id}/vmoves'

rules = [
    policy.DocumentedRuleDefault(
        name=INDEX, check_str=base.RULE_ADMIN_API,
        description='Lists IDs, notification_id, instance_id, source_host, '
                    'dest_host, status and type for all VM moves.',
        operations=[{'method': 'GET', 'path': _COLLECTION}]),
    policy.DocumentedRuleDefault(
        name=DETAIL, check_str=base.RULE_ADMIN_API,
        description='Shows details for one VM move.',
        operations=[{'method': 'GET', 'path': _COLLECTION + '/{vmove_id}'}]),
    base.discoverable('vmoves'),
]


def list_rules():
    return rules
