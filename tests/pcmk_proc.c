/*
 * pcmk_proc: the process bookkeeping both cluster harnesses share (pcmk.c,
 * one node; pcmk3.c, up to three in network namespaces): telling a daemon
 * from a reused pid, pacemakerd's children, and the sweeper that kills what
 * a failed test leaves behind.  See "Shared with pcmk3.c" in pcmk.h.
 */
#include "pcmk.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

unsigned long long pcmk_proc_start(pid_t pid, pid_t *ppid)
{
	char path[64], *stat, *p;
	unsigned long long start = 0;
	char state;
	int ppid_i;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	stat = read_file_str(path);
	if (stat == NULL)
		return 0;
	p = strrchr(stat, ')'); /* comm may hold spaces and parentheses */
	if (p != NULL &&
	    sscanf(p + 1,
		   " %c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d "
		   "%*d %*d %*d %*d %llu",
		   &state, &ppid_i, &start) == 3 &&
	    state != 'Z') {
		if (ppid != NULL)
			*ppid = ppid_i;
	} else {
		start = 0;
	}
	free(stat);
	return start;
}

int pcmk_list_children(pid_t parent, struct pcmk_daemon_id *ids, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return 0;
	while (n < max && (e = readdir(d)) != NULL) {
		pid_t pid = (pid_t)atoi(e->d_name), ppid = 0;
		unsigned long long start;

		if (pid <= 0)
			continue;
		start = pcmk_proc_start(pid, &ppid);
		if (start != 0 && ppid == parent)
			ids[n++] = (struct pcmk_daemon_id){pid, start};
	}
	closedir(d);
	return n;
}

void pcmk_kill_leftovers(const struct pcmk_daemon_id *ids, int n)
{
	for (int i = 0; i < n; i++) {
		int64_t deadline = tl_mono_ms() + PCMK_STOP_TIMEOUT_MS;

		if (pcmk_proc_start(ids[i].pid, NULL) != ids[i].start)
			continue;
		fprintf(stderr, "pcmk_stop: pacemaker daemon %d left behind, SIGKILL\n",
			(int)ids[i].pid);
		kill(ids[i].pid, SIGKILL);
		while (pcmk_proc_start(ids[i].pid, NULL) == ids[i].start && tl_mono_ms() < deadline)
			usleep(10 * 1000);
	}
}

int pcmk_netns_id(pid_t pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof path, "/proc/%d/ns/net", (int)pid);
	n = readlink(path, buf, len - 1);
	if (n <= 0)
		return n == 0 ? -EINVAL : -errno;
	buf[n] = '\0';
	return 0;
}

/*
 * The sweeper.  check's fork mode _exit()s a test process whose assertion
 * failed (no teardown, no atexit) and then SIGKILLs its process group; that
 * kills corosync and pacemakerd but not pacemaker-execd and
 * pacemaker-schedulerd, which call setsid().  So a process forked once the
 * namespaces exist leaves the group with setsid() and waits for EOF on a
 * pipe whose write end only the test process holds (O_CLOEXEC): when the
 * test process ends, for any reason, it SIGKILLs every other process in the
 * cluster's network namespaces (all of them are the cluster's, or the
 * test's), then exits, and the namespaces die with the last of them.
 */

/* Kill every process in one of the n network namespaces but us and the
 * test process (alive when the sweep follows a clean stop); how many. */
static int sweep(const char (*ns)[PCMK_NS_ID_MAX], int n_ns, pid_t test_pid)
{
	char link[PCMK_NS_ID_MAX];
	struct dirent *e;
	int found = 0;
	DIR *d = opendir("/proc");

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		pid_t pid = (pid_t)atoi(e->d_name);

		if (pid <= 0 || pid == getpid() || pid == test_pid ||
		    pcmk_netns_id(pid, link, sizeof link) != 0)
			continue;
		for (int i = 0; i < n_ns; i++)
			if (strcmp(link, ns[i]) == 0 && pcmk_proc_start(pid, NULL) != 0) {
				kill(pid, SIGKILL);
				found++;
				break;
			}
	}
	closedir(d);
	return found;
}

static void sweeper_main(int rfd, const char (*ns)[PCMK_NS_ID_MAX], int n_ns, pid_t test_pid)
{
	char c;

	setsid();
	while (read(rfd, &c, 1) != 0 && errno == EINTR)
		;
	/* Bounded: a process that survives SIGKILL for 5 s is not ours to wait for. */
	for (int i = 0; i < 500 && sweep(ns, n_ns, test_pid) > 0; i++)
		usleep(10 * 1000);
	_exit(0);
}

void pcmk_sweeper_start(struct pcmk_sweeper *s, const char (*ns)[PCMK_NS_ID_MAX], int n_ns)
{
	pid_t test_pid = getpid();
	int fds[2];

	if (s->pid > 0)
		return;
	if (pipe2(fds, O_CLOEXEC) == -1)
		ck_abort_msg("pipe2: %s", strerror(errno));
	s->pid = fork();
	if (s->pid == -1)
		ck_abort_msg("fork: %s", strerror(errno));
	if (s->pid == 0) {
		close(fds[1]);
		sweeper_main(fds[0], ns, n_ns, test_pid);
	}
	close(fds[0]);
	s->fd = fds[1];
}

void pcmk_sweeper_stop(struct pcmk_sweeper *s)
{
	if (s->fd > 0) {
		close(s->fd);
		s->fd = -1;
	}
	tl_stop_pid(&s->pid, 0, PCMK_STOP_TIMEOUT_MS);
}
