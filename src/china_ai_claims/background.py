"""One background thread that runs jobs in the order they are given, for work done in C code that
releases the GIL (compressing and writing a Parquet row group, building an SQLite index), so that
it overlaps with the Python work of the thread that gives the jobs.

Only coarse jobs belong here: a thread that takes the GIL back after each small step of C code
waits for the other thread to give it up (every few milliseconds), and so runs far slower than
the same work done in turn.

The first job that raises stops the rest (they are dropped); ``join`` and ``run`` raise what it
raised, so a failure surfaces in the thread that gave the jobs, and the order of the jobs, hence
what they write, is the order they were given.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

Job = Callable[[], None]
# Jobs waiting at most: a job holds what it writes (a row group, a batch of text), so the thread
# that gives them waits rather than piling them up.
WAITING_JOBS = 4
# Seconds between two interruptions of the job running when the work is given up.
_INTERRUPT_EVERY = 0.05


class Background:
    """A thread running jobs one at a time, in order; ``join`` waits for them and stops it."""

    def __init__(self, name: str) -> None:
        self._jobs: queue.Queue[Job | None] = queue.Queue(maxsize=WAITING_JOBS)
        self.failure: BaseException | None = None
        self._cancelled = False
        self._thread = threading.Thread(target=self._work, name=name, daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            if self.failure is not None or self._cancelled:
                continue  # a job failed, or the work was given up: what follows is dropped
            try:
                job()
            except BaseException as error:  # handed to the thread that gave the jobs
                self.failure = error

    def run(self, job: Job) -> None:
        """Queue ``job`` (waiting while the queue is full); raise what an earlier job raised."""
        self.raise_failure()
        if not self._thread.is_alive():
            raise RuntimeError("the background thread has stopped")
        self._jobs.put(job)

    def join(self) -> None:
        """Wait for every job given, stop the thread, and raise what a job raised."""
        if self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join()
        self.raise_failure()

    def stop(self, interrupt: Callable[[], None] | None = None) -> None:
        """Drop the jobs not yet started and wait for the thread to stop, raising nothing: for
        cleaning up after a failure elsewhere. ``interrupt``, if given, is called until the
        thread stops, to cut short the job it is running (a long SQLite statement, which would
        otherwise keep Ctrl-C waiting): again and again, as a job may start its next statement
        after the first call."""
        self._cancelled = True
        ended = False  # the end of the jobs queued (a full queue takes it once a job is taken)
        while self._thread.is_alive():
            if not ended:
                try:
                    self._jobs.put_nowait(None)
                    ended = True
                except queue.Full:
                    pass
            if interrupt is not None:
                interrupt()
            self._thread.join(_INTERRUPT_EVERY)

    def raise_failure(self) -> None:
        if self.failure is not None:
            raise self.failure


def run_in(background: Background | None, job: Job) -> None:
    """Run ``job`` in ``background`` (after the jobs given before), or now when there is none."""
    if background is None:
        job()
    else:
        background.run(job)
