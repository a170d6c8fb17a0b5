"""An engine's Prometheus endpoint, scraped over HTTP around real
recoveries against the Nova simulator: the values move as they run."""

import socket

from prometheus_client import parser
import pytest
import requests

from masakari.metrics import exporter


@pytest.fixture
def endpoint(engine_conf):
    engine_conf.set_override('enabled', True, 'metrics')
    engine_conf.set_override('engine_port', 0, 'metrics')
    served = exporter.Exporter().start()
    yield 'http://127.0.0.1:%d/metrics' % served.port
    served.stop()


def scrape(url):
    response = requests.get(url, timeout=10)
    assert response.status_code == 200
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in parser.text_string_to_metric_families(
                response.text)
            for sample in family.samples}


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def moved(before, after, name, **labels):
    return value(after, name, **labels) - value(before, name, **labels)


def test_a_host_recovery_moves_the_engine_metrics(cloud, manager, ctx,
                                                  endpoint):
    segment = cloud.segment('auto')
    failed = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    cloud.servers('c1', 3, ha=True)
    cloud.fail('c1')
    uuid = cloud.host_down(failed)
    before = scrape(endpoint)

    assert manager.process(ctx, uuid) == 'finished'

    after = scrape(endpoint)
    assert moved(before, after, 'masakari_recoveries_total',
                 type='COMPUTE_HOST', status='finished') == 1
    assert moved(before, after, 'masakari_recovery_duration_seconds_count',
                 type='COMPUTE_HOST', status='finished') == 1
    assert moved(before, after,
                 'masakari_instance_evacuation_duration_seconds_count',
                 outcome='succeeded') == 3
    assert moved(before, after, 'masakari_nova_api_calls_total',
                 call='ServerManager.evacuate', outcome='ok') == 3
    for phase in ('compute_down', 'first_active', 'last_active'):
        assert moved(before, after,
                     'masakari_host_failure_phase_seconds_count',
                     phase=phase) == 1, phase
    # Not fenced (no BMC for c1): no such phase.
    assert moved(before, after, 'masakari_host_failure_phase_seconds_count',
                 phase='fenced') == 0
    assert value(after, 'masakari_recoveries_running',
                 type='COMPUTE_HOST') == 0


def test_a_failed_nova_call_is_counted_as_an_error(cloud, manager, ctx,
                                                   endpoint):
    segment = cloud.segment('auto')
    failed = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    (server,) = cloud.servers('c1', 1, ha=True)
    cloud.fail('c1')
    cloud.state.add_http_fault(r'/servers/%s/action' % server, status=400,
                               count=None)
    before = scrape(endpoint)

    assert manager.process(ctx, cloud.host_down(failed)) == 'error'

    after = scrape(endpoint)
    assert moved(before, after, 'masakari_recoveries_total',
                 type='COMPUTE_HOST', status='error') == 1
    assert moved(before, after, 'masakari_nova_api_calls_total',
                 call='ServerManager.lock', outcome='error') >= 1


def test_a_taken_port_leaves_the_engine_without_metrics(engine_conf,
                                                        caplog):
    with socket.socket() as taken:
        taken.bind(('127.0.0.1', 0))
        taken.listen()
        engine_conf.set_override('enabled', True, 'metrics')
        engine_conf.set_override('engine_port', taken.getsockname()[1],
                                 'metrics')
        served = exporter.Exporter().start()
    assert served.port is None
    assert 'runs without its metrics endpoint' in caplog.text
    served.stop()       # nothing to stop: no error either
