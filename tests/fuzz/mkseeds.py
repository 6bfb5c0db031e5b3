#!/usr/bin/env python3
"""Write the seed corpora of the fuzz targets under tests/fuzz/corpus/.

Run from the source tree: python3 tests/fuzz/mkseeds.py.  The seeds are
committed; this script documents how they were made and rewrites them
(the ClientHello seeds differ on each run: they carry fresh randoms).
Inputs kept from fuzzing runs sit beside them, named by their SHA-1.

  smtp_cmd   command and reply lines, one dialogue per file
  smtp_srv   a configuration byte and client frames (fuzz_smtp_srv.h)
  mitm       a configuration byte and client/server frames (fuzz_mitm.h)
  dns        a flags byte and a wire query (fuzz_dns.h), made with ldns
  dns_zone   zone lines (fuzz_dns_zone.h)
  snd_dns    a query selector and wire answers (fuzz_snd_dns.h)
  dns_srv    UDP datagrams and TCP frames to the DNS server (fuzz_dns_srv.h)
  http       a feed-size byte and HTTP requests (fuzz_http.h)
  sts        a parser selector and MTA-STS/TLSRPT text (fuzz_sts.h)
  scenario   the scenario library and the loader's test fixtures
"""
import os
import random
import ssl
import struct
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fuzz", "corpus")
CTL = 0xF0


