"""Training from the desk: one job at a time, in a process of its own at the lowest CPU priority.

An admin's "Train now" starts `nice -n 19 python -m bot.retraining` (bot/retraining) in Rasa's
environment, on the training data and every reviewed example. The desk only waits for it (never
trains on its event loop), shows its progress from the job's status file, and, when the model held
the held-out floors, makes it the served model (model_store.py), which every Rasa process then
pulls. Like `make train`, it reuses what Rasa's training cache holds (bot/.rasa/cache, or
RASA_CACHE_DIRECTORY), so parts whose data did not change are not trained again. A model that missed a floor is kept out, with the numbers shown. A desk that stops ends the
job with it (the job runs in a process group of its own, ended on shutdown).
"""
import asyncio
import contextlib
import logging
import os
import shutil
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, AsyncIterator, Dict, List, Optional

from aiohttp import web
from sqlalchemy.orm import sessionmaker

from bot.retraining import status
from channels.config import PROJECT_ROOT, ServerConfig
from channels.desk import model_store
from channels.desk.keys import config_key, db_key
from handoff_db import handoffs

logger = logging.getLogger(__name__)

NICE = 19
JOBS_DIR = "jobs"
INTERRUPTED = "interrupted"


class Busy(Exception):
    """A training is running already."""


@dataclass
class Job:
    directory: Path
    started_by: str
    process: Optional[asyncio.subprocess.Process] = None
    outcome: Optional[str] = None  # once ended: status.PASSED (and served), status.FAILED, status.ERROR

    @property
    def running(self) -> bool:
        return self.outcome is None


def training_data(config: ServerConfig) -> List[Path]:
    """The training data and, when it lies elsewhere (a volume on Kubernetes), the reviewed examples."""
    data, reviewed = config.training_data_dir, config.reviewed_nlu_path
    if reviewed.exists() and not reviewed.resolve().is_relative_to(data.resolve()):
        return [data, reviewed]
    return [data]


class Trainer:
    """The desk's one training at a time, and the last one's outcome."""

    def __init__(self, config: ServerConfig, sessions_of: sessionmaker):
        self.config, self.sessions_of = config, sessions_of
        self.job: Optional[Job] = None
        self._waiting: Optional[asyncio.Task] = None

    @property
    def jobs(self) -> Path:
        return self.config.model_store_dir / JOBS_DIR

    def last_job(self) -> Optional[Job]:
        """The running or newest job; one a stopped desk left unfinished reads as interrupted."""
        if self.job is None:
            found = sorted(self.jobs.glob("*")) if self.jobs.is_dir() else []
            if not found:
                return None
            stage = status.read(found[-1]).get("stage")
            self.job = Job(found[-1], started_by="", outcome=stage if stage in status.ENDED else INTERRUPTED)
        return self.job

    async def start(self, admin: str) -> Job:
        if self.job is not None and self.job.running:
            raise Busy()
        job = self.job = Job(Path(), started_by=admin)  # taken before the first await: no second job slips in
        try:
            directory = job.directory = await asyncio.to_thread(self._new_job_directory)
            data = [arg for path in training_data(self.config) for arg in ("--data", str(path))]
            served = await asyncio.to_thread(model_store.served, self.config.model_store_dir,
                                             self.config.base_model_path)
            if served is not None:
                data += ["--served", str(served.path)]
            with open(directory / "job.log", "wb") as log:
                job.process = await asyncio.create_subprocess_exec(
                    "nice", "-n", str(NICE), self.config.training_python, "-m", "bot.retraining", str(directory), *data,
                    cwd=PROJECT_ROOT, stdin=asyncio.subprocess.DEVNULL, stdout=log,
                    stderr=asyncio.subprocess.STDOUT, start_new_session=True)
        except Exception as error:  # a full disk, no Rasa environment: said on the page, and the next may start
            job.outcome = status.ERROR
            logger.error("could not start a training: %s", error)
            if job.directory != Path():
                await asyncio.to_thread(status.update, job.directory, stage=status.ERROR,
                                        message=f"Could not start the training: {error}.")
            return job
        logger.info("%s started a training (job %s)", admin, directory.name)
        self._waiting = asyncio.create_task(self._finish(job))
        return job

    def _new_job_directory(self) -> Path:
        """A directory for the job; earlier jobs' are deleted (their models were served or refused)."""
        self.jobs.mkdir(parents=True, exist_ok=True)
        for old in self.jobs.iterdir():
            shutil.rmtree(old, ignore_errors=True)
        directory = self.jobs / time.strftime("%Y%m%d-%H%M%S", time.gmtime())
        directory.mkdir()
        return directory

    async def _finish(self, job: Job) -> None:
        code = await job.process.wait()
        try:
            ended = await asyncio.to_thread(status.read, job.directory)
            if code == 0 and ended.get("stage") == status.PASSED:
                served = await asyncio.to_thread(model_store.promote, self.config.model_store_dir,
                                                 self.config.base_model_path, Path(ended["model"]))
                job.outcome, what = status.PASSED, f"model {served.fingerprint[:12]} trained and served"
            else:
                job.outcome = ended.get("stage") if ended.get("stage") in (status.FAILED, status.ERROR) else status.ERROR
                what = "trained model refused: held-out floors missed" if job.outcome == status.FAILED else \
                    f"training failed (exit code {code})"
            logger.info("training job %s: %s", job.directory.name, what)
            await asyncio.to_thread(self._audit, job.started_by, what)
        except Exception:  # the page shows the job as ended in error; the log says why
            job.outcome = status.ERROR
            logger.exception("could not finish training job %s", job.directory.name)

    def _audit(self, admin: str, what: str) -> None:
        with self.sessions_of() as session, session.begin():
            handoffs.audit(session, admin, what[:100])

    async def roll_back(self, admin: str) -> model_store.Model:
        """The previous model served again (ValueError when there is none, or while a job runs)."""
        if self.job is not None and self.job.running:
            raise ValueError("a training is running: roll back when it has ended")
        served = await asyncio.to_thread(model_store.roll_back, self.config.model_store_dir, self.config.base_model_path)
        await asyncio.to_thread(self._audit, admin, f"rolled back to model {served.fingerprint[:12]}")
        return served

    def progress(self) -> Dict[str, Any]:
        """The job's status file as the page shows it (read it off the event loop)."""
        job = self.last_job()
        if job is None:
            return {}
        found = status.read(job.directory) if job.directory != Path() else {}
        if job.running:
            found["running"] = True
            stage = found.get("stage", status.TRAINING)  # until the job has written its first status
            # Passed is said once the desk has made the model the served one, not when the check ends.
            found["stage"] = status.CHECKING if stage in status.ENDED else stage
        else:
            found["stage"] = job.outcome
        return found

    async def stop(self) -> None:
        """On the desk's shutdown: the running job's whole process group ends with it."""
        if self.job is not None and self.job.running and self.job.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.job.process.pid, signal.SIGTERM)
            await self.job.process.wait()
        if self._waiting is not None:
            self._waiting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._waiting


trainer_key = web.AppKey("trainer", Trainer)


async def trainer(app: web.Application) -> AsyncIterator[None]:
    app[trainer_key] = Trainer(app[config_key], app[db_key])
    yield
    await app[trainer_key].stop()
