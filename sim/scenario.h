/*
 * scenario: loading and validating scenario files (DESIGN.md "Scenarios").
 *
 * A scenario is Lua run in the sandbox that returns a table.  The loader
 * checks it against the schema (unknown keys, wrong types, missing fields,
 * bad values are errors naming file and line) and turns it into plain C
 * data: one struct scn_world per phase, fully resolved (each phase's `set`
 * applied on top of the previous phase's world).
 *
 * Schema (keys beyond DESIGN.md's are marked +):
 *   title     string, required
 *   refs      list of strings, required (may be empty)
 *   domain    string, required (recipient domain)
 *   clock   + "YYYY-MM-DDTHH:MM:SSZ" scenario clock, default 2026-06-01T00:00:00Z
 *   dnssec    "insecure" (default) | "secure" | "bogus" | "bogus:KIND": the
 *             state of the domain's zone and its MX hosts' zones (KIND:
 *             signature, wrong-key, expired, not-yet-valid, ds-mismatch,
 *             missing-rrsig; see fake-dns/dns.h)
 *   mx        list, required unless submit: { host = string (required),
 *             pref = int (default 10*i), cert = variant string or table,
 *             addr + = "127.x.y.z" (default assigned),
 *             replies + = { [step] = "NNN text" | false (drop) },
 *             ehlo + = { "PIPELINING", ... } capability list override,
 *             requiretls + = true (default: REQUIRETLS advertised in the
 *             EHLO reply inside TLS, RFC 8689 2) | false (never) |
 *             "plaintext" (only before STARTTLS: a broken server) |
 *             "both" (before and inside TLS),
 *             tls + = "tls1.0" (the MX offers only TLS 1.0) |
 *             "no-shared-cipher" (TLS 1.2 with only eNULL cipher suites,
 *             which no sender offers): CONFORMANCE G68 }
 *             steps: banner, EHLO, HELO, STARTTLS, MAIL, RCPT, DATA, DOT,
 *             RSET, NOOP, QUIT
 *   cert      a variant name (core/pki.h): valid, expired, not-yet-valid,
 *             wrong-host, self-signed, untrusted-ca, attacker,
 *             bad-signature +, leaf-as-ca +, intermediate +,
 *             missing-intermediate +, wrong-chain-order +, wildcard +,
 *             wildcard-two-labels + (host two labels below), cn-only +,
 *             weak-rsa +, sha1 +, domain-only + (the recipient domain)
 *   cert table: { variant = string (default "valid"), san = {..}, cn = s,
 *             no_san = bool, not_before = clock string, not_after = clock
 *             string, key = "ec"|"rsa", issuer = "root"|"untrusted"|"self",
 *             key_id + = a label: the named key, the same in every
 *             certificate (and phase) naming it; without it each phase's
 *             certificate has a fresh key, staple + = bool: an MX staples
 *             the root's OCSP response for its certificate (RFC 6066 8):
 *             "revoked" for the variant "revoked" (a leaf of the root
 *             that is on the root's CRL, served at
 *             http://crl.test/root.crl, crl.test = 127.45.0.1) }
 *   dns     + list of extra RRs in zone-file syntax ("www.example.test. 300 IN A 127.0.0.80")
 *   tlsa      { ["mx1.example.test"] = { "3 1 1 auto", "2 0 1 ca",
 *             "3 1 1 <hex>", ... } }: the TLSA RRset published at
 *             _25._tcp.<host> for each MX host.  "auto" is computed from
 *             the host's certificate, "ca" from the certificate that
 *             issued it (the host's own for a self-signed one); any
 *             usage, selector and matching type parse (unusable ones are
 *             test data), see core/tlsa.h; "U 1 M key:ID" is the data of
 *             the named key ID (cert key_id), served or not: stale TLSA
 *             and rollover scenarios
 *   mta_sts   { mode = "enforce" (default) | "testing" | "none" | any
 *             string (served as is: "Enforce" is test data), max_age =
 *             int >= 0 or string served as is (default 604800), mx = list
 *             of patterns (default: the MX hosts of the world where
 *             mta_sts is given), id = TXT id (default "mxsim1"), txt =
 *             string or list: the _mta-sts TXT RRs (each a string, or a
 *             list of strings = one RR of several character-strings;
 *             {} = no record; default "v=STSv1; id=<id>"), body = raw
 *             policy text (overrides mode/max_age/mx), variant = how
 *             mta-sts.<domain> serves it: "ok" (default), "content-type"
 *             (text/html), "charset" (text/plain; charset=utf-8),
 *             "no-content-type", "redirect" (301, "redirect-302",
 *             "redirect-307": to /policy.txt which serves it), "404",
 *             "500", "204", "304", "slow" (one byte every 2 s),
 *             "stall", "oversize" (1 MiB), "lf" (LF line ends),
 *             "cache-headers" (Cache-Control/ETag/Expires), "reset",
 *             "unreachable" (nothing listens), "no-host" (no A record),
 *             cert = certificate of mta-sts.<domain> (variant or table),
 *             domain + = the policy domain the TXT record and the policy
 *             host are published for (default the recipient domain):
 *             a parent domain (B21: never used) or a relay's (B22),
 *             cname + = "_mta-sts.provider.test": _mta-sts.<domain> is a
 *             CNAME to that name, which holds the TXT record (B20) }
 *             or false (no MTA-STS; useful in a phase's set).  Addresses:
 *             mta-sts.<domain> is 127.43.0.1 (the path) in front of the
 *             real host 127.44.0.1; the attacker's own policy server is
 *             127.66.0.43
 *   tlsrpt    { rua = string or list (mailto: or https:), txt = string
 *             or list (raw _smtp._tls TXT RRs as for mta_sts.txt),
 *             cert + = the certificate of every https: rua host (variant
 *             or table, default "valid"; RFC 8460 5.4 lets senders
 *             ignore its errors, CONFORMANCE N153) }:
 *             _smtp._tls.<domain> TXT "v=TLSRPTv1; rua=..."; every https:
 *             rua host gets an A record to the TLSRPT receiver 127.43.0.2
 *             (certificate from the world's CA); a mailto: domain other
 *             than the scenario's gets an MX record to the first MX
 *   relay   + "smarthost.test": the reference sender relays every message
 *             through that domain's MX hosts (MX lookup of it, implicit MX
 *             without one) instead of the recipient's; the MTA-STS policy
 *             domain is then the relay's (RFC 8461 3.4, CONFORMANCE B22).
 *             Publish its MX with dns = { "smarthost.test. 300 IN MX 10
 *             relay.smarthost.test." } and list relay.smarthost.test in mx
 *   sender_tls + "may" (default) | "encrypt" | "secure" | "dane": the
 *             sender's local policy for the domain (RFC 3207 6,
 *             CONFORMANCE A8; "dane": DANE required, RFC 7672 6, H86)
 *   submit    { host = string, port = 587|465|25, tls = "implicit" |
 *             "starttls" | "optional", auth + = { user = string, pass =
 *             string (each 1-255 bytes, no control characters), mech =
 *             "plain" | "login" (default: PLAIN when offered, else
 *             LOGIN) }: the reference sender authenticates (RFC 4954)
 *             only inside TLS (RFC 8314 5.2); the MX offers AUTH PLAIN
 *             LOGIN on 587 (before and after STARTTLS) and 465, accepts
 *             any credentials; AUTH the attacker reads (in clear on its
 *             path, or inside its own TLS) is a credential leak, and
 *             fails the phase }
 *   attack    list of { [1] = name, host = string, port = int (0 = any),
 *             mode = string, code = int, text = string, cert = cert,
 *             relay = bool (default true), step = string, set/add/remove
 *             = lists of strings, nth = int >= 1, after_verified = bool }
 *             names (attacker/mitm.h has what each does):
 *             strip_starttls; starttls_error (mode "reply"|"close"|
 *             "drop", code 200-599 default 454, text); swap_cert (cert,
 *             relay); block (mode "refuse"|"reset"|"blackhole");
 *             starttls_inject (mode "reply"|"command", text = lines
 *             separated by \n, code 400-599 in reply mode);
 *             ehlo_reject (code 500-599 default 502, text); reply (step
 *             banner|EHLO|HELO|STARTTLS|MAIL|RCPT|DATA|DOT|RSET|NOOP|
 *             QUIT|AUTH, code 200-599 default 421, text); caps (mode
 *             "tls" (needs a swap_cert on the host)|"plain"|"any", set,
 *             add, remove); handshake_fail (mode "alert"|"reset"|
 *             "garbage"|"close"|"hang", text = the garbage); hook +
 *             (on_client_line = function(line, ctx), on_server_line =
 *             function(line, ctx), on_tls = function(ctx), at least one;
 *             cert (default "attacker") and relay for on_tls
 *             "terminate"; attacker/mitm_hook.c has the contract: the
 *             scenario then keeps its Lua state, scenario->lua).  Every
 *             attack takes nth and after_verified.
 *             tamper_policy (host default mta-sts.<domain>; mode "block"
 *             (reset the fetch) | "replace" (text = the body served) |
 *             "none" | "testing" (the genuine policy with its mode
 *             downgraded) | "cert" (the genuine policy); all but block
 *             answer from the attacker's own server with cert (default
 *             "attacker"); nth = only the nth fetch connection).
 *             tamper_txt (host default _mta-sts.<domain>, or
 *             _smtp._tls.<domain>; mode "block" (no answer) | "nxdomain"
 *             | "servfail" | "rewrite" (text = the TXT served instead);
 *             in a signed zone forged data is bogus: SERVFAIL)
 *             DNS attacks (attacker/mitm_dns.h, sim/scenario_dns.c), on
 *             the path between the validating resolver face and the
 *             authoritative data (at = "upstream": in a signed zone the
 *             change is bogus, SERVFAIL) or between the resolver face and
 *             the sender (at = "last-mile": after validation); each takes
 *             name (the query name, default every name), type ("TLSA",
 *             ..., default every type), nth (the nth matching answer):
 *             poison_tlsa (host required; name _25._tcp.<host>; data =
 *             "U S M HEX"|"U S M auto"|"U 1 M key:ID" or a list, default
 *             "3 1 1 auto" of cert, default the "attacker" certificate,
 *             whose key is the attacker's one key; upstream);
 *             spoof_mx (name default the domain; data default
 *             "10 evil.attacker.test."; upstream); spoof_a (host
 *             required; data default "127.66.0.1"; upstream); a spoof
 *             starts the attacker's mail host on 127.66.0.1, which keeps
 *             every message; strip_dnssec (removes RRSIG, NSEC, DNSKEY,
 *             DS and the AD bit; last-mile by default); block with a
 *             name or type, or with mode "drop"|"servfail" and no host
 *             (drop: the client times out, servfail: answered SERVFAIL;
 *             last-mile by default); dns_hook (on_dns_answer =
 *             function(q, a) ... end, q = { name, type }, a = { rcode,
 *             aa, ad, answer, authority, additional } with records as
 *             zone-file lines; returns nil (pass), false (drop) or the
 *             answer table; upstream by default)
 *   dns_faults + list of { name = string, type = "TLSA"|... (default every
 *             type), fault = "servfail"|"timeout"|"nxdomain"|"nodata"|
 *             "cname:TARGET" }: per-name failures of the authoritative
 *             data (in a signed zone nxdomain/nodata carry the NSEC proof
 *             the zone has: a good one for data that is absent, a bogus
 *             one for data that exists); cname makes the name a CNAME
 *             to TARGET (no type)
 *   zones   + { ["other.test"] = "secure"|"insecure"|"bogus"|"bogus:KIND" }:
 *             the state of each named zone (created when no MX host
 *             made it), over dnssec: MX hosts of one domain can live in
 *             zones of different states.  ".", "test" and
 *             "attacker.test" stay secure
 *   message + { requiretls = bool (the sender relays the message as
 *             received with MAIL FROM ... REQUIRETLS, RFC 8689 4.2.1),
 *             tls_required_no = bool (the message has the header field
 *             "TLS-Required: No", RFC 8689 4.2.2) }: every message of the
 *             scenario (a phase's set can change it).  The verdict of a
 *             requiretls message is "verified" only when the data went
 *             over TLS that satisfies the policy, to an authenticated MX
 *             (secure MX zone, DANE or enforce MTA-STS), with REQUIRETLS
 *             on a MAIL FROM inside TLS; REQUIRETLS on MAIL FROM in clear
 *             text is "plaintext" even without data (RFC 8689 2);
 *             smime = bool: the reference sender sends each message
 *             S/MIME-encrypted (CMS enveloped-data, RFC 8551) to a
 *             recipient certificate from the world's PKI; a leak then
 *             reads "content protected" instead of "content exposed",
 *             rcpt = "user@[127.25.0.11]": the recipient address (default
 *             user@<domain>); an address literal has no domain, so no
 *             MX, MTA-STS or DANE lookup (RFC 8461 3.4, RFC 7672 2.2)
 *   sweep   + { step = { "banner", "EHLO", ... }, code = { 421, ... },
 *             host = MX host (default the first) }: the file is a family
 *             of scenarios, one per (step, code) but DATA-354, ids
 *             "<id>#<STEP>-<CODE>", each with the attack { "reply", host,
 *             step, code } added (sim/scenario_sweep.c); single phase
 *   expect_for + with sweep: function(step, code) returning an expect
 *             table, or a table keyed "EHLO-454", "EHLO-4xx", 454, "4xx",
 *             "EHLO", default (most specific first; expect is the
 *             fallback)
 *   messages  int >= 1 (default 1), or phases
 *   phases    list of { advance = seconds | "30s"/"2h"/"3d", set = { key = value },
 *             deliver = int (default 1), expect = expect }
 *   expect    { delivery = string or list, tlsrpt = list of result-types,
 *             leak = bool, fetches + = N | "N+": how many requests for
 *             the policy reached the MTA-STS policy host in the phase,
 *             exactly N or at least N, judged from the policy host (the
 *             real one and the attacker's path), content + =
 *             "protected" (whatever the attacker read of a message was
 *             ciphertext: no leak, or an S/MIME-encrypted one) |
 *             "exposed" (the attacker read some message in clear:
 *             implies a leak, so not with leak = false), reports + =
 *             { mail = N, https = N } (last phase only): the TLSRPT
 *             reports the sender sent during the scenario, by mail to a
 *             mailto: rua and by POST to an https: one, exactly N of
 *             each (missing = 0), and every one read back without a
 *             finding: RFC 8460 5.3 mail format, DKIM (RFC 6376, key
 *             at tlsrpt._domainkey.sender.mxsim.test), gzip, the
 *             failure-reason-codes, and the content against what mxsim
 *             saw (sim/tlsrpt_recv.c) }
 *   timeout + seconds the sender has per phase (virtual), default 3600
 */
