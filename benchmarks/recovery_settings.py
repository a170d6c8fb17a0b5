"""The settings the recovery benchmark measures, one row set each.

``ideal``
    The best case: the simulator's defaults (Nova reports the failed host
    down at once, no API latency, no bounds); the engine forces the
    service down (``force_down_failed_host = true``) and polls Nova's
    evacuation records every 0.05 s. The bound is ``ceil(N/P)·L``.
``realistic``
    The simulator's ``realistic`` profile and the engine's shipped
    defaults: no force-down, no fencing, no Nova events, a 0.5 s poll, so
    the engine waits for Nova to notice the host is gone
    (``service_down_time`` from the failure).
``fenced``
    The realistic profile with what this service recommends: Redfish
    fencing (the engine powers the host off through its BMC, which fails
    it in the simulator, forces it down and evacuates) and Nova's
    versioned notifications (the simulator sends them on the broker).

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


# The engine's os-migrations poll in the idealised rows: the opt-in fast
# path (the default, 0.5 s, puts up to 0.5 s per round into a result).
FAST_WATCH = (('host_failure', 'evacuation_watch_interval'), '0.05')
NO_FORCE_DOWN = (('host_failure', 'force_down_failed_host'), 'false')
NOVA_EVENTS = (('nova_events', 'enabled'), 'true')

SETTINGS = (
    Setting('ideal', 'idealised: down at once, no latency, fast poll',
            'default', engine_options=(FAST_WATCH,)),
    Setting('realistic', 'realistic, engine defaults (no force-down, no '
            'fencing, no Nova events, 0.5 s poll)', 'realistic',
            engine_options=(NO_FORCE_DOWN,),
            bound='nova_down', clock='failure'),
    Setting('fenced', 'realistic with Redfish fencing and Nova events',
            'realistic', engine_options=(NO_FORCE_DOWN, NOVA_EVENTS),
            fenced=True, bound='fenced'),
)


def chosen(names=None, profile=None):
    """The settings asked for, by name or by simulator profile."""
    return [s for s in SETTINGS
            if (not names or s.name in names) and
            (not profile or s.profile == profile)]
