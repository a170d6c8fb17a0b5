"""Many host monitors and operators at once, against real processes.

The multi-process deployment of conftest.py (gunicorn with two workers,
two engines, RabbitMQ, PostgreSQL, the Nova simulator). Sixteen compute
hosts fail together; each one's monitor posts its notification while
operators page through segments, hosts and notifications. No request may
fail, every notification must end ``finished`` and Nova must have
evacuated every HA instance exactly once. Speed is not asserted here:
``python -m benchmarks.loadtest`` measures it.
"""

from benchmarks import loadcloud
from benchmarks import loadgen
from masakari.tests import figures

FAILING_HOSTS = 16
PER_HOST = 2


def test_monitors_and_operators_together(deployment):
    run = loadgen.on_deployment(deployment, FAILING_HOSTS, PER_HOST,
                                segments=4, operators=4, ramp=4)

    result = run.run(monitor_timeout=120, recovery_timeout=120)
    figures.emit('load', faults=0, operators=result['operators'],
                 requests=result['requests'], rps=result['rps'],
                 errors=result['errors'], kinds=result['kinds'],
                 all_finished=result['all_finished'],
                 **loadcloud.outcome_figures(result))

    assert result['errors'] == 0, result['error_samples']
    assert result['problems'] == [], result['problems']
    assert result['all_finished'], result['notifications']
    assert result['evacuations']['evacuated_once'] == \
        FAILING_HOSTS * PER_HOST
    assert set(run.accepted) == set(run.layout.failing)
    # Every kind of request was exercised while recoveries ran.
    assert set(result['kinds']) == {
        loadgen.CREATE, loadgen.SEGMENTS, loadgen.HOSTS,
        loadgen.NOTIFICATIONS, loadgen.SHOW}, result['kinds']
    assert result['kinds'][loadgen.CREATE]['count'] == FAILING_HOSTS
    # Each notification was run by exactly one of the two engines.
    for uuid in run.accepted.values():
        assert len(deployment.engines_that_processed(uuid)) == 1, uuid
