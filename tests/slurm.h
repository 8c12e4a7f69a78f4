/*
 * slurm: a real one-node Slurm (munged + slurmctld + slurmd) on loopback
 * for the tests of the slurm actuator (recipe measured in
 * notes/issue6-research.md §3; up in ~1 s).
 *
 * slurm_start() writes DIR/slurm.conf (every path under DIR, SlurmUser=root,
 * ports asked of the kernel so tests and benchmarks may run side by side),
 * a fresh munge key, and runs munged (as user munge), slurmctld -D and
 * slurmd -D -N node1 as children of the test process, with
 * PR_SET_PDEATHSIG.  It sets SLURM_CONF in the test process's environment,
 * so every client it starts afterwards (sinfo, scontrol, hwhealthd and its
 * actuator) talks to this cluster.  It waits, bounded, until the node is
 * idle.
 *
 * It runs in the host's network namespace: a namespace with only loopback
 * fails glibc's AI_ADDRCONFIG, and Slurm resolves its hosts with it.  So a
 * test process cannot hold both this and a pcmk cluster (pcmk.h), which
 * moves the process into a loopback-only namespace.
 *
 * slurm_stop() stops slurmd, slurmctld, then munged (it takes ~2 s), each
 * with SIGTERM and a bound, then SIGKILL.  A test whose assertion failed is
 * _exit()ed by check (no teardown, no atexit hook): then the daemons die by
 * PR_SET_PDEATHSIG and check's SIGKILL of the process group (none of them
 * leaves it; slurmscriptd is slurmctld's child and dies with it), and DIR
 * stays for the logs.  The atexit() hook covers a test that returns without
 * slurm_stop().
 *
 * Node state is read from `sinfo -h -N -o '%N|%T|%E'` (sinfo -R truncates
 * the reason to 20 characters).  After State=RESUME the node shows `idle*`
 * (not responding) for up to ~1 s: wait for `idle`.
 */
#ifndef HWH_SLURM_H
#define HWH_SLURM_H

#include <stdbool.h>
#include <sys/types.h>

#include "testlib.h"

#define SLURM_MUNGE_TIMEOUT_MS 5000  /* munge -n succeeds by then */
#define SLURM_IDLE_TIMEOUT_MS 20000  /* node idle after start by then (~1 s) */
#define SLURM_STOP_TIMEOUT_MS 10000  /* each daemon exits after SIGTERM by then */
#define SLURM_CMD_TIMEOUT_MS 15000   /* one client command */
#define SLURM_STATE_TIMEOUT_MS 10000 /* a node reaches a state by then */

#define SLURM_NODE "node1"

/* One single-node cluster. */
struct slurm {
	char dir[TL_PATH_MAX];	  /* DIR */
	char conf[TL_PATH_MAX];	  /* DIR/slurm.conf */
	char socket[TL_PATH_MAX]; /* DIR/munge/munge.socket */
	int ctld_port, slurmd_port;
	pid_t munged, slurmctld, slurmd; /* 0 when not running */
};

/* A node's line in sinfo. */
struct slurm_node {
	char state[32];	  /* %T: "idle", "drained", "draining", "idle*", "down"... */
	char reason[256]; /* %E: "none" when there is none */
};

/* Write and start the cluster in dir (created if missing), wait until
 * SLURM_NODE is idle.  Aborts the test, quoting the logs, when it cannot. */
void slurm_start(struct slurm *s, const char *dir);
/* Stop everything (bounded, by pid).  Safe to call twice. */
void slurm_stop(struct slurm *s);
/* Stop, then remove DIR. */
void slurm_free(struct slurm *s);

/* Run a Slurm client (sinfo, scontrol...) with ARGS (NULL-terminated),
 * bounded by SLURM_CMD_TIMEOUT_MS.  Returns its exit code; the caller frees
 * res. */
int slurm_run(struct slurm *s, struct cmd_result *res, ...) __attribute__((sentinel));
/* The node's state and reason now; true if sinfo listed it. */
bool slurm_node(struct slurm *s, const char *node, struct slurm_node *out);
/* Wait until the node's state is exactly state; whether it was. */
bool slurm_wait_state(struct slurm *s, const char *node, const char *state, int timeout_ms);
/* scontrol update NodeName=node State=DRAIN Reason=reason; the exit code. */
int slurm_drain(struct slurm *s, const char *node, const char *reason);
/* scontrol update NodeName=node State=RESUME; the exit code. */
int slurm_resume(struct slurm *s, const char *node);

/* Parse one `%N|%T|%E` line set (sinfo's stdout) for node: exposed for
 * its unit test. */
bool slurm_parse_sinfo(const char *text, const char *node, struct slurm_node *out);

#endif
