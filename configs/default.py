"""Every config key the engine reads, with its default, and the task's own keys (its
``data`` section and, for some tasks, ``decode`` or ``predict``) with the defaults the task
declares (``lstm_jax/tasks/<task>.py``). Experiment configs override these."""

import ml_collections


def epochs(c: ml_collections.ConfigDict, n: float):
    """n epochs as a step count that follows ``c.steps_per_epoch``. The engine sets that
    from the data it loads (LM windows, classification batches), in a copy of the config;
    the value a config gives it only stands in until then. A fractional n rounds down to
    whole steps (config step counts are ints)."""
    ref = c.get_ref("steps_per_epoch")
    return (
        ref * n if float(n).is_integer() and isinstance(n, int) else (ref * round(n * 1000)) // 1000
    )


def get_config(task: str = "adding") -> ml_collections.ConfigDict:
    from lstm_jax.tasks import get_task  # imported here: the configs load without JAX

    c = ml_collections.ConfigDict()
    c.task = task
    c.seed = 0
    c.batch_size = 64
    c.num_train_steps = 1000
    c.num_epochs = 0.0  # > 0: passes over the training data; sets num_train_steps from the data
    c.log_every = 50
    c.progress_seconds = 30.0  # without a terminal, a progress line at least this often
    c.eval_every = 200
    c.eval_batches = 4
    c.checkpoint_every = 200
    c.keep_checkpoints = 3
    c.early_stopping_patience = 0  # evaluations without improvement; 0 = off
    # the weights the final test reports: "best" (by the validation metric) or "last"
    # (the weights training ended with, as Keras' EarlyStopping without restore_best_weights)
    # or "none" (no test: a hyperparameter search selects on validation and never reads test)
    c.test_checkpoint = "best"
    # the matmuls' input dtype: "bfloat16" halves their time on CPUs with AVX512-BF16 and on
    # GPUs/TPUs; parameters, optimizer state, LSTM cell states and losses stay float32
    # (bfloat16 has float32's range, so no loss scaling)
    c.dtype = "float32"  # float32 | bfloat16

    c.model = ml_collections.ConfigDict()
    c.model.cell = "lstm"  # lstm | gru | rnn
    c.model.hidden_features = 64
    c.model.num_layers = 1

    # training batches per epoch, for epoch-valued keys (epochs()): set from the data
    c.steps_per_epoch = ml_collections.FieldReference(1)
    for section, keys in get_task(task).keys.items():
        c[section] = ml_collections.ConfigDict(keys)

    c.optimizer = ml_collections.ConfigDict()
    c.optimizer.name = "adam"  # sgd | adam | adamw
    c.optimizer.learning_rate = 1e-3
    c.optimizer.momentum = 0.0
    c.optimizer.weight_decay = 0.0
    c.optimizer.clip_norm = 1.0  # 0 = off
    c.optimizer.schedule = "constant"  # constant | step | cosine | plateau
    c.optimizer.warmup_steps = 0
    c.optimizer.decay_factor = 0.5
    c.optimizer.decay_every = 1000
    c.optimizer.decay_start = 0
    c.optimizer.plateau_patience = 2
    c.optimizer.accumulate_steps = 1
    # NT-ASGD (Merity et al. 2017): "nonmono" starts averaging the iterates once the
    # validation metric is worse than the best of all but the last `nonmono` evaluations
    c.optimizer.average = "off"  # off | nonmono
    c.optimizer.nonmono = 5

    c.mesh = ml_collections.ConfigDict()
    c.mesh.num_devices = -1  # -1 = all

    c.distributed = ml_collections.ConfigDict()
    c.distributed.coordinator = ""  # "host:port" starts jax.distributed
    c.distributed.num_processes = 1
    c.distributed.process_id = 0
    return c
