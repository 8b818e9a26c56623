"""Every config key the engine reads, with its default. Experiment configs override these."""

import ml_collections


def epochs(c: ml_collections.ConfigDict, n: float):
    """n epochs as a step count that follows ``c.data.steps_per_epoch``, a FieldReference
    the task sets from the data it loads (LM windows, classification batches). A
    fractional n rounds down to whole steps (config step counts are ints)."""
    ref = c.data.get_ref("steps_per_epoch")
    return (
        ref * n if float(n).is_integer() and isinstance(n, int) else (ref * round(n * 1000)) // 1000
    )


def get_config() -> ml_collections.ConfigDict:
    c = ml_collections.ConfigDict()
    c.task = "adding"
    c.seed = 0
    c.batch_size = 64
    c.num_train_steps = 1000
    c.log_every = 50
    c.eval_every = 200
    c.eval_batches = 4
    c.checkpoint_every = 200
    c.keep_checkpoints = 3
    c.early_stopping_patience = 0  # evaluations without improvement; 0 = off
    # the weights the final test reports: "best" (by the validation metric) or "last"
    # (the weights training ended with, as Keras' EarlyStopping without restore_best_weights)
    c.test_checkpoint = "best"

    c.model = ml_collections.ConfigDict()
    c.model.cell = "lstm"  # lstm | gru | rnn
    c.model.hidden_features = 64
    c.model.num_layers = 1

    c.data = ml_collections.ConfigDict()
    c.data.length = 100
    c.data.num_symbols = 8

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
