"""Option lists for oslo-config-generator (entry points in setup.cfg)."""

import collections

from masakari.conf import MODULES
from masakari.conf import recovery_flows


def list_opts():
    merged = collections.defaultdict(list)
    for module in MODULES:
        if module is recovery_flows:
            continue
        for group, opts in module.list_opts().items():
            merged[group].extend(opts)
    return [(group, opts) for group, opts in merged.items()]


def list_recovery_flow_opts():
    return list(recovery_flows.list_opts().items())
