"""The docs agree with the code: config table, metric names, resumable fields. No JAX compile."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import load_script

from alphazero import config as config_lib
from alphazero import metrics

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "docs" / "reference.md"
METRICS = ROOT / "docs" / "metrics.md"


def test_reference__config_and_preset_tables_are_up_to_date():
    stale = load_script("config_reference").check(REFERENCE)
    assert not stale, (
        f"docs/reference.md is out of date ({', '.join(stale)}); run "
        "python scripts/config_reference.py --write docs/reference.md"
    )


def test_reference__config_table_lists_every_field():
    rows = load_script("config_reference").config_rows()
    flat = config_lib.to_dict(config_lib.Config())
    leaves = []

    def walk(d, prefix=""):
        for key, value in d.items():
            if isinstance(value, dict):
                walk(value, f"{prefix}{key}.")
            else:
                leaves.append(prefix + key)

    walk(flat)
    assert [row[0] for row in rows] == leaves
    assert all(row[3] for row in rows), "every config field needs a one-line docstring"


ALL_NAMES = [
    *metrics.NAMES,
    *metrics.EXHAUSTIVE_NAMES,
    *metrics.GNUGO_NAMES,
    *metrics.AUXILIARY_NAMES,
    *metrics.HINDSIGHT_NAMES,
    *metrics.IMITATION_NAMES,
    *metrics.PUZZLE_NAMES,
]


@pytest.mark.parametrize("name", ALL_NAMES)
def test_metrics__every_name_is_documented(name):
    assert f"`{name}`" in METRICS.read_text()


@pytest.mark.parametrize("prefix", metrics.EVAL_PREFIXES)
def test_metrics__every_eval_prefix_is_documented(prefix):
    assert f"`{prefix}<opponent>`" in METRICS.read_text()


def test_metrics__documents_no_unknown_name():
    documented = re.findall(r"^\| `([a-z_]+/[^`]+)` \|", METRICS.read_text(), re.MULTILINE)
    known = set(ALL_NAMES)
    known |= {f"{prefix}<opponent>" for prefix in metrics.EVAL_PREFIXES}
    assert documented, "no metric table rows found in docs/metrics.md"
    assert set(documented) <= known, set(documented) - known


def test_reference__resuming_section_names_every_resumable_field():
    text = REFERENCE.read_text()
    assert "\n## Resuming\n" in text, "README links to docs/reference.md#resuming"
    section = text.split("\n## Resuming\n", 1)[1].split("\n## ", 1)[0]
    for name in config_lib.RESUMABLE_FIELDS:
        assert f"`{name}`" in section, name
