"""Golden readings stay exactly as a person read and approved them (rewrite with golden.py)."""

from __future__ import annotations

import pytest
from golden import CASES, FOLDER, render


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_reading_is_unchanged(name):
    expected = (FOLDER / f"{name}.txt").read_text(encoding="utf-8")
    assert render(name) == expected


def test_every_golden_file_has_a_case():
    assert {path.stem for path in FOLDER.glob("*.txt")} == set(CASES)
