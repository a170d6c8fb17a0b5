"""Rules of version discovery: open to everyone."""

from masakari.policies import base

VERSIONS = base.MASAKARI_API + ':versions:%s'
INDEX = VERSIONS % 'index'

rules = [
    base.api_rule(INDEX, 'GET', '/', 'List all versions of the API.',
                  check_str=base.RULE_ANY),
    base.discoverable('versions', base.RULE_ANY),
]


def list_rules():
    return rules
