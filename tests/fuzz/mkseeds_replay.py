#!/usr/bin/env python3
"""Hand-made seed captures for the replay fuzz target (tests/fuzz/fuzz_replay.h).

Writes small pcap files to tests/fuzz/corpus/replay/: one SMTP
conversation framed in each link type replay reads (Ethernet, Linux
cooked v1 and v2, raw IP, loopback, IPv6), and variants with a
retransmission, reordering, an overlap, a gap, a mid-stream start, a
reset, and STARTTLS followed by TLS-looking records.  Run it from the
source tree: python3 tests/fuzz/mkseeds_replay.py
"""
import os
import struct

OUT = os.path.join(os.path.dirname(__file__), "corpus", "replay")

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff

def tcp(src, dst, sp, dp, seq, ack, flags, data=b"", v6=False):
    hdr = struct.pack("!HHIIBBHHH", sp, dp, seq & 0xffffffff, ack & 0xffffffff, 5 << 4, flags, 512, 0, 0)
    seg = hdr + data
    if v6:
        ip = struct.pack("!IHBB", 6 << 28, len(seg), 6, 64) + src + dst
        return ip + seg
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(seg), 1, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + seg

def pcap(linktype, frames):
    out = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, linktype)
    for i, f in enumerate(frames):
        out += struct.pack("<IIII", 1700000000 + i, 0, len(f), len(f)) + f
    return out

C4, S4 = bytes([127, 1, 0, 1]), bytes([127, 25, 0, 11])
C6, S6 = b"\0" * 15 + b"\x01", b"\0" * 15 + b"\x02"

def conversation(v6=False, tls=False):
    c, s = (C6, S6) if v6 else (C4, S4)
    cs, ss = 1000, 5000
    pk = []
    def send(d, flags, data=b""):
        nonlocal cs, ss
        if d == 0:
            pk.append(tcp(c, s, 40000, 25, cs, ss, flags, data, v6))
            cs += len(data) + (1 if flags & 3 else 0)
        else:
            pk.append(tcp(s, c, 25, 40000, ss, cs, flags, data, v6))
            ss += len(data) + (1 if flags & 3 else 0)
    send(0, 0x02)
    send(1, 0x12)
    send(0, 0x10)
    send(1, 0x18, b"220 mx1.example.test ESMTP\r\n")
    send(0, 0x18, b"EHLO c.test\r\n")
    send(1, 0x18, b"250-mx1.example.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n")
    if tls:
        send(0, 0x18, b"STARTTLS\r\n")
        send(1, 0x18, b"220 go ahead\r\n")
        send(0, 0x18, b"\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00")
        sh = b"\x02\x00\x00\x2a\x03\x03" + b"\x11" * 32 + b"\x00\x13\x01\x00\x00\x06\x00\x2b\x00\x02\x03\x04"
        send(1, 0x18, b"\x16\x03\x03" + struct.pack("!H", len(sh)) + sh + b"\x17\x03\x03\x00\x20" + b"\x22" * 32)
        send(0, 0x18, b"\x14\x03\x03\x00\x01\x01\x17\x03\x03\x00\x35" + b"\x33" * 0x35)
        for n in (40, 90, 400, 30):
            send(0, 0x18, b"\x17\x03\x03" + struct.pack("!H", n) + b"\x44" * n)
            send(1, 0x18, b"\x17\x03\x03\x00\x20" + b"\x55" * 32)
    else:
        send(0, 0x18, b"MAIL FROM:<a@c.test>\r\nRCPT TO:<b@example.test>\r\nDATA\r\n")
        send(1, 0x18, b"250 ok\r\n250 ok\r\n354 go\r\n")
        send(0, 0x18, b"Subject: hi\r\n\r\nbody\r\n.\r\n")
        send(1, 0x18, b"250 queued\r\n")
        send(0, 0x18, b"QUIT\r\n")
        send(1, 0x18, b"221 bye\r\n")
    send(1, 0x11)
    send(0, 0x11)
    return pk

def eth(f, v6=False):
    return b"\x02\0\x7f\x19\0\x0b\x02\0\x7f\x01\0\x01" + (b"\x86\xdd" if v6 else b"\x08\x00") + f

def main():
    os.makedirs(OUT, exist_ok=True)
    conv = conversation()
    seeds = {
        "eth.pcap": pcap(1, [eth(f) for f in conv]),
        "raw.pcap": pcap(101, conv),
        "sll.pcap": pcap(113, [b"\0\0\x03\x04\0\x06" + b"\0" * 8 + b"\x08\x00" + f for f in conv]),
        "sll2.pcap": pcap(276, [b"\x08\x00\0\0\0\0\0\x01\x03\x04\x06" + b"\0" * 9 + f for f in conv]),
        "null.pcap": pcap(0, [b"\x02\0\0\0" + f for f in conv]),
        "ipv6.pcap": pcap(1, [eth(f, True) for f in conversation(v6=True)]),
        "tls.pcap": pcap(101, conversation(tls=True)),
        "retrans.pcap": pcap(101, conv[:6] + conv[5:]),
        "reorder.pcap": pcap(101, conv[:6] + [conv[7], conv[6]] + conv[8:]),
        "gap.pcap": pcap(101, conv[:6] + conv[7:]),
        "midstream.pcap": pcap(101, conv[5:]),
        "reset.pcap": pcap(101, conv[:8] + [tcp(S4, C4, 25, 40000, 9999, 0, 0x04)]),
        "truncated.pcap": pcap(101, conv)[:-25],
    }
    # an overlap: the MAIL segment again, shifted by 5 bytes into the next
    mail = conv[6]
    seeds["overlap.pcap"] = pcap(101, conv[:7] + [mail] + conv[7:])
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)

if __name__ == "__main__":
    main()
