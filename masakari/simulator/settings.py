"""Tunable timings of the simulated cloud.

Everything that makes the simulator slow or fast lives here so tests can run
with tens of milliseconds and a demo can run with realistic seconds.
"""

from __future__ import annotations

import dataclasses
import random
from typing import Any


@dataclasses.dataclass(frozen=True)
class Duration:
    """A delay that is fixed (``low == high``) or uniform in a range."""

    low: float = 0.0
    high: float = 0.0

    @classmethod
    def parse(cls, value: Any) -> Duration:
        """Accept ``1.5``, ``"1:3"``, ``[1, 3]`` or a min/max dict."""
        if isinstance(value, Duration):
            return value
        if isinstance(value, dict):
            low = value.get('min', value.get('low', 0.0))
            high = value.get('max', value.get('high', low))
        elif isinstance(value, (list, tuple)):
            if len(value) not in (1, 2):
                raise ValueError('a duration range has one or two values')
            low, high = value[0], value[-1]
        elif isinstance(value, str) and ':' in value:
            low, high = value.split(':', 1)
        else:
            low = high = value
        low, high = float(low), float(high)
        if low < 0 or high < low:
            raise ValueError('invalid duration %r: need 0 <= min <= max'
                             % (value,))
        return cls(low, high)

    def sample(self, rng: random.Random) -> float:
        if self.high == self.low:
            return self.low
        return rng.uniform(self.low, self.high)

    def as_json(self) -> dict:
        return {'min': self.low, 'max': self.high}


_DURATIONS = ('evacuate_duration', 'stop_duration', 'start_duration',
              'boot_duration', 'api_latency')
_FLOATS = ('service_down_time', 'rpc_response_timeout', 'evacuate_host_lag',
           'evacuate_claim_time', 'no_valid_host_delay')
_INTS = {'max_limit': 1, 'api_max_concurrent': 0}

# Named sets of the realism knobs; a profile first puts every knob back to
# its default, so ``default`` undoes ``realistic``. The evacuation, power
# and boot durations are not part of a profile: a benchmark sets them.
PROFILES: dict[str, dict[str, Any]] = {
    'default': {},
    # What a production Nova does to a recovery, as far as it is modelled:
    # the servicegroup's 60 s, the 60 s RPC call to a dead compute, an API
    # answer in about 50 ms, nova-api's worker pool, and the target's
    # resource tracker claiming one rebuild at a time.
    'realistic': {'service_down_time': 60.0, 'rpc_response_timeout': 60.0,
                  'api_latency': '0.04:0.06', 'api_max_concurrent': 16,
                  'evacuate_claim_time': 0.1},
}
_KNOBS = ('api_latency', 'service_down_time', 'rpc_response_timeout',
          'api_max_concurrent', 'evacuate_claim_time')


@dataclasses.dataclass
class Settings:
    """Timings; all values are seconds.

    ``service_down_time`` is how long after a host failure its compute
    service still reads ``up`` (real Nova: 60 s; default 0 = down at once).
    ``rpc_response_timeout`` is how long ``PUT /os-services`` blocks when the
    compute behind it is dead but not yet reported down (real Nova: 60 s).
    ``evacuate_host_lag`` is how long an evacuated server reads "no task,
    still on the old host" before its host moves and its evacuation record
    turns ``done``: real Nova clears the task first and moves the host once
    its resource tracker's lock is free (a window of milliseconds to
    seconds on a busy compute).
    ``api_max_concurrent`` bounds the Nova API requests served at once
    (nova-api's worker pool; 0 = no bound): more wait their turn.
    ``evacuate_claim_time`` is how long an evacuation's claim on its
    target host takes; the claims on one host are taken one at a time
    (Nova's resource tracker lock), before the rest of the rebuild.
    ``no_valid_host_delay`` is how long nova-conductor takes to find that
    no host can take an evacuated server, before the server turns error.
    ``profile`` in ``update`` applies one of ``PROFILES`` first.
    """

    evacuate_duration: Duration = Duration(1.0, 1.0)
    stop_duration: Duration = Duration(0.2, 0.2)
    start_duration: Duration = Duration(0.2, 0.2)
    boot_duration: Duration = Duration(0.3, 0.3)
    api_latency: Duration = Duration(0.0, 0.0)
    service_down_time: float = 0.0
    rpc_response_timeout: float = 0.0
    evacuate_host_lag: float = 0.0
    api_max_concurrent: int = 0
    evacuate_claim_time: float = 0.0
    no_valid_host_delay: float = 0.0
    max_limit: int = 1000

    def update(self, **values: Any) -> None:
        """Validate and apply ``values``; unknown names raise ValueError."""
        values = dict(values)
        profile = values.pop('profile', None)
        if profile is not None:
            if profile not in PROFILES:
                raise ValueError('unknown profile %r (known: %s)' % (
                    profile, ', '.join(sorted(PROFILES))))
            defaults = Settings()
            values = {**{name: getattr(defaults, name) for name in _KNOBS},
                      **PROFILES[profile], **values}
        parsed = {}
        for name, value in values.items():
            if name in _DURATIONS:
                parsed[name] = Duration.parse(value)
            elif name in _FLOATS:
                number = float(value)
                if number < 0:
                    raise ValueError('%s must be >= 0' % name)
                parsed[name] = number
            elif name in _INTS:
                number = int(value)
                if number < _INTS[name]:
                    raise ValueError('%s must be >= %d' % (name,
                                                           _INTS[name]))
                parsed[name] = number
            else:
                raise ValueError('unknown setting %r' % name)
        for name, value in parsed.items():
            setattr(self, name, value)

    def as_json(self) -> dict:
        out: dict[str, Any] = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            out[field.name] = (value.as_json() if isinstance(value, Duration)
                               else value)
        return out
