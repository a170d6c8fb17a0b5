"""Real servers the API functional tests talk to, over real HTTP.

* ``ApiServer``: the paste-loaded API (``build_app``) in a WSGIServer on
  127.0.0.1:0, plus a ``requests`` helper.
* ``FakeKeystone``: just enough of Keystone v3 for keystonemiddleware's
  ``auth_token`` to authenticate itself (POST /v3/auth/tokens) and validate
  user tokens (GET /v3/auth/tokens); tokens are fixed strings mapped to
  users with roles.
* ``EngineRecorder``: an oslo.messaging RPC server on the ``fake://``
  transport standing in for the engine: it records ``process_notification``
  casts and answers ``get_notification_recovery_workflow_details``.
* ``dump_database``: every row of every table, to prove a request changed
  nothing.
* ``new_segment``, ``new_host``, ``notify``: resources made through the API.
"""

import datetime
import json
import threading
import time
import uuid

from keystoneauth1 import loading as ks_loading
import oslo_messaging as messaging
import requests
import sqlalchemy as sa
import webob

from masakari.api import app as api_app
from masakari.conf import CONF
from masakari.db import api as db_api
from masakari import rpc

DEFAULT_TIMEOUT = 30


def serve(app, name):
    """A started WSGIServer for ``app`` on 127.0.0.1, any free port."""
    return api_app.make_server(app, '127.0.0.1', 0, name).start()


def stop_in_background(server):
    """Stop a server without waiting for its accept loop to notice
    (socketserver polls every half second); it takes no new request."""
    threading.Thread(target=server.stop, daemon=True).start()


class ApiServer:
    """The whole API (versions, /v1, /healthcheck) served over HTTP."""

    def __init__(self, paste_config_path=None):
        self.app = api_app.build_app(paste_config_path)
        self.server = serve(self.app, 'masakari-api')
        self.url = self.server.url
        self.v1 = self.url + '/v1'
        self.session = requests.Session()

    def stop(self):
        self.session.close()
        stop_in_background(self.server)

    def request(self, method, path, json_body=None, headers=None,
                version=None, data=None, token=None, **kwargs):
        """``path`` is relative to /v1 unless it starts with ``http``."""
        url = path if path.startswith('http') else self.v1 + path
        headers = dict(headers or {})
        if version is not None:
            headers['OpenStack-API-Version'] = 'instance-ha %s' % version
        if token is not None:
            headers['X-Auth-Token'] = token
        return self.session.request(method, url, json=json_body, data=data,
                                    headers=headers,
                                    timeout=DEFAULT_TIMEOUT, **kwargs)

    def get(self, path, **kwargs):
        return self.request('GET', path, **kwargs)

    def post(self, path, body=None, **kwargs):
        return self.request('POST', path, json_body=body, **kwargs)

    def put(self, path, body=None, **kwargs):
        return self.request('PUT', path, json_body=body, **kwargs)

    def delete(self, path, **kwargs):
        return self.request('DELETE', path, **kwargs)


# --- Keystone --------------------------------------------------------------
SERVICE_TOKEN = 'service-token'
ADMIN_TOKEN = 'admin-token'
MEMBER_TOKEN = 'member-token'
READER_TOKEN = 'reader-token'


