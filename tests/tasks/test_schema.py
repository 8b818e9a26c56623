"""Every task's own keys: the defaults pass; an unknown, missing or wrongly typed key, a
non-positive size or an unknown choice is a one-line ConfigError naming the key and task."""

import pytest

from configs import default
from lstm_jax.errors import ConfigError
from lstm_jax.tasks import _REGISTRY, get_task

TASKS = sorted(_REGISTRY)


def test_every_task_declares_its_data_keys():
    want = {"adding", "copy", "lm", "classify", "translate", "tag", "forecast", "speech", "qa"}
    assert set(TASKS) == want
    for name in TASKS:
        assert get_task(name).keys["data"], name


@pytest.mark.parametrize("name", TASKS)
def test_the_default_config_passes(name):
    get_task(name).check_config(default.get_config(name))


@pytest.mark.parametrize("name", TASKS)
def test_unknown_key_is_named_with_its_task(name):
    c = default.get_config(name)
    first = next(iter(c.data))
    with c.unlocked():
        c.data[first + "x"] = 1
    with pytest.raises(ConfigError, match=rf"config.data.{first}x is not a key of task '{name}'"):
        get_task(name).check_config(c)


@pytest.mark.parametrize("name", TASKS)
def test_wrong_type_and_missing_key(name):
    task = get_task(name)
    key = next(k for k, v in task.keys["data"].items() if not isinstance(v, str))
    c = default.get_config(name)
    with c.ignore_type():
        c.data[key] = "text"
    with pytest.raises(ConfigError, match=rf"config.data.{key} must be .*task '{name}'") as e:
        task.check_config(c)
    assert "\n" not in str(e.value)
    c = default.get_config(name)
    del c.data[key]
    with pytest.raises(ConfigError, match=rf"config.data.{key} is missing \(task '{name}'"):
        task.check_config(c)


def test_sizes_and_choices():
    c = default.get_config("translate")
    c.decode.beam = 0
    with pytest.raises(ConfigError, match=r"decode\.beam must be a positive int"):
        get_task("translate").check_config(c)
    c = default.get_config("tag")
    c.data.scheme = "iob3"
    with pytest.raises(ConfigError, match=r"unknown data.scheme 'iob3'; choose one of"):
        get_task("tag").check_config(c)


def test_a_typo_gets_a_suggestion():
    c = default.get_config("lm")
    with c.unlocked():
        c.data.bpt = 35
    with pytest.raises(ConfigError, match=r"did you mean data.bptt\?"):
        get_task("lm").check_config(c)
