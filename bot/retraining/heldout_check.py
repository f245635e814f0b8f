"""Hold a candidate model to the held-out floors (bench/floors.py) before the desk may serve it.

    python -m bot.retraining.heldout_check JOB_DIR MODEL --data DIR_OR_FILE …

The model runs here, in this process, as Rasa runs it (the same message processor, the running
action server from RASA_ENDPOINTS, conversations in memory), so serving replicas are not touched.
Writes the results into JOB_DIR/status.json; exits 0 when every floor held, 1 when one did not.
"""
import argparse
import asyncio
import logging
import sys
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from bot.retraining import status

logger = logging.getLogger(__name__)
WORKERS = 2  # conversations at once: one waits on the action server while the other computes
ANSWER_TIMEOUT = 60


class InProcessAssistant:
    """`say` and `events` as tests.e2e.stack.Stack offers them, on a Rasa agent in this process."""

    def __init__(self, model: Path, endpoints_file: str):
        import rasa.core.agent
        from rasa.core.utils import AvailableEndpoints
        from rasa.utils.log_utils import configure_structlog

        from bot.question_processor import QuestionReadingProcessor

        rasa.core.agent.MessageProcessor = QuestionReadingProcessor  # as bot/rasa_server.py serves it
        configure_structlog(logging.INFO)  # Rasa's DEBUG lines (every event of every conversation) stay out
        endpoints = AvailableEndpoints.read_endpoints(endpoints_file)
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        self.agent = rasa.core.agent.Agent.load(str(model), action_endpoint=endpoints.action)
        self.said = 0
        self._count = threading.Lock()

    def _run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(ANSWER_TIMEOUT)

    def say(self, sender: str, message: str) -> None:
        from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

        self._run(self.agent.handle_message(UserMessage(message, CollectingOutputChannel(), f"rest:{sender}",
                                                        input_channel="rest")))
        with self._count:
            self.said += 1

    def events(self, sender: str) -> List[Dict[str, Any]]:
        from rasa.shared.core.trackers import EventVerbosity

        tracker = self._run(self.agent.tracker_store.retrieve(f"rest:{sender}"))
        return tracker.current_state(EventVerbosity.ALL)["events"] if tracker else []


def check(job_dir: Path, model: Path, served: Optional[Path], data: Sequence[Path], endpoints_file: str) -> bool:
    """Each floor on the new model, stopping at the first it misses; a miss is measured on the served
    model too, and one the served model also misses is held by being no worse (bench/floors.py)."""
    from bench import floors, heldout

    candidate = InProcessAssistant(model, endpoints_file)
    incumbent: Optional[InProcessAssistant] = None
    results: List[floors.Result] = []
    for number, run in enumerate(floors.checks(heldout.trained_texts(*data), WORKERS), 1):
        found = run(candidate)
        if served is not None and any(not r.held and not r.forbidden for r in found):
            incumbent = incumbent or InProcessAssistant(served, endpoints_file)
            for mine, theirs in zip(found, run(incumbent)):
                mine.served_share = theirs.share
        results.extend(found)
        status.update(job_dir, checked=candidate.said, floors_checked=number)
        if not all(result.held for result in found):
            break  # one floor missed is enough to refuse the model
    held = all(result.held for result in results)
    status.update(job_dir, stage=status.PASSED if held else status.FAILED, checked=candidate.said, checks=[
        {"name": r.name, "share": r.share, "floor": r.floor, "judged": r.judged, "held": r.held,
         "served_share": r.served_share, "misses": (r.forbidden + r.misses)[:20]} for r in results])
    for result in results:
        logger.info("%s%s", result.summary(), "" if result.held else "  NOT HELD")
    return held


def main(argv: Optional[Sequence[str]] = None) -> int:
    import os

    parser = argparse.ArgumentParser(prog="python -m bot.retraining.heldout_check", description=__doc__.splitlines()[0])
    parser.add_argument("job_dir", type=Path)
    parser.add_argument("model", type=Path)
    parser.add_argument("--data", type=Path, action="append", required=True)
    parser.add_argument("--served", type=Path, help="the model served now, measured where the new one misses a floor")
    parser.add_argument("--endpoints", default=os.environ.get("RASA_ENDPOINTS") or "endpoints.yml")  # run in bot/
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s - %(message)s")
    started = time.time()
    try:
        held = check(args.job_dir, args.model, args.served, args.data, args.endpoints)
    except Exception as error:  # the desk shows the stage and message; the traceback goes to the job's log
        logger.exception("the held-out check failed")
        status.update(args.job_dir, stage=status.ERROR, message=f"The held-out check failed: {error!r}.")
        return 2
    logger.info("checked in %.0f s", time.time() - started)
    return 0 if held else 1


if __name__ == "__main__":
    sys.exit(main())
