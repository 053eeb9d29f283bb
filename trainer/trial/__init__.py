"""One trial, in two halves that run in different processes:

- ``driver.py`` — the driver side, in the process that launched the trial (``launch.py run``, or a sweep's
  Tune trial): builds the data, opens the MLflow run, and runs both stages in the trial's worker group
  (``trainer/worker_group.py``; ``run_trial``).  It never imports torch: it names the worker functions.
- ``worker.py`` — the worker side, in every rank of the group: DeepSpeed training, evaluation and the
  trial's metrics (``stage1_worker``, ``stage2_worker``).
- ``worker_config.py`` — ``WorkerConfig``, what crosses between them.
- ``failure.py`` — why a trial failed, in one line, from beneath Ray's wrappers (driver side).

Nothing is imported here, so that a worker importing ``trainer.trial.worker`` does not pull in the driver.
"""