def write(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def client_hello():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    s = ctx.wrap_bio(inc, out, server_hostname="mx1.example.test")
    try:
        s.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return out.read()


# ---- SMTP dialogues ----

BODY = (b"From: a@b.test\r\nTo: c@example.test\r\nSubject: seed\r\n\r\n"
        b"hello\r\n..a dot-stuffed line\r\n.\r\n")
EHLO_REPLY = (b"250-mx1.example.test\r\n250-PIPELINING\r\n250-SIZE 10485760\r\n"
              b"250-8BITMIME\r\n250-STARTTLS\r\n250 ENHANCEDSTATUSCODES\r\n")
EHLO_TLS_REPLY = (b"250-mx1.example.test\r\n250-PIPELINING\r\n"
                  b"250-REQUIRETLS\r\n250 8BITMIME\r\n")
MAIL = b"MAIL FROM:<a@b.test> SIZE=120 BODY=8BITMIME\r\n"
RCPT = b"RCPT TO:<c@example.test>\r\n"


def smtp_cmd():
    write("smtp_cmd", "commands", b"EHLO client.test\r\nHELO client.test\r\n"
          + MAIL + RCPT + b"MAIL FROM:<>\r\nRCPT TO:<postmaster>\r\n"
          b"RCPT TO:<Postmaster> NOTIFY=NEVER\r\nDATA\r\nRSET\r\nNOOP x\r\n"
          b"QUIT\r\nSTARTTLS\r\nVRFY a\r\nHELP\r\nAUTH PLAIN AAAA\r\n"
          b"BDAT 10 LAST\r\nXCLIENT a=b\r\n\r\n")
    write("smtp_cmd", "replies", b"220 mx1.example.test ESMTP\r\n" + EHLO_REPLY
          + b"250 2.1.0 Ok\r\n354 End data\r\n250\r\n421-a\r\n421 b\r\n"
          b"250-x\r\n251 y\r\n554 5.7.1 no\r\n")
    write("smtp_cmd", "paths", b"MAIL FROM: <a@b.test>\r\nMAIL FROM:<a b@c>\r\n"
          b"MAIL FROM:<a@b>x\r\nMAIL FROM:<<a@b>>\r\nRCPT TO:<>\r\n"
          b"MAIL FROM:<\x01@b>\r\nmail from:<A@B.TEST> REQUIRETLS\r\n")
    write("smtp_cmd", "binary", b"EHLO \x00x\r\n\x16\x03\x01\x00\x05hello\n"
          b"250-" + b"A" * 600 + b"\r\n" + b"250-x\r\n" * 101 + b"250 y\r\n")


def frames(conf, items, split=None, server=False):
    """Frames for smtp_srv (split None) or mitm (split 0x78)."""
    out = bytearray([conf])
    for it in items:
        if isinstance(it, int):
            out.append(it)
            continue
        side, data = ("c", it) if isinstance(it, bytes) else it
        step = 0xEF if split is None else 0x77
        for k in range(0, len(data), step):
            chunk = data[k:k + step]
            base = 0 if side == "c" else split
            out.append(base + len(chunk))
            out += chunk
    return bytes(out)


def smtp_srv():
    hello = client_hello()
    ehlo = b"EHLO client.test\r\n"
    tx = [MAIL, RCPT, b"DATA\r\n", BODY]
    seeds = {
        "basic": (0, [ehlo] + tx + [b"QUIT\r\n"]),
        "starttls": (0, [ehlo, b"STARTTLS\r\n", 0xF0, ehlo,
                         b"MAIL FROM:<a@b.test> REQUIRETLS\r\n"] + tx[1:]
                     + [b"QUIT\r\n"]),
        "submission": (2, [ehlo, b"STARTTLS\r\n", 0xF0, ehlo] + tx
                       + [b"QUIT\r\n"]),
        "implicit": (3, [0xF0, ehlo] + tx + [b"STARTTLS\r\n", b"QUIT\r\n"]),
        "pipelined": (0, [ehlo + b"".join(tx) + b"QUIT\r\n"]),
        "starttls-pipelined": (0, [ehlo, b"STARTTLS\r\nEHLO evil\r\n", 0xF0,
                                   ehlo, b"QUIT\r\n"]),
        "starttls-twice": (0, [ehlo, b"STARTTLS\r\n", 0xF0, ehlo,
                               b"STARTTLS\r\n", b"QUIT\r\n"]),
        "garbage": (0, [b"MA\x00IL FROM:<a@b>\r\n", b"EHLO a\rb\r\n",
                        b"\n", b"\r\n", b"X" * 600 + b"\r\n",
                        b"NOOP\r\n" + b"BOGUS\r\n" * 11]),
        "helo-misc": (0, [b"HELO client.test\r\n", b"RSET\r\nNOOP\r\n",
                          b"VRFY postmaster\r\nHELP\r\nAUTH LOGIN\r\n",
                          b"BDAT 5 LAST\r\nhello", b"RSET x\r\nDATA x\r\n",
                          b"MAIL FROM:<a@b> FOO=1\r\n", b"QUIT\r\n"]),
        "tls-on-25": (0, [hello]),
        "tls-split": (0, [hello[:3], hello[3:10], hello[10:]]),
        "timeout": (0, [ehlo, 0xF1, b"QUIT\r\n"]),
        "timeout-tls": (0, [ehlo, b"STARTTLS\r\n", 0xF1]),
        "reset": (0, [ehlo, MAIL, 0xF3]),
        "fin": (0, [ehlo, MAIL, 0xF2]),
        "data-long": (0, [ehlo, MAIL, RCPT, b"DATA\r\n", b"A" * 1200 + b"\r\n",
                          b".\r\n", b"QUIT\r\n"]),
        "data-timeout": (0, [ehlo, MAIL, RCPT, b"DATA\r\n", b"partial", 0xF1]),
        "overrides-a": (8, [ehlo, b"STARTTLS\r\n", ehlo] + tx + [b"QUIT\r\n"]),
        "overrides-b": (16, [ehlo, b"STARTTLS\r\n", 0xF0, b"HELO x\r\n",
                             b"DATA\r\n", b"BAD\r\n" * 12]),
        "ehlo-list": (32, [ehlo, b"STARTTLS\r\n", 0xF0, ehlo, b"QUIT\r\n"]),
        "size": (64, [ehlo, b"MAIL FROM:<a@b> SIZE=1000\r\n",
                      b"MAIL FROM:<a@b> SIZE=x\r\n", MAIL, RCPT, b"DATA\r\n",
                      b"B" * 200 + b"\r\n.\r\n", b"QUIT\r\n"]),
        "no-rec": (128, [ehlo] + tx + [b"QUIT\r\n"]),
        "no-tls": (4, [ehlo, b"STARTTLS\r\n", b"QUIT\r\n"]),
        "rcpts": (0, [ehlo, MAIL] + [b"RCPT TO:<r%d@example.test>\r\n" % i
                                    for i in range(30)] + [b"QUIT\r\n"]),
    }
    for name, (conf, items) in seeds.items():
        write("smtp_srv", name, frames(conf, items))


def mitm():
    S = lambda b: ("s", b)
    ehlo = b"EHLO client.test\r\n"
    plain = [S(b"220 mx1.example.test ESMTP\r\n"), ehlo, S(EHLO_REPLY),
             MAIL, S(b"250 2.1.0 Ok\r\n"), RCPT, S(b"250 2.1.5 Ok\r\n"),
             b"DATA\r\n", S(b"354 go ahead\r\n"), BODY,
             S(b"250 2.0.0 Ok: queued\r\n"), b"QUIT\r\n", S(b"221 bye\r\n")]
    # STARTTLS relayed: the server answers 220 and starts TLS at once
    tls = [S(b"220 mx1.example.test ESMTP\r\n"), ehlo, S(EHLO_REPLY),
           b"STARTTLS\r\n", 0xF7, S(b"220 2.0.0 Ready\r\n"), 0xF0, ehlo,
           S(EHLO_TLS_REPLY), MAIL, S(b"250 2.1.0 Ok\r\n"), b"QUIT\r\n",
           S(b"221 bye\r\n")]
    pipelined = [S(b"220 mx1.example.test ESMTP\r\n"),
                 ehlo + MAIL + RCPT + b"DATA\r\n",
                 S(EHLO_REPLY + b"250 ok\r\n250 ok\r\n354 go\r\n"), BODY,
                 S(b"250 ok\r\n"), b"QUIT\r\n", S(b"221 bye\r\n")]
    hostile = [S(b"220-mx1\r\n220-" + b"x" * 100 + b"\r\n220 done\r\n"), ehlo,
               S(b"250-mx1\r\n251-bad code\r\n250 STARTTLS\r\n"),
               S(b"garbage\r\n250\r\n"), b"STARTTLS\r\nEHLO evil\r\n",
               S(b"220 go\r\n250 injected\r\n"), 0xF0, S(b"\x00\x01\r\n"),
               0xF4]
    for k in range(16):
        write("mitm", "plain-%02d" % k, frames(k, plain, split=0x78))
        write("mitm", "starttls-%02d" % k, frames(k, tls, split=0x78))
    write("mitm", "pipelined", frames(0, pipelined, split=0x78))
    write("mitm", "hostile-01", frames(1, hostile, split=0x78))
    write("mitm", "hostile-09", frames(9, hostile, split=0x78))
    write("mitm", "implicit", frames(16, [0xF1, 0xF0, ehlo, S(EHLO_TLS_REPLY),
                                          b"QUIT\r\n", S(b"221 bye\r\n")],
                                     split=0x78))
    write("mitm", "implicit-keep", frames(16 | 7, [0xF0, ehlo, MAIL, RCPT,
                                                   b"DATA\r\n", BODY,
                                                   b"QUIT\r\n"], split=0x78))
    write("mitm", "swap-relay", frames(6, [S(b"220 mx1 ESMTP\r\n"), ehlo,
                                           S(EHLO_REPLY), b"STARTTLS\r\n",
                                           0xF7, S(b"220 go\r\n"), 0xF0, ehlo,
                                           S(EHLO_TLS_REPLY), b"QUIT\r\n",
                                           S(b"221 bye\r\n")], split=0x78))
    write("mitm", "timeouts", frames(0, [S(b"220 mx1 ESMTP\r\n"), ehlo, 0xF6],
                                     split=0x78))
    write("mitm", "server-reset", frames(32 | 64, [S(b"220 mx1 ESMTP\r\n"),
                                                   ehlo, S(b"250-mx1\r\n"),
                                                   0xF5], split=0x78))


# ---- DNS ----

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "MX": 15, "TXT": 16,
         "AAAA": 28, "DS": 43, "RRSIG": 46, "NSEC": 47, "DNSKEY": 48,
         "TLSA": 52, "ANY": 255}


