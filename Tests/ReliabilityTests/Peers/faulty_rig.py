#!/usr/bin/env python3
"""A Modbus device that misbehaves on purpose, for riglog's fault-injection tests.

Plain sockets, no Modbus library: it must break the protocol in ways a library would not let
it. It answers reads (function codes 1-4) of any unit with known values, register `a` of unit
`u` holding `u * 1000 + a` (unit 1: input 0 = 1000, input 1 = 1001), and device identification
(43) with exception 01 (no such function), except every EVERY-th read (the 4th, 8th, ...),
which it spoils the MODE way:

TCP (Modbus TCP on 127.0.0.1, or --host):
  normal               never spoils anything
  disconnect-mid-frame sends the first 5 bytes of the reply, then closes the connection (FIN)
  stall                never answers that request, nor anything else on that connection
  late                 answers after --late-ms (past the collector's timeout)
  wrong-tid            answers with the next transaction id (and wrong values)
  wrong-unit           answers from unit 9 (and wrong values)
  garbage              answers with bytes that are no Modbus reply (an HTTP error line)
  exception            answers exception 02 (illegal data address)
  oversize             answers 100 registers (wrong values) to a read of fewer, in a consistent frame
  truncated            answers 1 register (wrong value) to a read of more, in a consistent frame
  one-connection       serves one connection at a time, as small gateways do: a connection
                       made while another is open is closed at once (counted as refused). Its
                       spoiled read is never answered, and the gateway keeps that connection's
                       slot for --hold-ms from then on, whether the client closes it or not (as
                       one that notices a dead client late), refusing every connection meanwhile

RTU (--rtu PTY: a serial device, one end of a socat pty pair; RTU frames with CRC):
  crc                  flips a data byte of the reply, so its CRC fails
  slow                 writes each reply byte by byte at --baud (a pty ignores baud rates, so the
                       wire time of 11 bits a character is emulated with sleeps), after waiting
                       the request's own wire time

Spoiled replies carry 0xDEAD where values go, so a test sees it if one was ever stored.

--faults-from FILE: misbehave only while FILE exists (answer every read well before), so a
test can measure the rigs beside it with and without the faults in one run.

--stats FILE keeps a JSON object there, rewritten after every event: connections accepted,
refused, reads, answered, faults (spoiled reads), identifications.

Prints "listening on PORT" (TCP) or "serving PTY" (RTU) once ready.

Usage: faulty_rig.py --mode MODE [--port PORT] [--host HOST] [--rtu PTY] [--every N]
                     [--late-ms MS] [--hold-ms MS] [--baud BAUD] [--stats FILE]
                     [--faults-from FILE]
"""
import argparse
import json
import os
import socket
import struct
import sys
import threading
import time

WRONG = 0xDEAD
GARBAGE = b"HTTP/1.1 400 Bad Request\r\n\r\n"


class Stats:
    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.counts = {"connections": 0, "refused": 0, "reads": 0, "answered": 0, "faults": 0, "identifications": 0}
        self.write()

    def add(self, key, n=1):
        with self.lock:
            self.counts[key] += n
            self.write()

    def read_number(self):
        """Counts a read and returns its number (1, 2, ...)."""
        with self.lock:
            self.counts["reads"] += 1
            self.write()
            return self.counts["reads"]

    def write(self):
        if not self.path:
            return
        temporary = self.path + ".tmp"
        with open(temporary, "w") as f:
            json.dump(self.counts, f)
        os.replace(temporary, self.path)


def spoils(args, n):
    """Whether read number `n` is to be spoiled."""
    if args.mode == "normal" or n % args.every != 0:
        return False
    return args.faults_from is None or os.path.exists(args.faults_from)


def crc16(frame):
    crc = 0xFFFF
    for byte in frame:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return bytes([crc & 0xFF, crc >> 8])


