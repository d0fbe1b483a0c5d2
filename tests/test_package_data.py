"""A non-editable install carries every data and static file the app serves."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "backend" / "tarot"


def test_package_data_covers_every_served_file():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["tarot"]
    served = [
        path.relative_to(PACKAGE)
        for folder in ("data", "static")
        for path in (PACKAGE / folder).rglob("*")
        if path.is_file() and path.suffix != ".py" and "__pycache__" not in path.parts
    ]
    assert len(served) > 80
    missing = [str(path) for path in served if not any(path.match(p) for p in patterns)]
    assert not missing, f"add these to [tool.setuptools.package-data]: {missing}"
