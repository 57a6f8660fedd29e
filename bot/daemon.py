"""`auria run`: the daemon. One work per slot, posted once per platform, through restarts.

At start: posts left `sending` by a crash are reconciled with the platform (found ->
posted, not found -> retry, cannot tell -> needs_human), and the newest slot missed inside
`schedule.catch_up_hours` is made once; older ones are logged and skipped. Then
APScheduler fires each slot of `schedule.times` in the configured time zone, and a tick
(every minute, or sooner with a short first retry) reconciles stale `sending` posts,
finishes the latest slot's work when a crash or a passing error left it unmade or
unposted, and sends the posts whose retry time has come. Both run on one worker thread,
so nothing of the daemon's runs twice at once. The slot is claimed in the store before
anything else; generation runs in the pipeline's child process (torch is never imported
here). A lock on the data folder keeps a second daemon out.
"""
from __future__ import annotations

import hashlib
import logging
import os
import signal
import sqlite3
import threading
import time
from datetime import datetime, timedelta, timezone

from bot import sdnotify
from bot.lock import DataDirLock
from bot.schedule import due_slots, slot_id, slots_between, zone
from core.errors import AuriaError
from core.faults import fault_point
from state.posts import PostState
from state.works import TO_MAKE, WorkStatus

log = logging.getLogger("auria.daemon")
# A post `sending` for longer than this was left by a crashed process: adapters' calls time
# out within minutes. Younger ones may be another process's (`auria post-now`) in flight.
STALE_SENDING = timedelta(minutes=15)


def slot_seed(slot: str) -> int:
    """A slot's seed, from its id alone: making a slot's work again gives the same work."""
    return int.from_bytes(hashlib.sha256(slot.encode()).digest()[:4], "big") % 2**31