#ifndef MXSIM_SCENARIO_H
#define MXSIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct scn_cert {
	char *variant;        /* "valid" ... or "custom" when a table gave fields */
	char **san;           /* NULL-terminated or NULL */
	char *cn;
	bool no_san;
	time_t not_before;    /* 0 = default */
	time_t not_after;
	char *key;            /* NULL = ec */
	char *issuer;         /* NULL = root */
	char *key_id;         /* NULL = a fresh key; else the named key (the
	                       * same in every certificate naming it) */
	bool staple;          /* the server staples the root's OCSP response */
};

struct scn_reply {
	char *step;           /* "banner", "EHLO", "STARTTLS", ... upper case */
	char *text;           /* full reply line(s) "454 4.7.0 ..."; NULL = drop connection */
};

/* Where an MX advertises REQUIRETLS (mx[i].requiretls). */
enum scn_reqtls {
	SCN_REQTLS_TLS,       /* true (default): inside TLS only */
	SCN_REQTLS_OFF,       /* false */
	SCN_REQTLS_PLAIN,     /* "plaintext": only before STARTTLS */
	SCN_REQTLS_BOTH,      /* "both" */
};

/* What TLS an MX offers (mx[i].tls). */
enum scn_mx_tls {
	SCN_MX_TLS_DEFAULT,   /* TLS 1.2 and 1.3, the usual suites */
	SCN_MX_TLS_10,        /* "tls1.0": TLS 1.0 only */
	SCN_MX_TLS_NO_CIPHER, /* "no-shared-cipher": eNULL suites only */
};

