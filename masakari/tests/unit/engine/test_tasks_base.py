"""Progress details: persisted only from the thread running the task."""

import threading

from taskflow import task as tf_task

from masakari.engine.tasks import base


def _task():
    seen = []
    task = base.NoOpTask(context=None, novaclient=None)
    task.notifier.register(tf_task.EVENT_UPDATE_PROGRESS,
                           lambda event, details: seen.append(
                               (threading.get_ident(), details)))
    return task, seen


def test_details_from_the_running_thread_are_sent_at_once():
    task, seen = _task()
    task.pre_execute()
    task.execute()
    task.post_execute()
    assert len(seen) == 1
    details = seen[0][1]
    assert details['progress'] == 1.0
    entry = details['progress_details'][0]
    assert entry['message'] == 'No-op task: nothing to do.'
    assert len(entry['timestamp']) == len('2026-01-01 00:00:00.000000')


def test_details_from_helper_threads_wait_for_a_flush():
    task, seen = _task()
    task.pre_execute()
    helper = threading.Thread(target=task.update_details,
                              args=('from a helper', 0.5))
    helper.start()
    helper.join()
    assert seen == []
    task.flush_details()
    assert seen[0][0] == threading.get_ident()
    assert seen[0][1]['progress_details'][0]['message'] == 'from a helper'
    task.post_execute()
    assert len(seen) == 1


def test_task_name_and_options():
    task = base.NoOpTask(context='c', novaclient='n', colour='blue')
    assert task.name == 'NoOpTask'
    assert task.options == {'colour': 'blue'}


def test_progress_of_helpers_is_saved_while_they_run():
    """The running thread saves a helper's details when they come, not
    only when the helpers are done."""
    from concurrent import futures

    task, seen = _task()
    task.pre_execute()
    saved = threading.Event()
    task.notifier.register(tf_task.EVENT_UPDATE_PROGRESS,
                           lambda event, details: saved.set())

    def helper():
        task.update_details('from a helper', 0.5)
        # Ends only once the running thread has saved the details.
        return saved.wait(30)

    with futures.ThreadPoolExecutor(1) as pool:
        future = pool.submit(helper)
        task.wait_reporting_progress([future])
    assert future.result() is True
    assert {thread for thread, _ in seen} == {threading.get_ident()}
    assert seen[0][1]['progress_details'][0]['message'] == 'from a helper'


def test_waiting_returns_once_every_helper_ended():
    """Helpers that ended before the wait and helpers still running are
    both waited for; every detail they recorded is saved at the end."""
    from concurrent import futures

    task, seen = _task()
    task.pre_execute()
    release = threading.Event()

    def helper(index):
        task.update_details('helper %d' % index, 0.5)
        if index % 2:
            release.wait(30)
        return index

    with futures.ThreadPoolExecutor(50) as pool:
        started = [pool.submit(helper, index) for index in range(100)]
        futures.wait([f for i, f in enumerate(started) if i % 2 == 0])
        threading.Timer(0.2, release.set).start()
        task.wait_reporting_progress(started)
        assert all(future.done() for future in started)
    messages = {entry['message']
                for entry in seen[-1][1]['progress_details']}
    assert messages == {'helper %d' % index for index in range(100)}
