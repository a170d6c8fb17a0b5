"""Rules of version discovery: open to everyone."""

from oslo_policy import policy

from masakari.policies import base

VERSIONS = base.MASAKARI_API + ':versions:%s'
INDEX = VERSIONS % 'index'

rules = [
    policy.DocumentedRuleDefault(
        name=INDEX, check_str=base.RULE_ANY,
        description='List all versions of the API.',
        operations=[{'method': 'GET', 'path': '/'}]),
    base.discoverable('versions', base.RULE_ANY),
]


def list_rules():
    return rules
