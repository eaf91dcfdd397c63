"""This project's own dependencies: constraints.txt (what CI installs, from `bash .ci/lock`)
pins every requirement pyproject.toml declares for the test run, inside the declared range."""

from __future__ import annotations

import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import REPO


def pins() -> dict[str, str]:
    out = {}
    for line in (REPO / "constraints.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not an exact pin"
            out[canonicalize_name(name)] = version
    return out


def test_constraints_pin_every_declared_requirement_within_its_range() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pinned = pins()
    stale = []
    for text in project["dependencies"] + project["optional-dependencies"]["test"]:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        if name not in pinned:
            stale.append(f"{requirement} is not pinned")
        elif not requirement.specifier.contains(pinned[name], prereleases=True):
            stale.append(f"{requirement} but constraints.txt pins {pinned[name]}")
    assert not stale, "refresh constraints.txt with `bash .ci/lock`: " + "; ".join(stale)


def test_the_plotting_stack_is_only_for_the_benchmark() -> None:
    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    assert any(Requirement(r).name == "matplotlib" for r in extras["bench"])
    assert not any(Requirement(r).name == "matplotlib" for r in extras["test"])
    assert "matplotlib" not in pins()  # CI installs from constraints.txt: no chart libraries
