"""masakari.ha.segments against a real database."""

import pytest

from masakari.db import api as db_api
from masakari import exception
from masakari.ha import segments
from masakari.tests.conftest import BACKENDS
from masakari.tests.functional.ha import rows


def test_get_refuses_what_is_not_a_uuid(database, ctx):
    with pytest.raises(exception.FailoverSegmentNotFound):
        segments.get(ctx, 'not-a-uuid')
    assert segments.get(ctx, rows.make_segment().uuid).name == 'seg'


def test_create_sends_start_and_end(database, ctx, events):
    segment = segments.create(ctx, {'name': 's', 'recovery_method': 'auto',
                                    'service_type': 'COMPUTE'})
    assert db_api.segment_get_by_uuid(segment.uuid).name == 's'
    assert events == [('segment.create.start', None),
                      ('segment.create.end', None)]


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_no_update_or_delete_under_recovery(database, ctx, events):
    segment = rows.make_segment()
    notification = rows.start_recovery(rows.make_host(segment))

    with pytest.raises(exception.FailoverSegmentInUse) as info:
        segments.update(ctx, segment.uuid, {'description': 'x'})
    assert "can't be updated" in info.value.format_message()
    with pytest.raises(exception.FailoverSegmentInUse) as info:
        segments.delete(ctx, segment.uuid)
    assert "can't be deleted" in info.value.format_message()

    assert db_api.segment_get_by_uuid(segment.uuid).description is None
    assert events == [
        ('segment.update.start', None),
        ('segment.update.error', 'FailoverSegmentInUse'),
        ('segment.delete.start', None),
        ('segment.delete.error', 'FailoverSegmentInUse')]

    rows.finish(notification)
    assert segments.update(ctx, segment.uuid,
                           {'description': 'x'}).description == 'x'
    segments.delete(ctx, segment.uuid)
    with pytest.raises(exception.FailoverSegmentNotFound):
        segments.get(ctx, segment.uuid)


def test_another_segment_under_recovery_does_not_count(database, ctx):
    busy, free = rows.make_segment('busy'), rows.make_segment('free')
    rows.start_recovery(rows.make_host(busy))
    rows.make_host(free, 'compute2')
    assert segments.update(ctx, free.uuid,
                           {'enabled': False}).enabled is False
