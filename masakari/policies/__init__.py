"""Every policy rule masakari registers, one module per resource.

``list_rules()`` is the ``oslo.policy.policies`` entry point used by
``oslopolicy-sample-generator --namespace masakari``.
"""

import itertools

from masakari.policies import base
from masakari.policies import extensions
from masakari.policies import holds
from masakari.policies import hosts
from masakari.policies import notifications
from masakari.policies import segments
from masakari.policies import versions
from masakari.policies import vmoves


def list_rules():
    return list(itertools.chain(
        base.list_rules(),
        extensions.list_rules(),
        segments.list_rules(),
        hosts.list_rules(),
        notifications.list_rules(),
        vmoves.list_rules(),
        holds.list_rules(),
        versions.list_rules(),
    ))