class Daemon:
    def __init__(self, config):
        self.config = config
        self._local = threading.local()
        self.unmade: set[str] = set()  # slots whose run stopped on a passing error (a locked store)
        self.started = False  # the start's recovery and catch-up have run through
        self.fatal: Exception | None = None  # the store cannot be used: the daemon must stop
        self.on_fatal = lambda: None  # run() sets it to stop the scheduler

    @property
    def db(self):
        """This thread's connection: SQLite connections stay in the thread that opened them,
        and the scheduler runs jobs in its worker thread."""
        if not hasattr(self._local, "db"):
            from state.store import open_store

            self._local.db = open_store(self.config.db_path)
        return self._local.db

    def publishers(self, platforms=None):
        from publishers.registry import make_publisher

        return [make_publisher(p, self.config) for p in (platforms or self.config.publish.platforms)]

    # -- a slot ----------------------------------------------------------------------------

    def run_slot(self, slot: datetime) -> dict | None:
        """Claim the slot, make its work if it has none yet, post it where it is not posted.

        A store locked by another process (or any SQLite or OS error) stops the slot with one
        clear log line; the slot is tried again at the next tick, nothing stored is lost."""
        sid = slot_id(slot)
        started = time.perf_counter()
        try:
            work = self._run_slot(slot, sid)
        except Exception as error:  # noqa: BLE001 - every failure is logged, none escapes to the scheduler
            self.unmade.add(sid)
            self._failed(f"slot {sid}", error)
            return None
        self.unmade.discard(sid)
        log.info("slot %s: work %d %s (%.1f s)", sid, work["id"], work["status"], time.perf_counter() - started)
        return work

    def _run_slot(self, slot: datetime, sid: str) -> dict:
        from generator.pipeline import Job, make_works
        from state.slots import claim_slot, skip_older_slots
        from state.works import get_work

        work_id, created = claim_slot(self.db, sid, seed=slot_seed(sid), shape=self.config.poet.shape)
        # On every run, not only the claiming one: a run stopped after its claim (a locked
        # store) must not leave an earlier slot's work waiting for ever.
        for old in skip_older_slots(self.db, sid, f"superseded by slot {sid}"):
            log.warning("slot %s: work %d of an earlier slot was never made, approved or posted: skipped", sid, old)
        work = get_work(self.db, work_id)
        log.info("slot %s: work %d (%s)", sid, work_id, WorkStatus.CLAIMED if created else work["status"])
        if work["status"] in TO_MAKE:
            status = WorkStatus.AWAITING_APPROVAL if self.config.publish.require_approval else WorkStatus.READY
            work = make_works(self.config, self.db, [Job(seed=work["seed"], status=status, work_id=work_id)])[0]
            fault_point("stored")
        if work["status"] == WorkStatus.AWAITING_APPROVAL:
            log.info("slot %s: work %d waits for approval: auria approve %d, or auria reject %d",
                     sid, work_id, work_id, work_id)
        elif work["status"] == WorkStatus.FAILED:
            log.error("slot %s: work %d not made: %s", sid, work_id, work["error"])
        elif work["status"] == WorkStatus.READY:
            self._post_new(work)  # post_work logs each platform's outcome
        return get_work(self.db, work_id)

    def _post_new(self, work: dict) -> dict:
        """Post to the enabled platforms that have no post for this work yet; those that do
        are the retry queue's or recovery's."""
        from publishers.posting import post_work

        fresh = self._unposted(work)
        return post_work(self.db, work, self.publishers(fresh), self.config.publish) if fresh else {}

    # -- recovery --------------------------------------------------------------------------

    def recover(self, older_than: timedelta = timedelta(0)) -> None:
        """Posts left `sending` (for longer than `older_than`) by a crash: ask the platform
        instead of sending blindly again."""
        from publishers.base import PublishError, RetryableError
        from publishers.posting import post_for, retry_delay
        from state.posts import (
            mark_needs_human,
            mark_posted,
            mark_retry,
            posts_left_sending,
        )
        from state.works import get_work

        cutoff = (datetime.now(timezone.utc) - older_than).isoformat(timespec="seconds")
        for post in posts_left_sending(self.db, cutoff):
            work = get_work(self.db, post["work_id"])
            publisher = self.publishers([post["platform"]])[0]
            try:
                found = publisher.find_existing(post_for(post["platform"], work, self.config.publish,
                                                         post["idempotency_key"] or ""))
            except RetryableError as error:
                # A passing failure of the look-up (503, 429, a dropped connection) is no answer:
                # the normal retry path looks again before it sends.
                delay = retry_delay(post["attempts"], error.retry_after, self.config.publish)
                when = (datetime.now(timezone.utc) + timedelta(seconds=delay)).isoformat(timespec="seconds")
                mark_retry(self.db, post, f"left sending by a crash; the look-up failed for now: {error}", when)
                log.warning("work %d on %s: left sending, the look-up failed for now (%s): retry at %s",
                            post["work_id"], post["platform"], error, when)
                continue
            except PublishError as error:
                mark_needs_human(self.db, post, f"left sending by a crash and the platform cannot tell: {error}")
                log.warning("work %d on %s: left sending, the platform cannot tell: needs a human",
                            post["work_id"], post["platform"])
                continue
            if found:
                mark_posted(self.db, post, found.remote_id, found.url)
            else:
                mark_retry(self.db, post, "left sending by a crash, not found on the platform",
                           datetime.now(timezone.utc).isoformat(timespec="seconds"))
            log.info("recovered work %d on %s: %s", post["work_id"], post["platform"],
                     PostState.POSTED if found else PostState.RETRY)

    def catch_up(self, now: datetime) -> None:
        """Slots that passed while Auria was down: the newest inside catch_up_hours is made
        once, older ones are logged and skipped."""
        from state.slots import last_slot, record_slot_skipped

        schedule = self.config.schedule
        last = last_slot(self.db)
        last_checked = datetime.fromisoformat(last) if last else now  # a new store starts now
        produce, skip = due_slots(schedule.times, self.config.timezone, last_checked, now,
                                  timedelta(hours=schedule.catch_up_hours))
        for slot in skip:
            log.warning("slot %s missed while Auria was down, older than catch_up_hours: skipped", slot_id(slot))
            record_slot_skipped(self.db, slot_id(slot), "missed while Auria was down")
        for slot in produce:
            log.info("slot %s missed while Auria was down: making it now", slot_id(slot))
            self.run_slot(slot)

    def resume(self, now: datetime) -> None:
        """Finish what a crash or a passing error left: slots whose run stopped, and the latest
        slot's work if it is unmade, failed (with backoff), or stored and approved but not
        posted; inside catch_up_hours of its slot, or any time once a person approved it."""
        from state.slots import last_slot, record_slot_skipped, work_for_slot

        window = timedelta(hours=self.config.schedule.catch_up_hours)
        for sid in sorted(self.unmade):
            if now - datetime.fromisoformat(sid) > window:
                self.unmade.discard(sid)
                log.warning("slot %s: could not be made within catch_up_hours: skipped", sid)
                record_slot_skipped(self.db, sid, "the store or disk failed until too late")
            else:
                self.run_slot(datetime.fromisoformat(sid))
        sid = last_slot(self.db)
        work = work_for_slot(self.db, sid) if sid else None
        if work is None or (now - datetime.fromisoformat(sid) > window and not self._approved(work)):
            return
        unfinished = work["status"] in (WorkStatus.CLAIMED, WorkStatus.GENERATING) or (
            work["status"] == WorkStatus.FAILED and self._generation_due(work, now))
        if unfinished or (work["status"] == WorkStatus.READY and self._unposted(work)):
            self.run_slot(datetime.fromisoformat(sid))

    def retry_due(self, now: datetime | None = None) -> None:
        from publishers.posting import post_work
        from state.posts import posts_due_for_retry
        from state.works import get_work

        now = now or datetime.now(timezone.utc)
        for row in posts_due_for_retry(self.db, now):
            post_work(self.db, get_work(self.db, row["work_id"]), self.publishers([row["platform"]]),
                      self.config.publish)

    def tick(self, now: datetime | None = None) -> None:
        """The periodic job. Its first run (and every run until that one got through: a
        store locked by another process can stop it) reconciles every `sending` post and
        catches up on missed slots; later runs reconcile only stale `sending` posts. Then
        unfinished slots and due retries."""
        now = now or datetime.now(timezone.utc)
        try:
            if not self.started:
                from state.events import record_daemon_start

                record_daemon_start(self.db, os.getpid())
                self.recover()
                from generator.pipeline import fail_abandoned

                fail_abandoned(self.db)  # a preview or post-now killed while it generated
                self.catch_up(now)
                self.started = True
            else:
                self.recover(older_than=STALE_SENDING)
            self.resume(now)
            self.retry_due(now)
        except Exception as error:  # noqa: BLE001 - every failure is logged, none escapes to the scheduler
            self._failed("tick", error)

    def _failed(self, what: str, error: Exception) -> None:
        """One log line for a failed slot or tick, with its cause. A passing failure (a locked
        store, a full disk) is tried again at the next tick; a store that cannot be used (not
        SQLite, damaged) stops the daemon, which exits non-zero so systemd restarts it and
        `status --check` fails; anything else is logged and the daemon goes on."""
        if isinstance(error, (sqlite3.OperationalError, OSError)):
            log.error("%s: stopped: %s; trying again in %.0f s", what, _explain(error), self.tick_seconds)
        elif isinstance(error, (AuriaError, sqlite3.DatabaseError)):
            log.error("%s: the store cannot be used: %s; the daemon stops", what, _explain(error))
            self.fatal = error
            self.on_fatal()
        else:
            log.error("%s: failed: %s: %s", what, type(error).__name__, error)
            log.debug("%s: the failure's traceback", what, exc_info=error)

    def start(self, now: datetime | None = None) -> None:
        """What the daemon does first: recovery and catch-up (the first tick)."""
        self.tick(now)

    def slot_job(self) -> None:
        """What the scheduler fires at each slot time."""
        self.tick()
        self.run_slot(current_slot(self.config))

    @property
    def tick_seconds(self) -> float:
        """How often the tick runs: every minute, or as often as the first retry when that is sooner."""
        return max(1.0, min(60.0, self.config.publish.retry_first_minutes * 60))

    # -- helpers ---------------------------------------------------------------------------

    def _approved(self, work: dict) -> bool:
        from state.works import was_approved

        return was_approved(self.db, work["id"])

    def _unposted(self, work: dict) -> list[str]:
        """The enabled platforms this work has not been sent to yet (no post, or one not started)."""
        from state.posts import posts_for

        posts = posts_for(self.db, work["id"])
        return [p for p in self.config.publish.platforms if p not in posts or posts[p]["state"] == PostState.PENDING]

    def _generation_due(self, work: dict, now: datetime) -> bool:
        """A failed generation is made again after the same backoff as a post, up to
        publish.retry_attempts times."""
        from publishers.posting import backoff_seconds
        from state.works import generation_failures

        failures = generation_failures(self.db, work["id"])
        if not failures or len(failures) >= self.config.publish.retry_attempts:
            return False
        last = datetime.fromisoformat(failures[-1])
        return now >= last + timedelta(seconds=backoff_seconds(len(failures), self.config.publish))


