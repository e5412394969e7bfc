#!/usr/bin/env python3
"""An independent Modbus TCP server for riglog's peer tests (pymodbus).

Serves, for any unit id, values of every type and word order encoded by Python's own struct
module (and pymodbus's convert_to_registers for the orders it knows), at addresses the Swift
test reads back: see VALUES; and answers device identification (43/14) with IDENTITY. Usage: pymodbus_server.py PORT [tcp|rtu] [LOG]

With LOG, every packet received and sent is appended to that file as a line `recv HEX` or
`send HEX`: the bytes on the wire, as the peer saw them.

With `rtu`, it speaks as a serial-to-Ethernet converter in transparent mode does: RTU frames
(CRC, no MBAP header) on the TCP stream, for units 1 and 2 (pymodbus answers any other unit
with exception 4, server device failure). Unit 2's input registers hold i * 11 instead of unit
1's i * 7.
"""
import asyncio
import struct
import sys

from pymodbus import FramerType, ModbusDeviceIdentification
from pymodbus.client import ModbusTcpClient
from pymodbus.datastore import (ModbusDeviceContext, ModbusSequentialDataBlock,
                                ModbusServerContext)
from pymodbus.server import StartAsyncTcpServer

# (type, order, value, holding address). The Swift test holds the same table.
VALUES = [
    ("u16", "ABCD", 51234, 0),
    ("i16", "ABCD", -1234, 1),
    ("u32", "ABCD", 3_000_000_123, 2), ("u32", "CDAB", 3_000_000_123, 4),
    ("u32", "BADC", 3_000_000_123, 6), ("u32", "DCBA", 3_000_000_123, 8),
    ("i32", "ABCD", -123_456_789, 10), ("i32", "CDAB", -123_456_789, 12),
    ("i32", "BADC", -123_456_789, 14), ("i32", "DCBA", -123_456_789, 16),
    ("f32", "ABCD", -273.15, 18), ("f32", "CDAB", -273.15, 20),
    ("f32", "BADC", -273.15, 22), ("f32", "DCBA", -273.15, 24),
    ("u64", "ABCD", 18_000_000_000_000_000_001, 26), ("u64", "CDAB", 18_000_000_000_000_000_001, 30),
    ("u64", "BADC", 18_000_000_000_000_000_001, 34), ("u64", "DCBA", 18_000_000_000_000_000_001, 38),
    ("i64", "ABCD", -9_000_000_000_000_000_123, 42), ("i64", "CDAB", -9_000_000_000_000_000_123, 46),
    ("i64", "BADC", -9_000_000_000_000_000_123, 50), ("i64", "DCBA", -9_000_000_000_000_000_123, 54),
    ("f64", "ABCD", 6.02214076e23, 58), ("f64", "CDAB", 6.02214076e23, 62),
    ("f64", "BADC", 6.02214076e23, 66), ("f64", "DCBA", 6.02214076e23, 70),
]
# The types of issue 17 (bytes, halves, bits of 32-bit values, text, enumerations), from address
# 80; the Swift tests hold the same table.
# u8/i8: two bytes of one register, each packed by struct on its own.
BYTES = [(80, struct.pack(">B", 200) + struct.pack(">B", 17)),      # u8 high 200, u8 low 17
         (81, struct.pack(">b", -100) + struct.pack(">b", -7))]     # i8 high -100, i8 low -7
# f16: IEEE half by struct's "e" (1/3 rounds to 0.333251953125; 2**-20 is subnormal).
HALVES = [(82, -65504.0), (83, 1 / 3), (84, 2 ** -20), (85, -0.0)]
# bit N of u32: 0x80010004 (bits 31, 16 and 2 set) in every word order from 86.
BITS32 = [("u32", order, 0x8001_0004, 86 + 2 * i) for i, order in enumerate(["ABCD", "CDAB", "BADC", "DCBA"])]
# string 8: text in 8 registers (16 bytes, NUL-padded) in every order from 94; then UTF-8 text
# filling 4 registers exactly (no NUL) at 126.
TEXTS = [(order, "RIG-7 v2.1", 8, 94 + 8 * i) for i, order in enumerate(["ABCD", "CDAB", "BADC", "DCBA"])] + [
    ("ABCD", "Тест", 4, 126)]
# An enumerated u16 (state 2) at 130.
ENUM = (130, 2)

