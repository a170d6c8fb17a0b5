#!/usr/bin/env python3
"""Minimal Glance and Neutron stand-ins for Nova with the fake virt driver.

Nova only reads image metadata (``GET /v2/images/{id}`` and the image schema)
and, on rebuild, evacuate and listing, lists ports and security groups; a
server booted with ``--nic none`` has none. Both stubs answer those reads and
nothing else (no auth: they listen on 127.0.0.1 only).

Usage: stubs.py GLANCE_PORT NEUTRON_PORT IMAGE_ID [IMAGE_NAME]
"""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

CREATED = '2026-01-01T00:00:00Z'


def image_doc(image_id, name):
    return {
        'id': image_id, 'name': name, 'status': 'active',
        'visibility': 'public', 'protected': False, 'os_hidden': False,
        'container_format': 'bare', 'disk_format': 'qcow2',
        'size': 1048576, 'virtual_size': None, 'min_disk': 0, 'min_ram': 0,
        'checksum': None, 'os_hash_algo': None, 'os_hash_value': None,
        'owner': None, 'tags': [], 'created_at': CREATED,
        'updated_at': CREATED, 'file': '/v2/images/%s/file' % image_id,
        'self': '/v2/images/%s' % image_id, 'schema': '/v2/schemas/image',
    }


def image_schema():
    nullable_str = {'type': ['null', 'string']}
    nullable_int = {'type': ['null', 'integer']}
    props = {
        'id': {'type': 'string'}, 'name': nullable_str,
        'status': {'type': 'string'}, 'visibility': {'type': 'string'},
        'protected': {'type': 'boolean'}, 'os_hidden': {'type': 'boolean'},
        'container_format': nullable_str, 'disk_format': nullable_str,
        'size': nullable_int, 'virtual_size': nullable_int,
        'min_disk': {'type': 'integer'}, 'min_ram': {'type': 'integer'},
        'checksum': nullable_str, 'os_hash_algo': nullable_str,
        'os_hash_value': nullable_str, 'owner': nullable_str,
        'tags': {'type': 'array', 'items': {'type': 'string'}},
        'created_at': {'type': 'string'}, 'updated_at': {'type': 'string'},
        'file': {'type': 'string'}, 'self': {'type': 'string'},
        'schema': {'type': 'string'}, 'direct_url': {'type': 'string'},
        'locations': {'type': 'array'},
    }
    return {'name': 'image', 'properties': props,
            'additionalProperties': {'type': 'string'},
            'links': [{'rel': 'self', 'href': '{self}'},
                      {'rel': 'describedby', 'href': '{schema}'}]}


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.0'   # one request per connection

    def log_message(self, fmt, *args):
        sys.stderr.write('%s %s\n' % (self.server.name, fmt % args))

    def send_json(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        parts = [p for p in url.path.split('/') if p]
        status, body = self.server.route(parts, query, self.server_base())
        self.send_json(status, body)

    def do_HEAD(self):
        self.do_GET()

    def not_supported(self):
        self.send_json(405, {'error': 'the stub only serves reads'})

    do_POST = do_PUT = do_DELETE = do_PATCH = not_supported

    def server_base(self):
        return 'http://%s:%d' % self.server.server_address[:2]


class Glance(ThreadingHTTPServer):
    name = 'glance'
    daemon_threads = True

    def __init__(self, port, image_id, image_name):
        super().__init__(('127.0.0.1', port), Handler)
        self.image = image_doc(image_id, image_name)

    def route(self, parts, query, base):
        if not parts or parts == ['versions']:
            return 300, {'versions': [{
                'id': 'v2.16', 'status': 'CURRENT',
                'links': [{'rel': 'self', 'href': base + '/v2/'}]}]}
        if parts[0] != 'v2':
            return 404, {'message': 'not found'}
        rest = parts[1:]
        if rest == ['schemas', 'image']:
            return 200, image_schema()
        if rest == ['schemas', 'images']:
            return 200, {'name': 'images',
                         'properties': {'images': {
                             'type': 'array', 'items': image_schema()}},
                         'links': []}
        if rest == ['images']:
            images = [self.image]
            for key in ('name', 'id', 'status', 'visibility'):
                if key in query:
                    images = [i for i in images if i[key] in query[key]]
            return 200, {'images': images, 'first': '/v2/images',
                         'schema': '/v2/schemas/images'}
        if len(rest) == 2 and rest[0] == 'images':
            if rest[1] == self.image['id']:
                return 200, self.image
            return 404, {'message': 'No image found with ID %s' % rest[1]}
        return 404, {'message': 'not found'}


class Neutron(ThreadingHTTPServer):
    name = 'neutron'
    daemon_threads = True

    def __init__(self, port):
        super().__init__(('127.0.0.1', port), Handler)

    def route(self, parts, query, base):
        if not parts:
            return 200, {'versions': [{
                'id': 'v2.0', 'status': 'CURRENT',
                'links': [{'rel': 'self', 'href': base + '/v2.0/'}]}]}
        if parts[0] != 'v2.0':
            return 404, {'NeutronError': {'type': 'HTTPNotFound',
                                          'message': 'not found',
                                          'detail': ''}}
        rest = parts[1:]
        if not rest:
            return 200, {'resources': []}
        if len(rest) == 1:
            # Every collection is empty: ports, security-groups, networks,
            # extensions, floatingips, ...
            key = rest[0].replace('-', '_')
            if key.endswith('.json'):
                key = key[:-5]
            return 200, {key: []}
        return 404, {'NeutronError': {'type': 'NotFound',
                                      'message': 'not found', 'detail': ''}}


def main(argv):
    glance_port, neutron_port, image_id = int(argv[1]), int(argv[2]), argv[3]
    image_name = argv[4] if len(argv) > 4 else 'cirros-fake'
    servers = [Glance(glance_port, image_id, image_name),
               Neutron(neutron_port)]
    threads = [threading.Thread(target=s.serve_forever, daemon=True)
               for s in servers]
    for thread in threads:
        thread.start()
    sys.stderr.write('stubs: glance on %d, neutron on %d\n'
                     % (glance_port, neutron_port))
    sys.stderr.flush()
    for thread in threads:
        thread.join()


if __name__ == '__main__':
    main(sys.argv)