def _explain(error: BaseException) -> str:
    text = str(error)
    if isinstance(error, sqlite3.OperationalError) and "locked" in text:
        return f"the store is locked by another process ({text})"
    return text if isinstance(error, AuriaError) else f"{type(error).__name__}: {text}"


def current_slot(config, now: datetime | None = None) -> datetime:
    """The latest slot at or before now: the one a (possibly late) scheduler job is for."""
    now = now or datetime.now(timezone.utc)
    return slots_between(config.schedule.times, config.timezone, now - timedelta(days=2), now)[-1]


class _QuietTicks(logging.Filter):
    """Drops APScheduler's notice that the tick was skipped because the worker is busy: while
    a slot's work is made that is how it is meant to work, and it would fill the log. Every
    other record about a job (errors, tracebacks, misfires) passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not ("Daemon.tick" in message and "skipped: maximum number of running instances reached" in message)


def _quiet_scheduler_logs() -> None:
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # our own lines say what runs
    for name in ("apscheduler.scheduler", "apscheduler.executors.default"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _QuietTicks) for f in logger.filters):
            logger.addFilter(_QuietTicks())


def run(config) -> int:
    """The daemon's life: lock, recover, catch up, then the schedule until SIGTERM/SIGINT.

    A signal lets the step under way finish (a generation has its own timeout, a platform
    call its own), then the daemon exits 0 and releases the lock; SIGKILL is what the
    recovery at the next start is for."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.base import JobLookupError
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger

    _quiet_scheduler_logs()
    with DataDirLock(config.data_dir):
        daemon = Daemon(config)
        for publisher in daemon.publishers():
            publisher.validate()
        tz = zone(config.timezone)
        # One worker for slots and ticks, so they never run at the same time; the watchdog
        # has its own, so a long generation does not look like a hang to systemd.
        worker, pinger = ThreadPoolExecutor(1), ThreadPoolExecutor(1)
        scheduler = BlockingScheduler(timezone=tz, executors={"default": worker, "watchdog": pinger},
                                      job_defaults={"max_instances": 1, "coalesce": True})
        stopping = threading.Event()

        def give_up() -> None:  # from the worker thread: the store cannot be used
            stopping.set()
            if scheduler.running:
                scheduler.shutdown(wait=False)

        daemon.on_fatal = give_up

        def stop(signum, _frame):
            log.info("signal %d: stopping after the current step", signum)
            stopping.set()
            sdnotify.stopping()
            if scheduler.running:
                scheduler.shutdown(wait=False)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        interval = sdnotify.watchdog_interval()
        if interval:
            scheduler.add_job(sdnotify.watchdog, "interval", seconds=max(interval / 2, 1), id="watchdog",
                              executor="watchdog")
        for hhmm in config.schedule.times:
            hour, minute = (int(x) for x in hhmm.split(":"))
            scheduler.add_job(daemon.slot_job, CronTrigger(hour=hour, minute=minute, timezone=tz), id=f"slot-{hhmm}",
                              misfire_grace_time=int(config.schedule.catch_up_hours * 3600) or None)
        scheduler.add_job(daemon.tick, "interval", seconds=daemon.tick_seconds, id="tick")
        # The start's recovery and catch-up run as the worker's first job: the scheduler (and
        # the watchdog, and the signal handlers) are alive while a catch-up work is made.
        scheduler.add_job(daemon.start, id="start")
        sdnotify.ready()
        if not stopping.is_set():
            log.info("running: slots %s %s, data in %s", ", ".join(config.schedule.times), config.timezone,
                     config.data_dir)
            try:
                scheduler.start()
            except JobLookupError:
                # A fatal store in the start job shuts the scheduler down from the worker
                # while its own loop is dropping that finished one-off job: once stopped, it
                # looks for the job among pending ones, does not find it and raises. The
                # daemon is stopping anyway; the store's error is what the operator reads.
                if not stopping.is_set():
                    raise
        worker.shutdown(wait=True)  # the job under way finishes before the lock is released
        pinger.shutdown(wait=False)
    if daemon.fatal is not None:
        log.error("stopped: the store cannot be used (%s)", _explain(daemon.fatal))
        return 1
    log.info("stopped")
    return 0
