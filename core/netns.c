/*
 * netns: create and enter the world's namespaces.  See netns.h.
 */
#include "core/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int
write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

static int
lo_up(char *err, size_t errlen)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0 ||
	    (ifr.ifr_flags |= IFF_UP | IFF_RUNNING, ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)) {
		snprintf(err, errlen, "cannot bring lo up in the new namespace: %s",
		    strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* Run argv (a tc or ip command) and wait for it; 0 when it exited 0. */
static int
run_tool(char *const argv[], char *err, size_t errlen)
{
	int st;
	pid_t pid = fork();

	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			snprintf(err, errlen, "waitpid: %s", strerror(errno));
			return -1;
		}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		snprintf(err, errlen, "MXSIM_TEST_LATE_LO: '%s %s %s ...' failed "
		    "(exit %d)", argv[0], argv[1], argv[2],
		    WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		return -1;
	}
	return 0;
}

/* The late kernel of the determinism tests: a token bucket on loopback
 * holds packets back, so they arrive after the call that sent them
 * returned (as under a loaded machine whose softirqs run late). */
static int
late_lo(const char *rate, char *err, size_t errlen)
{
	char r[32];
	/* one segment per packet: a GSO packet split by the bucket would be
	 * counted sent once and received twice */
	char *mtu[] = { "ip", "link", "set", "lo", "mtu", "1500",
		"gso_max_segs", "1", NULL };
	char *tbf[] = { "tc", "qdisc", "add", "dev", "lo", "root", "tbf",
		"rate", r, "burst", "1600", "latency", "10s", NULL };

	if (strlen(rate) >= sizeof(r) || strspn(rate, "0123456789kmgbit") != strlen(rate)) {
		snprintf(err, errlen, "MXSIM_TEST_LATE_LO: '%s' is not a rate "
		    "such as 20mbit", rate);
		return -1;
	}
	snprintf(r, sizeof(r), "%s", rate);
	if (run_tool(mtu, err, errlen) < 0 || run_tool(tbf, err, errlen) < 0)
		return -1;
	/* TCP autocorking holds a small segment back while an earlier one of
	 * its socket waits in the bucket, and sends it from a tasklet when
	 * that one leaves: bytes in no counter, which only a queueing
	 * discipline makes (loopback frees a packet as it sends it) */
	if (write_file("/proc/sys/net/ipv4/tcp_autocorking", "0") < 0) {
		snprintf(err, errlen, "MXSIM_TEST_LATE_LO: cannot turn TCP "
		    "autocorking off: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int
netns_enter(char *err, size_t errlen)
{
	int flags = CLONE_NEWNET | CLONE_NEWNS;

	if (geteuid() != 0) {
		uid_t uid = geteuid();
		gid_t gid = getegid();
		char map[64];

		if (unshare(CLONE_NEWUSER | flags) < 0) {
			snprintf(err, errlen, "cannot create namespaces (unshare: %s); "
			    "run as root or enable unprivileged user namespaces "
			    "(sysctl kernel.unprivileged_userns_clone=1)", strerror(errno));
			return -1;
		}
		(void)write_file("/proc/self/setgroups", "deny");
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
		if (write_file("/proc/self/uid_map", map) < 0) {
			snprintf(err, errlen, "cannot write uid_map: %s", strerror(errno));
			return -1;
		}
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
		(void)write_file("/proc/self/gid_map", map);
	} else if (unshare(flags) < 0) {
		snprintf(err, errlen, "cannot create network namespace (unshare: %s)",
		    strerror(errno));
		return -1;
	}
	/* Mounts made in the world (resolv.conf, /dev/shm) must not propagate. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		snprintf(err, errlen, "cannot make mounts private: %s", strerror(errno));
		return -1;
	}
	if (lo_up(err, errlen) < 0)
		return -1;
	const char *late = getenv("MXSIM_TEST_LATE_LO");
	if (late != NULL && *late != '\0')
		return late_lo(late, err, errlen);
	return 0;
}
