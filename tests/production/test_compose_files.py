"""The compose files and the image agree (checked by reading them; running them needs a Docker
daemon, see docs/deployment.md "Offline build")."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def compose(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / name).read_text(encoding="utf-8"))
    return loaded


def folders_made_for_the_app_user(dockerfile: str) -> set[str]:
    """Folders that a RUN line before `USER hecbot` both creates and gives to hecbot."""
    before_user = dockerfile.split("\nUSER hecbot", 1)[0]
    made: set[str] = set()
    for line in before_user.splitlines():
        if "mkdir" in line and "chown hecbot" in line:
            made.update(re.findall(r"(/srv/hecbot/[\w./-]+)", line.split("chown", 1)[0]))
    return made


def test_every_named_volume_of_the_app_image_is_a_folder_the_app_user_owns() -> None:
    # A fresh named volume takes the owner of the folder it covers: a folder missing from the
    # image makes a root-owned volume, and Chroma died with "unable to open database file".
    services = compose("compose.yaml")["services"]
    targets = {
        volume.split(":")[1]
        for service in services.values()
        if service.get("image") == "hecbot:latest"
        for volume in service.get("volumes", [])
        if not volume.startswith((".", "/"))
    }
    assert targets == {"/srv/hecbot/data", "/srv/hecbot/chroma"}
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert targets <= folders_made_for_the_app_user(dockerfile)


def test_the_folder_check_sees_a_missing_folder() -> None:
    dockerfile = "RUN mkdir -p /srv/hecbot/data && chown hecbot /srv/hecbot/data\nUSER hecbot\n"
    assert folders_made_for_the_app_user(dockerfile) == {"/srv/hecbot/data"}


def test_the_base_image_is_a_build_argument_defaulting_to_the_registry_image() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert "ARG BASE_IMAGE=python:3.11-slim\nFROM ${BASE_IMAGE}\n" in dockerfile


def test_the_overrides_name_only_services_of_the_compose_file() -> None:
    services = set(compose("compose.yaml")["services"])
    offline = compose("compose.offline.yaml")["services"]
    assert set(offline) == services
    for name, service in offline.items():
        if "build" in service:
            assert service["build"]["args"] == {"BASE_IMAGE": "local/python:3.11"}, name
        else:
            assert service["image"].startswith("local/"), name
    fake = compose("offline/compose.fake-telegram.yaml")["services"]
    assert set(fake) - services == {"telegram"}


def test_every_offline_image_the_override_uses_is_built_by_the_script() -> None:
    script = (DEPLOY / "offline" / "build-base-images").read_text(encoding="utf-8")
    built = set(re.findall(r"-t (local/[\w.:-]+)", script))
    used = {
        service["image"]
        for service in compose("compose.offline.yaml")["services"].values()
        if "image" in service
    }
    assert used <= built
