"""What the recovery results record about their conditions, and how the
page renders them."""

from benchmarks import conditions
from benchmarks import report_settings


def test_engine_options_with_defaults():
    options = {(None, 'host_failure_recovery_threads'): 10,
               ('host_failure', 'force_down_failed_host'): 'false',
               ('fencing', 'bmc_inventory_file'): '/tmp/bmcs.yaml',
               ('host_failure', 'evacuation_watch_interval'): 0.05}
    assert conditions.engine(options, 'redfish') == {
        'force_down_failed_host': 'false', 'fencing': 'redfish', 'P': '10',
        'evacuation_watch_interval': '0.05', 'nova_events': 'false',
        'verify_interval': '1', 'watched_evacuation_poll_interval': '10.0'}
    assert conditions.engine({})['fencing'] == 'none'
    assert conditions.engine({})['P'] is None


def test_git_state_of_this_checkout(tmp_path):
    state = conditions.git_state(conditions.__file__.rsplit('/', 2)[0])
    assert len(state['commit']) == 40 and isinstance(state['dirty'], bool)
    assert conditions.git_state(str(tmp_path)) == {'commit': None,
                                                   'dirty': None}


def test_describe():
    text = conditions.describe(
        {'engine': {'force_down_failed_host': 'true', 'P': None},
         'simulator': {'service_down_time': 60.0,
                       'api_latency': {'min': 0.04, 'max': 0.06},
                       'evacuate_duration': {'min': 2.5, 'max': 2.5}},
         'profile': 'realistic'},
        {'commit': 'a' * 40, 'dirty': True})
    assert '``aaaaaaaaaaaa`` with uncommitted changes' in text
    assert '``P`` per row' in text
    assert '(profile ``realistic``)' in text
    assert '``api_latency`` 0.04-0.06' in text
    assert '``evacuate_duration`` 2.5' in text
    assert conditions.describe({}) == ''


def _run(n, p, **extra):
    return dict({'n': n, 'p': p, 'lower_bound': 25.0, 'seconds': 26.0,
                 'ratio': 1.04}, **extra)


def test_settings_rows_put_the_ideal_run_first():
    recovery = {
        'evacuate_seconds': 2.5,
        'runs': [_run(1, 1), _run(100, 10)],
        'settings': [
            {'name': 'realistic', 'title': 't', 'runs': [
                _run(100, 10, bound_clock='failure',
                     seconds_from_failure=87.0,
                     nova_requests_per_instance=7.5)]},
            {'name': 'fenced', 'title': 't', 'runs': [
                _run(100, 10, fence_seconds=0.0, target_seconds=27.0)]}]}
    rows = report_settings.rows(recovery)
    assert [row[0] for row in rows] == ['idealised', 'realistic', 'fenced']
    assert rows[1][3] == '25.0 (failure)' and rows[1][4] == '87.00'
    assert rows[1][10] == '7.5'
    text = ' '.join(report_settings.section(recovery).split())
    assert 'target (bound + 1 s) met at N=100' in text
    assert report_settings.section({'runs': []}) == ''
