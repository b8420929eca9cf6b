"""docker-compose.yml, Dockerfile, .env.example and .dockerignore, checked without a Docker engine."""

from __future__ import annotations

import fnmatch
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import AliasChoices, SecretStr

from bot.settings import Settings

REPO = Path(__file__).resolve().parent.parent
SETTING_LINE = re.compile(r"^(#\s?)?((?:NEWSBOT|DISCORD)_[A-Z0-9_]+)=(.*)$")


# ---- helpers
def compose() -> dict[str, Any]:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))


def bot_service() -> dict[str, Any]:
    return compose()["services"]["bot"]


def as_argv(command: str | list[str]) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else [str(c) for c in command]


def compose_env() -> dict[str, str]:
    env = bot_service().get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    joined: list[str] = []
    pending = ""
    for raw in (REPO / "Dockerfile").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        joined.append(pending + line)
        pending = ""
    assert not pending, "the Dockerfile ends inside a continued line"
    out = []
    for line in joined:
        instruction, _, args = line.partition(" ")
        out.append((instruction.upper(), args.strip()))
    return out


def index_of(steps: list[tuple[str, str]], predicate: Any) -> int:
    for i, step in enumerate(steps):
        if predicate(step):
            return i
    raise AssertionError("no such Dockerfile step")


def pip_installs(text: str) -> list[list[str]]:
    """The arguments after every `pip install` in shell command lines (quotes respected)."""
    found = []
    for line in text.splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        commands: list[list[str]] = [[]]
        for token in lexer:
            if token in {"&&", "||", ";", "|", ">", ">>", "<"}:
                commands.append([])
            else:
                commands[-1].append(token)
        for argv in commands:
            for i in range(len(argv) - 1):
                if argv[i].endswith("pip") and argv[i + 1] == "install":
                    found.append(argv[i + 2 :])
    return found


def env_name(field_name: str) -> str:
    alias = Settings.model_fields[field_name].validation_alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return f"NEWSBOT_{field_name.upper()}"


def env_example() -> dict[str, tuple[bool, str]]:
    """Setting name -> (active, value) from .env.example."""
    settings: dict[str, tuple[bool, str]] = {}
    for line in (REPO / ".env.example").read_text(encoding="utf-8").splitlines():
        match = SETTING_LINE.match(line)
        if match:
            commented, name, value = match.groups()
            assert name not in settings, f"{name} appears twice in .env.example"
            settings[name] = (commented is None, value)
    return settings


# ---- docker-compose.yml
def test_compose_runs_the_bot_service_with_newsbot_run() -> None:
    service = bot_service()
    assert as_argv(service["command"]) == ["newsbot", "run"]
    assert service["restart"] == "unless-stopped"
    assert service["init"] is True  # so `docker compose stop` reaches newsbot at once
    env_file = service["env_file"]
    paths = (
        [env_file]
        if isinstance(env_file, str)
        else [e if isinstance(e, str) else e["path"] for e in env_file]
    )
    assert paths == [".env"]
    assert service.get("build") in (".", {"context": "."})


def test_compose_listens_on_all_container_interfaces_but_publishes_on_loopback() -> None:
    env = compose_env()
    assert env["NEWSBOT_HTTP_HOST"] == "0.0.0.0"
    container_port = env["NEWSBOT_HTTP_PORT"]
    published = [str(p) for p in bot_service()["ports"]]
    assert published == [f"127.0.0.1:{container_port}:{container_port}"]
    # The code's default stays loopback: only the container opts in to 0.0.0.0.
    assert Settings.model_fields["http_host"].default == "127.0.0.1"


def test_compose_keeps_corpus_and_index_on_named_volumes() -> None:
    env = compose_env()
    mounts = {}
    for volume in bot_service()["volumes"]:
        source, target = str(volume).split(":")[:2]
        mounts[target] = source
    declared = compose().get("volumes") or {}
    for setting in ("NEWSBOT_CORPUS_DIR", "NEWSBOT_DATA_DIR"):
        target = env[setting]
        assert target in mounts, f"no volume mounted on {setting}={target}"
        assert mounts[target] in declared, f"volume {mounts[target]} is not declared"
    assert env["NEWSBOT_CORPUS_DIR"] != env["NEWSBOT_DATA_DIR"]


