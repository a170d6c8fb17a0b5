"""The real-Nova benchmark's bound and page, from a results file's rows."""

import datetime
import json
import pathlib

from benchmarks import real_nova
from benchmarks import recovery_run

RESULTS = pathlib.Path(real_nova.RESULTS)


def row(config, **values):
    base = {'config': config, 'n': 16, 'p': 3, 'failure_to_down': 12.0,
            'fence_seconds': 0.5, 'evacuation_median': 1.0,
            'post_to_first': 1.0, 'post_to_last': 2.0,
            'failure_to_last': 20.0, 'engine_cpu_ms_per_instance': 1.0,
            'nova_requests_per_instance': 5.0, 'load_average': 1.0}
    return dict(base, **values)


def test_bounds_are_the_detection_or_the_fencing_plus_the_rounds():
    # ceil(16/3) = 6 rounds of L = 1 s.
    assert real_nova.bound(row('defaults')) == 12.0 + 6.0
    assert real_nova.bound(row('fenced')) == 0.5 + 6.0


def test_the_committed_results_render_with_their_conditions():
    result = json.loads(RESULTS.read_text())
    page = real_nova.render(result)
    assert 'Commit ``%s``' % result['git']['commit'][:12] in page
    for measured in result['rows']:
        assert '%.2f' % measured['failure_to_last'] in page


def test_with_nova_records_the_bound_is_the_least_time_p_slots_need():
    # Total 6 s over P = 3 slots: 2 s; the longest alone takes 2.5 s.
    measured = row('fenced', evacuation_seconds=[0.5, 1.0, 2.0, 2.5])
    assert real_nova.bound(measured) == 0.5 + 2.5
    # Total 9 s over 3 slots: 3 s, more than the longest.
    measured = row('defaults', evacuation_seconds=[1.5] * 6)
    assert real_nova.bound(measured) == 12.0 + 3.0


def test_nova_timestamps_are_utc_with_or_without_microseconds():
    assert recovery_run.parse_time('2026-12-03T10:00:01.500000') - \
        recovery_run.parse_time('2026-12-03T10:00:00') == 1.5
    assert recovery_run.parse_time('2026-12-03T10:00:00Z') == 1796292000.0
    # oslo.messaging's notification timestamps.
    assert recovery_run.parse_time('2026-12-03 10:00:00.250000') == \
        1796292000.25


def test_the_engines_reaction_is_read_from_its_log():
    log = '\n'.join([
        "2026-12-03 10:00:00.000 1 INFO x [-] Evacuation of a ended "
        "(Nova's instance.rebuild.end event)",
        '2026-12-03 10:00:00.002 1 INFO x [-] Nova call: evacuate server b',
        "2026-12-03 10:00:01.000 1 INFO x [-] Evacuation of b ended "
        "(Nova's instance.rebuild.end event)",
        # The last end: no request follows within 2 s.
        '2026-12-03 10:00:05.000 1 INFO x [-] Nova call: evacuate server c',
    ])
    since = datetime.datetime(2026, 12, 3, 9, 59, 59).timestamp()
    reactions = real_nova.engine_reactions(log, since)
    assert [round(r, 3) for r in reactions] == [0.002]
    # Lines from before the recovery are not counted.
    assert real_nova.engine_reactions(log, since + 3600) == []


def test_nova_time_as_the_engine_saw_it_is_read_from_its_log():
    log = '\n'.join([
        '2026-12-03 10:00:00.000 1 INFO x [-] Nova call: evacuate server a '
        '(request req-1, attempt 1)',
        '2026-12-03 10:00:00.500 1 INFO x [-] Nova call: evacuate server b '
        '(request req-1, attempt 1)',
        "2026-12-03 10:00:01.250 1 INFO x [-] Evacuation of a ended "
        "(Nova's instance.rebuild.end event)",
        "2026-12-03 10:00:02.000 1 INFO x [-] Evacuation of b ended "
        "(Nova's instance.rebuild.end event)",
    ])
    since = datetime.datetime(2026, 12, 3, 9, 59, 59).timestamp()
    assert sorted(real_nova.seen_in_nova(log, since)) == [1.25, 1.5]
    measured = row('fenced', seen_in_nova_seconds=[1.25, 1.5])
    assert real_nova.bound(measured, 'seen_in_nova_seconds') == 0.5 + 1.5
