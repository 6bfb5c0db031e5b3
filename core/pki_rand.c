/*
 * pki_rand: the seeded deterministic RNG behind the PKI and every TLS
 * endpoint mxsim owns.  See pki.h (pki_rand_reset, pki_rand_restore) and
 * pki_rand.h (push/pop, private to the PKI).
 *
 * The generator is SHA-256 in counter mode: key = SHA-256(domain || seed ||
 * label), block i = SHA-256(key || i), output = block 0 || block 1 || ...
 * It is installed as a RAND_METHOD with RAND_set_rand_method(), which
 * OpenSSL 3.0 still honours in RAND_bytes_ex and RAND_priv_bytes_ex, so key
 * generation, ECDSA nonces, TLS randoms and key shares all come from it.
 * The output is a byte stream: the same (seed, label) gives the same bytes
 * however the callers slice their requests.  This is a test RNG, not a
 * cryptographic one for real use: its output is a function of the seed.
 *
 * RAND_METHOD callbacks take no user argument, so the generator state is
 * file-global (the one deliberate exception to "no global mutable state";
 * the process RNG is global in OpenSSL too).  Single-threaded, like the rest
 * of mxsim.  Logs nothing.
 */
#include "core/pki.h"
#include "core/pki_rand.h"
#include "core/util.h"

#include <stdbool.h>
#include <string.h>

#include <openssl/rand.h>
#include <openssl/sha.h>

#define RAND_DOMAIN "mxsim-pki-rand-v1"
#define RAND_DEPTH 4

struct rand_state {
	uint8_t key[SHA256_DIGEST_LENGTH];
	uint64_t counter;                  /* next block to generate */
	uint8_t block[SHA256_DIGEST_LENGTH];
	size_t used;                       /* bytes of block already handed out */
};

struct rand_saved {
	bool seeded;                       /* our method was installed */
	struct rand_state st;              /* its state, if so */
};

static struct rand_state rng;
static struct rand_saved stack[RAND_DEPTH];
static int depth;

static void
put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = v & 0xff;
		v >>= 8;
	}
}

static void
rng_next_block(void)
{
	uint8_t in[SHA256_DIGEST_LENGTH + 8];

	memcpy(in, rng.key, sizeof(rng.key));
	put_be64(in + sizeof(rng.key), rng.counter++);
	SHA256(in, sizeof(in), rng.block);
	rng.used = 0;
}

static int
rng_bytes(unsigned char *buf, int num)
{
	size_t n;

	if (num < 0)
		return 0;
	n = (size_t)num;
	while (n > 0) {
		size_t k;

		if (rng.used == sizeof(rng.block))
			rng_next_block();
		k = sizeof(rng.block) - rng.used;
		if (k > n)
			k = n;
		memcpy(buf, rng.block + rng.used, k);
		rng.used += k;
		buf += k;
		n -= k;
	}
	return 1;
}

static int
rng_seed(const void *buf, int num)
{
	/* Reseeding would break determinism: ignored on purpose. */
	return 1;
}

static int
rng_add(const void *buf, int num, double randomness)
{
	return 1;
}

static int
rng_status(void)
{
	return 1;
}

static void
rng_cleanup(void)
{
}

static const RAND_METHOD rng_method = {
	.seed = rng_seed,
	.bytes = rng_bytes,
	.cleanup = rng_cleanup,
	.add = rng_add,
	.pseudorand = rng_bytes,
	.status = rng_status,
};

static void
rng_key(uint64_t seed, const void *label, size_t labellen)
{
	SHA256_CTX c;
	uint8_t s[8];

	put_be64(s, seed);
	SHA256_Init(&c);
	SHA256_Update(&c, RAND_DOMAIN, sizeof(RAND_DOMAIN));  /* with its NUL */
	SHA256_Update(&c, s, sizeof(s));
	SHA256_Update(&c, label, labellen);
	SHA256_Final(rng.key, &c);
	rng.counter = 0;
	rng.used = sizeof(rng.block);  /* empty: first request makes block 0 */
}

static bool
rng_installed(void)
{
	return RAND_get_rand_method() == &rng_method;
}

static void
rng_install(void)
{
	if (!rng_installed() && RAND_set_rand_method(&rng_method) != 1)
		fatal("pki: cannot install the deterministic RAND_METHOD");
}

void
pki_rand_reset(uint64_t seed, const char *label)
{
	if (label == NULL)
		label = "";
	rng_key(seed, label, strlen(label));
	rng_install();
}

void
pki_rand_restore(void)
{
	RAND_set_rand_method(NULL);
	OPENSSL_cleanse(&rng, sizeof(rng));
	OPENSSL_cleanse(stack, sizeof(stack));
	depth = 0;
}

void
pki_rand_push(uint64_t seed, const char *label, size_t labellen)
{
	struct rand_saved *s;

	if (depth == RAND_DEPTH)
		fatal("pki: RNG push nested deeper than %d", RAND_DEPTH);
	s = &stack[depth++];
	s->seeded = rng_installed();
	if (s->seeded)
		s->st = rng;
	rng_key(seed, label, labellen);
	rng_install();
}

void
pki_rand_pop(void)
{
	struct rand_saved *s;

	if (depth == 0)
		fatal("pki: RNG pop without push");
	s = &stack[--depth];
	if (s->seeded) {
		rng = s->st;
		rng_install();
	} else {
		/* OpenSSL's default (or whatever RAND_get_rand_method would
		 * pick without an explicit method). */
		RAND_set_rand_method(NULL);
		OPENSSL_cleanse(&rng, sizeof(rng));
	}
	OPENSSL_cleanse(s, sizeof(*s));
}
