"""A training started from the desk, in Rasa's environment: `python -m bot.retraining JOB_DIR …`.

The desk (channels/desk/training.py) starts it under `nice`, in a process of its own, and reads its
progress from JOB_DIR/status.json (status.py). It trains as `make train` does, on the training data
and the admins' reviewed examples, then holds the new model to the held-out floors
(heldout_check.py, bench/floors.py) in another process. Only the desk decides what is served.
"""
