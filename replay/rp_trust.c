/*
 * rp_trust: the trust anchors `mxsim replay --judge` verifies server
 * certificates against (see rp_int.h).
 *
 * The verdict engine verifies with a struct pki (pki_verify: chain to
 * the store, dates at the scenario clock, RFC 6125 host name).  For an
 * mxsim capture the pki of the run is rebuilt from its seed: the same
 * root CA, so the same answer as the live run.  For --ca FILE a pki is
 * made from a seed drawn at random (a root nobody holds the key of) and
 * the file's certificates are added to its store.
 */
#include "replay/rp_int.h"

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "core/pki.h"

char *
rp_beside(const char *capture, const char *name)
{
	const char *slash = strrchr(capture, '/');
	char *p = slash ? xasprintf("%.*s/%s", (int)(slash - capture), capture, name) :
	    xstrdup(name);

	if (access(p, R_OK) != 0) {
		free(p);
		return NULL;
	}
	return p;
}

static int
load_ca(const char *path, STACK_OF(X509) **out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	STACK_OF(X509) *sk;
	X509 *x;

	if (f == NULL) {
		snprintf(err, errlen, "--ca %s: cannot read it", path);
		return -1;
	}
	sk = sk_X509_new_null();
	while (sk != NULL && (x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL)
		if (sk_X509_push(sk, x) <= 0)
			X509_free(x);
	fclose(f);
	ERR_clear_error();
	if (sk == NULL || sk_X509_num(sk) == 0) {
		snprintf(err, errlen, "--ca %s: no PEM certificate in it", path);
		sk_X509_pop_free(sk, X509_free);
		return -1;
	}
	*out = sk;
	return 0;
}

/* "seed" of results.json beside the capture. */
static bool
seed_beside(const char *capture, uint64_t *seed)
{
	char *p = rp_beside(capture, "results.json");
	json_t *root, *v;
	bool ok = false;

	if (p == NULL)
		return false;
	root = json_load_file(p, 0, NULL);
	v = root ? json_object_get(root, "seed") : NULL;
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*seed = (uint64_t)json_integer_value(v);
		ok = true;
	}
	json_decref(root);
	free(p);
	return ok;
}

int
rp_trust_load(const struct rp_judge_opts *o, struct rp_trust *t, char *err,
    size_t errlen)
{
	memset(t, 0, sizeof(*t));
	if (o->ca != NULL) {
		STACK_OF(X509) *sk;
		if (load_ca(o->ca, &sk, err, errlen) < 0)
			return -1;
		t->ca = sk;
		if (getrandom(&t->seed, sizeof(t->seed), 0) != sizeof(t->seed))
			t->seed = (uint64_t)getpid() * 0x9e3779b97f4a7c15ull;
		snprintf(t->what, sizeof(t->what), "--ca %s (%d certificate%s)", o->ca,
		    sk_X509_num(sk), sk_X509_num(sk) == 1 ? "" : "s");
		return 0;
	}
	if (o->seed_set) {
		t->have_seed = true;
		t->seed = o->seed;
	} else {
		t->have_seed = seed_beside(o->capture, &t->seed);
	}
	if (t->have_seed)
		snprintf(t->what, sizeof(t->what), "the mxsim root CA of seed %llu",
		    (unsigned long long)t->seed);
	return 0;
}

struct pki *
rp_trust_pki(const struct rp_trust *t, time_t clock)
{
	struct pki *p;

	if (t->ca == NULL && !t->have_seed)
		return NULL;
	p = pki_new(t->seed, clock);
	if (p == NULL || t->ca == NULL)
		return p;
	STACK_OF(X509) *sk = t->ca;
	for (int i = 0; i < sk_X509_num(sk); i++)
		(void)X509_STORE_add_cert(pki_store(p), sk_X509_value(sk, i));
	ERR_clear_error();
	return p;
}

void
rp_trust_free(struct rp_trust *t)
{
	sk_X509_pop_free((STACK_OF(X509) *)t->ca, X509_free);
	memset(t, 0, sizeof(*t));
}