/* message: the properties of the messages the sender is given. */
struct scn_msg {
	bool requiretls;      /* MAIL FROM ... REQUIRETLS */
	bool tls_required_no; /* "TLS-Required: No" in the header */
	bool smime;           /* S/MIME-encrypted to the recipient (CMS) */
	char rcpt[256];       /* recipient address; "" = user@<domain> */
};

struct scn_mx {
	char *host;
	int pref;
	char *addr;           /* public address, assigned if not given */
	struct scn_cert cert;
	struct scn_reply *replies;
	size_t nreplies;
	char **ehlo;          /* capability override, NULL-terminated, or NULL */
	enum scn_reqtls requiretls;
	enum scn_mx_tls tls;  /* what TLS the MX offers */
	int line;
};

struct scn_attack {
	char *name;
	char *host;
	int port;             /* 0 = every port */
	char *mode;           /* NULL = the attack's default */
	int code;             /* 0 = default */
	char *text;
	struct scn_cert cert; /* swap_cert; variant NULL = "attacker" */
	bool relay;
	char *step;           /* reply: "banner", "EHLO", ... "DOT" */
	char **set;           /* caps: new list, NULL-terminated; NULL = keep */
	char **add;           /* caps: capabilities to append, or NULL */
	char **remove;        /* caps: keywords to remove, or NULL */
	int nth;              /* only the nth connection on its ports; 0 = all */
	bool after_verified;  /* only after a delivery over TLS on the path */
	int on_client_line;   /* hook: functions in scenario->lua (sandbox */
	int on_server_line;   /* registry refs), 0 = none */
	int on_tls;
	int line;
};

