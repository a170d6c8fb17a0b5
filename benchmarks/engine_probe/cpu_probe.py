"""Where a process's CPU goes, by kind of work: the engine-side half of
``benchmarks.cpu_budget``.

Each kind (``KINDS``) is a few functions of masakari or of its libraries;
once their modules are imported, they are wrapped so that each call adds
the CPU its thread spent in it (``time.thread_time``) to its kind. Only the
outermost wrapped call of a thread counts: a log line written inside a
Nova call is part of the Nova call, so the kinds never overlap. Every
``INTERVAL`` the totals, the calls per function and the process's CPU
time are written to a JSON file, replaced atomically, for the benchmark to
read before and after the recovery it measures.

It runs only in the benchmark's engine, never in masakari itself.
"""

import collections
import functools
import json
import os
import sys
import threading
import time

# kind: the functions ('module:attribute.path') whose CPU counts as it.
KINDS = {
    'nova_calls': ('masakari.compute.nova:_call',),
    'nova_events': (
        'oslo_messaging._drivers.amqpdriver:AMQPListener.poll',
        'oslo_messaging.notify.dispatcher:NotificationDispatcher.dispatch'),
    'db_writes': ('masakari.db.api:vmove_update',
                  'masakari.db.api:notification_renew_lease'),
    'progress_saves': ('taskflow.storage:Storage.set_task_progress',),
    'log_lines': ('logging:Logger.handle',),
}
INTERVAL = 0.25


class Accounts:
    """CPU seconds and calls, per kind and per wrapped function."""

    def __init__(self):
        self.cpu = collections.Counter()
        self.calls = collections.Counter()
        self._lock = threading.Lock()
        self._local = threading.local()

    def wrap(self, kind, target, function):
        local, lock = self._local, self._lock
        cpu, calls = self.cpu, self.calls

        @functools.wraps(function)
        def counted(*args, **kwargs):
            if getattr(local, 'inside', False):
                return function(*args, **kwargs)
            local.inside = True
            started = time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent = time.thread_time() - started
                local.inside = False
                with lock:
                    cpu[kind] += spent
                    calls[target] += 1
        counted.__wrapped_by_cpu_probe__ = True
        return counted

    def snapshot(self):
        with self._lock:
            return {'time': time.time(), 'process_cpu': time.process_time(),
                    'cpu': dict(self.cpu), 'calls': dict(self.calls)}


def _owner_and_name(target):
    module_name, path = target.split(':')
    module = sys.modules.get(module_name)
    if module is None:
        return None, None
    *owners, name = path.split('.')
    owner = module
    for attribute in owners:
        owner = getattr(owner, attribute, None)
        if owner is None:
            return None, None
    return owner, name


def patch(accounts, kinds, done):
    """Wrap every function of ``kinds`` whose module is loaded and that is
    not in ``done`` yet; returns the targets wrapped now."""
    wrapped = []
    for kind, targets in kinds.items():
        for target in targets:
            if target in done:
                continue
            owner, name = _owner_and_name(target)
            function = getattr(owner, name, None) if owner else None
            if function is None:
                continue
            setattr(owner, name, accounts.wrap(kind, target, function))
            done.add(target)
            wrapped.append(target)
    return wrapped


def write(path, snapshot):
    temporary = path + '.tmp'
    with open(temporary, 'w') as handle:
        json.dump(snapshot, handle)
    os.replace(temporary, path)


def start(path, kinds=None, interval=INTERVAL):
    """Patch as modules appear and write snapshots to ``path`` until the
    process ends or the returned event is set."""
    kinds = kinds or KINDS
    accounts, done = Accounts(), set()
    wanted = {target for targets in kinds.values() for target in targets}
    stop = threading.Event()

    def run():
        while True:
            if done != wanted:
                # A module may be half-imported: retry until all are in.
                try:
                    patch(accounts, kinds, done)
                except Exception:
                    pass  # retried next round
            snapshot = accounts.snapshot()
            snapshot['missing'] = sorted(wanted - done)
            write(path, snapshot)
            if stop.wait(interval):
                return

    threading.Thread(target=run, name='cpu-probe', daemon=True).start()
    return stop
