"""``GET /metrics`` on the API: the stored notifications, for Prometheus."""

from prometheus_client import parser

from masakari.conf import CONF
from masakari.metrics import api as api_metrics
from masakari.tests.functional.api.fixtures import new_host
from masakari.tests.functional.api.fixtures import new_segment
from masakari.tests.functional.api.fixtures import notify


def families(api):
    response = api.get(api.url + '/metrics')
    assert response.status_code == 200, response.text
    assert response.headers['Content-Type'].startswith('text/plain')
    return {family.name: family for family in
            parser.text_string_to_metric_families(response.text)}


def scrape(api):
    return {(sample.labels['type'], sample.labels['status']): sample.value
            for sample in families(api)['masakari_notifications'].samples}


def test_metrics_are_off_by_default(api):
    assert api.get(api.url + '/metrics').status_code == 404


def test_counts_follow_the_notifications(api, engine):
    CONF.set_override('enabled', True, 'metrics')
    before = scrape(api)
    # Every type and status is there from the start, at 0.
    assert before[('COMPUTE_HOST', 'new')] == 0
    assert before[('VM', 'finished')] == 0
    segment = new_segment(api)
    new_host(api, segment)
    new_host(api, segment, name='compute2')
    assert notify(api).status_code == 202
    assert notify(api, hostname='compute2').status_code == 202
    assert notify(api, type_='PROCESS', payload={
        'event': 'STOPPED', 'process_name': 'nova-compute'}).status_code == 202

    after = scrape(api)
    assert after[('COMPUTE_HOST', 'new')] == 2
    assert after[('PROCESS', 'new')] == 1
    assert after[('VM', 'new')] == 0
    # No token needed (like /healthcheck), and only GET/HEAD.
    assert api.post(api.url + '/metrics').status_code == 405


def test_what_waits_for_an_operator(api, engine):
    CONF.set_override('enabled', True, 'metrics')
    found = families(api)
    assert set(found) == set(api_metrics.FAMILIES)
    assert {s.labels['hold']: s.value for s in
            found['masakari_notifications_held'].samples} == {
        'storm': 0, 'pause': 0}
    paused = api.post('/recovery_pauses', {'recovery_pause': {
        'reason': 'planned maintenance'}}, version='1.6')
    assert paused.status_code in (200, 201), paused.text
    found = families(api)
    assert found['masakari_recovery_pauses'].samples[0].value == 1
    assert found['masakari_storm_brakes'].samples[0].value == 0