struct scn_tlsa {
	char *host;           /* MX host, lower case: the TLSA base domain */
	char **rrs;           /* specs as written, NULL-terminated */
	size_t nrrs;
};

/* A DNS attack (attacker/mitm_dns.h; read by sim/scenario_dns.c). */
struct scn_dns_attack {
	char *name;           /* poison_tlsa, spoof_mx, spoof_a, strip_dnssec,
	                       * block, dns_hook */
	char *host;           /* poison_tlsa, spoof_a: the host, or NULL */
	char *qname;          /* the query name acted on, NULL = every name */
	char *qtype;          /* "TLSA", ...; NULL = every type */
	char *at;             /* "upstream" | "last-mile" */
	char *mode;           /* block: "drop" | "servfail" */
	char **data;          /* poison/spoof rdata, NULL-terminated */
	size_t ndata;
	struct scn_cert cert; /* poison_tlsa: "auto" data is this cert's */
	int nth;              /* 0 = every matching answer */
	int on_dns_answer;    /* dns_hook: sandbox ref */
	int line;
};

/* A per-name DNS fault (dns_faults). */
struct scn_dns_fault {
	char *name;           /* lower case, no trailing dot */
	char *type;           /* "TLSA", ...; NULL = every type */
	char *fault;          /* servfail | timeout | nxdomain | nodata |
	                       * cname:TARGET */
	int line;
};

