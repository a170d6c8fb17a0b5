"""What the recovery benchmark reads about the processes of its own stack:
memory (sampled in a thread), CPU time, and the rows the database wrote."""

import threading


class Probes:
    """What the benchmark can read about the processes of its own stack:
    memory (sampled in a thread), CPU time, and database commits."""

    def __init__(self, processes, db_url=None, interval=0.2):
        self.processes = processes
        self.interval = interval
        self.peak = {}
        self._engine = None
        if db_url and db_url.startswith('postgresql'):
            import sqlalchemy as sa

            self._engine = sa.create_engine(db_url, poolclass=sa.NullPool)
        self._stop_event = threading.Event()
        self._thread = None

    def rss(self):
        return {name: sum(process.rss().values())
                for name, process in self.processes.items()}

    def cpu(self):
        return {name: process.cpu_seconds()
                for name, process in self.processes.items()}

    def rows_written(self):
        """Rows inserted, updated or deleted in the database so far
        (PostgreSQL's statistics, which lag by up to a second)."""
        if self._engine is None:
            return None
        import sqlalchemy as sa

        with self._engine.connect() as conn:
            return conn.execute(sa.text(
                'SELECT tup_inserted + tup_updated + tup_deleted '
                'FROM pg_stat_database '
                'WHERE datname = current_database()')).scalar()

    def start(self):
        self.peak = self.rss()
        self._stop_event.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop_event.wait(self.interval):
            self._sample()

    def _sample(self):
        for name, value in self.rss().items():
            self.peak[name] = max(self.peak.get(name, 0), value)

    def stop(self):
        self._stop_event.set()
        self._thread.join()
        self._sample()
        return dict(self.peak)

    def close(self):
        if self._engine is not None:
            self._engine.dispose()
