"""What can be checked of the image and the set-up without a Docker engine."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def instructions(name: str) -> list[str]:
    joined = re.sub(r"\\\n", " ", DOCKERFILE)
    return [line.split(None, 1)[1] for line in joined.splitlines()
            if line.strip().upper().startswith(name + " ")]


def test_the_image_runs_as_a_non_root_user():
    users = instructions("USER")
    assert users and users[-1].strip() not in {"root", "0"}


def test_every_copied_path_exists():
    for line in instructions("COPY"):
        if "--from=" in line:
            continue
        *sources, _ = shlex.split(line)
        for source in sources:
            assert (ROOT / source).exists(), source


def test_the_health_check_asks_readyz_with_plain_python():
    check = instructions("HEALTHCHECK")[0]
    command = json.loads(check[check.index("CMD") + 3:].strip())
    assert command[:2] == ["python", "-c"]
    compile(command[2], "<healthcheck>", "exec")
    assert "/readyz" in command[2]


def test_gunicorn_is_started_in_exec_form():
    command = json.loads(instructions("CMD")[-1])
    assert command[0] == "gunicorn"
    assert "gunicorn.conf.py" in command


def test_ci_runs_the_readmes_test_command():
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_the_build_stage_copies_the_files_pyproject_names():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    build_stage = re.sub(r"\\\n", " ", DOCKERFILE.split("\nFROM ")[1])
    copied = {source for line in build_stage.splitlines() if line.startswith("COPY ")
              for source in shlex.split(line)[1:-1]}
    for name in [project["readme"], *project["license-files"]]:
        assert name in copied, name


def test_the_image_user_has_a_home_it_can_write():
    run = " ".join(instructions("RUN"))
    assert "useradd" in run and "--create-home" in run


def test_make_image_test_is_named_in_the_readme_but_not_in_make_test():
    readme = (ROOT / "README.md").read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert "make image-test" in readme and "make image\n" not in makefile
    test_recipe = makefile.split("\ntest:")[1].split("\n\n")[0]
    assert "image" not in test_recipe
