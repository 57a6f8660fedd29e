"""`auria run`: the daemon. One work per slot, posted once per platform, through restarts.

At start and before each slot: posts left `sending` by a crash are reconciled with the
platform (found -> posted, not found -> retry, cannot tell -> needs_human), and the newest
slot missed inside `schedule.catch_up_hours` is made once; older ones are logged and
skipped. Then APScheduler fires each slot of `schedule.times` in the configured time zone,
one job at a time, and a minute timer sends the posts whose retry time has come. The
slot is claimed in the store before anything else; generation runs in the pipeline's
child process (torch is never imported here). A lock on the data folder keeps a second
daemon out.
"""
from __future__ import annotations

import hashlib
import logging
import signal
import threading
from datetime import datetime, timedelta, timezone

from bot import sdnotify
from bot.lock import DataDirLock
from bot.schedule import due_slots, slot_id, slots_between, zone
from state.events import record_event

log = logging.getLogger("auria.daemon")


def slot_seed(slot: str) -> int:
    """A slot's seed, from its id alone: making a slot's work again gives the same work."""
    return int.from_bytes(hashlib.sha256(slot.encode()).digest()[:4], "big") % 2**31


class Daemon:
    def __init__(self, config):
        self.config = config
        self._local = threading.local()

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

    def run_slot(self, slot: datetime) -> dict | None:
        """Claim the slot, make its work if it has none yet, post it where it is not posted."""
        from generator.pipeline import Job, make_works
        from publishers.posting import post_work
        from state.slots import claim_slot
        from state.works import get_work

        sid = slot_id(slot)
        work_id, created = claim_slot(self.db, sid, seed=slot_seed(sid), shape=self.config.poet.shape)
        work = get_work(self.db, work_id)
        log.info("slot %s: work %d (%s)", sid, work_id, "claimed" if created else work["status"])
        if work["status"] in ("claimed", "generating", "failed"):
            work = make_works(self.config, self.db, [Job(seed=work["seed"], status="ready", work_id=work_id)])[0]
        if work["status"] != "ready":
            log.error("slot %s: work %d not made: %s", sid, work_id, work["error"])
            return work
        outcomes = post_work(self.db, work, self.publishers(), self.config.publish)
        for platform, outcome in outcomes.items():
            log.info("slot %s: %s: %s", sid, platform, outcome)
        return get_work(self.db, work_id)

    def recover(self) -> None:
        """Posts left `sending` by a crash: ask the platform instead of sending blindly again."""
        from publishers.base import PublishError
        from publishers.posting import post_for
        from state.posts import mark_needs_human, mark_posted, mark_retry
        from state.works import get_work

        for post in list(self.db.query("SELECT * FROM posts WHERE state = 'sending'")):
            work = get_work(self.db, post["work_id"])
            publisher = self.publishers([post["platform"]])[0]
            try:
                found = publisher.find_existing(post_for(post["platform"], work, self.config.publish))
            except PublishError as error:
                mark_needs_human(self.db, post, f"left sending by a crash and the platform cannot tell: {error}")
                continue
            if found:
                mark_posted(self.db, post, found.remote_id, found.url)
            else:
                mark_retry(self.db, post, "left sending by a crash, not found on the platform",
                           datetime.now(timezone.utc).isoformat(timespec="seconds"))
            log.info("recovered work %d on %s: %s", post["work_id"], post["platform"], "posted" if found else "retry")

    def catch_up(self, now: datetime) -> None:
        from state.slots import last_slot

        schedule = self.config.schedule
        last = last_slot(self.db)
        last_checked = datetime.fromisoformat(last) if last else now  # a new store starts now
        produce, skip = due_slots(schedule.times, self.config.timezone, last_checked, now,
                                  timedelta(hours=schedule.catch_up_hours))
        for slot in skip:
            log.warning("slot %s missed while Auria was down, older than catch_up_hours: skipped", slot_id(slot))
            record_event(self.db, "slot_skipped", None, slot=slot_id(slot))
        for slot in produce:
            log.info("slot %s missed while Auria was down: making it now", slot_id(slot))
            self.run_slot(slot)

    def retry_due(self, now: datetime | None = None) -> None:
        from publishers.posting import post_work
        from state.works import get_work

        now = now or datetime.now(timezone.utc)
        due = [row for row in self.db.query("SELECT * FROM posts WHERE state = 'retry'")
               if not row["next_attempt_at"] or datetime.fromisoformat(row["next_attempt_at"]) <= now]
        for row in due:
            post_work(self.db, get_work(self.db, row["work_id"]), self.publishers([row["platform"]]),
                      self.config.publish)


def current_slot(config, now: datetime | None = None) -> datetime:
    """The latest slot at or before now: the one a (possibly late) scheduler job is for."""
    now = now or datetime.now(timezone.utc)
    return slots_between(config.schedule.times, config.timezone, now - timedelta(days=2), now)[-1]


def run(config) -> int:
    """The daemon's life: lock, recover, catch up, then the schedule until SIGTERM/SIGINT."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger

    with DataDirLock(config.data_dir):
        daemon = Daemon(config)
        for publisher in daemon.publishers():
            publisher.validate()
        daemon.recover()
        daemon.catch_up(datetime.now(timezone.utc))
        tz = zone(config.timezone)
        # One worker: a slot and the retries never run at the same time.
        scheduler = BlockingScheduler(timezone=tz, executors={"default": ThreadPoolExecutor(1)},
                                      job_defaults={"max_instances": 1, "coalesce": True})
        for hhmm in config.schedule.times:
            hour, minute = (int(x) for x in hhmm.split(":"))
            scheduler.add_job(lambda: daemon.run_slot(current_slot(config)), CronTrigger(hour=hour, minute=minute, timezone=tz), id=f"slot-{hhmm}",
                              misfire_grace_time=int(config.schedule.catch_up_hours * 3600) or None)
        scheduler.add_job(daemon.retry_due, "interval", minutes=1, id="retries")
        interval = sdnotify.watchdog_interval()
        if interval:
            scheduler.add_job(sdnotify.watchdog, "interval", seconds=max(interval / 2, 1), id="watchdog")

        def stop(signum, _frame):
            log.info("signal %d: stopping after the current step", signum)
            sdnotify.stopping()
            scheduler.shutdown(wait=False)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        sdnotify.ready()
        log.info("running: slots %s %s, data in %s", ", ".join(config.schedule.times), config.timezone, config.data_dir)
        scheduler.start()
    return 0