class FakeKeystone:
    """Keystone v3 token issue and validation, for keystonemiddleware.

    ``users`` maps a token to ``(user_id, project_id, roles)``; the service
    user (whose token keystonemiddleware gets with a password) has the
    ``service`` and ``admin`` roles.
    """

    def __init__(self):
        self.project_id = uuid.uuid4().hex
        self.other_project_id = uuid.uuid4().hex
        self.tokens = {
            SERVICE_TOKEN: ('masakari', uuid.uuid4().hex,
                            ['service', 'admin']),
            ADMIN_TOKEN: ('admin-user', self.project_id,
                          ['admin', 'member', 'reader']),
            MEMBER_TOKEN: ('member-user', self.project_id,
                           ['member', 'reader']),
            READER_TOKEN: ('reader-user', self.project_id, ['reader']),
        }
        self.validations = 0
        self.server = serve(self, 'fake-keystone')
        self.url = self.server.url

    def stop(self):
        stop_in_background(self.server)

    GROUP = 'keystone_authtoken'

    def configure(self, conf):
        """Point ``[keystone_authtoken]`` at this Keystone."""
        from keystonemiddleware.auth_token import _opts

        group = self.GROUP
        conf.register_opts(_opts._OPTS, group=group)
        ks_loading.register_auth_conf_options(conf, group)
        conf.register_opts(ks_loading.get_auth_plugin_conf_options(
            'password'), group=group)
        values = {'www_authenticate_uri': self.url, 'auth_type': 'password',
                  'auth_url': self.url, 'username': 'masakari',
                  'password': 'secret', 'project_name': 'service',
                  'user_domain_name': 'Default',
                  'project_domain_name': 'Default',
                  'interface': 'public', 'http_request_max_retries': 0}
        for name, value in values.items():
            conf.set_override(name, value, group)

    def unconfigure(self, conf):
        """Forget the password plugin's options: ``auth_url`` is required
        and would make the next parse of the global CONF fail."""
        conf.reset()
        for opt in ks_loading.get_auth_plugin_conf_options('password'):
            conf.unregister_opt(opt, self.GROUP)

    def _token_body(self, token):
        user_id, project_id, roles = self.tokens[token]
        now = datetime.datetime.utcnow()
        domain = {'id': 'default', 'name': 'Default'}
        endpoints = [{'id': uuid.uuid4().hex, 'interface': interface,
                      'region': 'RegionOne', 'region_id': 'RegionOne',
                      'url': self.url + '/v3'}
                     for interface in ('public', 'internal', 'admin')]
        return {'token': {
            'methods': ['password'],
            'issued_at': now.strftime('%Y-%m-%dT%H:%M:%S.000000Z'),
            'expires_at': (now + datetime.timedelta(hours=1)).strftime(
                '%Y-%m-%dT%H:%M:%S.000000Z'),
            'user': {'id': user_id, 'name': user_id, 'domain': domain},
            'project': {'id': project_id, 'name': 'project-' + project_id,
                        'domain': domain},
            'roles': [{'id': role + '-id', 'name': role} for role in roles],
            'catalog': [{'id': 'keystone', 'type': 'identity',
                         'name': 'keystone', 'endpoints': endpoints}],
        }}

    def _versions(self):
        return {'id': 'v3.14', 'status': 'stable',
                'updated': '2020-04-07T00:00:00Z',
                'links': [{'rel': 'self', 'href': self.url + '/v3/'}],
                'media-types': [{'base': 'application/json',
                                 'type': 'application/'
                                         'vnd.openstack.identity-v3+json'}]}

    def __call__(self, environ, start_response):
        req = webob.Request(environ)
        path = req.path_info.rstrip('/')
        headers = {}
        if path == '' and req.method == 'GET':
            status, body = 300, {'versions': {'values': [self._versions()]}}
        elif path == '/v3' and req.method == 'GET':
            status, body = 200, {'version': self._versions()}
        elif path == '/v3/auth/tokens' and req.method == 'POST':
            status, body = 201, self._token_body(SERVICE_TOKEN)
            headers['X-Subject-Token'] = SERVICE_TOKEN
        elif path == '/v3/auth/tokens' and req.method in ('GET', 'HEAD'):
            self.validations += 1
            subject = req.headers.get('X-Subject-Token')
            if req.headers.get('X-Auth-Token') != SERVICE_TOKEN:
                status, body = 401, {'error': {'code': 401,
                                               'message': 'Unauthorized'}}
            elif subject not in self.tokens:
                status, body = 404, {'error': {'code': 404,
                                               'message': 'Not found'}}
            else:
                status, body = 200, self._token_body(subject)
                headers['X-Subject-Token'] = subject
        else:
            status, body = 404, {'error': {'code': 404,
                                           'message': 'Not found'}}
        response = webob.Response(status=status, charset=None,
                                  content_type='application/json')
        response.body = json.dumps(body).encode('utf-8')
        for name, value in headers.items():
            response.headers[name] = value
        return response(environ, start_response)


# --- the engine's RPC side ---------------------------------------------------
class _EngineEndpoint:
    target = messaging.Target(version='1.1')

    def __init__(self, recorder):
        self.recorder = recorder

    def process_notification(self, context, notification):
        with self.recorder.lock:
            self.recorder.casts.append(notification)
            self.recorder.contexts.append(context.to_dict())

    def get_notification_recovery_workflow_details(self, context,
                                                   notification):
        return self.recorder.workflow_details


