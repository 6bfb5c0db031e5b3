/*
 * verdict_revoke: revoked certificates in the verdict.  See
 * verdict_revoke.h.  Reads the scenario and the session only.
 */
#include "sim/verdict_revoke.h"

#include <string.h>
#include <strings.h>

bool
verdict_revoked_stapled(const struct scenario *scn, const struct rec_session *s)
{
	const struct scn_world *w;

	if (scn == NULL || s->phase < 1 || s->phase > scn->nphases ||
	    s->cert_label == NULL || strcmp(s->cert_label, "revoked") != 0 ||
	    (s->tls_by != NULL && strcmp(s->tls_by, "mx") != 0))
		return false;   /* an attacker's certificate is judged as such */
	w = &scn->phases[s->phase - 1].world;
	for (size_t i = 0; i < w->nmx; i++)
		if (strcasecmp(w->mx[i].host, s->host) == 0)
			return w->mx[i].cert.staple && w->mx[i].cert.variant != NULL &&
			    strcmp(w->mx[i].cert.variant, "revoked") == 0;
	return false;
}
