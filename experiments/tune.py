"""Hyperparameter search on Optuna: one command per study.

    python -m experiments.tune experiments/sst2_tune/tune.py --root=/tmp/sst2_tune
    python -m experiments.tune ... --parallel=2     # two trials at a time on this machine
    python -m experiments.tune ... --trials=40      # a bigger budget than the file's TRIALS
    python -m experiments.tune ... --collect        # only the tables, plots and best config
    python -m experiments.tune ... --storage=postgresql://user:pass@host/db   # see below
    python -m experiments.tune ... --search-only --worker=1   # another machine's worker

A tune file names a base config, the search, the validation metric and a budget::

    import optuna
    CONFIG = "configs/sst2.py"                # the base config
    METRIC, DIRECTION = "accuracy", "maximize"  # a validation metric the task logs
    TRIALS = 20                               # finished (complete or pruned) trials
    SEEDS = [0, 1, 2]                         # the best config's reruns, on test
    SEARCH = {"data.train_tokens": 100_000}   # optional: overrides for the trials only
    PRUNER = optuna.pruners.MedianPruner(n_startup_trials=5)  # optional (this default)
    SEED = 0                                  # optional: the TPE sampler's seed (below)
    ENQUEUE = [{"optimizer.learning_rate": 1e-3}]  # optional: trials to run first (the
                                              # base config's values, say), once each
    def space(trial):                         # -> {config key: value}; define-by-run, so
        lr = trial.suggest_float("optimizer.learning_rate", 1e-4, 1e-2, log=True)
        out = {"optimizer.learning_rate": lr}
        if trial.suggest_categorical("model.bidirectional", [False, True]):
            out["model.hidden_features"] = trial.suggest_int("model.hidden_features", 64, 256)
        return out                            # a key may depend on another (conditional)

Every trial is a normal run (``python -m lstm_jax.main``, started as an argument list,
never through a shell) in ``ROOT/trials/NNNN`` with ``test_checkpoint=none``: the test
split is never read while searching. Its value is the best validation METRIC its
``metrics.jsonl`` holds; each validation record is reported to the pruner as it is
written, and a pruned run is stopped (SIGTERM: it saves its checkpoint and exits).

The study lives in a database: SQLite in ROOT by default, or any ``--storage`` URL Optuna
accepts, so machines can share one study: the same command with the same ``--storage``
on one machine, ``--search-only --worker=I`` on the others, each with its own I (the
sampler's seed adds it, so workers do not draw the same trials); PostgreSQL or MySQL for
more than a few workers; every machine needs the data and a checkout at the same commit.
``--parallel=K`` starts K such workers here. Trials send a heartbeat every
``--heartbeat`` seconds; one silent for twice that (its worker was killed) is marked
failed and retried with the same parameters in its own workdir, so it resumes from its last
checkpoint. Ctrl-C or SIGTERM makes the running trials save a checkpoint and stop, and
queues their retries at once; the same command resumes them first. Finished trials are
never run again.

When every trial is finished (and none runs elsewhere) the command writes, next to the
tune file (or in ``--out``): ``trials.csv`` and ``trials.md`` (every trial: state, value,
parameters, minutes), ``best.py`` (the best trial as a runnable config), Optuna's plots
(``history.png``, ``importances.png``, ``parallel.png``), then runs ``best.py`` once per
seed in SEEDS with the test split (``ROOT/best/trial-N``, through experiments/sweep.py)
and writes their mean and standard deviation to ``results.csv`` and ``results.md``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import signal
import subprocess
import sys
import threading
import time
import types
import warnings
from typing import Any

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAILURES_IN_A_ROW = 3  # then the tune stops: the tune file or the data is broken, not a trial

_stopping = threading.Event()  # set by Ctrl-C / SIGTERM: running trials checkpoint and stop
_stopped: list[int] = []  # the trials that did
_signal: list[int] = []


class TrialFailed(Exception):
    """A trial's run exited with an error (its log says which)."""


