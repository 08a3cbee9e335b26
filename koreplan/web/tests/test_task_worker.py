"""The task worker carries on through a database outage instead of exiting."""

from unittest import mock

import pytest
from django.db.utils import OperationalError
from django_tasks_db.management.commands import db_worker

from koreplan.web.management.commands import task_worker


def _worker(batch: bool = False) -> task_worker.ResilientWorker:
    return task_worker.ResilientWorker(
        queue_names=["default"], interval=0, batch=batch, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id="test", excluded_queue_names=[],
    )


def test_the_worker_waits_and_carries_on_when_the_database_goes_away():
    outage = OperationalError("server closed the connection unexpectedly")
    with (
        mock.patch.object(db_worker.Worker, "run", side_effect=[outage, outage, None]) as run,
        mock.patch.object(task_worker.time, "sleep") as sleep,
        mock.patch.object(task_worker.connections, "close_all") as close_all,
    ):
        _worker().run()
    assert run.call_count == 3
    assert [c.args[0] for c in sleep.call_args_list] == [1.0, 2.0]
    assert close_all.call_count == 2


def test_a_batch_run_reports_the_outage_instead_of_waiting():
    with (
        mock.patch.object(db_worker.Worker, "run", side_effect=OperationalError("gone")),
        mock.patch.object(task_worker.time, "sleep") as sleep,
        pytest.raises(OperationalError),
    ):
        _worker(batch=True).run()
    sleep.assert_not_called()
