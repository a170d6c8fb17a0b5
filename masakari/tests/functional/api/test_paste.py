"""api-paste.ini: the shipped file, one written for upstream Masakari, and
the health check's disable file."""

import configparser

from masakari.api import app as api_app
from masakari.tests.functional.api import fixtures

# The factories an api-paste.ini written for upstream Masakari names.
UPSTREAM_STYLE_PASTE = """
[composite:masakari_api]
use = call:masakari.api.urlmap:urlmap_factory
/: apiversions
/v1: masakari_api_v1

[composite:masakari_api_v1]
use = call:masakari.api.auth:pipeline_factory_v1
keystone = cors http_proxy_to_wsgi request_id faultwrap sizelimit authtoken keystonecontext osapi_masakari_app_v1
noauth2 = cors http_proxy_to_wsgi request_id faultwrap sizelimit noauth2 osapi_masakari_app_v1

[filter:cors]
paste.filter_factory = oslo_middleware.cors:filter_factory
oslo_config_project = masakari

[filter:http_proxy_to_wsgi]
paste.filter_factory = oslo_middleware.http_proxy_to_wsgi:HTTPProxyToWSGI.factory

[filter:request_id]
paste.filter_factory = oslo_middleware:RequestId.factory

[filter:faultwrap]
paste.filter_factory = masakari.api.openstack:FaultWrapper.factory

[filter:sizelimit]
paste.filter_factory = oslo_middleware:RequestBodySizeLimiter.factory

[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory

[filter:keystonecontext]
paste.filter_factory = masakari.api.auth:MasakariKeystoneContext.factory

[filter:noauth2]
paste.filter_factory = masakari.api.auth:NoAuthMiddleware.factory

[app:osapi_masakari_app_v1]
paste.app_factory = masakari.api.openstack.ha:APIRouterV1.factory

[pipeline:apiversions]
pipeline = faultwrap http_proxy_to_wsgi apiversionsapp

[app:apiversionsapp]
paste.app_factory = masakari.api.openstack.ha.versions:Versions.factory
"""  # noqa: E501


def test_upstream_style_paste_file(database, nova, engine, tmp_path):
    path = tmp_path / 'api-paste.ini'
    path.write_text(UPSTREAM_STYLE_PASTE)
    server = fixtures.ApiServer(str(path))
    try:
        assert server.get(server.url + '/').status_code == 200
        created = server.post('/segments', {'segment': {
            'name': 's', 'recovery_method': 'auto',
            'service_type': 'COMPUTE'}})
        assert created.status_code == 201, created.text
        assert server.get('/segments/nope').json()['itemNotFound'][
            'code'] == 404
    finally:
        server.stop()


def test_healthcheck_disable_file(database, nova, engine, tmp_path):
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(api_app.find_paste_config())
    disable_file = tmp_path / 'healthcheck_disable'
    parser['app:healthcheck']['disable_by_file_path'] = str(disable_file)
    path = tmp_path / 'api-paste.ini'
    with open(path, 'w') as paste_file:
        parser.write(paste_file)
    server = fixtures.ApiServer(str(path))
    try:
        assert server.get(server.url + '/healthcheck').status_code == 200
        disable_file.write_text('maintenance')
        response = server.get(server.url + '/healthcheck')
        assert response.status_code == 503
        assert 'DISABLED BY FILE' in response.text
    finally:
        server.stop()
