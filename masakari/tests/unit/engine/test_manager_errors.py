"""An error escaping ``MasakariManager.process`` is logged, not lost with
its future (a cast's future is never waited for)."""

import logging

from masakari.db import api as db_api
from masakari.engine import manager as engine_manager


def test_error_escaping_process_is_logged(monkeypatch, caplog):
    def refused(uuid):
        raise RuntimeError('WSREP has not yet prepared node')
    monkeypatch.setattr(db_api, 'notification_get_by_uuid', refused)
    manager = engine_manager.MasakariManager(driver=object(), max_workers=1,
                                             host='engine-1')
    caplog.set_level(logging.ERROR, logger=engine_manager.__name__)
    try:
        future = manager.submit(_Context(), 'n-1')
        future.exception(timeout=10)
        # The callback runs in the worker right after the future is done.
        manager._executor.shutdown(wait=True)
    finally:
        manager.heartbeat.stop()
    messages = [r.getMessage() for r in caplog.records]
    assert any('Processing notification n-1 failed' in m and
               'WSREP has not yet prepared node' in m
               for m in messages), messages
    assert manager.busy() == set()


class _Context:
    def update_store(self):
        pass