class Stopped(Exception):
    """The tune was asked to stop: the trial's run saved a checkpoint and exited."""


def load_tune(path: str) -> types.ModuleType:
    if not os.path.isfile(path):
        sys.exit(f"error: tune file {path!r} does not exist; see experiments/tune.py")
    spec = importlib.util.spec_from_file_location("tune_definition", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name in ("CONFIG", "METRIC", "DIRECTION", "TRIALS", "space"):
        if not hasattr(module, name):
            sys.exit(f"error: {path} defines no {name}; see experiments/tune.py")
    if module.DIRECTION not in ("minimize", "maximize"):
        sys.exit(f"error: {path}: DIRECTION must be minimize or maximize, not {module.DIRECTION!r}")
    for params in getattr(module, "ENQUEUE", []):
        check_enqueued(path, module, params)
    return module


def check_enqueued(path: str, module, params: dict[str, Any]) -> None:
    """An ENQUEUE entry must name exactly the parameters space() suggests for it (Optuna
    would silently sample a misnamed one)."""
    import optuna

    trial = optuna.trial.FixedTrial(params)
    try:
        module.space(trial)
    except ValueError as e:  # a parameter space() suggests is missing
        sys.exit(f"error: {path}: ENQUEUE entry {params}: {e}")
    unused = sorted(set(params) - set(trial.params))
    if unused:
        sys.exit(
            f"error: {path}: ENQUEUE names {unused}, which space() never suggests with these "
            f"values; use the names of its trial.suggest_* calls: {sorted(trial.params)}"
        )


def open_study(module, path: str, root: str, storage_url: str, heartbeat: int):
    import optuna
    from optuna.storages import RDBStorage, RetryHeartbeatStaleTrialCallback

    optuna.logging.set_verbosity(optuna.logging.ERROR)  # a failed trial: our one line
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    os.makedirs(root, exist_ok=True)
    url = storage_url or f"sqlite:///{os.path.abspath(os.path.join(root, 'study.db'))}"
    # SQLite: wait for another worker's write instead of failing at once
    engine = {"connect_args": {"timeout": 60}} if url.startswith("sqlite") else None
    try:
        storage = RDBStorage(
            url,
            engine_kwargs=engine,
            heartbeat_interval=heartbeat,
            grace_period=2 * heartbeat,
            heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback(max_retry=3),
        )
    except Exception as e:  # SQLAlchemy: a bad URL, a missing driver, no server
        sys.exit(f"error: cannot open the study storage {url}: {type(e).__name__}: {e}")
    if url.startswith("sqlite"):
        serialize_sqlite(storage.engine)
    pruner = getattr(module, "PRUNER", optuna.pruners.MedianPruner(n_startup_trials=5))
    name = os.path.basename(os.path.dirname(os.path.abspath(path)))
    try:
        study = optuna.create_study(
            study_name=name,
            storage=storage,
            sampler=optuna.samplers.TPESampler(seed=getattr(module, "SEED", 0)),  # see reseed
            pruner=pruner or optuna.pruners.NopPruner(),
            direction=module.DIRECTION,
            load_if_exists=True,
        )
        for params in getattr(module, "ENQUEUE", []):  # once: a rerun finds them queued or run
            study.enqueue_trial(params, skip_if_exists=True)
    except (ValueError, TypeError) as e:  # e.g. DIRECTION changed since the study began
        sys.exit(f"error: study {name!r} in {url}: {e}; use another --root or --storage")
    return study


def serialize_sqlite(engine) -> None:
    """Every SQLite transaction takes the write lock when it begins (BEGIN IMMEDIATE).
    Optuna hands out a queued trial by reading it with SELECT ... FOR UPDATE, which SQLite
    ignores, so two workers could both take it; serialized, only one can."""
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, record):
        dbapi_connection.isolation_level = None  # pysqlite's own implicit BEGIN off

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    engine.dispose()  # connections opened before this point lacked the listeners


