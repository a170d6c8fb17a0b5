"""Rules of /segments/{segment_id}/hosts (alias ``os-hosts``)."""

from oslo_policy import policy

from masakari.policies import base

HOSTS = base.MASAKARI_API + ':os-hosts:%s'
INDEX = HOSTS % 'index'
DETAIL = HOSTS % 'detail'
CREATE = HOSTS % 'create'
UPDATE = HOSTS % 'update'
DELETE = HOSTS % 'delete'

_COLLECTION = '/segments/{segment_id}/hosts'
_MEMBER = _COLLECTION + '/{host_id}'

rules = [
    policy.DocumentedRuleDefault(
        name=INDEX, check_str=base.RULE_ADMIN_API,
        description='Lists IDs, names, type, reserved, on_maintenance for '
                    'all hosts.',
        operations=[{'method': 'GET', 'path': _COLLECTION}]),
    policy.DocumentedRuleDefault(
        name=DETAIL, check_str=base.RULE_ADMIN_API,
        description='Shows details for a host.',
        operations=[{'method': 'GET', 'path': _MEMBER}]),
    policy.DocumentedRuleDefault(
        name=CREATE, check_str=base.RULE_ADMIN_API,
        description='Creates a host under given segment.',
        operations=[{'method': 'POST', 'path': _COLLECTION}]),
    policy.DocumentedRuleDefault(
        name=UPDATE, check_str=base.RULE_ADMIN_API,
        description='Updates the editable attributes of an existing host.',
        operations=[{'method': 'PUT', 'path': _MEMBER}]),
    policy.DocumentedRuleDefault(
        name=DELETE, check_str=base.RULE_ADMIN_API,
        description='Deletes a host from given segment.',
        operations=[{'method': 'DELETE', 'path': _MEMBER}]),
    base.discoverable('os-hosts'),
]


def list_rules():
    return rules
