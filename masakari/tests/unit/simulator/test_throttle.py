"""The realism knobs: the API's bound on requests at once, claims one at a
time per target host, the named profiles and the request counter."""

import threading
import time

import pytest
import webob

from masakari.cmd import simulator as cli
from masakari.simulator import lifecycle
from masakari.simulator import throttle
from masakari.simulator.server import SimulatorApp
from masakari.simulator.settings import PROFILES, Duration, Settings
from masakari.tests.unit.simulator.helpers import caller, make_cloud


@pytest.mark.parametrize('free_at, now, claim, expected', [
    (0.0, 10.0, 0.5, (0.5, 10.5)),     # lock free: just the claim
    (10.5, 10.0, 0.5, (1.0, 11.0)),    # one claim ahead: wait for it
    (12.0, 10.0, 0.25, (2.25, 12.25)),
    (9.0, 10.0, 0.0, (0.0, 10.0)),
])
def test_claim_slot(free_at, now, claim, expected):
    assert throttle.claim_slot(free_at, now, claim) == expected


def test_gate_bounds_and_counts_waits():
    limit = [2]
    gate = throttle.RequestGate(lambda: limit[0])
    assert gate.enter(blocking=False) and gate.enter(blocking=False)
    assert not gate.enter(blocking=False)
    gate.leave()
    assert gate.enter(blocking=False)
    limit[0] = 0  # no bound: the setting is read at every entry
    assert gate.enter(blocking=False)
    assert gate.inside == 3 and gate.waited == 0


def test_a_request_beyond_the_bound_waits_for_a_leave():
    gate = throttle.RequestGate(lambda: 1)
    gate.enter()
    entered = threading.Event()

    def second():
        gate.enter()
        entered.set()

    thread = threading.Thread(target=second, daemon=True)
    thread.start()
    # It counts as waiting as soon as it found the gate full, and cannot
    # get in while the first holds the place.
    deadline = time.monotonic() + 5
    while gate.waited == 0 and time.monotonic() < deadline:
        pass
    assert gate.waited == 1 and gate.inside == 1
    assert not entered.is_set()
    gate.leave()
    thread.join(5)
    assert entered.is_set() and gate.inside == 1


def test_claims_on_one_target_are_serialised():
    now = [100.0]
    cloud = make_cloud(hosts=('c1', 'c2'), clock=lambda: now[0],
                       evacuate_duration=30, evacuate_claim_time=0.5)
    try:
        ids = cloud.add_servers('c1', 3)
        cloud.set_forced_down('c1')
        for sid in ids:
            lifecycle.evacuate(cloud, sid, caller(cloud))
        # Three claims on c2, one after the other from t=100.
        assert cloud.claim_free_at == {'c2': 101.5}
        now[0] = 200.0
        cloud.add_server('c1')
        lifecycle.evacuate(cloud, cloud.servers_on('c1')[-1].id,
                           caller(cloud))
        assert cloud.claim_free_at == {'c2': 200.5}
    finally:
        cloud.stop()


def test_no_claim_time_no_bookkeeping():
    cloud = make_cloud(hosts=('c1', 'c2'), evacuate_duration=30)
    try:
        sid = cloud.add_server('c1')
        cloud.set_forced_down('c1')
        lifecycle.evacuate(cloud, sid, caller(cloud))
        assert cloud.claim_free_at == {}
    finally:
        cloud.stop()


def test_profiles_set_and_undo_the_knobs():
    settings = Settings()
    settings.update(profile='realistic', evacuate_duration=2.5)
    assert settings.service_down_time == 60.0
    assert settings.rpc_response_timeout == 60.0
    assert settings.api_latency == Duration(0.04, 0.06)
    assert settings.api_max_concurrent == 16
    assert settings.evacuate_claim_time == 0.1
    settings.update(profile='realistic', service_down_time=10)
    assert settings.service_down_time == 10.0  # a knob given wins
    settings.update(profile='default')
    assert settings.as_json() == dict(Settings(evacuate_duration=Duration(
        2.5, 2.5)).as_json())
    with pytest.raises(ValueError):
        settings.update(profile='nope')
    with pytest.raises(ValueError):
        settings.update(api_max_concurrent=-1)
    assert set(PROFILES) >= {'default', 'realistic'}


def test_cli_profile_and_knobs():
    args = cli.build_parser().parse_args(['--profile', 'realistic',
                                          '--service-down-time', '5'])
    assert cli.knob_settings(args) == {'profile': 'realistic',
                                       'service_down_time': 5.0}
    assert cli.knob_settings(cli.build_parser().parse_args([])) == {
        'profile': 'default'}


def test_requests_counted_by_route():
    cloud = make_cloud(hosts=('c1',))
    app = SimulatorApp(cloud)
    try:
        sid = cloud.add_server('c1')
        for path in ('/v2.1/servers/%s' % sid, '/v2.1/servers/%s' % sid,
                     '/v2.1/proj/os-services', '/v2.1/nowhere'):
            webob.Request.blank(path).get_response(app)
        assert cloud.requests_served() == {
            'GET /servers/{server_id}': 2, 'GET /os-services': 1,
            'GET ?': 1}
        body = webob.Request.blank('/simulator/requests').get_response(
            app).json
        assert body['total'] == 4 and body['waited'] == 0
        cloud.reset()
        assert cloud.requests_served() == {}
    finally:
        cloud.stop()