class EngineRecorder:
    """An RPC server on the engine's topic that records what it gets."""

    def __init__(self):
        self.lock = threading.Lock()
        self.casts = []
        self.contexts = []
        self.workflow_details = []
        target = messaging.Target(topic=CONF.masakari_topic,
                                  server=CONF.host)
        self.server = rpc.get_server(target, [_EngineEndpoint(self)])
        self.server.start()

    def wait_for_casts(self, count, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                if len(self.casts) >= count or time.monotonic() > deadline:
                    return list(self.casts)
            time.sleep(0.02)

    def stop(self):
        self.server.stop()
        self.server.wait()


# --- the database ------------------------------------------------------------
def dump_database():
    """{table: [row tuples]} of every table, in primary key order."""
    engine = db_api.get_engine()
    metadata = sa.MetaData()
    metadata.reflect(bind=engine)
    dump = {}
    with engine.connect() as connection:
        for name, table in sorted(metadata.tables.items()):
            order = list(table.primary_key.columns) or list(table.columns)
            rows = connection.execute(sa.select(table).order_by(*order))
            dump[name] = [tuple(row) for row in rows]
    return dump


# --- versioned notifications -------------------------------------------------
class NotificationListener:
    """Receives what masakari sends to ``versioned_notifications``."""

    def __init__(self):
        self.lock = threading.Lock()
        self.events = []
        listener = self

        class _Endpoint:
            def info(self, ctxt, publisher_id, event_type, payload,
                     metadata):
                listener._record('INFO', publisher_id, event_type, payload,
                                 metadata)

            def error(self, ctxt, publisher_id, event_type, payload,
                      metadata):
                listener._record('ERROR', publisher_id, event_type, payload,
                                 metadata)

            def warn(self, ctxt, publisher_id, event_type, payload,
                     metadata):
                listener._record('WARN', publisher_id, event_type, payload,
                                 metadata)

        self.listener = messaging.get_notification_listener(
            rpc.get_notification_transport(),
            [messaging.Target(topic='versioned_notifications')],
            [_Endpoint()], executor='threading')
        self.listener.start()

    def _record(self, priority, publisher_id, event_type, payload,
                metadata):
        # Each priority has a topic of its own: events of different
        # priorities may arrive out of order; ``timestamp`` (the sender's)
        # puts them back in order.
        with self.lock:
            self.events.append({'priority': priority,
                                'publisher_id': publisher_id,
                                'event_type': event_type,
                                'payload': payload,
                                'timestamp': (metadata or {}).get(
                                    'timestamp')})

    def wait_for(self, count, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                if len(self.events) >= count or time.monotonic() > deadline:
                    return list(self.events)
            time.sleep(0.02)

    def stop(self):
        self.listener.stop()
        self.listener.wait()


# --- resources made through the API ------------------------------------------
VERSION_HEADER = 'OpenStack-API-Version'
NOW = datetime.datetime(2026, 5, 6, 7, 8, 9)


def new_segment(api, name='seg', **fields):
    """POST a segment (at microversion 1.2 when ``enabled`` is given)."""
    body = dict({'name': name, 'recovery_method': 'auto',
                 'service_type': 'COMPUTE'}, **fields)
    response = api.post('/segments', {'segment': body},
                        version='1.2' if 'enabled' in fields else None)
    assert response.status_code == 201, response.text
    return response.json()['segment']


def new_host(api, segment, name='compute1', **fields):
    body = dict({'name': name, 'type': 'COMPUTE',
                 'control_attributes': 'ssh'}, **fields)
    response = api.post('/segments/%s/hosts' % segment['uuid'],
                        {'host': body})
    assert response.status_code == 201, response.text
    return response.json()['host']


def notify(api, hostname='compute1', type_='COMPUTE_HOST', payload=None,
           generated_time=None):
    """POST a notification; returns the response, whatever its status."""
    return api.post('/notifications', {'notification': {
        'type': type_, 'hostname': hostname,
        'generated_time': generated_time or NOW.isoformat(),
        'payload': payload or {'event': 'STOPPED',
                               'host_status': 'NORMAL'}}})
