"""Rules of GET /extensions."""

from masakari.policies import base

EXTENSIONS = base.MASAKARI_API + ':extensions:%s'
INDEX = EXTENSIONS % 'index'
DETAIL = EXTENSIONS % 'detail'

rules = [
    base.api_rule(INDEX, 'GET', '/extensions', 'List available extensions.'),
    base.api_rule(DETAIL, 'GET', '/extensions/{extensions_id}',
                  'Shows information for an extension.'),
    base.discoverable('extensions'),
]


def list_rules():
    return rules
