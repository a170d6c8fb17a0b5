"""A client of the Nova simulator's admin API (``/simulator``) over HTTP.

The end-to-end tests and ``python -m benchmarks.loadtest`` seed and inspect
a simulator running in another process with it: add hosts and servers, fail
hosts, read servers and migration records, inject HTTP faults. See
doc/source/simulator.rst for the API itself.
"""

import requests


class AdminAPIError(RuntimeError):
    """The admin API answered an error status."""

    def __init__(self, method, path, status, body):
        super().__init__('%s %s: %d %s' % (method, path, status, body))
        self.status = status
        self.body = body


class SimulatorClient:
    """The Nova simulator's admin API (``/simulator``) over HTTP."""

    def __init__(self, admin_url):
        self.admin_url = admin_url.rstrip('/')
        self.session = requests.Session()

    def call(self, method, path, body=None, **params):
        response = self.session.request(method, self.admin_url + path,
                                        json=body, params=params, timeout=30)
        if response.status_code >= 300:
            raise AdminAPIError(method, path, response.status_code,
                                response.text)
        return response.json()

    def add_host(self, name, **fields):
        return self.call('POST', '/hosts', dict(fields, name=name))

    def add_servers(self, host, count, **fields):
        body = dict(fields, host=host, count=count)
        return [s['id'] for s in self.call('POST', '/servers',
                                           body)['servers']]

    def fail_host(self, name):
        return self.call('POST', '/hosts/%s/fail' % name)

    def host(self, name):
        return self.call('GET', '/hosts/%s' % name)

    def server(self, server_id):
        return self.call('GET', '/servers/%s' % server_id)

    def servers(self, host=None):
        params = {'host': host} if host else {}
        return self.call('GET', '/servers', **params)['servers']

    def migrations(self, server_id=None):
        params = {'server_id': server_id} if server_id else {}
        return self.call('GET', '/migrations', **params)['migrations']

    def add_http_fault(self, pattern, **fields):
        return self.call('POST', '/faults/http',
                         dict(fields, pattern=pattern))['id']

    def faults(self):
        return self.call('GET', '/faults')

    def clear_faults(self):
        return self.call('DELETE', '/faults')
