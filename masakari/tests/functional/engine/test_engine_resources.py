"""What many recoveries in one engine process must not pile up."""

import gc

import sqlalchemy as sa

from masakari.db import api as db_api
from masakari.tests.functional.engine.conftest import vmoves


def _big_host(cloud, segment, name):
    cloud.state.add_host(name, vcpus=4096, memory_mb=2 ** 24)
    return cloud.host(segment, name, in_nova=False)


def _recover(cloud, manager, ctx, segment, name, count):
    failed = _big_host(cloud, segment, name)
    cloud.servers(name, count, ha=True)
    cloud.fail(name)
    return manager.process(ctx, cloud.host_down(failed))


def _metadata_objects():
    gc.collect()
    return sum(1 for obj in gc.get_objects()
               if isinstance(obj, sa.MetaData))


def test_recoveries_do_not_pile_up_taskflow_tables(cloud, manager, ctx):
    segment = cloud.segment('auto')
    cloud.host(segment, 'spare')
    assert _recover(cloud, manager, ctx, segment, 'c0', 3) == 'finished'
    before = _metadata_objects()

    for index in range(1, 4):
        assert _recover(cloud, manager, ctx, segment, 'c%d' % index,
                        3) == 'finished'

    assert _metadata_objects() == before


def test_a_large_recovery_on_sqlite_records_every_instance(cloud, manager,
                                                          ctx, conf):
    """Dozens of evacuation threads record their instances at once on the
    embedded SQLite database; none may fail with "database is locked"."""
    conf.set_override('host_failure_recovery_threads', 50)
    segment = cloud.segment('auto')
    _big_host(cloud, segment, 'spare')

    for name in ('c1', 'c2', 'c3'):
        assert _recover(cloud, manager, ctx, segment, name,
                        200) == 'finished'

    for row in db_api.notification_get_all():
        moves = vmoves(row.notification_uuid)
        assert len(moves) == 200
        assert {move.status for move in moves} == {'succeeded'}
