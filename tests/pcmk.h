/*
 * pcmk: a real single-node Pacemaker + Corosync cluster for the tests of
 * the pacemaker actuator (recipe measured in notes/issue6-research.md §2).
 *
 * pcmk_start() first moves the test process into private mount and network
 * namespaces (once per test process; needs root and check's fork mode):
 *   - the network namespace has only loopback, brought up here: corosync
 *     (knet on 127.0.0.1) and libqb's abstract IPC sockets are the test's
 *     own, so two tests, or a cluster on the host, never meet;
 *   - DIR/lib, DIR/corosync and DIR/log are bound over /var/lib/pacemaker
 *     (compiled in, the bind is the only way to move it), /var/lib/corosync
 *     and /var/log/pacemaker, and /run and /dev/shm are fresh tmpfs: the
 *     host's directories are never written.
 * It writes DIR/corosync.conf and seeds DIR/lib/cib/cib.xml
 * (stonith-enabled=false, dc-deadtime=2s so the node is up in ~5 s, and
 * node-health-strategy=migrate-on-red), runs corosync -f and pacemakerd as
 * children of the test process, and waits, bounded, until crm_mon shows the
 * node online.  Every child started by the test afterwards (the CLI tools
 * through pcmk_run(), hwhealthd through testlib's daemon_start()) is in the
 * same namespaces and reaches the cluster with no nsenter.
 *
 * pcmk_stop() sends SIGTERM to pacemakerd (it stops the resources and its
 * daemons, ~1.5 s), then to corosync, each bounded, then SIGKILLs any of
 * pacemakerd's daemons still alive, by pid.  Nothing outlives the test
 * process in any case.  check _exit()s a test whose assertion failed (no
 * teardown, no atexit hook) and then SIGKILLs its process group, which holds
 * corosync and pacemakerd (both also carry PR_SET_PDEATHSIG); but
 * pacemaker-execd and pacemaker-schedulerd setsid() out of that group.  So
 * a sweeper process, outside the group, waits for the test process to end
 * (EOF on a pipe) and SIGKILLs whatever is left in the test's private
 * network namespace.  A failed test leaves DIR (and its logs) in place.
 *
 * Status is read from `crm_mon -1 --output-as=xml` with a small bounded
 * scanner (pcmk_xml_node, pcmk_xml_resource): only the few attributes a
 * test needs, from the <nodes> and <resources> sections.
 *
 * The three-node variant in network namespaces, with test fencing, is
 * pcmk3.h; it shares the dirs, configuration, process bookkeeping and
 * sweeper declared at the end of this file (pcmk_proc.c).
 */
#ifndef HWH_PCMK_H
#define HWH_PCMK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "testlib.h"

#define PCMK_ONLINE_TIMEOUT_MS 30000  /* node online in crm_mon by then (~5 s) */
#define PCMK_COROSYNC_TIMEOUT_MS 5000 /* corosync-cfgtool -s answers by then */
#define PCMK_STOP_TIMEOUT_MS 20000    /* pacemakerd exits after SIGTERM by then */
#define PCMK_CMD_TIMEOUT_MS 30000     /* one CLI tool (stonith_admin needs 18 s to fail) */
#define PCMK_ROLE_TIMEOUT_MS 20000    /* a resource reaches a role by then */

#define PCMK_NODE "node1" /* the corosync nodelist name (crm_node -n) */

/* Exit codes of the Pacemaker tools (crm_error -X N). */
#define PCMK_EX_NOT_CONNECTED 102 /* the cluster is down */
#define PCMK_EX_NOSUCH 105	  /* an attribute that is not set */

/* One single-node cluster. */
struct pcmk {
	char dir[TL_PATH_MAX];		/* DIR: corosync.conf, lib/, corosync/, log/ */
	char log[TL_PATH_MAX];		/* DIR/log/pacemaker.log */
	char corosync_log[TL_PATH_MAX]; /* DIR/log/corosync.log */
	pid_t corosync;			/* 0 when not running */
	pid_t pacemakerd;		/* 0 when not running */
	int corosync_code;		/* how the last ones ended (128 + signal) */
	int pacemakerd_code;
};

/* A node's line in crm_mon's <nodes>. */
struct pcmk_node {
	bool online, standby, unclean, maintenance;
	char health[16]; /* "green", "yellow", "red" ("" if crm_mon has none) */
	int resources_running;
};

/* A resource's line in crm_mon's <resources>. */
struct pcmk_resource {
	char role[16]; /* "Started", "Stopped", ... */
	bool active, failed;
	char node[64]; /* the first node it runs on, "" when none */
};

/* Enter the namespaces, write the cluster into dir (created if missing),
 * start it and wait until PCMK_NODE is online.  Aborts the test, quoting
 * the logs, when it cannot. */
void pcmk_start(struct pcmk *p, const char *dir);
/* Stop everything (bounded, by pid).  Safe to call twice.  Returns
 * pacemakerd's exit code (-1 when it was not running). */
int pcmk_stop(struct pcmk *p);
/* Stop, then remove DIR. */
void pcmk_free(struct pcmk *p);
/* True while pacemakerd has not exited (reaps it when it has: a fenced node
 * exits 100, pacemakerd_code). */
bool pcmk_running(struct pcmk *p);

/* Run a Pacemaker tool (crm_mon, cibadmin, attrd_updater...) with ARGS
 * (NULL-terminated), bounded by PCMK_CMD_TIMEOUT_MS.  Returns its exit
 * code; res must be freed by the caller. */
