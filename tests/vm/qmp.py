#!/usr/bin/env python3
"""tests/vm/qmp.py - minimal QMP client for the VM test harness (stdlib only).

Owned by tests/vm/capture-vmcore.sh, which uses it to take the dump and stop
QEMU.  Usage:

    qmp.py SOCKET COMMAND [JSON-ARGS] [COMMAND [JSON-ARGS]]...

Connects to QEMU's QMP unix socket, negotiates capabilities, then runs the
commands in order; an argument starting with '{' is the "arguments" object
of the command before it.  Example:

    qmp.py run/qmp.sock dump-guest-memory \
        '{"paging": false, "protocol": "file:/abs/vmcore.elf", "detach": false}' quit

Each reply's "return" value is printed as one JSON line on stdout.  Exit
status 1 if a command returns an error (or the connection fails).  Events
are ignored; a closed connection right after "quit" is not an error.
"""
import json
import socket
import sys
import time


class QMPError(Exception):
    pass


class QMP:
    def __init__(self, path, connect_timeout=30.0):
        deadline = time.monotonic() + connect_timeout
        while True:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        self.rfile = self.sock.makefile("rb")
        greeting = self._next_reply()
        if "QMP" not in greeting:
            raise QMPError(f"unexpected greeting: {greeting}")
        self.execute("qmp_capabilities")

    def _next_reply(self):
        """Next non-event message (the greeting or a command's reply)."""
        while True:
            line = self.rfile.readline()
            if not line:
                raise EOFError("QMP connection closed")
            msg = json.loads(line)
            if "event" not in msg:
                return msg

    def execute(self, command, arguments=None):
        req = {"execute": command}
        if arguments is not None:
            req["arguments"] = arguments
        self.sock.sendall(json.dumps(req).encode() + b"\n")
        try:
            reply = self._next_reply()
        except EOFError:
            if command == "quit":
                return {}
            raise
        if "error" in reply:
            err = reply["error"]
            raise QMPError(f"{command}: {err.get('class')}: {err.get('desc')}")
        return reply.get("return", {})


def parse_commands(args):
    cmds = []
    for a in args:
        if a.startswith("{"):
            if not cmds or cmds[-1][1] is not None:
                raise SystemExit(f"qmp.py: arguments without a command: {a}")
            cmds[-1] = (cmds[-1][0], json.loads(a))
        else:
            cmds.append((a, None))
    return cmds


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    cmds = parse_commands(argv[2:])
    try:
        qmp = QMP(argv[1])
        for name, arguments in cmds:
            print(json.dumps(qmp.execute(name, arguments)), flush=True)
    except (OSError, EOFError, QMPError, ValueError) as e:
        print(f"qmp.py: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
