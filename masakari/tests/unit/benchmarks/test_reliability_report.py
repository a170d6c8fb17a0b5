"""The reliability page says which commit its figures were measured at."""

from benchmarks import reliability_report

CLEAN = {'commit': 'a' * 40, 'dirty': False}


def test_the_commits_of_the_tests_and_of_the_load_test_are_named():
    records = [{'scenario': 'x', 'git': CLEAN}, {'scenario': 'y',
                                                  'git': CLEAN}]
    loadtest = {'git': {'commit': 'b' * 40, 'dirty': True}}
    assert reliability_report.measured_at(records, loadtest) == (
        'Fault tests measured at ``aaaaaaaaaaaa``; load test at '
        '``bbbbbbbbbbbb`` with uncommitted changes.')


def test_records_from_before_commits_were_recorded_say_so():
    assert reliability_report.measured_at([{'scenario': 'x'}], None) == (
        'Fault tests measured at an unrecorded commit.')
