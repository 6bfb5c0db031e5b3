/*
 * netns: create and enter the world's namespaces.  See netns.h.
 */
#include "core/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
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
	return lo_up(err, errlen);
}
