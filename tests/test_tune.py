"""experiments/tune.py on a tiny adding study: search space with a conditional key,
pruning, a killed tune resumed, two workers on one SQLite file, the best config re-run."""

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time

import pytest

optuna = pytest.importorskip("optuna")

from experiments import tune  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

TINY = """
from configs import adding


def get_config():
    c = adding.get_config()
    c.data.length, c.batch_size, c.eval_batches = 10, 16, 2
    c.num_train_steps, c.eval_every, c.checkpoint_every, c.log_every = 500, 10, 500, 100
    return c
"""

TUNE = """
import optuna

CONFIG = {config!r}
METRIC, DIRECTION = "mse", "minimize"
TRIALS = 2
SEEDS = [0]


class PruneFirst(optuna.pruners.BasePruner):
    def prune(self, study, trial):  # trial 0, at its first report: one pruned trial for sure
        return trial.number == 0


PRUNER = PruneFirst()


def space(trial):
    out = {{"model.cell": trial.suggest_categorical("model.cell", ["lstm", "gru"])}}
    if out["model.cell"] == "lstm":  # a conditional key
        out["model.hidden_features"] = trial.suggest_int("model.hidden_features", 4, 8)
    out["optimizer.learning_rate"] = trial.suggest_float("optimizer.learning_rate", 1e-3, 1e-2)
    return out
"""


def start(*args):
    cmd = [sys.executable, "-m", "experiments.tune", *args]
    return subprocess.Popen(
        cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def wait_for(predicate, proc, seconds=240):
    end = time.time() + seconds
    while not predicate():
        assert proc.poll() is None, proc.stdout.read()
        assert time.time() < end, "timed out"
        time.sleep(0.1)


def splits(workdir):
    with open(os.path.join(workdir, "metrics.jsonl")) as f:
        return {json.loads(line)["split"] for line in f}


def valid_records(workdir):
    path = os.path.join(workdir, "metrics.jsonl")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if '"valid"' in line]


def test_tune_prunes_resumes_after_a_kill_shares_a_study_and_reruns_the_best(tmp_path):
    (tmp_path / "tiny.py").write_text(TINY)
    study_dir = tmp_path / "tiny_study"
    study_dir.mkdir()
    path = study_dir / "tune.py"
    path.write_text(TUNE.format(config=str(tmp_path / "tiny.py")))
    root = tmp_path / "root"
    args = [str(path), f"--root={root}", "--heartbeat=1"]

    # one worker: trial 0 is pruned, trial 1 is stopped mid-run
    first = start(*args)
    wait_for(lambda: valid_records(root / "trials" / "0001"), first)
    first.send_signal(signal.SIGTERM)
    out = first.communicate(timeout=120)[0]
    assert first.returncode == 128 + signal.SIGTERM and "stopped: 1 running trial" in out, out
    assert "trial 0 pruned at step 10" in out
    # the stopped trial failed and waits as trial 2, with its parameters and workdir
    study = optuna.load_study(study_name="tiny_study", storage=f"sqlite:///{root}/study.db")
    retry = study.trials[2]
    assert retry.state.name == "WAITING" and retry.params == study.trials[1].params

    # two workers on the same SQLite study finish it: 3 trials, the stopped one resumed
    workers = start(*args, "--trials=3", "--search-only", "--parallel=2")  # 2 processes
    out = workers.communicate(timeout=300)[0]
    assert workers.returncode == 0, out
    study = optuna.load_study(study_name="tiny_study", storage=f"sqlite:///{root}/study.db")
    states = {t.number: t.state.name for t in study.trials}
    assert states == {0: "PRUNED", 1: "FAIL", 2: "COMPLETE", 3: "COMPLETE"}, states
    complete = [t for t in study.trials if t.state.name == "COMPLETE"]
    dirs = [os.path.basename(t.user_attrs["workdir"]) for t in complete]
    assert dirs == ["0001", "0003"], dirs  # 0001: trial 2, the retry of trial 1
    with open(root / "trials" / "0001" / "tune.log") as f:
        assert "resumed from step" in f.read()  # the retry went on from its checkpoint
    with open(root / "trials" / "0000" / "tune.log") as f:
        assert "resumed" not in f.read()  # a finished (pruned) trial never runs again
    for t in complete:  # the study's value is the best validation MSE the run logged
        assert t.value == min(r["mse"] for r in valid_records(t.user_attrs["workdir"]))

    # the tables, plots and best config; then the best config on test
    assert tune.main([*args, "--trials=3"]) == 0
    rows = (study_dir / "trials.md").read_text().splitlines()
    assert len(rows) == 2 + len(study.trials) and rows[2].startswith("| 0 | pruned |")
    for name in ("history.png", "importances.png", "parallel.png", "trials.csv"):
        assert (study_dir / name).exists(), name
    spec = importlib.util.spec_from_file_location("best", study_dir / "best.py")
    best = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(best)
    c = best.get_config()
    for key, value in study.best_trial.user_attrs["overrides"].items():
        section, name = key.split(".")
        assert c[section][name] == value
    results = (study_dir / "results.md").read_text()
    assert "| 1 |" in results and "mse_mean" in results, results  # one seed, on test
    reruns = root / "best" / f"trial-{study.best_trial.number}"
    assert "test" in splits(reruns / "seed=0")
    for t in study.trials:  # the search never read the test split
        if "workdir" in t.user_attrs:
            assert "test" not in splits(t.user_attrs["workdir"])