def test_compose_healthcheck_calls_readyz_on_the_container_port() -> None:
    check = bot_service()["healthcheck"]
    test = as_argv(check["test"])
    assert test[0] in {"CMD", "CMD-SHELL"}
    argv = test[1:]
    assert argv[:3] == ["python", "-m", "bot.http.healthcheck"]
    assert argv[3] == "/readyz"
    for key in ("interval", "timeout", "retries", "start_period"):
        assert key in check
    # The module the healthcheck runs exists in the package the image installs.
    assert (REPO / "bot" / "http" / "healthcheck.py").is_file()


def test_compose_rotates_logs() -> None:
    logging = bot_service()["logging"]
    assert logging["driver"] == "json-file"
    assert re.fullmatch(r"\d+[kmg]", str(logging["options"]["max-size"]))
    assert int(logging["options"]["max-file"]) >= 2


# ---- Dockerfile
def test_dockerfile_uses_slim_python_311_and_a_non_root_user() -> None:
    steps = dockerfile()
    assert steps[0][0] == "FROM"
    assert re.fullmatch(r"python:3\.11-slim(-\w+)?", steps[0][1])
    users = [args for instr, args in steps if instr == "USER"]
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    user_at = index_of(steps, lambda s: s[0] == "USER")
    cmd_at = index_of(steps, lambda s: s[0] == "CMD")
    assert user_at < cmd_at
    assert as_argv(_json_or_shell(steps[cmd_at][1])) == ["newsbot", "run"]


def _json_or_shell(args: str) -> list[str] | str:
    return yaml.safe_load(args) if args.startswith("[") else args


def test_dockerfile_installs_dependencies_in_a_layer_before_the_source() -> None:
    steps = dockerfile()
    copy_lock = index_of(
        steps, lambda s: s[0] == "COPY" and s[1].split()[:-1] == ["requirements.lock"]
    )
    deps = index_of(
        steps,
        lambda s: (
            s[0] == "RUN" and ["--require-hashes", "-r", "requirements.lock"] in pip_installs(s[1])
        ),
    )
    copy_all = index_of(steps, lambda s: s[0] == "COPY" and s[1].split()[0] == ".")
    install = index_of(steps, lambda s: s[0] == "RUN" and ["--no-deps", "."] in pip_installs(s[1]))
    assert copy_lock < deps < copy_all < install
    # Nothing but the lock file is in the image before the dependency layer.
    assert all(s[0] != "COPY" for s in steps[:copy_lock])


def _locked(path: Path) -> dict[str, tuple[str, int]]:
    """name -> (pinned version, number of hashes) of a pip-compile lock file."""
    pins: dict[str, tuple[str, int]] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==(\S+)", line)
        if match:
            current = canonical(match.group(1))
            pins[current] = (match.group(2).rstrip(" \\"), 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
    return pins


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@pytest.mark.parametrize(
    ("lock", "groups"), [("requirements.lock", ()), ("requirements-dev.lock", ("test", "dev"))]
)
def test_lock_files_pin_every_declared_dependency_within_its_range_with_hashes(
    lock: str, groups: tuple[str, ...]
) -> None:
    from packaging.requirements import Requirement

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    declared = [Requirement(r) for r in project["dependencies"]]
    for group in groups:
        declared += [
            Requirement(r)
            for r in project["optional-dependencies"][group]
            if not r.startswith("newsbot")
        ]
    pins = _locked(REPO / lock)
    for requirement in declared:
        name = canonical(requirement.name)
        assert name in pins, f"{requirement.name} is not in {lock}; run .ci/lock"
        version, _ = pins[name]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{lock} pins {name}=={version}, outside {requirement.specifier}; run .ci/lock"
        )
    assert all(hashes >= 1 for _, hashes in pins.values()), "every pin needs its hashes"
    assert "newsbot" not in pins  # the project itself is installed on its own (--no-deps)


