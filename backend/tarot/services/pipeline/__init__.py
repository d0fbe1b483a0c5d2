"""The reading pipeline: intake, the queue's workers and store, live progress and the stream.

- `context.py`  the writer's context of a reading (the API view uses its `oriented` too)
- `intake.py`   a new reading into the table: written at once by the offline reader, or pending
- `store.py`    the queue's SQL: claim, lease, progress, outcome, release, the NOTIFY
- `workers.py`  the workers: woken one at a time, plus a slow safety sweep
- `writer.py`   one claimed reading through the provider chain
- `live.py`     in-process progress for followers on this instance
- `stream.py`   the server-sent events of one reading
"""