def flag(key: str, value: Any) -> str:
    return f"--config.{key}={value}"


def read_records(path: str) -> list[dict[str, Any]]:
    """The complete records of a run's metrics.jsonl. Read whole each time: a resumed run
    rewrites it (dropping records past its checkpoint) before it appends."""
    if not os.path.exists(path):
        return []
    with open(path, "rb") as f:
        data = f.read()
    end = data.rfind(b"\n") + 1  # a line still being written waits for the next look
    return [json.loads(line) for line in data[:end].decode().splitlines() if line.strip()]


def best_of(values: list[float], direction: str) -> float:
    return max(values) if direction == "maximize" else min(values)


def trial_workdir(root: str, trial) -> str:
    """A new trial's own folder; a retried one (its worker died) keeps the first's, whose
    user attributes Optuna's RetryHeartbeatStaleTrialCallback copies, so it resumes there."""
    return trial.user_attrs.get("workdir") or os.path.join(root, "trials", f"{trial.number:04d}")


def objective(module, root: str):
    import optuna

    def run(trial) -> float:
        try:
            overrides = module.space(trial)
        except Exception as e:  # a mistake in the tune file, not a bad trial
            error = f"the tune file's space() raised {type(e).__name__}: {e}"
            trial.set_user_attr("error", error)
            raise TrialFailed(error) from None
        workdir = trial_workdir(root, trial)
        trial.set_user_attr("overrides", overrides)
        trial.set_user_attr("workdir", workdir)
        os.makedirs(workdir, exist_ok=True)
        settings = {**getattr(module, "SEARCH", {}), **overrides, "test_checkpoint": "none"}
        cmd = [
            sys.executable,
            "-m",
            "lstm_jax.main",
            f"--config={module.CONFIG}",
            f"--workdir={workdir}",
            *[flag(k, v) for k, v in settings.items()],
        ]
        log_path = os.path.join(workdir, "tune.log")
        print(f"trial {trial.number} {os.path.basename(workdir)}: {overrides}", flush=True)
        with open(log_path, "a") as log:
            # its own session: a Ctrl-C reaches this worker, which stops the run cleanly
            proc = subprocess.Popen(
                cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
            try:
                values: list[float] = []
                reported: set[int] = set()
                ended = False
                while not ended:
                    if _stopping.is_set():
                        proc.send_signal(signal.SIGTERM)  # it saves, then exits
                        proc.wait()
                        _stopped.append(trial.number)
                        raise Stopped(trial.number)
                    ended = proc.poll() is not None
                    recs = read_records(os.path.join(workdir, "metrics.jsonl"))
                    valid = [r for r in recs if r["split"] == "valid" and module.METRIC in r]
                    values = [r[module.METRIC] for r in valid]
                    for r in valid:
                        if r["step"] in reported:
                            continue
                        reported.add(r["step"])
                        trial.report(r[module.METRIC], r["step"])
                        if not ended and trial.should_prune():
                            proc.send_signal(signal.SIGTERM)  # it saves, then exits
                            proc.wait()
                            print(f"trial {trial.number} pruned at step {r['step']}", flush=True)
                            raise optuna.TrialPruned()
                    if not ended:
                        time.sleep(0.25)
            finally:
                if proc.poll() is None:  # an error in this worker: no orphan run
                    proc.kill()
                    proc.wait()
        if proc.returncode != 0 or not values:
            error = f"trial {trial.number} failed (exit {proc.returncode}): {_last_line(log_path)}"
            trial.set_user_attr("error", error)
            raise TrialFailed(error)
        value = best_of(values, module.DIRECTION)
        print(f"trial {trial.number} valid {module.METRIC} {value:.6g}", flush=True)
        return value

    return run


def _last_line(path: str) -> str:
    with open(path, errors="replace") as f:
        lines = [line.strip() for line in f if line.strip()]
    return f"{lines[-1] if lines else '(no output)'} (log: {path})"


def _stop(signum, frame):
    """Ctrl-C / SIGTERM: the running trials save a checkpoint and stop (see ``search``)."""
    _stopping.set()
    _signal.append(signum)
    print("stopping: the running trials save a checkpoint", flush=True)


def search(study, module, args, trials: int) -> None:
    """Runs trials until ``trials`` are finished: here, or in ``args.parallel`` worker
    processes (not Optuna's ``n_jobs`` threads, which handed one queued trial to two)."""
    from optuna.storages import RetryHeartbeatStaleTrialCallback
    from optuna.trial import TrialState

    finished = (TrialState.COMPLETE, TrialState.PRUNED)
    done = len(study.get_trials(deepcopy=False, states=finished))
    print(f"study {study.study_name}: {done} of {trials} trials finished", flush=True)
    if done >= trials:
        return
    if args.parallel > 1:
        workers(args, trials)
        return
    failures: list[str] = []

    def guard(study, trial):
        # the budget counts the trials running (here or in other workers) as spent, so
        # workers stop starting new ones once the running ones would fill it; a waiting
        # retry of a stopped trial is always taken
        states = [t.state for t in study.get_trials(deepcopy=False)]
        spent = sum(s in (*finished, TrialState.RUNNING) for s in states)
        if _stopping.is_set() or (spent >= trials and TrialState.WAITING not in states):
            study.stop()
        reseed(study, module, args.worker)
        if trial.state == TrialState.FAIL:
            failures.append(trial.user_attrs.get("error", ""))
            print(failures[-1], flush=True)
            if len(failures) >= FAILURES_IN_A_ROW:
                study.stop()
        elif trial.state in finished:
            failures.clear()

    run = objective(module, args.root)
    reseed(study, module, args.worker)
    signals = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        study.optimize(
            run,
            n_jobs=1,
            catch=(TrialFailed,),
            callbacks=[guard],
            gc_after_trial=False,
        )
    except Stopped:
        pass
    finally:
        for sig, handler in signals.items():
            signal.signal(sig, handler)
    if _stopping.is_set():
        # the stopped trials failed; each comes back as a waiting copy with its parameters
        # and workdir, which the next worker takes first and resumes from the checkpoint
        retry = RetryHeartbeatStaleTrialCallback()
        for number in _stopped:
            retry(study, study.get_trials(deepcopy=False)[number])
        print(
            f"stopped: {len(_stopped)} running trial(s) saved a checkpoint; the same command "
            "resumes them",
            flush=True,
        )
        sys.exit(128 + _signal[0])
    if len(failures) >= FAILURES_IN_A_ROW:
        sys.exit(f"error: {FAILURES_IN_A_ROW} trials in a row failed; the last: {failures[-1]}")


def reseed(study, module, worker: int) -> None:
    """Before each trial: TPE seeded with SEED, the trials so far and the worker's index.
    One worker draws the same trials every time; workers on one study (each with its own
    sampler) would otherwise draw the same random start-up points, trial for trial."""
    import optuna

    n = len(study.get_trials(deepcopy=False))
    study.sampler = optuna.samplers.TPESampler(seed=getattr(module, "SEED", 0) + n + 7919 * worker)


def workers(args, trials: int) -> None:
    """``args.parallel`` processes of this command with ``--search-only`` on the one study;
    Ctrl-C or SIGTERM here stops each of them (their trials save a checkpoint)."""
    cmd = [
        sys.executable,
        "-m",
        "experiments.tune",
        os.path.abspath(args.tune),
        f"--root={os.path.abspath(args.root)}",
        f"--trials={trials}",
        f"--heartbeat={args.heartbeat}",
        "--search-only",
        *([f"--storage={args.storage}"] if args.storage else []),
    ]
    procs = [
        subprocess.Popen([*cmd, f"--worker={args.worker * args.parallel + i + 1}"], cwd=REPO)
        for i in range(args.parallel)
    ]

    def forward(signum, frame):
        _signal.append(signum)
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)

    signals = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        codes = [proc.wait() for proc in procs]
    finally:
        for sig, handler in signals.items():
            signal.signal(sig, handler)
    if _signal:
        sys.exit(128 + _signal[0])
    if any(codes):
        sys.exit(f"error: {sum(map(bool, codes))} of {len(procs)} workers failed; see above")


