"""API and engine in one process, for stacks without a message broker.

``python -m benchmarks.apiengine --config-file F --port N``: the engine
service and the API (threaded WSGI server) share the in-process
``fake://`` transport, as in ``masakari-aio`` but with the Nova endpoint
and the database of the config file.
"""

import argparse
import signal
import threading

from masakari.api import app as api_app
from masakari.common import config
from masakari.engine import service as engine_service


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument('--config-file', required=True)
    parser.add_argument('--port', type=int, required=True)
    args = parser.parse_args(argv)
    config.parse_args(['--config-file', args.config_file])
    engine = engine_service.EngineService()
    engine.start()
    server = api_app.make_server(api_app.build_app(), '127.0.0.1',
                                 args.port).start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    server.stop()
    engine.stop(timeout=5)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