# What the server says it is (function 43/14); the Swift test holds the same.
IDENTITY = {"VendorName": "Pymodbus Peer", "ProductCode": "PM-3", "MajorMinorRevision": "3.16",
            "ProductName": "riglog peer server", "ModelName": "peer-model"}

FORMATS = {"u16": ">H", "i16": ">h", "u32": ">I", "i32": ">i", "f32": ">f",
           "u64": ">Q", "i64": ">q", "f64": ">d"}


def encode(kind, order, value, registers=None):
    if kind == "string":
        raw = value.encode("utf-8").ljust(2 * registers, b"\0")   # text bytes in reading order
    else:
        raw = struct.pack(FORMATS[kind], value)            # big-endian bytes A B C D ...
    words = [raw[i:i + 2] for i in range(0, len(raw), 2)]
    if order in ("CDAB", "DCBA"):
        words.reverse()                                   # least significant word first
    if order in ("BADC", "DCBA"):
        words = [w[::-1] for w in words]                  # bytes swapped in each word
    registers = [int.from_bytes(w, "big") for w in words]
    if kind == "string":
        if order == "ABCD":
            # pymodbus's own string encoder (padded here to the channel's registers).
            theirs = ModbusTcpClient.convert_to_registers(value, ModbusTcpClient.DATATYPE.STRING)
            assert theirs + [0] * (len(registers) - len(theirs)) == registers, (value, theirs, registers)
        return registers
    # Cross-check against pymodbus's own encoder where it has the order.
    dt = {"u16": "UINT16", "i16": "INT16", "u32": "UINT32", "i32": "INT32", "f32": "FLOAT32",
          "u64": "UINT64", "i64": "INT64", "f64": "FLOAT64"}[kind]
    if order in ("ABCD", "CDAB"):
        theirs = ModbusTcpClient.convert_to_registers(
            value, getattr(ModbusTcpClient.DATATYPE, dt), word_order="big" if order == "ABCD" else "little")
        assert theirs == registers, (kind, order, theirs, registers)
    return registers


def main():
    port = int(sys.argv[1])
    rtu = len(sys.argv) > 2 and sys.argv[2] == "rtu"
    log = open(sys.argv[3], "a", buffering=1) if len(sys.argv) > 3 else None

    def trace_packet(sending, data):
        if log:
            log.write(("send " if sending else "recv ") + data.hex().upper() + "\n")
        return data
    holding = [0] * 200
    for kind, order, value, address in VALUES:
        regs = encode(kind, order, value)
        holding[address:address + len(regs)] = regs
    for address, raw in BYTES:
        holding[address] = int.from_bytes(raw, "big")
    for address, value in HALVES:
        holding[address] = int.from_bytes(struct.pack(">e", value), "big")
    for kind, order, value, address in BITS32:
        holding[address:address + 2] = encode(kind, order, value)
    for order, text, count, address in TEXTS:
        holding[address:address + count] = encode("string", order, text, count)
    holding[ENUM[0]] = ENUM[1]
    inputs = [(i * 7) & 0xFFFF for i in range(200)]
    coils = [i % 3 == 0 for i in range(200)]
    discrete = [i % 5 == 0 for i in range(200)]
    # pymodbus's device context adds 1 to every request address before it reads a data block,
    # so the blocks start at 1 for protocol address 0 to land on index 0.
    device = ModbusDeviceContext(
        co=ModbusSequentialDataBlock(1, coils), di=ModbusSequentialDataBlock(1, discrete),
        hr=ModbusSequentialDataBlock(1, holding), ir=ModbusSequentialDataBlock(1, inputs))
    identity = ModbusDeviceIdentification(info_name=IDENTITY)
    if not rtu:
        context = ModbusServerContext(devices=device, single=True)
        print("serving", flush=True)
        asyncio.run(StartAsyncTcpServer(context=context, identity=identity, address=("127.0.0.1", port),
                                        trace_packet=trace_packet))
        return
    second = ModbusDeviceContext(
        co=ModbusSequentialDataBlock(1, coils), di=ModbusSequentialDataBlock(1, discrete),
        hr=ModbusSequentialDataBlock(1, holding),
        ir=ModbusSequentialDataBlock(1, [(i * 11) & 0xFFFF for i in range(200)]))
    context = ModbusServerContext(devices={1: device, 2: second}, single=False)
    print("serving RTU over TCP", flush=True)
    asyncio.run(StartAsyncTcpServer(context=context, identity=identity, address=("127.0.0.1", port), framer=FramerType.RTU,
                                    trace_packet=trace_packet))


if __name__ == "__main__":
    main()