int pcmk_run(struct pcmk *p, struct cmd_result *res, ...) __attribute__((sentinel));
/* The same, aborting the test (with its stderr) unless it exits 0. */
void pcmk_must(struct pcmk *p, ...) __attribute__((sentinel));
/* `crm_mon -1 --output-as=xml`, malloc'd; NULL when it fails. */
char *pcmk_status_xml(struct pcmk *p);

/* Add an ocf:pacemaker:Dummy primitive id with a 10 s monitor;
 * allow_unhealthy sets its allow-unhealthy-nodes meta attribute. */
void pcmk_add_dummy(struct pcmk *p, const char *id, bool allow_unhealthy);
/* Set a cluster property (crm_attribute -t crm_config). */
void pcmk_set_property(struct pcmk *p, const char *name, const char *value);
/* attrd_updater -N node -n '#health-hwhealth' -U value. */
void pcmk_set_health(struct pcmk *p, const char *node, const char *value);

/* Read node / resource from crm_mon now: true if crm_mon answered and
 * listed it. */
bool pcmk_node(struct pcmk *p, const char *node, struct pcmk_node *out);
bool pcmk_resource(struct pcmk *p, const char *id, struct pcmk_resource *out);
/* Wait until resource id has role ("Started", "Stopped"); whether it did. */
bool pcmk_wait_role(struct pcmk *p, const char *id, const char *role, int timeout_ms);
/* crm_attribute -N node1 -n name -G -q: its value, or "" when unset (the
 * exit PCMK_EX_NOSUCH case); aborts the test on any other failure. */
void pcmk_node_attr(struct pcmk *p, const char *name, char *buf, size_t len);
/* Fail the test unless crm_mon's health of node1 and the value attrd
 * holds for #health-hwhealth (attrd_updater -Q) are both want. */
void pcmk_assert_health(struct pcmk *p, const char *want);

/*
 * The scanner, on crm_mon XML text (exposed for its unit test).  Each
 * returns true when the element was found; attributes missing from it keep
 * their zero value.  Only <node> elements directly in <nodes> and
 * <resource> elements in <resources> count (crm_mon repeats node names in
 * <node_history> and inside each resource).
 */
bool pcmk_xml_node(const char *xml, const char *node, struct pcmk_node *out);
bool pcmk_xml_resource(const char *xml, const char *id, struct pcmk_resource *out);
/* Attribute name of the start tag at tag ("<node ..."), unescaped into buf
 * (len bytes, truncated): true if present. */
bool pcmk_xml_attr(const char *tag, const char *name, char *buf, size_t len);

/*
 * Shared with pcmk3.c (the three-node variant) and pcmk_proc.c.
 */
#define PCMK_MAX_DAEMONS 16 /* pacemakerd's children: 6 in 2.1 */
#define PCMK_NS_ID_MAX 64   /* "net:[4026532177]" */

/* Create DIR with lib/{cib,pengine,blackbox,cores}, corosync/, log/bundles,
 * owned as Pacemaker wants them. */
void pcmk_make_dirs(const char *dir);
/* Write a corosync.conf (knet, no crypto, token 1000) to path: logfile,
 * quorum_extra lines inside quorum {} ("" or "  two_node: 1\n") and the
 * node { } entries of the nodelist. */
void pcmk_write_corosync_conf(const char *path, const char *cluster, const char *logfile,
			      const char *quorum_extra, const char *nodelist);
/* Seed DIR/lib/cib/cib.xml (hacluster, 0600): stonith-enabled as given,
 * dc-deadtime=2s, node-health-strategy=migrate-on-red, resources (XML of
 * primitives, may be ""). */
void pcmk_write_cib(const char *dir, bool stonith, const char *resources);

/* The <primitive> of pcmk_add_dummy() into xml (len bytes). */
void pcmk_dummy_xml(const char *id, bool allow_unhealthy, char *xml, size_t len);

/* pid's start time (field 22 of /proc/PID/stat), 0 if it is gone or a
 * zombie; its parent in *ppid (if not NULL). */
unsigned long long pcmk_proc_start(pid_t pid, pid_t *ppid);
/* A process, told apart from a later one with the same pid. */
struct pcmk_daemon_id {
	pid_t pid;
	unsigned long long start;
};
/* Up to max live children of parent (pacemakerd's daemons): how many. */
int pcmk_list_children(pid_t parent, struct pcmk_daemon_id *ids, int max);
/* SIGKILL those still alive (same pid and start time), wait until gone. */
void pcmk_kill_leftovers(const struct pcmk_daemon_id *ids, int n);
/* pid's network namespace ("net:[N]") into buf: 0 or -errno. */
int pcmk_netns_id(pid_t pid, char *buf, size_t len);

/* The sweeper: a process outside the test's process group that, once the
 * test process ends for any reason (check _exit()s a failed test without
 * teardown), SIGKILLs every process left in the given network namespaces.
 * Start it once the namespaces exist (it copies ns); stop it after a clean
 * stop (it sweeps once more, then is reaped). */
struct pcmk_sweeper {
	pid_t pid; /* 0 when not running */
	int fd;	   /* the write end of its pipe */
};
void pcmk_sweeper_start(struct pcmk_sweeper *s, const char (*ns)[PCMK_NS_ID_MAX], int n_ns);
void pcmk_sweeper_stop(struct pcmk_sweeper *s);

#endif