def collect(study, module, path: str, out_dir: str) -> dict[str, Any] | None:
    """Writes trials.csv/md, best.py and the plots; returns the best trial's summary."""
    from optuna.trial import TrialState

    from experiments.sweep import write_tables

    os.makedirs(out_dir, exist_ok=True)
    rows = []
    keys: dict[str, None] = {}
    for t in study.get_trials(deepcopy=False):
        overrides = t.user_attrs.get("overrides", {})
        keys.update(dict.fromkeys(overrides))
        steps = sorted(t.intermediate_values)
        minutes = (
            (t.datetime_complete - t.datetime_start).total_seconds() / 60
            if t.datetime_complete and t.datetime_start
            else None
        )
        rows.append(
            {
                "trial": t.number,
                "state": t.state.name.lower(),
                f"valid_{module.METRIC}": t.value,
                "last_step": steps[-1] if steps else None,
                "workdir": os.path.basename(t.user_attrs.get("workdir", "")),
                "minutes": minutes,
                **overrides,
            }
        )
    columns = ["trial", "state", f"valid_{module.METRIC}", "last_step", "workdir", "minutes"]
    columns += list(keys)
    write_tables(rows, columns, out_dir, "trials")
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if not complete:
        print("no trial has completed yet: no best config", flush=True)
        return None
    best = study.best_trial
    summary = {
        "trial": best.number,
        "value": best.value,
        "overrides": best.user_attrs["overrides"],
        "trials": len(rows),
    }
    best_path = os.path.join(out_dir, "best.py")
    with open(best_path, "w") as f:
        f.write(best_config(module, path, best_path, summary))
    plots(study, out_dir)
    return summary


