"""Rules of /notifications."""

from oslo_policy import policy

from masakari.policies import base

NOTIFICATIONS = base.MASAKARI_API + ':notifications:%s'
INDEX = NOTIFICATIONS % 'index'
DETAIL = NOTIFICATIONS % 'detail'
CREATE = NOTIFICATIONS % 'create'

rules = [
    policy.DocumentedRuleDefault(
        name=INDEX, check_str=base.RULE_ADMIN_API,
        description='Lists IDs, notification types, host_name, generated '
                    'time, payload and status for all notifications.',
        operations=[{'method': 'GET', 'path': '/notifications'}]),
    policy.DocumentedRuleDefault(
        name=DETAIL, check_str=base.RULE_ADMIN_API,
        description='Shows details for a notification.',
        operations=[{'method': 'GET',
                     'path': '/notifications/{notification_id}'}]),
    policy.DocumentedRuleDefault(
        name=CREATE, check_str=base.RULE_ADMIN_API,
        description='Creates a notification.',
        operations=[{'method': 'POST', 'path': '/notifications'}]),
    base.discoverable('notifications'),
]


def list_rules():
    return rules
