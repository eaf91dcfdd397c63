"""The standalone scripts' dependency check knows every runtime dependency pyproject.toml
declares, so a project missing one gets the one-line install hint, never a traceback."""

from __future__ import annotations

import re
import tomllib

from conftest import REPO
from sp_backend import bootstrap


def test_every_runtime_dependency_is_checked_before_running() -> None:
    declared = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    names = {
        re.split(r"[<>=!~\[ ;]", req, maxsplit=1)[0].lower()
        for req in declared["project"]["dependencies"]
    }
    assert set(bootstrap.REQUIRED.values()) == names


def test_a_missing_dependency_is_named_with_its_install_command(monkeypatch) -> None:
    real_import = bootstrap.importlib.import_module

    def without_jsonref(name: str):  # noqa: ANN202 - the module or ImportError
        if name == "jsonref":
            raise ImportError(name)
        return real_import(name)

    monkeypatch.setattr(bootstrap.importlib, "import_module", without_jsonref)
    assert bootstrap.missing_dependencies() == ["jsonref"]
    assert bootstrap.install_hint(["jsonref"]).endswith('-m pip install "jsonref"')
