"""Rules of GET /extensions."""

from oslo_policy import policy

from masakari.policies import base

EXTENSIONS = base.MASAKARI_API + ':extensions:%s'
INDEX = EXTENSIONS % 'index'
DETAIL = EXTENSIONS % 'detail'

rules = [
    policy.DocumentedRuleDefault(
        name=INDEX, check_str=base.RULE_ADMIN_API,
        description='List available extensions.',
        operations=[{'method': 'GET', 'path': '/extensions'}]),
    policy.DocumentedRuleDefault(
        name=DETAIL, check_str=base.RULE_ADMIN_API,
        description='Shows information for an extension.',
        operations=[{'method': 'GET',
                     'path': '/extensions/{extensions_id}'}]),
    base.discoverable('extensions'),
]


def list_rules():
    return rules
