"""Evacuating the servers of a failed host.

* ``plan``: pure decisions per server (which to evacuate, how, what to do
  first, how far Nova has got);
* ``records``: masakari's record of each evacuation (VMove rows);
* ``run``: ``HostEvacuation``, one run over a host's unfinished records;
* ``pacing``: P evacuations in Nova while P more get ready;
* ``watcher``: wakes each waiting evacuation when Nova's record ends;
* ``confirm``: the waits for Nova;
* ``reserved_host``: taking a spare host into use as the target.

The taskflow tasks in ``masakari.engine.tasks.host_failure`` build these
and run them.
"""
