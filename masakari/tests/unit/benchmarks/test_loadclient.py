"""How the load driver judges answers: a wrong one must count as an error,
or the load and fault tests could not fail."""

import json

from benchmarks import loadclient


class Canned:
    """A client that answers what it is given."""

    def __init__(self, status, text):
        self.answer = (status, text)

    def request(self, method, path, body=None):
        return self.answer


def fault(code, name='serviceUnavailable'):
    return json.dumps({name: {'code': code, 'message': 'db away'}})


def judge(status, text, tolerated=(), expect=(200,)):
    recorder = loadclient.Recorder(tolerated)
    _, _, outcome = recorder.call(Canned(status, text), 'show', 'GET', '/x',
                                  expect=expect)
    return outcome, recorder.summary(1.0)['errors']


def test_expected_status_is_ok():
    assert judge(200, '{}') == (loadclient.OK, 0)


def test_tolerated_fault_body_is_not_an_error():
    assert judge(503, fault(503), tolerated=(503,)) == (
        loadclient.TOLERATED, 0)


def test_untolerated_status_is_an_error():
    assert judge(503, fault(503)) == (loadclient.ERROR, 1)
    assert judge(500, fault(500, 'computeFault'), tolerated=(503,)) == (
        loadclient.ERROR, 1)


def test_tolerated_status_without_fault_body_is_an_error():
    assert judge(503, '<html>Service Unavailable</html>',
                 tolerated=(503,)) == (loadclient.ERROR, 1)
    assert judge(503, fault(500), tolerated=(503,)) == (loadclient.ERROR, 1)


def test_traceback_is_an_error_even_with_the_expected_status():
    assert judge(200, 'Traceback (most recent call last):') == (
        loadclient.ERROR, 1)
    body = json.dumps({'serviceUnavailable': {
        'code': 503, 'message': 'Traceback (most recent call last): ...'}})
    assert judge(503, body, tolerated=(503,)) == (loadclient.ERROR, 1)


def test_no_answer_is_an_error():
    assert judge(None, 'ConnectionRefusedError()') == (loadclient.ERROR, 1)


def test_percentile_nearest_rank():
    values = list(range(1, 101))
    assert loadclient.percentile(values, 0.5) == 50
    assert loadclient.percentile(values, 0.99) == 99
    assert loadclient.percentile([], 0.5) is None
