"""A third-party recovery task, and a fake distribution that registers it.

Operators add a task by installing a package whose metadata declares it in
the ``masakari.task_flow.tasks`` entry point namespace. Tests do the same
without installing anything: ``register_tasks`` writes the ``.dist-info``
directory such a package would install into a temporary directory and puts
that directory on ``sys.path``, where importlib.metadata (and so stevedore)
finds it. stevedore caches entry points per process, so its cache is
emptied for the test.
"""

import os
import threading

from stevedore import extension

from masakari.engine.tasks import base

CALLS = []
_CALLS_LOCK = threading.Lock()


class RecordingTask(base.MasakariTask):
    """Records that it ran, for which host, with progress details."""

    def execute(self, host_name, notification_uuid):
        self.update_details('Custom task started for host %s' % host_name)
        with _CALLS_LOCK:
            CALLS.append((host_name, notification_uuid))
        self.update_details('Custom task finished', 1.0)


class FailingTask(base.MasakariTask):
    def execute(self):
        self.update_details('Custom task failing on purpose', 1.0)
        raise RuntimeError('custom task failed')


def register_tasks(directory, tasks, monkeypatch,
                   name='masakari-test-tasks'):
    """Register ``{entry point name: 'module:Class'}`` as ``name``."""
    dist_info = os.path.join(directory, '%s-1.0.dist-info'
                             % name.replace('-', '_'))
    os.makedirs(dist_info, exist_ok=True)
    with open(os.path.join(dist_info, 'METADATA'), 'w') as out:
        out.write('Metadata-Version: 2.1\nName: %s\nVersion: 1.0\n' % name)
    with open(os.path.join(dist_info, 'entry_points.txt'), 'w') as out:
        out.write('[masakari.task_flow.tasks]\n')
        for entry_point, target in tasks.items():
            out.write('%s = %s\n' % (entry_point, target))
    monkeypatch.syspath_prepend(str(directory))
    # stevedore caches each namespace's entry points for the life of the
    # process; start from an empty cache (restored after the test).
    monkeypatch.setattr(extension.ExtensionManager, 'ENTRY_POINT_CACHE', {})