def read_pdu(unit, function, address, count, registers=None):
    """The reply PDU (function code onwards) to a read of `count` items from `address`."""
    if function in (1, 2):
        bits = [((unit * 1000 + address + i) & 1) for i in range(count)]
        data = bytearray((count + 7) // 8)
        for i, bit in enumerate(bits):
            data[i // 8] |= bit << (i % 8)
        return bytes([function, len(data)]) + bytes(data)
    values = registers if registers is not None else [(unit * 1000 + address + i) & 0xFFFF for i in range(count)]
    return bytes([function, 2 * len(values)]) + b"".join(struct.pack(">H", v) for v in values)


def mbap(tid, unit, pdu):
    return struct.pack(">HHHB", tid, 0, len(pdu) + 1, unit) + pdu


def recv_exactly(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


class TCPRig:
    def __init__(self, args, stats):
        self.args = args
        self.stats = stats
        self.active = None
        self.active_lock = threading.Lock()
        self.held_until = 0.0

    def serve(self):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.args.host, self.args.port))
        listener.listen(16)
        print(f"listening on {listener.getsockname()[1]}", flush=True)
        while True:
            conn, _ = listener.accept()
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.args.mode == "one-connection" and not self.take_slot(conn):
                self.stats.add("refused")
                conn.close()
                continue
            self.stats.add("connections")
            threading.Thread(target=self.client, args=(conn,), daemon=True).start()

    def take_slot(self, conn):
        """One connection at a time; a client that closed its connection has freed the slot
        (its FIN came before the new SYN, so the check below sees it)."""
        with self.active_lock:
            if time.monotonic() < self.held_until:
                return False
            if self.active is not None and not self.closed_by_peer(self.active):
                return False
            self.active = conn
            return True

    @staticmethod
    def closed_by_peer(conn):
        # MSG_DONTWAIT rather than a non-blocking socket: the connection's own thread is
        # blocked reading it meanwhile.
        try:
            return conn.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
        except BlockingIOError:
            return False
        except OSError:
            return True

    def client(self, conn):
        try:
            self.answer_all(conn)
        except OSError:
            pass
        finally:
            with self.active_lock:
                if self.active is conn:
                    self.active = None
            try:
                conn.close()
            except OSError:
                pass

    def answer_all(self, conn):
        mode = self.args.mode
        while True:
            header = recv_exactly(conn, 7)
            if header is None:
                return
            tid, protocol, length, unit = struct.unpack(">HHHB", header)
            pdu = recv_exactly(conn, length - 1)
            if pdu is None:
                return
            function = pdu[0]
            if function == 43:
                self.stats.add("identifications")
                conn.sendall(mbap(tid, unit, bytes([0xAB, 0x01])))
                continue
            if function not in (1, 2, 3, 4) or len(pdu) != 5:
                conn.sendall(mbap(tid, unit, bytes([function | 0x80, 0x01])))
                continue
            address, count = struct.unpack(">HH", pdu[1:5])
            n = self.stats.read_number()
            reply = mbap(tid, unit, read_pdu(unit, function, address, count))
            if not spoils(self.args, n):
                conn.sendall(reply)
                self.stats.add("answered")
                continue
            self.stats.add("faults")
            if mode == "disconnect-mid-frame":
                conn.sendall(reply[:5])
                conn.shutdown(socket.SHUT_WR)
                return
            if mode in ("stall", "one-connection"):
                if mode == "one-connection":
                    # From now on, not from the client's close: the client reconnects at once.
                    with self.active_lock:
                        self.held_until = time.monotonic() + self.args.hold_ms / 1000
                while conn.recv(512):
                    pass
                return
            if mode == "late":
                time.sleep(self.args.late_ms / 1000)
                conn.sendall(reply)
            elif mode == "wrong-tid":
                conn.sendall(mbap((tid + 1) & 0xFFFF, unit, read_pdu(unit, function, address, count, [WRONG] * count)))
            elif mode == "wrong-unit":
                conn.sendall(mbap(tid, 9, read_pdu(unit, function, address, count, [WRONG] * count)))
            elif mode == "garbage":
                conn.sendall(GARBAGE)
            elif mode == "exception":
                conn.sendall(mbap(tid, unit, bytes([function | 0x80, 0x02])))
            elif mode == "oversize":
                conn.sendall(mbap(tid, unit, read_pdu(unit, function, address, 100, [WRONG] * 100)))
            elif mode == "truncated":
                conn.sendall(mbap(tid, unit, read_pdu(unit, function, address, 1, [WRONG])))
            else:
                raise SystemExit(f"unknown mode {mode}")


class RTURig:
    """An RTU device (any unit) on one end of a pty pair."""

    def __init__(self, args, stats):
        self.args = args
        self.stats = stats

    def character_time(self):
        return 11 / self.args.baud

    def serve(self):
        import termios
        import tty
        fd = os.open(self.args.rtu, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(fd)
        attributes = termios.tcgetattr(fd)
        attributes[3] &= ~termios.ECHO
        termios.tcsetattr(fd, termios.TCSANOW, attributes)
        print(f"serving {self.args.rtu}", flush=True)
        pending = b""
        while True:
            chunk = os.read(fd, 256)
            if not chunk:
                time.sleep(0.01)
                continue
            pending += chunk
            while len(pending) >= 2:
                length = 7 if pending[1] == 43 else 8
                if len(pending) < length:
                    break
                frame, pending = pending[:length], pending[length:]
                if crc16(frame[:-2]) != frame[-2:]:
                    pending = b""  # out of step: drop what is buffered, as a device waits for a silence
                    break
                self.answer(fd, frame)

    def answer(self, fd, frame):
        unit, function = frame[0], frame[1]
        if function == 43:
            self.stats.add("identifications")
            self.write(fd, bytes([unit, 0xAB, 0x01]), spoil=False)
            return
        address, count = struct.unpack(">HH", frame[2:6])
        n = self.stats.read_number()
        body = bytes([unit]) + read_pdu(unit, function, address, count)
        spoil = self.args.mode == "crc" and spoils(self.args, n)
        self.stats.add("faults" if spoil else "answered")
        self.write(fd, body, spoil=spoil, request_length=len(frame))

    def write(self, fd, body, spoil, request_length=8):
        reply = body + crc16(body)
        if spoil:
            reply = reply[:3] + bytes([reply[3] ^ 0x5A]) + reply[4:]
        if self.args.mode != "slow":
            os.write(fd, reply)
            return
        # The request's own time on the wire, then one character at a time.
        time.sleep(request_length * self.character_time())
        for byte in reply:
            time.sleep(self.character_time())
            os.write(fd, bytes([byte]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mode", required=True,
                        choices=["normal", "disconnect-mid-frame", "stall", "late", "wrong-tid", "wrong-unit", "garbage",
                                 "exception", "oversize", "truncated", "one-connection", "crc", "slow"])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--rtu", help="serve RTU frames on this serial device instead of Modbus TCP")
    parser.add_argument("--every", type=int, default=4)
    parser.add_argument("--late-ms", type=int, default=400)
    parser.add_argument("--hold-ms", type=int, default=1000)
    parser.add_argument("--baud", type=int, default=1200)
    parser.add_argument("--stats")
    parser.add_argument("--faults-from")
    args = parser.parse_args()
    stats = Stats(args.stats)
    if args.rtu:
        if args.mode not in ("crc", "slow", "normal"):
            sys.exit(f"--rtu takes the modes crc, slow and normal, not {args.mode}")
        RTURig(args, stats).serve()
    else:
        if args.mode in ("crc", "slow"):
            sys.exit(f"--mode {args.mode} needs --rtu PTY")
        TCPRig(args, stats).serve()


if __name__ == "__main__":
    main()