/* A zone's DNSSEC state (zones). */
struct scn_zone {
	char *apex;           /* lower case, no trailing dot */
	char *state;          /* secure | insecure | bogus | bogus:KIND */
	int line;
};

struct scn_submit {
	char *host;
	int port;
	char *tls;            /* "implicit" | "starttls" | "optional" */
	char auth_user[256];  /* submit.auth; "" = no AUTH (plain data) */
	char auth_pass[256];
	char auth_mech[8];    /* "plain" | "login" | "" (the sender picks) */
};

/* mta_sts: what the policy host and the _mta-sts TXT publish (RFC 8461). */
struct scn_sts {
	char *mode;           /* as served: "enforce" | "testing" | "none" */
	char *max_age;        /* as served (digits, or a bad value on purpose) */
	char **mx;            /* patterns as served, NULL-terminated */
	size_t nmx;
	char *id;             /* the TXT id */
	char **txt;           /* TXT RRs as rdata ("\"v=STSv1; \" \"id=1\""),
	                       * NULL-terminated; NULL: "v=STSv1; id=<id>" */
	size_t ntxt;
	bool txt_set;         /* txt given (an empty list: no record at all) */
	char *body;           /* raw policy body; NULL: built from the keys */
	char *variant;        /* how it is served, see the schema above */
	struct scn_cert cert; /* of mta-sts.<domain> */
	char *domain;         /* the policy domain published; NULL = the
	                       * recipient domain */
	char *cname;          /* _mta-sts.<domain> CNAME target, or NULL */
	int line;
};

