/*
 * watchdog_sys: what the watchdog plugin reads beside the device itself
 * (see watchdog_internal.h).
 *
 * sysfs: the watchdog class directory (Documentation/ABI/testing/
 * sysfs-class-watchdog) holds bootstatus, identity, nowayout, state,
 * timeleft and timeout.  The plugin prefers the ioctls on the device it
 * holds and reads these where an ioctl is missing, and for nowayout, which
 * no ioctl tells.
 *
 * /proc: when the device is busy, the holders are named by reading the
 * /proc/PID/fd links.  Only readlink(): a stat() would follow a link into a
 * FUSE file whose server may hang, and block the poll thread for good.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "watchdog_internal.h"

#define HOLDERS_LISTED 3 /* then ", ..." */
#define LEGACY_MAJOR 10	 /* misc */
#define LEGACY_MINOR 130 /* WATCHDOG_MINOR: /dev/watchdog */

int wd_sysfs_text(const char *dir, const char *name, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	size_t end;
	int fd, rc = 0;

	if (len == 0 || (size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
		return -ENAMETOOLONG;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	n = read(fd, buf, len);
	if (n < 0)
		rc = -errno;
	else if ((size_t)n >= len)
		rc = -EFBIG;
	close(fd);
	if (rc < 0) {
		buf[0] = '\0';
		return rc;
	}
	buf[n] = '\0'; /* n < len */
	end = strcspn(buf, "\n");
	while (end > 0 && isspace((unsigned char)buf[end - 1]))
		end--;
	buf[end] = '\0';
	return 0;
}

int wd_sysfs_uint(const char *dir, const char *name, unsigned long *v)
{
	char buf[32], *end;
	int rc;

	if ((rc = wd_sysfs_text(dir, name, buf, sizeof buf)) < 0)
		return rc;
	if (!isdigit((unsigned char)buf[0]))
		return -EINVAL;
	errno = 0;
	*v = strtoul(buf, &end, 10);
	return errno != 0 || *end != '\0' ? -EINVAL : 0;
}

/* dir/bootstatus exists: dir is a watchdog class device. */
static int is_wd_dir(const char *dir)
{
	char path[PATH_MAX];

	return (size_t)snprintf(path, sizeof path, "%s/bootstatus", dir) < sizeof path &&
	       access(path, F_OK) == 0;
}

int wd_sysfs_dir(const char *sys, unsigned maj, unsigned min, char *buf, size_t len)
{
	if ((size_t)snprintf(buf, len, "%s/dev/char/%u:%u", sys, maj, min) < len && is_wd_dir(buf))
		return 0;
	/* The legacy misc node is watchdog0 (watchdog_dev.c registers it for
	 * id 0 only), but its own sysfs directory is the misc device's. */
	if (maj == LEGACY_MAJOR && min == LEGACY_MINOR &&
	    (size_t)snprintf(buf, len, "%s/class/watchdog/watchdog0", sys) < len && is_wd_dir(buf))
		return 0;
	buf[0] = '\0';
	return -ENOENT;
}

int wd_boot_id(char *buf, size_t len)
{
	int rc = wd_sysfs_text("/proc/sys/kernel/random", "boot_id", buf, len);

	return rc == 0 && buf[0] == '\0' ? -ENODATA : rc;
}

/* ---- who holds the device --------------------------------------------- */

/* Does one of pid's fds link to want or alias? */
static int pid_holds(const char *proc, const char *pid, const char *want, const char *alias)
{
	char dir[PATH_MAX], link[PATH_MAX];
	struct dirent *de;
	ssize_t n;
	DIR *d;
	int found = 0;

	if ((size_t)snprintf(dir, sizeof dir, "%s/%s/fd", proc, pid) >= sizeof dir ||
	    (d = opendir(dir)) == NULL)
		return 0; /* gone, or not ours to see */
	while (!found && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		n = readlinkat(dirfd(d), de->d_name, link, sizeof link - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		found = strcmp(link, want) == 0 || (alias != NULL && strcmp(link, alias) == 0);
	}
	closedir(d);
	return found;
}

/* Append "pid N (comm)" to buf at *off. */
static void add_holder(const char *proc, const char *pid, char *buf, size_t len, size_t *off)
{
	char dir[PATH_MAX], comm[32];

	snprintf(dir, sizeof dir, "%s/%s", proc, pid);
	if (wd_sysfs_text(dir, "comm", comm, sizeof comm) < 0 || comm[0] == '\0')
		snprintf(comm, sizeof comm, "?");
	if (*off < len)
		*off +=
		    (size_t)snprintf(buf + *off, len - *off, "%spid %s (%s%s)", *off ? ", " : "",
				     pid, comm, atol(pid) == (long)getpid() ? ", this daemon" : "");
}

/* The path is compared as given (realpath() would lstat() it and every
 * directory on the way, and a hung FUSE file blocks that for good). */
int wd_find_holders(const char *proc, const char *path, char *buf, size_t len)
{
	const char *alias = NULL;
	struct dirent *de;
	size_t off = 0;
	DIR *d;
	int n = 0;

	buf[0] = '\0';
	if (strcmp(path, "/dev/watchdog") == 0)
		alias = "/dev/watchdog0";
	else if (strcmp(path, "/dev/watchdog0") == 0)
		alias = "/dev/watchdog";
	if ((d = opendir(proc)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)de->d_name[0]) ||
		    !pid_holds(proc, de->d_name, path, alias))
			continue;
		if (n++ < HOLDERS_LISTED)
			add_holder(proc, de->d_name, buf, len, &off);
		else if (n == HOLDERS_LISTED + 1 && off < len)
			off += (size_t)snprintf(buf + off, len - off, ", ...");
	}
	closedir(d);
	return n;
}
