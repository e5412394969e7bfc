#!/usr/bin/env python3
"""Baseline: a pymodbus client polling the same server (what many gateways are built on).

Usage: pymodbus_loop.py PORT TRANSACTIONS COUNT; prints the same JSON line as c_read_loop."""
import json
import sys
import time

from pymodbus.client import ModbusTcpClient


def main():
    port, n, count = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    client = ModbusTcpClient("127.0.0.1", port=port)
    client.connect()
    checksum = 0
    c0, t0 = time.thread_time_ns(), time.monotonic_ns()
    for _ in range(n):
        reply = client.read_holding_registers(0, count=count, device_id=1)
        if reply.isError():
            sys.exit(f"read: {reply}")
        checksum += reply.registers[-1]
    t1, c1 = time.monotonic_ns(), time.thread_time_ns()
    client.close()
    print(json.dumps({"transactions": n, "wall_ns": t1 - t0, "cpu_ns": c1 - c0, "checksum": checksum}))


if __name__ == "__main__":
    main()
