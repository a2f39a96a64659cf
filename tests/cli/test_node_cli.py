"""Setup mistakes exit 2 naming the setting: a bad environment variable, a node that does
not answer, an address the API cannot listen on (each was a traceback)."""

from __future__ import annotations

import socket

from .conftest import run


def test_a_bad_setting_names_its_variable(env):
    code, out = run(env | {"CREDENCE_NODE_PORT": "abc"}, "status")
    assert code == 2 and "CREDENCE_NODE_PORT" in out and "Traceback" not in out, out


def test_a_node_that_does_not_answer(env, tmp_path):
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    unreachable = {
        "CREDENCE_DATA_DIR": str(tmp_path),
        "CREDENCE_RPC_URL": f"http://127.0.0.1:{port}",
    }
    code, out = run(unreachable, "status", "--json")
    assert code == 2 and "CREDENCE_RPC_URL" in " ".join(out.split()), out


def test_up_refuses_an_address_it_cannot_listen_on(env):
    for args, needle in (
        (("up", "--port", "70000"), "--port"),
        (("up", "--host", "no-such-host.invalid", "--port", "18000"), "cannot listen"),
    ):
        code, out = run(env, *args)
        assert code == 2 and needle in " ".join(out.split()), out
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        code, out = run(env, "up", "--port", str(taken.getsockname()[1]))
        assert code == 2 and "cannot listen" in " ".join(out.split()), out