def test_dockerfile_installs_the_project_like_the_makefile_but_runtime_only() -> None:
    docker = [args for instr, args in dockerfile() if instr == "RUN" for args in pip_installs(args)]
    project_installs = [args for args in docker if args and args[-1].startswith(".")]
    assert project_installs == [["--no-deps", "."]], (
        "the image installs the project with `pip install --no-deps .` over the lock"
    )

    make = pip_installs((REPO / "Makefile").read_text(encoding="utf-8"))
    assert ["--quiet", "--require-hashes", "-r", "requirements-dev.lock"] in make
    make_project = [args[-1] for args in make if args and args[-1].strip("'\"").startswith(".")]
    assert make_project, "the Makefile installs the project"
    # Same project root; the Makefile adds the editable flag, the image does not.
    assert {spec.strip("'\"").split("[")[0] for spec in make_project} == {"."}

    docs = (REPO / "README.md").read_text(encoding="utf-8")
    assert "pip install ." in docs


def test_dockerfile_paths_match_compose() -> None:
    env: dict[str, str] = {}
    for instr, args in dockerfile():
        if instr == "ENV":
            for item in shlex.split(args):
                key, _, value = item.partition("=")
                env[key] = value
    compose_vars = compose_env()
    for key in ("NEWSBOT_CORPUS_DIR", "NEWSBOT_DATA_DIR", "NEWSBOT_HTTP_HOST", "NEWSBOT_HTTP_PORT"):
        assert env[key] == compose_vars[key], key
    health = next(args for instr, args in dockerfile() if instr == "HEALTHCHECK")
    assert "bot.http.healthcheck" in health and "/readyz" in health


# ---- .env.example
def test_env_example_documents_every_setting_and_nothing_else() -> None:
    documented = env_example()
    expected = {env_name(name) for name in Settings.model_fields}
    assert set(documented) == expected
    active, token = documented["DISCORD_TOKEN"]
    assert active and token == ""


def test_env_example_defaults_are_the_real_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    for key in list(os.environ):
        if key.startswith(("NEWSBOT_", "DISCORD_")):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    uncommented = [
        re.sub(r"^#\s?(?=(NEWSBOT|DISCORD)_)", "", line)
        for line in (REPO / ".env.example").read_text(encoding="utf-8").splitlines()
    ]
    env_file = tmp_path / "all.env"
    env_file.write_text("\n".join(uncommented) + "\n", encoding="utf-8")
    settings = Settings(_env_file=env_file)  # type: ignore[call-arg]
    for name, field in Settings.model_fields.items():
        value = getattr(settings, name)
        if isinstance(value, SecretStr) or field.annotation in (SecretStr | None,):
            assert value is None or value.get_secret_value() == "", name
        else:
            assert value == field.get_default(call_default_factory=True), name


# ---- .dockerignore
def test_dockerignore_keeps_secrets_out_and_the_build_inputs_in() -> None:
    patterns = [
        line.strip()
        for line in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]

    def ignored(path: str) -> bool:
        result = False
        for pattern in patterns:
            negate = pattern.startswith("!")
            pattern = pattern.lstrip("!").removeprefix("**/")
            if fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path.split("/")[0], pattern):
                result = not negate
        return result

    for secret in (".env", ".env.local", ".git", ".venv", ".newsbot"):
        assert ignored(secret), secret
    for needed in (
        "pyproject.toml",
        "requirements.lock",
        "README.md",
        "bot",
        "index",
        "corpus",
        "bench",
        ".env.example",
    ):
        assert not ignored(needed), needed
    packages = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"][
        "packages"
    ]
    for package in packages:
        assert not ignored(package.replace(".", "/")), package
