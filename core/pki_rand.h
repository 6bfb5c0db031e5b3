/*
 * pki_rand: private interface between core/pki.c and core/pki_rand.c (the
 * public half, pki_rand_reset and pki_rand_restore, is in core/pki.h).
 *
 * pki_rand_push() switches the process RNG to the stream of (seed, label)
 * and remembers what was there before; pki_rand_pop() puts it back: the
 * previous seeded stream at the exact position it had reached, or OpenSSL's
 * default RNG if that was in force.  The PKI uses this around every key and
 * certificate it makes, so issuing a certificate neither depends on nor
 * disturbs the stream other modules draw from.  Pushes nest (a small fixed
 * depth; deeper is a broken invariant and fatal).
 */
#ifndef MXSIM_PKI_RAND_H
#define MXSIM_PKI_RAND_H

#include <stdint.h>

void pki_rand_push(uint64_t seed, const char *label, size_t labellen);
void pki_rand_pop(void);

#endif
