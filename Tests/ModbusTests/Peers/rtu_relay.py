#!/usr/bin/env python3
"""A faulty serial-to-Ethernet line for riglog's RTU-over-TCP tests.

Listens on PORT, connects each client to UPSTREAM_PORT (a converter or an RTU-over-TCP
server) and relays bytes both ways, spoiling every Nth reply: `crc` flips one data byte (the
CRC no longer matches), `unit` rewrites the unit id to 9 with a valid CRC (a converter that
answers for the wrong unit), `noise` sends the reply followed by stray bytes. Each reply is
assumed to arrive in one read, as on the loopback.

Usage: rtu_relay.py PORT UPSTREAM_PORT crc|unit|noise N
"""
import socket
import sys
import threading


def crc16(frame):
    crc = 0xFFFF
    for byte in frame:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return bytes([crc & 0xFF, crc >> 8])


def spoil(reply, mode):
    if mode == "crc":
        return reply[:3] + bytes([reply[3] ^ 0x5A]) + reply[4:]
    if mode == "unit":
        body = bytes([9]) + reply[1:-2]
        return body + crc16(body)
    return reply + b"\x00\xff\x13"


def relay(client, upstream_port, mode, every):
    upstream = socket.create_connection(("127.0.0.1", upstream_port))
    for s in (client, upstream):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def requests():
        try:
            while data := client.recv(512):
                upstream.sendall(data)
        except OSError:
            pass
        upstream.close()

    threading.Thread(target=requests, daemon=True).start()
    count = 0
    try:
        while data := upstream.recv(512):
            count += 1
            client.sendall(spoil(data, mode) if count % every == 0 else data)
    except OSError:
        pass
    client.close()


def main():
    port, upstream_port, mode, every = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(8)
    while True:
        client, _ = listener.accept()
        threading.Thread(target=relay, args=(client, upstream_port, mode, every), daemon=True).start()


if __name__ == "__main__":
    main()
