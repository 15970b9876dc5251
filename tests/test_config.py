"""config.py: config.json round trips, wrong shapes and types name the field, and validation
refuses values no range check would catch (inf, nan, numbers past 32 bits)."""

from __future__ import annotations

import dataclasses
import json

import pytest

from alphazero import config as config_lib
from alphazero import presets, validation


@pytest.mark.parametrize("name", sorted(presets.PRESETS))
def test_from_dict__every_preset_round_trips_through_json(name):
    config = presets.PRESETS[name]()
    assert config_lib.from_dict(json.loads(config_lib.to_json(config))) == config


def test_from_dict__json_ints_become_floats_lists_tuples_and_missing_fields_default():
    config = config_lib.from_dict({"train": {"learning_rate": 1}, "eval": {"opponents": ["a"]}})
    assert config.train.learning_rate == 1.0 and isinstance(config.train.learning_rate, float)
    assert config.eval.opponents == ("a",)
    assert config.network == config_lib.NetworkConfig()


@pytest.mark.parametrize(
    "data, message",
    [
        ([], "the config must be a JSON object, got list"),
        ({"train": [1]}, "train. must be a JSON object, got list"),
        ({"seed": "x"}, "config field seed must be int, got 'x'"),
        ({"seed": True}, "config field seed must be int, got True"),
        ({"seed": 1.0}, "config field seed must be int"),
        ({"train": {"learning_rate": "0.1"}}, "train.learning_rate must be float"),
        ({"network": {"torso": "cnn"}}, "network.torso must be Literal"),
        ({"eval": {"opponents": "random"}}, "eval.opponents must be tuple"),
        ({"eval": {"opponents": [1]}}, "eval.opponents must be tuple"),
        ({"train": {"augment": 1}}, "train.augment must be bool"),
        ({"nope": 1}, "unknown config field(s) ['nope'] in Config"),
    ],
)
def test_from_dict__wrong_shapes_and_types_name_the_field(data, message):
    with pytest.raises(ValueError) as error:
        config_lib.from_dict(data)
    assert message in str(error.value) and "\n" not in str(error.value)


def _with(section: str, **values) -> config_lib.Config:
    config = presets.tic_tac_toe()
    return dataclasses.replace(config, **{section: dataclasses.replace(
        getattr(config, section), **values)})  # fmt: skip


@pytest.mark.parametrize(
    "config, message",
    [
        (_with("train", learning_rate=float("inf")), "train.learning_rate must be finite, got inf"),
        (_with("replay", reuse=float("nan")), "replay.reuse must be finite, got nan"),
        (_with("search", dirichlet_alpha=float("-inf")), "search.dirichlet_alpha must be finite"),
        (_with("train", num_iterations=2**31), "train.num_iterations must lie in"),
        (_with("replay", reuse=1e12), "gradient steps per iteration"),
        (_with("eval", opponents=("gnugo-²",)), "unknown eval opponent 'gnugo-²'"),
    ],
)
def test_validate__refuses_non_finite_huge_and_unicode_values(config, message):
    with pytest.raises(config_lib.ConfigError) as error:
        validation.validate(config)
    assert message in str(error.value)
    validation.validate(presets.tic_tac_toe())  # the preset itself passes
