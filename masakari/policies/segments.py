"""Rules of /segments."""

from oslo_policy import policy

from masakari.policies import base

SEGMENTS = base.MASAKARI_API + ':segments:%s'
INDEX = SEGMENTS % 'index'
DETAIL = SEGMENTS % 'detail'
CREATE = SEGMENTS % 'create'
UPDATE = SEGMENTS % 'update'
DELETE = SEGMENTS % 'delete'

rules = [
    policy.DocumentedRuleDefault(
        name=INDEX, check_str=base.RULE_ADMIN_API,
        description='Lists IDs, names, description, recovery_method, '
                    'service_type for all segments.',
        operations=[{'method': 'GET', 'path': '/segments'}]),
    policy.DocumentedRuleDefault(
        name=DETAIL, check_str=base.RULE_ADMIN_API,
        description='Shows details for a segment.',
        operations=[{'method': 'GET', 'path': '/segments/{segment_id}'}]),
    policy.DocumentedRuleDefault(
        name=CREATE, check_str=base.RULE_ADMIN_API,
        description='Creates a segment.',
        operations=[{'method': 'POST', 'path': '/segments'}]),
    policy.DocumentedRuleDefault(
        name=UPDATE, check_str=base.RULE_ADMIN_API,
        description='Updates the editable attributes of an existing '
                    'segment.',
        operations=[{'method': 'PUT', 'path': '/segments/{segment_id}'}]),
    policy.DocumentedRuleDefault(
        name=DELETE, check_str=base.RULE_ADMIN_API,
        description='Deletes a segment.',
        operations=[{'method': 'DELETE', 'path': '/segments/{segment_id}'}]),
    base.discoverable('segments'),
]


def list_rules():
    return rules
