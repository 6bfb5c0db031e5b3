/*
 * world_sts: the MTA-STS and TLSRPT side of a world (sim/ internal, used
 * by world.c): the _mta-sts and _smtp._tls TXT records, the policy host
 * mta-sts.<domain> (the real one on its backend address, the path with
 * the tamper_policy attacker on its public address), the TLSRPT receiver
 * for https: rua endpoints, MX records for mailto: rua domains, and the
 * tamper_txt attacks on the DNS.
 *
 * Address plan (beside world.h's):
 *   127.43.0.1   mta-sts.<domain>: the path (the attacker sits here)
 *   127.44.0.1   the real policy host behind it
 *   127.43.0.2   the TLSRPT receiver (every https: rua host)
 *   127.66.0.43  the attacker's own policy server (tamper_policy)
 */
#ifndef MXSIM_WORLD_STS_H
#define MXSIM_WORLD_STS_H

#include <stddef.h>

#include "core/loop.h"
#include "core/pki.h"
#include "core/record.h"
#include "fake-dns/dns.h"
#include "fake-https/https.h"
#include "sim/scenario.h"

#define WORLD_STS_PUB "127.43.0.1"
#define WORLD_STS_BACK "127.44.0.1"
#define WORLD_TLSRPT_ADDR "127.43.0.2"
#define WORLD_STS_EVIL "127.66.0.43"

struct world_sts;
struct world;

/* The MTA-STS side of a world (world.c). */
struct world_sts *world_sts_of(const struct world *w);

/* Adds the records (and the zones of rua hosts outside the scenario's)
 * to db, which must not be signed yet, and starts the servers.  first_mx:
 * the host mailto: domains get as their MX.  NULL with a message in
 * err. */
struct world_sts *world_sts_new(struct loop *l, struct pki *p,
	struct dns_db *db, struct rec *rec, const struct scenario *scn,
	const struct scn_world *sw, char *err, size_t errlen);
void world_sts_free(struct world_sts *ws);   /* NULL is a no-op */
unsigned world_sts_busy(const struct world_sts *ws);
/* The policy text a scn_sts serves: its body, or the body built from
 * mode, mx and max_age (LF line ends for variant "lf").  xmalloc'd. */
char *world_sts_policy_text(const struct scn_sts *s);
/* The policy body the real host serves ("" without mta_sts). */
const char *world_sts_body(const struct world_sts *ws);
/* Reports received by the TLSRPT receiver in this world, in order. */
size_t world_sts_nreports(const struct world_sts *ws);
const struct https_report *world_sts_report(const struct world_sts *ws,
	size_t i);

#endif
