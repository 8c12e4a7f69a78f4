/*
 * pcmk3: a real Pacemaker + Corosync cluster of two or three nodes, each in
 * its own namespaces, with an optional test fence device (recipe measured
 * in notes/issue6-research.md §4-5, notes/issue6/pcmk3-start.sh).  For the
 * tests where several hwhealthd instances, one per node, drive one cluster:
 * the drain budget, fencing.
 *
 * Node i (1..nodes) is "nodeI".  pcmk3_start() forks, per node, a holder
 * process that unshares network, mount and UTS namespaces and stays
 * paused; the test process itself keeps the host's namespaces.  In node
 * i's namespaces:
 *   - network: loopback and eth0 = 10.200.0.I/24, a veth whose peer sits
 *     in a bridge in one more namespace (a bridge holder).  No name is
 *     created in the host (no `ip netns add`, no host link): nothing can
 *     clash with a parallel run or outlive the processes;
 *   - mount: DIR/nI/{lib,corosync,log} bound over /var/lib/pacemaker,
 *     /var/lib/corosync, /var/log/pacemaker; tmpfs /run and /dev/shm; with
 *     fencing, an overlay on /usr/sbin adding fence_hwhtest (copied from
 *     tests/fence_hwhtest: it only records off/reboot in DIR/fence.log).
 *     Everything else, /tmp included, is the host's: a socket under the
 *     test's temp dir is reachable from the test process;
 *   - UTS: hostname nodeI.
 * corosync and pacemakerd of each node are children of the test process
 * (fork, setns into the holder's namespaces, exec), so are the CLI tools
 * (pcmk3_run) and, through testlib's daemon_start_in() with
 * pcmk3_enter_node, one hwhealthd per node.  The clients must run in the
 * node's mount namespace as well: libqb's IPC lives in its private /dev/shm.
 *
 * The seed CIB: stonith-enabled as asked, dc-deadtime=2s,
 * node-health-strategy=migrate-on-red; with fencing a stonith device
 * fence-test (fence_hwhtest, pcmk_host_list of all nodes, log=DIR/fence.log).
 * Fencing node X makes X's own controller exit (it is told it was fenced):
 * X's pacemakerd exits 100 and stays down, the others see X offline.
 *
 * pcmk3_stop() TERMs every pacemakerd at once (bounded, then SIGKILL and
 * their daemons by pid), then the corosyncs, then SIGKILLs the holders: the
 * namespaces, links and mounts go with their last process.  A test whose
 * assertion failed is _exit()ed by check without teardown; the sweeper
 * (pcmk.h) then kills whatever is left in the cluster's network namespaces.
 * One cluster per test process at a time.
 */
#ifndef HWH_PCMK3_H
#define HWH_PCMK3_H

#include <stdbool.h>
#include <sys/types.h>

#include "pcmk.h"
#include "testlib.h"

#define PCMK3_MAX_NODES 3
#define PCMK3_ONLINE_TIMEOUT_MS 40000 /* every node online everywhere by then (~5 s) */
#define PCMK3_HOLDER_TIMEOUT_MS 5000  /* a holder has its namespaces by then */

/* One node: its namespaces (holder) and daemons. */
struct pcmk3_node {
	int index;			    /* I of nodeI, 1.. */
	char name[8];			    /* "nodeI" */
	char dir[TL_PATH_MAX];		    /* DIR/nI */
	char log[TL_PATH_MAX];		    /* DIR/nI/log/pacemaker.log */
	char corosync_log[TL_PATH_MAX];	    /* DIR/nI/log/corosync.log */
	pid_t holder, corosync, pacemakerd; /* 0 when not running */
	int corosync_code, pacemakerd_code; /* how they ended (128 + signal) */
	int ns[3];			    /* net, uts, mnt of the holder; -1 closed */
	const char *cwd;		    /* the test's cwd, entered after setns */
};

struct pcmk3 {
	char dir[TL_PATH_MAX];	     /* DIR */
	char fence_log[TL_PATH_MAX]; /* DIR/fence.log */
	char cwd[TL_PATH_MAX];
	int nodes;
	bool fencing;
	pid_t bridge;  /* the bridge's holder */
	int bridge_ns; /* its network namespace, -1 closed */
	struct pcmk3_node node[PCMK3_MAX_NODES];
	struct pcmk_sweeper sweeper;
};

/* Build and start a cluster of nodes (2..3) in dir (created if missing;
 * must not hold a ',' for the overlay), with the fence device if fencing,
 * and wait until every node sees every node online.  Aborts the test,
 * quoting the logs, when it cannot.  Needs root and check's fork mode. */
void pcmk3_start(struct pcmk3 *c, const char *dir, int nodes, bool fencing);
/* Stop everything (bounded, by pid).  Safe to call twice.  Returns 0 when
 * every pacemakerd still running exited 0 on SIGTERM, else the first other
 * exit code. */
int pcmk3_stop(struct pcmk3 *c);
/* Stop, then remove DIR. */
void pcmk3_free(struct pcmk3 *c);

/* Node i (1..nodes); aborts the test when out of range. */
struct pcmk3_node *pcmk3_node_at(struct pcmk3 *c, int i);
/* "nodeI" (a static string). */
const char *pcmk3_name(int i);
/* A tl_enter_fn: setns() into node's (a struct pcmk3_node *) network, UTS
 * and mount namespaces, then chdir to the test's cwd.  For a forked child
 * before exec: 0 or -errno. */
int pcmk3_enter_node(void *node);
/* Start hwhealthd (d as for daemon_start; its W under /tmp) in node i. */
void pcmk3_daemon_start(struct pcmk3 *c, int i, struct test_daemon *d, const char *conf_text);
/* Bind src over target in node i's mount namespace only (e.g. a fake
 * hwmon tree over /sys/class).  Aborts the test when it fails. */
void pcmk3_bind(struct pcmk3 *c, int i, const char *src, const char *target);

/* Run a Pacemaker tool with ARGS (NULL-terminated) in node i, bounded by
 * PCMK_CMD_TIMEOUT_MS: its exit code; res must be freed by the caller. */
int pcmk3_run(struct pcmk3 *c, int i, struct cmd_result *res, ...) __attribute__((sentinel));
/* The same, aborting the test (with its stderr) unless it exits 0. */
void pcmk3_must(struct pcmk3 *c, int i, ...) __attribute__((sentinel));
/* `crm_mon -1 --output-as=xml` on node i, malloc'd; NULL when it fails.
 * Read it with pcmk_xml_node / pcmk_xml_resource. */
char *pcmk3_status_xml(struct pcmk3 *c, int i);
/* Node name's / resource id's line in node i's crm_mon: true if listed. */
bool pcmk3_node(struct pcmk3 *c, int i, const char *name, struct pcmk_node *out);
bool pcmk3_resource(struct pcmk3 *c, int i, const char *id, struct pcmk_resource *out);

/* Add an ocf:pacemaker:Dummy (as pcmk_add_dummy) through node 1. */
void pcmk3_add_dummy(struct pcmk3 *c, const char *id, bool allow_unhealthy);
/* attrd_updater -N nodeI -n '#health-hwhealth' -U value, run on node i. */
void pcmk3_set_health(struct pcmk3 *c, int i, const char *value);

/* DIR/fence.log: one "<time> <action> <target>" line per request the test
 * agent got; malloc'd, "" when none. */
char *pcmk3_fence_log(struct pcmk3 *c);
/* True when node i's pacemakerd has exited (reaped), its exit code in
 * *code (100 after a fence). */
bool pcmk3_pacemakerd_exited(struct pcmk3 *c, int i, int *code);

#endif