def base_config(config: str, overrides: dict[str, Any]):
    """``config`` (a config file relative to the repository, optionally ``:variant``) with
    ``overrides`` applied: what a study's best.py returns."""
    path, _, arg = config.partition(":")
    spec = importlib.util.spec_from_file_location("base_config", os.path.join(REPO, path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    c = module.get_config(arg) if arg else module.get_config()
    c.update_from_flattened_dict(overrides)
    return c


def best_config(module, tune_path: str, best_path: str, summary: dict[str, Any]) -> str:
    """The best trial as a runnable config: the base config plus the trial's overrides."""
    where = os.path.relpath(os.path.abspath(best_path), REPO)
    tune = os.path.relpath(os.path.abspath(tune_path), REPO)
    items = summary["overrides"].items()
    lines = [f"            {json.dumps(k)}: {_literal(v)}," for k, v in items]
    name = os.path.splitext(os.path.basename(module.CONFIG.partition(":")[0]))[0]
    return f'''"""The best of {summary["trials"]} trials of {tune}: trial {summary["trial"]},
best valid {module.METRIC} {summary["value"]:.6g}: {module.CONFIG} with the trial's settings
(written by experiments/tune.py; its test numbers over seeds: results.md beside this file).

    python -m lstm_jax.main --config={where} \\
        --workdir=/tmp/{name}_best
"""

from experiments.tune import base_config


def get_config():
    return base_config(
        {json.dumps(module.CONFIG)},
        {{
{chr(10).join(lines)}
        }},
    )
'''


def _literal(v: Any) -> str:
    return json.dumps(v) if isinstance(v, str) else repr(v)


def plots(study, out_dir: str) -> None:
    """Optuna's optimization history, parameter importances and parallel coordinates."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from optuna.visualization import matplotlib as vis

    for name, draw in (
        ("history", vis.plot_optimization_history),
        ("importances", vis.plot_param_importances),
        ("parallel", vis.plot_parallel_coordinate),
    ):
        try:
            ax = draw(study)
        except (ValueError, RuntimeError) as e:  # e.g. importances need 2+ varied trials
            print(f"no {name}.png: {e}", flush=True)
            continue
        fig = (ax[0] if hasattr(ax, "__len__") else ax).figure
        fig.set_size_inches(9, 5)
        fig.tight_layout()
        fig.savefig(os.path.join(out_dir, f"{name}.png"), dpi=110)
        plt.close(fig)


def rerun(module, summary: dict[str, Any], root: str, out_dir: str, parallel: int) -> int:
    """Runs best.py once per seed in SEEDS, with the test split; tables through the sweep."""
    from experiments import sweep

    best = os.path.relpath(os.path.join(out_dir, "best.py"), REPO)
    plan = types.SimpleNamespace(
        CONFIG=best,
        SEEDS=list(getattr(module, "SEEDS", [0, 1, 2])),
        METRICS=[module.METRIC, *getattr(module, "TEST_METRICS", [])],
        sweep=lambda add: add(),
    )
    where = os.path.join(root, "best", f"trial-{summary['trial']}")
    todo = [r for r in sweep.runs(plan, where) if not sweep.finished(r["workdir"])]
    failed = sweep.execute(todo, parallel)
    if failed:
        print(f"{len(failed)} reruns failed; see sweep.log in: {', '.join(failed)}", flush=True)
        return 1
    rows = sweep.collect(plan, where, out_dir)
    m = module.METRIC
    if rows and f"{m}_mean" in rows[0]:
        r = rows[0]
        print(
            f"best config (trial {summary['trial']}), {r['seeds']} seeds: test {m} "
            f"{r[f'{m}_mean']:.6g} ± {r[f'{m}_std']:.3g} -> {os.path.join(out_dir, 'results.md')}",
            flush=True,
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tune", help="a tune file (experiments/<study>/tune.py)")
    ap.add_argument("--root", required=True, help="the study database and the trials' workdirs")
    ap.add_argument("--trials", type=int, default=0, help="finished trials wanted (default TRIALS)")
    ap.add_argument("--parallel", type=int, default=1, help="trials at a time (worker processes)")
    ap.add_argument("--storage", default="", help="an Optuna storage URL (default SQLite in root)")
    ap.add_argument("--heartbeat", type=int, default=10, help="seconds between trial heartbeats")
    ap.add_argument("--collect", action="store_true", help="only write tables, plots, best.py")
    ap.add_argument("--search-only", action="store_true", help="trials only: no tables, reruns")
    ap.add_argument("--worker", type=int, default=0, help="this worker's index (its own draws)")
    ap.add_argument("--out", default="", help="results folder (default: the tune file's)")
    args = ap.parse_args(argv)
    args.parallel, args.heartbeat = max(args.parallel, 1), max(args.heartbeat, 1)
    module = load_tune(args.tune)
    out_dir = args.out or os.path.dirname(os.path.abspath(args.tune))
    study = open_study(module, args.tune, args.root, args.storage, args.heartbeat)
    if not args.collect:
        search(study, module, args, args.trials or module.TRIALS)
        if args.search_only:
            return 0
    import optuna
    from optuna.trial import TrialState

    optuna.storages.fail_stale_trials(study)  # a stopped worker's trials are not running
    busy = study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
    if busy and not args.collect:
        print(
            f"{len(busy)} trial(s) still running in another worker: run this command again "
            "once they finish for the tables and the reruns",
            flush=True,
        )
        return 0
    summary = collect(study, module, args.tune, out_dir)
    if summary is None:
        return 1
    print(
        f"best: trial {summary['trial']}, valid {module.METRIC} {summary['value']:.6g}, "
        f"{summary['overrides']} -> {os.path.join(out_dir, 'best.py')}",
        flush=True,
    )
    if args.collect:
        return 0
    return rerun(module, summary, args.root, out_dir, args.parallel)


if __name__ == "__main__":
    sys.exit(main())