def dname(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def query(name, qtype, qid=0x1234, rd=True, edns=None, do=False, cd=False,
          ad=False, opcode=0):
    flags = (opcode << 11) | (0x100 if rd else 0) | (0x20 if ad else 0) \
        | (0x10 if cd else 0)
    arcount = 1 if edns is not None else 0
    msg = struct.pack(">HHHHHH", qid, flags, 1, 0, 0, arcount)
    msg += dname(name) + struct.pack(">HH", TYPES.get(qtype, qtype), 1)
    if edns is not None:
        msg += b"\0" + struct.pack(">HHIH", 41, edns,
                                    0x8000 if do else 0, 0)
    return msg


def rr(name, rtype, rdata, ttl=300):
    return dname(name) + struct.pack(">HHIH", TYPES[rtype], 1, ttl,
                                     len(rdata)) + rdata


def response(q, answers, rcode=0, tc=False, ad=False, aa=False):
    """A response to query bytes q (its question echoed)."""
    qid, flags = struct.unpack(">HH", q[:4])
    end = 12 + q[12:].index(b"\0") + 5
    flags = 0x8000 | (flags & 0x0110) | 0x80 | rcode | (0x200 if tc else 0) \
        | (0x20 if ad else 0) | (0x400 if aa else 0)
    return struct.pack(">HHHHHH", qid, flags, 1, len(answers), 0, 0) + \
        q[12:end] + b"".join(answers)


def dns():
    qs = {
        "mx": query("example.test", "MX"),
        "mx-do": query("example.test", "MX", edns=1232, do=True),
        "a-auth": query("mx1.example.test", "A", rd=False, edns=4096, do=True),
        "aaaa": query("mx1.example.test", "AAAA"),
        "txt-sts": query("_mta-sts.example.test", "TXT", edns=512, ad=True),
        "tlsa": query("_25._tcp.mx1.example.test", "TLSA", edns=1232, do=True),
        "tlsa-bogus": query("_25._tcp.mx.bogus.test", "TLSA", edns=1232,
                            do=True),
        "tlsa-bogus-cd": query("_25._tcp.mx.bogus.test", "TLSA", edns=1232,
                               do=True, cd=True),
        "insecure": query("insecure.test", "MX", edns=1232, do=True),
        "cname": query("www.example.test", "A"),
        "cname-loop": query("loop1.example.test", "A"),
        "out": query("out.example.test", "MX"),
        "servfail": query("servfail.example.test", "A"),
        "timeout": query("slow.example.test", "A"),
        "nxdomain": query("gone.example.test", "MX", edns=1232, do=True),
        "nodata": query("mx2.example.test", "AAAA", rd=False, edns=1232,
                        do=True),
        "dnskey": query("example.test", "DNSKEY", rd=False, edns=4096, do=True),
        "ds": query("example.test", "DS", rd=False, edns=1232, do=True),
        "root-soa": query(".", "SOA"),
        "any": query("example.test", "ANY"),
        "refused": query("example.org", "A"),
        "notimp": query("example.test", "A", opcode=2),
        "badvers": query("example.test", "A", edns=1232)[:-9] +
        b"\0" + struct.pack(">HHIH", 41, 1232, 0x00010000, 0),
        "small-edns": query("example.test", "DNSKEY", edns=100, do=True),
    }
    for name, q in qs.items():
        write("dns", name, b"\x00" + q)
    write("dns", "tlsa-tcp", b"\x01" + qs["tlsa"])
    write("dns", "expired", b"\x02" + qs["tlsa"])
    write("dns", "not-yet", b"\x04" + qs["mx-do"])

    # snd_dns: a qtype selector byte, then answers framed by 16-bit lengths
    mx = query("example.test", "MX")
    ans = {
        "mx": (0, [response(mx, [rr("example.test", "MX",
                                    struct.pack(">H", 10) +
                                    dname("MX1.Example.Test")),
                                 rr("example.test", "MX",
                                    struct.pack(">H", 20) +
                                    dname("mx2.example.test"))], ad=True)]),
        "mx-nxdomain": (0, [response(mx, [], rcode=3)]),
        "mx-servfail": (0, [response(mx, [], rcode=2)]),
        "mx-null": (0, [response(mx, [rr("example.test", "MX",
                                         struct.pack(">H", 0) + b"\0")])]),
        "mx-tc": (0, [response(mx, [], tc=True),
                      response(mx, [rr("example.test", "MX",
                                       struct.pack(">H", 10) +
                                       dname("mx1.example.test"))])]),
        "a": (1, [response(query("mx1.example.test", "A"),
                           [rr("mx1.example.test", "A",
                               bytes([127, 25, 0, 11]))])]),
        "aaaa": (2, [response(query("mx1.example.test", "AAAA"),
                              [rr("mx1.example.test", "AAAA",
                                  bytes(15) + b"\x11")])]),
        "txt": (3, [response(query("_mta-sts.example.test", "TXT"),
                             [rr("_mta-sts.example.test", "TXT",
                                 b"\x0cv=STSv1; id=\x0820260101")])]),
        "tlsa": (4, [response(query("_25._tcp.mx1.example.test", "TLSA"),
                              [rr("_25._tcp.mx1.example.test", "TLSA",
                                  bytes([3, 1, 1]) + bytes(range(32)))],
                              ad=True)]),
        "cname": (5, [response(query("www.example.test", "A"),
                               [rr("www.example.test", "CNAME",
                                   dname("alias.example.test")),
                                rr("alias.example.test", "CNAME",
                                   dname("host.test")),
                                rr("host.test", "A", bytes([127, 0, 0, 5]))])]),
        "garbage-then-answer": (1, [b"\x00" * 5, response(
            query("mx1.example.test", "A"),
            [rr("mx1.example.test", "A", bytes([127, 25, 0, 11]))])]),
    }
    for name, (sel, msgs) in ans.items():
        write("snd_dns", name, bytes([sel]) + b"".join(
            struct.pack(">H", len(m)) + m for m in msgs))


def dns_srv():
    """Frames of fuzz_dns_srv.h: c < 0x78 a UDP datagram of c bytes,
    0x78 <= c < 0xf0 c - 0x78 bytes to the current TCP connection."""
    split = 0x78

    def udp(m):
        return bytes([len(m)]) + m if len(m) < split else b""

    def tcp(data):
        out = b""
        while data:
            k = min(len(data), CTL - 1 - split)
            out += bytes([split + k]) + data[:k]
            data = data[k:]
        return out

    def framed(m):
        return struct.pack(">H", len(m)) + m

    mx = query("example.test", "MX", edns=1232, do=True)
    tlsa = query("_25._tcp.mx1.example.test", "TLSA", edns=1232, do=True)
    seeds = {
        "udp-mx": udp(mx),
        "udp-short": udp(mx[:7]) + bytes([CTL + 4]),
        "udp-response": udp(bytes([mx[0], mx[1], mx[2] | 0x80]) + mx[3:]),
        "tcp-one": tcp(framed(mx)),
        "tcp-pipelined": tcp(framed(mx) + framed(tlsa) + framed(mx)),
        "tcp-bytewise": b"".join(bytes([split + 1, b])
                                 for b in framed(tlsa)),
        "tcp-zero-length": tcp(b"\0\0") + tcp(framed(mx)),
        "tcp-unfinished": tcp(framed(mx)[:9]) + bytes([CTL + 1]),
        "tcp-reset": tcp(framed(mx)) + bytes([CTL + 3]) + tcp(framed(tlsa)),
        "tcp-two-conns": tcp(framed(mx)) + bytes([CTL]) + tcp(framed(tlsa))
        + bytes([CTL + 2]),
        "tcp-huge-length": tcp(b"\xff\xff" + mx) + bytes([CTL + 1]),
        "mixed": udp(tlsa) + tcp(framed(mx)) + udp(mx) + bytes([CTL + 4]),
    }
    for name, data in seeds.items():
        write("dns_srv", name, data)


def dns_zone():
    write("dns_zone", "world", b"zone .\nzone test.\nzone example.test 127.53.0.1\n"
          + b"\n".join(r.encode() for r in [
              "example.test. MX 10 mx1.example.test.",
              "mx1.example.test. 300 IN A 127.25.0.11",
              "mx1.example.test. AAAA fd00::11",
              "_mta-sts.example.test. TXT \"v=STSv1; id=1\"",
              "_25._tcp.mx1.example.test. TLSA 3 1 1 "
              "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
              "www.example.test. CNAME mx1.example.test.",
              "fault gone.example.test 0 nxdomain",
              "fault mx1.example.test 28 nodata"]) + b"\n")
    write("dns_zone", "signed", b"zone .\nzone test.\nzone example.test\n"
          b"zone bad.test\nstate bad.test bogus expired\n"
          b"example.test. MX 10 mx1.example.test.\n"
          b"mx1.example.test. A 127.25.0.11\nbad.test. MX 0 .\nsign\n"
          b"late.example.test. TXT \"added after signing\"\n")
    write("dns_zone", "errors", b"zone example.test\nzone example.test\n"
          b"www.example.test. CNAME a.example.test.\nwww.example.test. A 1.2.3.4\n"
          b"outside.org. A 1.2.3.4\nexample.test. CH TXT \"x\"\n"
          b"example.test. TYPE65534 \\# 2 abcd\nexample.test. MX\n"
          b"state nowhere.test secure\nfault x.example.test 1 servfail\n")


# ---- HTTPS: requests, MTA-STS and TLSRPT ----

REPORT = {
    "organization-name": "Company-X",
    "date-range": {"start-datetime": "2026-06-01T00:00:00Z",
                   "end-datetime": "2026-06-01T23:59:59Z"},
    "contact-info": "sts-reporting@company-x.example",
    "report-id": "5065427c-23d3-47ca-b6e0-946ea0e8c4be",
    "policies": [{
        "policy": {"policy-type": "sts", "policy-string": [
            "version: STSv1", "mode: testing", "mx: *.mail.company-y.example",
            "max_age: 86400"], "policy-domain": "company-y.example",
            "mx-host": ["*.mail.company-y.example"]},
        "summary": {"total-successful-session-count": 5326,
                    "total-failure-session-count": 303},
        "failure-details": [{
            "result-type": "certificate-expired",
            "sending-mta-ip": "2001:db8:abcd:0012::1",
            "receiving-mx-hostname": "mx1.mail.company-y.example",
            "failed-session-count": 100}, {
            "result-type": "starttls-not-supported",
            "sending-mta-ip": "2001:db8:abcd:0013::1",
            "receiving-mx-hostname": "mx2.mail.company-y.example",
            "receiving-ip": "203.0.113.56",
            "failed-session-count": 200,
            "additional-information": "https://reports.company-x.example/"
            "report_info?id=5065427c-23d3#StarttlsNotSupported"}, {
            "result-type": "validation-failure",
            "sending-mta-ip": "198.51.100.62",
            "receiving-ip": "203.0.113.58",
            "receiving-mx-hostname": "mx-backup.mail.company-y.example",
            "failed-session-count": 3,
            "failure-reason-code": "X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED"}]
    }, {
        "policy": {"policy-type": "no-policy-found",
                   "policy-domain": "example.test"},
        "summary": {"total-successful-session-count": 1,
                    "total-failure-session-count": 0}}]}


def https():
    import gzip
    import json
    body = json.dumps(REPORT).encode()
    reqs = {
        "get-policy": b"GET /.well-known/mta-sts.txt HTTP/1.1\r\n"
        b"Host: mta-sts.example.test\r\nUser-Agent: mxsim\r\n\r\n",
        "post-report": b"POST /v1 HTTP/1.1\r\nHost: tlsrpt.example.test\r\n"
        b"Content-Type: application/tlsrpt+json\r\nContent-Length: %d\r\n"
        b"\r\n" % len(body) + body,
        "chunked": b"POST /v1 HTTP/1.1\r\nHost: tlsrpt.example.test\r\n"
        b"Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n"
        b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nTrailer: x\r\n\r\n",
        "pipelined": b"GET / HTTP/1.1\r\nHost: a.test\r\n\r\n"
        b"HEAD /x?y=1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
        b"OPTIONS * HTTP/1.1\r\nHost: a.test:443\r\n\r\n",
        "absolute": b"GET https://MTA-STS.Example.Test:443/.well-known/mta-sts.txt"
        b" HTTP/1.1\r\nHost: other.test\r\n\r\n",
        "bad": b"GET /\x00 HTTP/1.1\r\nHost: a\r\nHost: b\r\n"
        b"Content-Length: 1\r\nContent-Length: 2\r\n\r\nx",
        "folded": b"GET / HTTP/1.1\r\nHost: a.test\r\nX-A: b\r\n c\r\n\n",
    }
    for name, r in reqs.items():
        write("http", name, b"\x00" + r)
        write("http", name + "-bytewise", b"\x02" + r)
    write("http", "small-limits", b"\x0b" + reqs["post-report"])

    pol = {
        "enforce": b"version: STSv1\r\nmode: enforce\r\nmx: mx1.example.test\r\n"
        b"mx: *.example.test\r\nmax_age: 604800\r\n",
        "testing-lf": b"version: STSv1\nmode: testing\nmx: mx.example.test\n"
        b"max_age: 86400\n",
        "none": b"version: STSv1\r\nmode: none\r\nmax_age: 1\r\n",
        "odd": b"mode:enforce\r\nversion:STSv1\r\nmax_age: 99999999999\r\n"
        b"mx: bad..name\r\nmx: *.*.x\r\nmode: testing\r\nx-ext: y\r\n\r\n"
        b"mx: MX2.Example.Test\r\n",
    }
    for name, b in pol.items():
        write("sts", "policy-" + name, b"\x00" + b)
    write("sts", "txt", b"\x01v=STSv1; id=20260101\nv=STSv1;id=abc;ext=1\n"
          b"v=STSv2; id=1\nv=STSv1 ; id=" + b"a" * 33 + b"\nhello")
    write("sts", "tlsrpt-txt", b"\x02v=TLSRPTv1; rua=mailto:r@example.test,"
          b"https://tlsrpt.example.test/v1\nv=TLSRPTv1;rua=ftp://x\n"
          b"v=TLSRPTv1; rua=mailto:a@b, mailto:c@d; x=y")
    write("sts", "report", b"\x03" + body)
    write("sts", "report-lenient", b"\x04" + body.replace(
        b'["*.mail.company-y.example"]', b'"*.mail.company-y.example"'))
    write("sts", "report-gzip", b"\x05" + gzip.compress(body, mtime=0))
    write("sts", "mx-match", b"\x06*.example.test\nmx1.example.test\n"
          b"*.example.test\na.b.example.test\nMX1.example.test\nmx1.EXAMPLE.test.\n"
          b"*.\nx\nexample..test\nexample..test\n")


def scenario():
    n = 0
    for base in ("scenarios", os.path.join("tests", "data", "scenarios")):
        for dirpath, _, files in sorted(os.walk(os.path.join(ROOT, base))):
            for f in sorted(files):
                if f.endswith(".lua"):
                    rel = os.path.relpath(os.path.join(dirpath, f), ROOT)
                    with open(os.path.join(ROOT, rel), "rb") as fh:
                        write("scenario", rel.replace("/", "_"), fh.read())
                    n += 1
    # random tables (fuzz_scenario.h: a leading NUL), from a fixed seed
    rng = random.Random(8)
    for i in range(24):
        body = bytes([0, 0, 6 + i % 12]) + bytes(rng.randrange(256)
                                                  for _ in range(40 + 8 * i))
        write("scenario", "table-%02d" % i, body)
    return n


def main():
    # seeds are (over)written by name; inputs kept from fuzzing runs
    # (named by their SHA-1) are left alone
    smtp_cmd()
    smtp_srv()
    mitm()
    dns()
    dns_srv()
    dns_zone()
    https()
    scenario()


if __name__ == "__main__":
    main()
