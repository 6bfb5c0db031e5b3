/*
 * world_crl: the world's CRL host (core/pki.h "Revocation").  When an MX
 * of the world presents a certificate of the variant "revoked", the name
 * in its CRL distribution point, PKI_CRL_HOST, gets an A record to
 * WORLD_CRL_ADDR, where a plain HTTP server (port 80) serves the root's
 * CRL at PKI_CRL_PATH as application/pkix-crl (RFC 5280 4.2.1.13; RFC
 * 2585 3).  A sender that checks CRLs can fetch it from inside the world.
 */
#ifndef MXSIM_WORLD_CRL_H
#define MXSIM_WORLD_CRL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/loop.h"
#include "core/pki.h"
#include "sim/scenario.h"

#define WORLD_CRL_ADDR "127.45.0.1"

struct world_crl;

/* Whether the world of sw has a revoked certificate (an MX's). */
bool world_crl_wanted(const struct scn_world *sw);
/* Serve the root's CRL as it stands (call after the certificates are
 * issued).  NULL with a message in err.  p is borrowed. */
struct world_crl *world_crl_new(struct loop *l, struct pki *p, char *err,
	size_t errlen);
void world_crl_free(struct world_crl *wc);   /* NULL is a no-op */

#endif
