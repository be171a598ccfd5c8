"""Run docs/deployment.md's systemd steps as written on this Debian host, then check the result.

    deploy/check-docs [--keep] [--timeout SECONDS]

As root on a scratch Debian 12 host. It creates what the docs create (the user `hecbot`,
/srv/hecbot, /etc/hecbot, the PostgreSQL role and database `hecbot`, the units in
/etc/systemd/system), refuses to start if any of them exists, and removes them at the end
(`--keep` leaves them for a look). The blocks run are the ```sh blocks marked
`<!-- check-docs: systemd -->` and `<!-- check-docs: rollback -->`, with only these changes:

- the three values the operator fills in: the fake Bot API's token, a webhook URL on this host
  (http: the fake Telegram accepts it), and this checkout as `HECBOT_REPO`;
- `TELEGRAM_API_BASE` (the fake Telegram, started here) appended to /etc/hecbot/hecbot.env;
- `REVISION` in the rollback: the migration before this checkout's newest;
- the host's network settings (a proxy's certificate authority: `SSL_CERT_FILE` and the like)
  are passed on to the steps, so `make install` can reach PyPI from a sandbox;
- `redis-cli CONFIG SET/REWRITE` is printed, not sent, with `--shared-redis` (a Redis other
  people use is not reconfigured by a check);
- `systemctl`, where systemd is not PID 1 (containers, CI sandboxes): `enable --now`, `start`,
  `restart` and `stop` run and stop each unit's own `ExecStart=` line as its `User=`, in its
  `WorkingDirectory=`, with its `EnvironmentFile=` (later lines winning, as in systemd) and
  `%i` expanded. The sandboxing options (`ProtectSystem=`, `PrivateTmp=`) are not applied.

Then it checks: both bot instances and the worker answer `/readyz` with 200, a learner's
message posted through Telegram's webhook gets a reply (a new learner is first asked to
accept the privacy notice), and after the rollback block the
database's `alembic_version` is the revision asked for.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "deployment.md"
STATE = Path(os.environ.get("CHECK_DOCS_STATE", "/run/hecbot-check-docs"))
SYSTEMD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
UNIT_DIR = Path("/etc/systemd/system")
CREATED = ("/srv/hecbot", "/etc/hecbot")
PORTS = {"bot1": 8081, "bot2": 8082, "worker": 9100, "chroma": 8000}
LEARNER = 7_100_000_001


def docs_block(marker: str, docs: Path = DOCS) -> str:
    """The ```sh block right after `<!-- check-docs: MARKER -->` in the deployment docs."""
    text = docs.read_text(encoding="utf-8")
    found = re.search(
        rf"<!-- check-docs: {re.escape(marker)} -->\s*```sh\n(.*?)```", text, flags=re.DOTALL
    )
    if found is None:
        raise SystemExit(f"docs/deployment.md has no block marked check-docs: {marker}")
    return found.group(1)


def set_value(block: str, name: str, value: str) -> str:
    """Replace the operator's `NAME='...'` line at the top of a block."""
    line = re.compile(rf"^{name}=.*$", flags=re.MULTILINE)
    if not line.search(block):
        raise SystemExit(f"the systemd block sets no {name}= for the operator to fill in")
    return line.sub(f"{name}={shlex.quote(value)}", block, count=1)


PREAMBLE = """\
set -euo pipefail
export PS4='+ docs$ '
if [ ! -d /run/systemd/system ]; then
  systemctl() { "$CHECK_PYTHON" "$CHECK_SELF" systemctl "$@"; }
fi
if [ -n "${CHECK_SHARED_REDIS:-}" ]; then
  redis-cli() {
    case "$*" in
      CONFIG\\ SET*|CONFIG\\ REWRITE*) echo "check-docs: not sent (shared Redis): redis-cli $*";;
      *) command redis-cli "$@";;
    esac
  }
fi
set -x
"""


# The host's own network settings, passed on: a host whose HTTPS goes through a proxy with its
# own certificate authority (CI, this project's sandbox) needs them to reach PyPI at all; a
# clean host with direct access has none of them set.
HOST_NETWORK = (
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "PIP_CERT",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "GIT_SSL_CAINFO",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
)


def script_env() -> dict[str, str]:
    """A root login's environment on a clean host: none of this machine's own settings but
    its network's (`HOST_NETWORK`)."""
    network = {name: os.environ[name] for name in HOST_NETWORK if name in os.environ}
    return network | {
        "PATH": SYSTEMD_PATH,
        "HOME": "/root",
        "LANG": "C.UTF-8",
        "TERM": "dumb",
        "CHECK_PYTHON": sys.executable,
        "CHECK_SELF": str(Path(__file__).resolve()),
        "CHECK_DOCS_STATE": str(STATE),
        "DEBIAN_FRONTEND": "noninteractive",
        "CHECK_SHARED_REDIS": os.environ.get("CHECK_SHARED_REDIS", ""),
    }


# --- systemctl, where systemd is not PID 1 ---------------------------------------------------


def unit_file(name: str) -> tuple[Path, str]:
    """The unit file of `name` (a template's for `name@instance`) and the instance."""
    base = name.removesuffix(".service")
    instance = ""
    if "@" in base:
        prefix, instance = base.split("@", 1)
        return UNIT_DIR / f"{prefix}@.service", instance
    return UNIT_DIR / f"{base}.service", instance


def unit_settings(path: Path) -> dict[str, str]:
    settings: dict[str, str] = {}
    section = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        if section == "Service" and "=" in line:
            key, value = line.split("=", 1)
            settings[key.strip()] = value.strip()
    return settings


def environment_file(path: Path) -> dict[str, str]:
    """systemd's `EnvironmentFile=` reading: KEY=VALUE lines, quotes removed, later ones win."""
    values: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")) or "=" not in line:
            continue
        key, value = line.split("=", 1)
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def expand(text: str, instance: str) -> str:
    return text.replace("%%", "\0").replace("%i", instance).replace("\0", "%")


def unit_start(name: str) -> None:
    path, instance = unit_file(name)
    service = unit_settings(path)
    user = service.get("User", "root")
    import pwd

    entry = pwd.getpwnam(user)
    env = {
        "PATH": SYSTEMD_PATH,
        "LANG": "C.UTF-8",
        "HOME": entry.pw_dir,
        "USER": user,
        "LOGNAME": user,
        "SHELL": entry.pw_shell,
    }
    env_file = service.get("EnvironmentFile")
    if env_file:
        optional = env_file.startswith("-")
        file = Path(env_file.lstrip("-"))
        if file.exists():
            env.update(environment_file(file))
        elif not optional:
            raise SystemExit(f"{name}: EnvironmentFile {file} does not exist")
    argv = shlex.split(expand(service["ExecStart"], instance))
    cwd = service.get("WorkingDirectory", entry.pw_dir)
    STATE.mkdir(parents=True, exist_ok=True)
    log = (STATE / f"{name}.log").open("ab")
    command = ["runuser", "-u", user, "--", *argv]
    if service.get("Type") == "oneshot":
        done = subprocess.run(
            command, check=False, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT
        )
        if done.returncode != 0:
            sys.stderr.write((STATE / f"{name}.log").read_text(errors="replace")[-3000:])
            raise SystemExit(f"{name}: {argv[0]} exited with {done.returncode}")
        return
    process = subprocess.Popen(
        command, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    (STATE / f"{name}.pid").write_text(str(process.pid))
    print(f"check-docs: started {name} (pid {process.pid}): {shlex.join(argv)}", flush=True)


def unit_stop(name: str, timeout: float = 30.0) -> None:
    pid_file = STATE / f"{name}.pid"
    if not pid_file.exists():
        return
    pid = int(pid_file.read_text())
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        pid_file.unlink()
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        os.killpg(pid, signal.SIGKILL)
    pid_file.unlink()
    print(f"check-docs: stopped {name}", flush=True)


def systemctl(args: list[str]) -> None:
    verbs = [a for a in args if not a.startswith("-")]
    if not verbs:
        raise SystemExit("systemctl: no verb")
    verb, units = verbs[0], verbs[1:]
    if verb == "daemon-reload":
        return
    if verb in ("enable", "disable") and "--now" not in args:
        return  # nothing starts at boot here: there is no boot
    if verb in ("start", "enable", "restart"):
        for unit in units:
            if verb == "restart":
                unit_stop(unit)
            unit_start(unit)
        return
    if verb in ("stop", "disable"):
        for unit in units:
            unit_stop(unit)
        return
    raise SystemExit(f"systemctl {verb}: not emulated by check-docs")


# --- the check ---------------------------------------------------------------------------


def preconditions(*, shared_redis: bool) -> list[str]:
    problems = []
    if os.geteuid() != 0:
        problems.append("run as root (it creates a user, /srv/hecbot and /etc/hecbot)")
    import pwd

    try:
        pwd.getpwnam("hecbot")
        problems.append("a user hecbot exists already")
    except KeyError:
        pass
    problems += [f"{path} exists already" for path in CREATED if Path(path).exists()]
    problems += [
        f"{unit} exists already" for unit in UNIT_DIR.glob("hecbot*.service") if unit.exists()
    ]
    for name, port in PORTS.items():
        import socket

        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                problems.append(f"port {port} ({name}) is in use")
    role = psql("SELECT 1 FROM pg_roles WHERE rolname = 'hecbot'")
    if role.strip():
        problems.append("PostgreSQL already has a role hecbot")
    return problems


def psql(query: str, database: str = "postgres") -> str:
    done = subprocess.run(
        ["runuser", "-u", "postgres", "--", "psql", "-Atc", query, database],
        check=False,
        capture_output=True,
        text=True,
        env={"PATH": SYSTEMD_PATH, "LANG": "C.UTF-8"},
        cwd="/",
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip())
    return done.stdout


def previous_revision() -> tuple[str, str]:
    """This checkout's newest migration and the one before it."""
    newest = sorted((ROOT / "bot/storage/migrations/versions").glob("[0-9]*.py"))[-1]
    found = re.search(r'^down_revision[^=]*=\s*"([^"]+)"', newest.read_text(), re.MULTILINE)
    if found is None:
        raise SystemExit(f"{newest.name} names no down_revision")
    return newest.stem, found.group(1)


def write_gitconfig() -> Path:
    """A global git config every user may read, naming any repository safe to clone."""
    STATE.mkdir(parents=True, exist_ok=True)
    STATE.chmod(0o755)
    gitconfig = STATE / "gitconfig"
    gitconfig.write_text("[safe]\n\tdirectory = *\n", encoding="utf-8")
    gitconfig.chmod(0o644)
    return gitconfig


def write_script(name: str, body: str) -> Path:
    STATE.mkdir(parents=True, exist_ok=True)
    script = STATE / f"{name}.sh"
    script.write_text(PREAMBLE + body, encoding="utf-8")
    return script


async def run_block(name: str, body: str, timeout: float) -> None:
    script = write_script(name, body)
    print(f"check-docs: running the {name} block of docs/deployment.md", flush=True)
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec("bash", str(script), env=script_env(), cwd="/")
    try:
        code = await asyncio.wait_for(process.wait(), timeout)
    except TimeoutError:
        process.kill()
        raise SystemExit(f"the {name} block did not finish in {timeout:.0f} s") from None
    if code != 0:
        raise SystemExit(f"the {name} block failed (exit {code}); the trace above shows where")
    print(f"check-docs: {name} block done in {time.monotonic() - started:.0f} s", flush=True)


async def wait_ready(url: str, timeout: float = 180.0) -> dict[str, object]:
    from aiohttp import ClientError, ClientSession

    deadline = time.monotonic() + timeout
    last = "no answer"
    async with ClientSession() as http:
        while time.monotonic() < deadline:
            try:
                async with http.get(url) as response:
                    body = await response.json(content_type=None)
                    if response.status == 200:
                        return dict(body)
                    last = f"{response.status} {body}"
            except (ClientError, OSError) as error:
                last = str(error)
            await asyncio.sleep(2)
    raise SystemExit(f"{url} not ready after {timeout:.0f} s: {last}")


async def check(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.fakebotapi import DEFAULT_TOKEN, FakeTelegram

    async with FakeTelegram(strict_chats=False, host="127.0.0.1") as fake:
        block = docs_block("systemd", args.docs)
        block = set_value(block, "BOT_TOKEN", DEFAULT_TOKEN)
        webhook = f"http://127.0.0.1:{PORTS['bot1']}/telegram/webhook"
        block = set_value(block, "WEBHOOK_URL", webhook)
        block = set_value(block, "HECBOT_REPO", str(args.repo))
        # The fake Telegram, before any unit starts (they are started after the env file).
        first_unit = block.index("systemctl enable --now")
        line_start = block.rindex("\n", 0, first_unit) + 1
        block = (
            block[:line_start]
            + f"echo 'TELEGRAM_API_BASE={fake.base_url}' >> /etc/hecbot/hecbot.env"
            + "  # check-docs: the fake Telegram\n"
            + block[line_start:]
        )
        # git refuses to clone a repository another user owns unless told it is safe; the
        # docs' HECBOT_REPO is a URL in production, a local checkout here.
        block = f"export GIT_CONFIG_GLOBAL={write_gitconfig()}\n" + block
        await run_block("systemd", block, args.timeout)

        for name in ("bot1", "bot2", "worker"):
            body = await wait_ready(f"http://127.0.0.1:{PORTS[name]}/readyz")
            print(f"check-docs: {name} ready: {body.get('status')}", flush=True)
        fake.push_message(LEARNER, "How do I apply for a Coursera licence?", language_code="en")
        replies = await fake.wait_for("sendMessage", lambda r: r.chat_id == LEARNER, timeout=120)
        print(f"check-docs: the learner got: {str(replies[0].params.get('text'))[:120]!r}")

        newest, previous = previous_revision()
        rollback = docs_block("rollback", args.docs).replace("REVISION", previous)
        await run_block("rollback", rollback, 300)
        version = psql("SELECT version_num FROM alembic_version", "hecbot").strip()
        if version != previous:
            raise SystemExit(f"after the rollback the database is at {version}, not {previous}")
        print(f"check-docs: rolled back from {newest} to {version}", flush=True)
    print("check-docs: OK: docs/deployment.md's systemd steps ran as written", flush=True)


def clean_up() -> None:
    for pid_file in STATE.glob("*.pid") if STATE.exists() else []:
        unit_stop(pid_file.stem, timeout=15)
    commands = [
        ["runuser", "-u", "postgres", "--", "dropdb", "--if-exists", "hecbot"],
        ["runuser", "-u", "postgres", "--", "psql", "-c", "DROP ROLE IF EXISTS hecbot"],
        ["userdel", "hecbot"],
        ["rm", "-rf", *CREATED, str(STATE)],
    ]
    for command in commands:
        subprocess.run(command, cwd="/", env={"PATH": SYSTEMD_PATH}, check=False)
    for unit in UNIT_DIR.glob("hecbot*.service"):
        unit.unlink()
    for link in UNIT_DIR.glob("*.wants/hecbot*.service"):
        link.unlink()


def main(argv: Iterator[str] | None = None) -> None:
    arguments = list(argv if argv is not None else sys.argv[1:])
    if arguments[:1] == ["systemctl"]:
        systemctl(arguments[1:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="leave what the steps made")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds for the steps")
    parser.add_argument("--repo", type=Path, default=ROOT, help="HECBOT_REPO (this checkout)")
    parser.add_argument("--docs", type=Path, default=DOCS, help="the deployment docs to run")
    parser.add_argument(
        "--shared-redis",
        action="store_true",
        help="do not send the docs' CONFIG SET/REWRITE to Redis (others use it)",
    )
    args = parser.parse_args(arguments)
    problems = preconditions(shared_redis=args.shared_redis)
    if problems:
        raise SystemExit("check-docs cannot run here: " + "; ".join(problems))
    if args.shared_redis:
        os.environ["CHECK_SHARED_REDIS"] = "1"
    try:
        asyncio.run(check(args))
    finally:
        if not args.keep:
            clean_up()


if __name__ == "__main__":
    main()
