"""How failures of what the API depends on are answered: an unexpected
error in the engine RPC, the database down, Nova unavailable."""

import pytest

from masakari.conf import CONF
from masakari.db import api as db_api
from masakari.tests.functional.api.fixtures import new_host
from masakari.tests.functional.api.fixtures import new_segment
from masakari.tests.functional.api.fixtures import notify


def test_unexpected_error_is_500(api, engine):
    def broken(context, notification):
        raise ValueError('the engine broke')

    segment = new_segment(api)
    new_host(api, segment)
    uuid = notify(api).json()['notification']['notification_uuid']
    engine.server.dispatcher.endpoints[0] \
        .get_notification_recovery_workflow_details = broken
    response = api.get('/notifications/%s' % uuid, version='1.1')
    assert response.status_code == 500
    message = response.json()['masakariFault']['message']
    assert message.startswith(
        'Unexpected API Error. Please report this at '
        'https://bugs.launchpad.net/masakari/ and attach the Masakari API '
        'log if possible.\n<class ')
    assert 'Traceback' not in response.text


@pytest.mark.parametrize('connection', [
    'postgresql+psycopg2://nobody:x@127.0.0.1:1/none',
    'mysql+pymysql://nobody:x@127.0.0.1:1/none',
    'sqlite:////nonexistent-dir/masakari.sqlite',
])
def test_database_down_is_503(api, connection):
    CONF.set_override('connection', connection, 'database')
    CONF.set_override('max_retries', 0, 'database')
    db_api.dispose()
    for response in (api.get('/segments'),
                     api.post('/segments', {'segment': {
                         'name': 's', 'recovery_method': 'auto',
                         'service_type': 'C'}})):
        assert response.status_code == 503
        assert list(response.json()) == ['serviceUnavailable']
        assert 'Traceback' not in response.text


def test_nova_unavailable_is_503(api, nova):
    segment = new_segment(api)
    nova.stop()
    response = api.post('/segments/%s/hosts' % segment['uuid'], {'host': {
        'name': 'compute1', 'type': 'COMPUTE', 'control_attributes': 'x'}})
    assert response.status_code == 503
    assert list(response.json()) == ['serviceUnavailable']