struct scn_world {
	char *dnssec;
	struct scn_mx *mx;
	size_t nmx;
	char **dns;           /* extra RRs */
	size_t ndns;
	struct scn_attack *attacks;
	size_t nattacks;
	struct scn_submit *submit; /* NULL: relay as an MTA */
	char *sender_tls;     /* "may" | "encrypt" | "secure" | "dane" */
	char relay[256];      /* smart host domain; "" = none (plain data) */
	char **tlsrpt_rua;
	size_t ntlsrpt_rua;
	char **tlsrpt_txt;    /* _smtp._tls TXT rdata override, NULL-terminated */
	size_t ntlsrpt_txt;
	bool tlsrpt_txt_set;
	struct scn_cert tlsrpt_cert;  /* the https: rua receiver's (variant
	                               * NULL = "valid") */
	struct scn_sts *sts;  /* NULL: no MTA-STS */
	struct scn_tlsa *tlsa;     /* sorted by host */
	size_t ntlsa;
	struct scn_dns_attack *dns_attacks; /* from the attack list */
	size_t ndns_attacks;
	struct scn_dns_fault *dns_faults;
	size_t ndns_faults;
	struct scn_zone *zones;    /* in apex order */
	size_t nzones;
	struct scn_msg message;    /* plain data: copied with the world */
};

/* expect.content: what the attacker may read of the messages. */
enum scn_content {
	SCN_CONTENT_ANY,      /* unspecified */
	SCN_CONTENT_PROTECTED, /* nothing in clear (no leak, or S/MIME) */
	SCN_CONTENT_EXPOSED,  /* some message content read in clear */
};

struct scn_expect {
	char **delivery;
	size_t ndelivery;
	char **tlsrpt;
	size_t ntlsrpt;
	int leak;             /* -1 unspecified, 0 no leak allowed, 1 leak expected */
	enum scn_content content; /* what a leak may show (expect.content) */
	int fetches_min;      /* policy fetches in the phase: -1 unspecified */
	int fetches_max;      /* -1: no upper bound */
	bool reports;         /* expect.reports given (last phase): */
	int reports_mail;     /* TLSRPT reports the sender must have mailed */
	int reports_https;    /* and posted, each read back without findings */
};

struct scn_phase {
	uint64_t advance_s;
	int deliver;
	struct scn_world world;
	struct scn_expect expect;
	int line;
};

struct sandbox;

struct scenario {
	struct sandbox *lua;  /* the scenario's Lua state, kept when it has
	                       * functions to call later (hooks); else NULL */
	char *id;             /* e.g. "starttls/strip-secure" */
	char *path;
	char *title;
	char **refs;
	size_t nrefs;
	char *domain;
	time_t clock;
	uint64_t timeout_s;
	struct scn_phase *phases;
	size_t nphases;
};

/* Load and validate.  Returns 0, or -1 with "path:line: message" in err. */
int scenario_load(const char *path, const char *id, struct scenario **out,
	char *err, size_t errlen) __attribute__((warn_unused_result));
/* Same, from a string (tests, fuzzing); name stands for the path. */
int scenario_load_string(const char *name, const char *src, size_t len,
	struct scenario **out, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* Same, with the sandbox's memory cap (bytes) and instruction budget
 * instead of the defaults (0 keeps a default): the fuzz target uses
 * small ones so that loops and memory bombs end quickly. */
int scenario_load_string_limits(const char *name, const char *src,
	size_t len, size_t mem, uint64_t insns, struct scenario **out,
	char *err, size_t errlen) __attribute__((warn_unused_result));
void scenario_free(struct scenario *s);

/* The domain a world's mta_sts is published for: mta_sts.domain, or the
 * recipient domain (also without mta_sts). */
const char *scn_sts_domain(const struct scenario *scn, const struct scn_sts *s);

/* Parse "30s", "2h", "3d", "90" into seconds.  -1 on bad input. */
int64_t scenario_parse_duration(const char *s);
/* Parse "YYYY-MM-DDTHH:MM:SSZ".  -1 on bad input. */
int64_t scenario_parse_time(const char *s);

/* Find scenario files under each path (a .lua file or a folder, recursed,
 * sorted).  Fills ids relative to the folder given.  Returns count or -1. */
int scenario_find(char *const *paths, size_t npaths, char ***files,
	char ***ids, char *err, size_t errlen);

#endif
