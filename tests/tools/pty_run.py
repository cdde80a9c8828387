#!/usr/bin/env python3
# Run a command with its stdin, stdout and stderr on a pseudo-terminal
# and copy what it wrote to our stdout; exit with its status.  Used by
# tests/tty.sh to test what ctaudit does on a terminal, deterministically.
import os
import pty
import sys

pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = b""
while True:
    try:
        data = os.read(fd, 65536)
    except OSError:
        break
    if not data:
        break
    out += data
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(out.replace(b"\r\n", b"\n"))
sys.exit(os.waitstatus_to_exitcode(status))
