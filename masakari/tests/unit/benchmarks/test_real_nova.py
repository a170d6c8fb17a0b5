"""The real-Nova benchmark's bound and page, from a results file's rows."""

import json
import pathlib

from benchmarks import real_nova

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
