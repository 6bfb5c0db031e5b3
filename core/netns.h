/*
 * netns: the private network (and mount) namespace the world lives in.
 *
 * netns_enter() moves the calling process into a new network namespace and
 * mount namespace (through a user namespace when not root) and brings the
 * loopback interface up, so that every address of 127.0.0.0/8 is local and
 * bindable and nothing can reach the host's networks.  Call it before any
 * thread or socket exists.
 *
 * For the determinism tests, MXSIM_TEST_LATE_LO=RATE (e.g. 20mbit) puts
 * a token bucket filter at that rate on the world's loopback (MTU 1500):
 * packets then reach their socket after the send returned, as they do on
 * a loaded machine.  Needs ip and tc (iproute2).
 */
#ifndef MXSIM_NETNS_H
#define MXSIM_NETNS_H

#include <stddef.h>

int netns_enter(char *err, size_t errlen) __attribute__((warn_unused_result));

#endif