def test_tune_file_mistakes_are_one_line_errors(tmp_path):
    path = tmp_path / "t" / "tune.py"
    path.parent.mkdir()
    path.write_text('CONFIG = "configs/adding.py"\nMETRIC, DIRECTION = "mse", "minimize"\n')
    with pytest.raises(SystemExit, match=r"defines no TRIALS; see experiments/tune.py"):
        tune.main([str(path), f"--root={tmp_path / 'r'}"])
    path.write_text(TUNE.format(config="configs/adding.py").replace('"minimize"', '"lower"'))
    with pytest.raises(SystemExit, match="DIRECTION must be minimize or maximize, not 'lower'"):
        tune.main([str(path), f"--root={tmp_path / 'r'}"])
    misnamed = 'ENQUEUE = [{"model.cell": "gru", "learning_rate": 0.005}]\n'
    path.write_text(TUNE.format(config="configs/adding.py") + misnamed)
    with pytest.raises(SystemExit, match=r"value of the parameter 'optimizer\.learning_rate' is"):
        tune.main([str(path), f"--root={tmp_path / 'r'}"])
    path.write_text(TUNE.format(config="configs/adding.py"))
    with pytest.raises(SystemExit, match="cannot open the study storage nosuch://x"):
        tune.main([str(path), f"--root={tmp_path / 'r'}", "--storage=nosuch://x"])


def test_workers_draw_their_own_trials_and_one_worker_repeats_itself():
    plan = type("Tune", (), {"SEED": 0})

    def first_draw(worker):
        study = optuna.create_study()
        tune.reseed(study, plan, worker)
        return study.ask().suggest_float("x", 0.0, 1.0)

    assert first_draw(1) == first_draw(1) != first_draw(2)


POP = """
import sys

import optuna

from experiments import tune

optuna.logging.set_verbosity(optuna.logging.ERROR)
storage = optuna.storages.RDBStorage(sys.argv[1], engine_kwargs={"connect_args": {"timeout": 60}})
tune.serialize_sqlite(storage.engine)
study = optuna.load_study(study_name="s", storage=storage)
while True:
    trial = study.ask()  # takes a queued trial (0-39) first, the way a retry is taken
    study.tell(trial, 0.0)
    if trial.number >= 40:  # a new one: the queue is empty
        break
    print(trial.number)
"""


def test_workers_on_one_sqlite_file_never_take_the_same_queued_trial(tmp_path):
    # without serialize_sqlite, four such workers took one trial twice and crashed
    url = f"sqlite:///{tmp_path / 's.db'}"
    study = optuna.create_study(study_name="s", storage=url)
    for i in range(40):
        study.enqueue_trial({"x": float(i)})
    (tmp_path / "pop.py").write_text(POP)
    env = dict(os.environ, PYTHONPATH=REPO)
    procs = [
        subprocess.Popen(
            [sys.executable, str(tmp_path / "pop.py"), url],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [e for _, e in outs]
    taken = [int(n) for out, _ in outs for n in out.split()]
    assert sorted(taken) == list(range(40))


@pytest.mark.parametrize(
    "path", sorted(p for p in os.listdir(os.path.join(REPO, "experiments")) if p.endswith("_tune"))
)
def test_committed_studies_name_real_config_keys(path):
    """Each committed tune file loads, and its proxy settings and every point its space can
    draw (conditional keys included) apply to its base config: a misspelled key fails here,
    not hours into a study."""
    module = tune.load_tune(os.path.join(REPO, "experiments", path, "tune.py"))
    config = tune.base_config(module.CONFIG, {})
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    for _ in range(8):
        overrides = {**module.space(study.ask()), **getattr(module, "SEARCH", {})}
        for key in overrides:  # update_from_flattened_dict would add a new leaf silently
            *parents, leaf = key.split(".")
            node = config
            for name in parents:
                node = node[name]
            assert leaf in node, f"{path}: {key} is not a key of {module.CONFIG}"
        tune.base_config(module.CONFIG, overrides)  # and each value has the key's type
