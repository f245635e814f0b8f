"""Train a candidate model as `make train` does, then check it against the held-out floors.

    python -m bot.retraining JOB_DIR --data bot/data [--data reviewed.yml] [--served MODEL]

Writes JOB_DIR/candidate.tar.gz, JOB_DIR/train.log and JOB_DIR/status.json; exits 0 when every
floor held, 1 when one did not, 2 when training or the check could not run.
"""
import argparse
import logging
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import List, Optional, Sequence

from bot.retraining import status

BOT_DIR = Path(__file__).resolve().parents[1]
ROOT = BOT_DIR.parent
CANDIDATE = "candidate"
logger = logging.getLogger(__name__)


def peak_child_mb() -> float:
    """The largest resident memory any finished child process reached (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def train_command(job_dir: Path, data: Sequence[Path]) -> List[str]:
    """`make train`'s command (run in bot/, where config.yml names the program-name pipeline), into the job's directory."""
    return [sys.executable, "-m", "rasa", "train", "--config", "config.yml", "--domain", "domain",
            "--data", *map(str, data), "--out", str(job_dir), "--fixed-model-name", CANDIDATE]


def run(job_dir: Path, data: Sequence[Path], served: Optional[Path]) -> int:
    started = time.time()
    status.update(job_dir, stage=status.TRAINING, started=started)
    with open(job_dir / "train.log", "wb") as log:
        trained = subprocess.run(train_command(job_dir.resolve(), [path.resolve() for path in data]), cwd=BOT_DIR, stdout=log, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL)
    train_seconds, train_mb = time.time() - started, peak_child_mb()
    model = job_dir / f"{CANDIDATE}.tar.gz"
    if trained.returncode != 0 or not model.exists():
        status.update(job_dir, stage=status.ERROR, ended=time.time(), train_seconds=train_seconds,
                      message=f"Training failed (exit code {trained.returncode}); see train.log in {job_dir}.")
        return 2
    status.update(job_dir, stage=status.CHECKING, train_seconds=train_seconds, train_peak_mb=train_mb,
                  model=str(model), checked=0)
    # In bot/, as Rasa runs (the model names its program-name pipeline by a relative path), with the
    # project on the path for the held-out sets and their judge (bench/).
    check = subprocess.run([sys.executable, "-m", "bot.retraining.heldout_check", str(job_dir.resolve()),
                            str(model.resolve()), *[arg for path in data for arg in ("--data", str(path.resolve()))],
                            *(["--served", str(served.resolve())] if served else [])],
                           cwd=BOT_DIR, stdin=subprocess.DEVNULL,
                           env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (
                               str(ROOT), os.environ.get("PYTHONPATH"))))})
    ended = status.read(job_dir)
    if check.returncode not in (0, 1) or ended.get("stage") not in (status.PASSED, status.FAILED):
        status.update(job_dir, stage=status.ERROR, ended=time.time(),
                      message=f"The held-out check could not run (exit code {check.returncode}); see job.log in {job_dir}.")
        return 2
    status.update(job_dir, ended=time.time(), check_seconds=time.time() - started - train_seconds,
                  peak_mb=peak_child_mb())
    return check.returncode


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.retraining", description=__doc__.splitlines()[0])
    parser.add_argument("job_dir", type=Path)
    parser.add_argument("--data", type=Path, action="append", required=True,
                        help="training data: a directory or file (repeat for the reviewed examples)")
    parser.add_argument("--served", type=Path, help="the model served now (the check compares with it)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s - %(message)s")
    try:
        return run(args.job_dir, args.data, args.served)
    except Exception as error:  # the desk shows the stage and message; the traceback goes to the log
        logger.exception("the training job failed")
        status.update(args.job_dir, stage=status.ERROR, ended=time.time(), message=f"The job failed: {error!r}.")
        return 2


if __name__ == "__main__":
    sys.exit(main())
