"""Every command accepts --json and then prints one JSON document on stdout."""

from __future__ import annotations

import json

import typer

from ledger.cli import app

from .conftest import run


def _commands(command, path=()):
    if hasattr(command, "commands"):
        for name, sub in command.commands.items():
            yield from _commands(sub, (*path, name))
    else:
        yield " ".join(path), command


def test_every_command_accepts_json():
    options = {
        name: {opt for param in cmd.params for opt in getattr(param, "opts", ())}
        for name, cmd in _commands(typer.main.get_command(app))
    }
    assert len(options) > 60
    assert sorted(name for name, opts in options.items() if "--json" not in opts) == []


def test_chain_and_index_commands_print_json(env):
    code, out = run(env, "deploy", "--json")
    assert code == 0, out
    deployed = json.loads(out)
    assert deployed["contracts"] and all(c["address"] for c in deployed["contracts"].values())
    code, out = run(env, "check-code", "--json")
    assert code == 0 and json.loads(out)["matches"] is True, out
    code, out = run(env, "index", "--json")
    assert code == 0 and json.loads(out)["block"] >= 0, out
    code, out = run(env, "status", "--json")
    status = json.loads(out)
    assert code == 0 and status["chain_id"] == deployed["chain_id"], out
    assert status["contracts"] == {k: v["address"] for k, v in deployed["contracts"].items()}
