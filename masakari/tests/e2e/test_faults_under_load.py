"""The broker and the database go away while monitors and operators work.

Twelve compute hosts fail together; their monitors post one after the
other over about twelve seconds and operators page through the API all
along (``loadgen.LoadRun``). Early in the run the test's own RabbitMQ node
(or PostgreSQL cluster) is killed and started again.

What is correct, and asserted:

* Broker down: every POST is answered 202. The API stores the row and,
  when the cast to the engines fails after its bounded retries, still
  answers 202 (upstream answers 500 although the row is stored, which
  makes monitors post again for nothing); the row stays ``new`` and the
  engines' periodic task, which needs no broker, dispatches it. Reads
  need no broker and answer 200. The engines consume their queues again
  by themselves once the node is back.
* Database down: requests that need the database are answered 503 with
  an OpenStack fault body (``serviceUnavailable``), never a traceback and
  never another 5xx; the monitors retry, as masakari-monitors do, until
  their notification is stored. Once the database is back everything
  answers again with no restart.
* Either way no notification is lost (one per failed host, each ends
  ``finished``) and Nova evacuated every HA instance exactly once.
"""

import re

import pytest

from benchmarks import loadcloud
from benchmarks import loadgen
from masakari.tests.e2e.test_faults import QUICK_RETRY
from masakari.tests.e2e.test_faults import make_deployment  # noqa: F401
from masakari.tests import figures

FAILING_HOSTS = 12
PER_HOST = 2

# The default lease (60 s): a recovery the outage cut short is written
# ``error`` as soon as the database is back (the engine keeps trying) and
# the periodic task retries it, so nothing waits for a lease to expire.

pytestmark = pytest.mark.filterwarnings(
    'ignore::openstack.warnings.RemovedInSDK50Warning')


def _start_load(deployment, tolerated=()):
    run = loadgen.on_deployment(deployment, FAILING_HOSTS, PER_HOST,
                                segments=3, operators=3, ramp=12,
                                tolerated=tolerated)
    run.start()
    # Some notifications are in before the fault, the rest come during
    # and after it.
    run.wait_for(lambda: len(run.accepted) >= 3, 60,
                 'the first notifications')
    return run


def _posts(run, begin, end):
    return [s for s in run.recorder.between(begin, end)
            if s.kind == loadgen.CREATE]


def _emit(scenario, deployment, run, result, outage, **extra):
    figures.emit(
        scenario, faults=1, requests=result['requests'],
        errors=result['errors'], statuses=result['statuses'],
        notifications=result['notifications'],
        **loadcloud.outcome_figures(result),
        outage=outage, events=run.events,
        redispatched=len(_logged(deployment, 'Dispatching new')),
        retried_after_error=len(_logged(deployment, 'Dispatching error')),
        taken_over=len(_logged(deployment, 'The lease of')), **extra)


def _logged(deployment, pattern):
    """The notification uuids the engine logs name after ``pattern``
    (a notification may be logged by both engines, or more than once)."""
    regex = re.compile(pattern + r' notification ([0-9a-f-]{36})')
    return {uuid for engine in deployment.engines.values()
            for uuid in regex.findall(engine.log())}


def _assert_recovered_once(deployment, run, result):
    assert result['errors'] == 0, result['error_samples']
    assert result['problems'] == [], result['problems']
    assert result['all_finished'], result['notifications']
    assert result['notifications']['lost'] == 0
    assert result['evacuations']['evacuated_once'] == \
        FAILING_HOSTS * PER_HOST, result['evacuations']
    assert run.gave_up == {}, run.gave_up
    assert all(engine.alive() for engine in deployment.engines.values())


def test_broker_stop_start_under_load(private_rabbitmq, postgresql_url,
                                      make_deployment):  # noqa: F811
    broker = private_rabbitmq.start()
    deployment = make_deployment(broker.url, postgresql_url, QUICK_RETRY)
    run = _start_load(deployment)

    broker.stop()
    stopped = run.mark('broker stopped')
    posted_before = run.attempts
    run.wait_for(lambda: run.attempts >= posted_before + 4, 120,
                 'monitors posting while the broker is down')
    broker.start()
    started = run.mark('broker started')
    for host in deployment.engines:  # they reconnect by themselves
        deployment.wait_engine(host, timeout=120)
    run.mark('engines consuming again')
    result = run.finish(240, 240)
    outage = run.window(stopped, started)
    during = _posts(run, stopped, started)
    _emit('broker_restart_under_load', deployment, run, result, outage,
          outage_s=round(started - stopped, 1))

    _assert_recovered_once(deployment, run, result)
    assert len(during) >= 4, run.events
    creates = [s.status for s in _posts(run, 0, float('inf'))]
    assert creates == [202] * FAILING_HOSTS, creates
    assert result['statuses'].keys() == {'200', '202'}, result['statuses']
    # Those stored while no cast could be sent were run by the periodic
    # task of one engine or the other; none by both.
    assert _logged(deployment, 'Dispatching new')
    for uuid in run.accepted.values():
        assert len(deployment.engines_that_processed(uuid)) == 1, uuid


def test_database_restart_under_load(private_postgresql, rabbit_url,
                                     make_deployment):  # noqa: F811
    deployment = make_deployment(rabbit_url, private_postgresql.url,
                                 QUICK_RETRY)
    run = _start_load(deployment, tolerated=(503,))

    private_postgresql.stop()
    stopped = run.mark('database stopped')

    def refused(kind):
        return sum(s.status == 503 and s.kind == kind
                   for s in run.recorder.between(stopped, float('inf')))
    run.wait_for(lambda: refused(loadgen.CREATE) >= 5 and sum(
        refused(kind) for kind in (loadgen.SEGMENTS, loadgen.HOSTS,
                                   loadgen.NOTIFICATIONS, loadgen.SHOW))
        >= 2, 120, 'monitors and operators to meet the outage')
    private_postgresql.start()
    started = run.mark('database started')
    result = run.finish(240, 240)
    outage = run.window(stopped, started)
    _emit('database_restart_under_load', deployment, run, result, outage,
          outage_s=round(started - stopped, 1),
          answered_503=result['statuses'].get('503', 0),
          post_attempts=result['post_attempts'])

    # A recovery the outage broke is retried or taken over: more than one
    # attempt is fine, more than one evacuation is not.
    # 503s (with a fault body: the recorder checked) are the only
    # tolerated answers: no other 5xx, no traceback, no lost answer.
    _assert_recovered_once(deployment, run, result)
    assert set(result['statuses']) <= {'200', '202', '409', '503'}, \
        result['statuses']
    assert result['statuses'].get('503', 0) >= 4
    # A 409 only answers a monitor's retry whose earlier try was stored.
    assert result['statuses'].get('409', 0) == sum(
        uuid is None for uuid in run.accepted.values())
