"""Legacy extension discovery: /v1/extensions."""

from masakari import exception
from masakari.policies import base
from masakari.policies import extensions as rules
from masakari import policy

EXTENSIONS = (
    ('versions', 'Versions', 'Version information.'),
    ('extensions', 'Extensions', 'Extension information.'),
    ('segments', 'Segments', 'Failover segments support.'),
    ('os-hosts', 'Hosts', 'Hosts of failover segments support.'),
    ('notifications', 'Notifications', 'Failure notifications support.'),
    ('vmoves', 'VMoves', 'Instance moves of host recoveries support.'),
)


def _view(alias, name, description):
    return {'name': name, 'alias': alias, 'description': description,
            'namespace': '', 'updated': '', 'links': []}


def _discoverable(context):
    return [_view(*ext) for ext in EXTENSIONS
            if policy.check(context, '%s:%s:discoverable'
                            % (base.MASAKARI_API, ext[0]))]


def index(req):
    policy.authorize(req.context, rules.INDEX)
    return 200, {'extensions': _discoverable(req.context)}


def show(req, alias):
    policy.authorize(req.context, rules.DETAIL)
    for extension in _discoverable(req.context):
        if extension['alias'] == alias:
            return 200, {'extension': extension}
    raise exception.ExtensionNotFound(alias=alias)
