"""Return to service against the Nova simulator: a host recovered by the
engine, repaired, and after its burn-in enabled in Nova and out of
maintenance; a flapping host, a host an operator holds, and a segment that
did not opt in all stay out."""

import pytest

from masakari.db import api as db_api
from masakari.engine import return_to_service
from masakari.tests.fixtures.clock import FakeClock
from masakari.tests.functional.engine.conftest import old


@pytest.fixture
def opted_in(engine_conf):
    engine_conf.set_override('segments', ['repairable'], 'return_to_service')
    engine_conf.set_override('burn_in', 300, 'return_to_service')
    engine_conf.set_override('max_failures', 2, 'return_to_service')
    return engine_conf


@pytest.fixture
def watch():
    clock = FakeClock()
    return clock, return_to_service.HealthWatch(clock=clock)


def recovered_host(cloud, manager, ctx, segment_name='repairable'):
    segment = cloud.segment('auto', name=segment_name)
    failed = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    cloud.servers('c1', 1, ha=True)
    cloud.fail('c1')
    assert manager.process(ctx, cloud.host_down(failed)) == 'finished'
    assert db_api.host_get_by_name('c1').on_maintenance
    return failed


def repair(cloud, name='c1'):
    """What an operator does, per Nova's procedure, but the last step:
    restart nova-compute, unset forced_down."""
    cloud.state.recover_host(name)
    cloud.state.set_forced_down(name, False)


def check(ctx, watch):
    return return_to_service.return_repaired_hosts(None, ctx, watch=watch[1])


def test_a_repaired_host_returns_after_its_burn_in(cloud, manager, ctx,
                                                   opted_in, watch):
    recovered_host(cloud, manager, ctx)
    clock, _ = watch
    # Still dead: nothing.
    assert check(ctx, watch) == []
    repair(cloud)
    assert check(ctx, watch) == []          # the burn-in starts now
    clock.sleep(299)
    assert check(ctx, watch) == []
    assert cloud.service('c1')['status'] == 'disabled'
    clock.sleep(1)

    assert check(ctx, watch) == ['c1']

    assert cloud.service('c1')['status'] == 'enabled'
    assert not db_api.host_get_by_name('c1').on_maintenance
    assert check(ctx, watch) == []          # once


def test_a_break_in_the_burn_in_starts_it_again(cloud, manager, ctx,
                                                opted_in, watch):
    recovered_host(cloud, manager, ctx)
    clock, _ = watch
    repair(cloud)
    check(ctx, watch)
    clock.sleep(200)
    cloud.fail('c1')                        # down again for a while
    check(ctx, watch)
    cloud.state.recover_host('c1')
    check(ctx, watch)
    clock.sleep(200)
    assert check(ctx, watch) == []
    clock.sleep(100)
    assert check(ctx, watch) == ['c1']


def test_a_flapping_host_stays_out(cloud, manager, ctx, opted_in, watch,
                                   caplog):
    failed = recovered_host(cloud, manager, ctx)
    # It failed an hour earlier too, within the window (max_failures 2).
    earlier = cloud.host_down(failed, host_status='UNKNOWN',
                              generated_time=old(3600))
    db_api.notification_update(earlier, {'status': 'finished'})
    clock, _ = watch
    repair(cloud)
    check(ctx, watch)
    clock.sleep(3600)

    assert check(ctx, watch) == []

    assert cloud.service('c1')['status'] == 'disabled'
    assert db_api.host_get_by_name('c1').on_maintenance
    warnings = [r.getMessage() for r in caplog.records
                if 'stays on maintenance' in r.getMessage()]
    assert len(warnings) == 1, warnings     # said once, not every check
    assert 'c1 failed 2 times' in warnings[0]


def test_an_operator_s_maintenance_is_left_alone(cloud, manager, ctx,
                                                 opted_in, watch):
    recovered_host(cloud, manager, ctx)
    clock, _ = watch
    repair(cloud)
    # Someone disabled the service for their own reason.
    cloud.state.set_service_status('c1', False, 'disk replacement')
    check(ctx, watch)
    clock.sleep(3600)
    assert check(ctx, watch) == []
    assert cloud.service('c1')['status'] == 'disabled'
    assert db_api.host_get_by_name('c1').on_maintenance


def test_segments_that_did_not_opt_in_are_not_touched(cloud, manager, ctx,
                                                      opted_in, watch):
    recovered_host(cloud, manager, ctx, segment_name='other')
    clock, _ = watch
    repair(cloud)
    check(ctx, watch)
    clock.sleep(3600)
    assert check(ctx, watch) == []
    assert db_api.host_get_by_name('c1').on_maintenance
