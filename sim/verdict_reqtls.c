/*
 * verdict_reqtls: REQUIRETLS (RFC 8689) in the verdict engine.  See
 * verdict_reqtls.h.  Reads the scenario and the recorder only.
 */
#include "sim/verdict_reqtls.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const struct scn_world *
world_of(const struct scenario *scn, unsigned phase)
{
	if (scn == NULL || phase < 1 || phase > scn->nphases)
		return NULL;
	return &scn->phases[phase - 1].world;
}

bool
verdict_reqtls_message(const struct scenario *scn, unsigned phase)
{
	const struct scn_world *w = world_of(scn, phase);

	return w != NULL && w->message.requiretls;
}

bool
verdict_reqtls_mx_secure(const struct scenario *scn, unsigned phase)
{
	const struct scn_world *w = world_of(scn, phase);
	const char *state;

	if (w == NULL)
		return false;
	state = w->dnssec;
	for (size_t i = 0; i < w->nzones; i++)   /* zones: per-zone states */
		if (strcasecmp(w->zones[i].apex, scn->domain) == 0)
			state = w->zones[i].state;
	return state != NULL && strcmp(state, "secure") == 0;
}

enum verdict_reqtls_fault
verdict_reqtls_check(const struct scenario *scn, const struct rec_session *s,
    bool verified, bool authenticated, char *why, size_t whylen)
{
	if (s->mail_requiretls_clear) {
		snprintf(why, whylen, "REQUIRETLS on MAIL FROM outside TLS to "
		    "%s:%u (RFC 8689 2: never in clear text)", s->host, s->port);
		return VR_CLEAR;
	}
	if (!s->data_sent || !verified ||
	    !verdict_reqtls_message(scn, s->phase))
		return VR_OK;
	if (!s->mail_requiretls) {
		snprintf(why, whylen, "a REQUIRETLS message relayed to %s:%u "
		    "without REQUIRETLS on MAIL FROM (RFC 8689 4.2.1)", s->host,
		    s->port);
		return VR_NO_PARAM;
	}
	/* a submission client names its server itself (RFC 8689 4.3) */
	if (!authenticated && world_of(scn, s->phase)->submit == NULL &&
	    !verdict_reqtls_mx_secure(scn, s->phase)) {
		snprintf(why, whylen, "a REQUIRETLS message relayed to %s:%u, "
		    "an MX whose name nothing authenticates (no DNSSEC-validated "
		    "MX RRset, no DANE, no enforce MTA-STS policy: RFC 8689 "
		    "4.2.1 step 2)", s->host, s->port);
		return VR_UNAUTH_MX;
	}
	return VR_OK;
}
