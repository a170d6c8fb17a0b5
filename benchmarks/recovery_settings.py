"""The settings the recovery benchmark measures, one row set each.

``ideal``
    The simulator's defaults: Nova reports the failed host down at once,
    no API latency, no bounds; the engine forces the service down
    (``force_down_failed_host = true``). The bound is ``ceil(N/P)·L``.
``realistic``
    The simulator's ``realistic`` profile and the engine's defaults: no
    force-down, no fencing, so the engine waits for Nova to notice the
    host is gone (``service_down_time`` from the failure).
``fenced``
    The realistic profile with Redfish fencing: the engine powers the
    host off through its BMC (which fails it in the simulator), forces
    it down and evacuates.

Each setting says which engine options it needs, which simulator settings
it applies before every run, and how its bound is computed
(``benchmarks.bounds``) and on which clock: from the POST, or from the
host failure.
"""

import dataclasses

from benchmarks import bounds

# The realistic rows: (N, P) pairs.
FULL_PAIRS = ((10, 10), (100, 10), (500, 50))
QUICK_PAIRS = ((10, 10),)
# Quick mode keeps the realistic rows short: Nova's down time is 10 s, not
# 60 s (recorded with the results, so the page says so).
QUICK_OVERRIDES = {'service_down_time': 10.0, 'rpc_response_timeout': 10.0}
TARGET_HOSTS = 4


@dataclasses.dataclass(frozen=True)
class Setting:
    name: str
    title: str
    profile: str
    engine_options: tuple = ()
    fenced: bool = False
    bound: str = 'ideal'         # a function of benchmarks.bounds
    clock: str = 'post'          # 'post' or 'failure'

    def simulator_settings(self, duration, quick):
        values = {'profile': self.profile, 'evacuate_duration': duration}
        if quick and self.profile == 'realistic':
            values.update(QUICK_OVERRIDES)
        return values

    def options(self, inventory_path=None):
        options = dict(self.engine_options)
        if self.fenced:
            options[('fencing', 'bmc_inventory_file')] = inventory_path
        return options

    def target(self, n, p, duration, settings, fence_seconds=None):
        """The issue's target for the fenced row (bound + 1 s), else
        None."""
        if self.bound != 'fenced':
            return None
        return bounds.fenced_target(n, p, duration, fence_seconds or 0.0,
                                    **bounds.knobs(settings, TARGET_HOSTS))

    def lower_bound(self, n, p, duration, settings, fence_seconds=None):
        knobs = bounds.knobs(settings, TARGET_HOSTS)
        if self.bound == 'nova_down':
            return bounds.nova_down(n, p, duration,
                                    settings['service_down_time'], **knobs)
        if self.bound == 'fenced':
            return bounds.fenced(n, p, duration, fence_seconds or 0.0,
                                 **knobs)
        return bounds.ideal(n, p, duration, **knobs)


SETTINGS = (
    Setting('ideal', 'idealised: down at once, no latency', 'default'),
    Setting('realistic', 'realistic, engine defaults (no force-down, no '
            'fencing)', 'realistic',
            engine_options=((('host_failure', 'force_down_failed_host'),
                             'false'),),
            bound='nova_down', clock='failure'),
    Setting('fenced', 'realistic with Redfish fencing', 'realistic',
            engine_options=((('host_failure', 'force_down_failed_host'),
                             'false'),),
            fenced=True, bound='fenced'),
)


def chosen(names=None, profile=None):
    """The settings asked for, by name or by simulator profile."""
    return [s for s in SETTINGS
            if (not names or s.name in names) and
            (not profile or s.profile == profile)]
