/*
 * plugin_run: run one external tool with an argv, its output captured and
 * a hard time limit, for actuators (pacemaker, slurm, exec).  posix_spawn,
 * never a shell, never a PATH search: argv[0] is an absolute path.  The
 * child gets its own process group, an empty signal mask, default signal
 * actions, stdin from the given text (or /dev/null) and no other inherited
 * descriptor; at the deadline the whole group is SIGKILLed and reaped.
 * Linked into each plugin's .so, hidden (see plugin_util.h).
 */
#ifndef HWH_PLUGIN_RUN_H
#define HWH_PLUGIN_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "plugin_util.h"

#define PU_RUN_OUT_MAX 4096 /* bytes of stdout kept (the rest is read and dropped) */
#define PU_RUN_ERR_MAX 2048 /* bytes of stderr kept */

/* The environment a tool gets when the caller passes none. */
#define PU_RUN_DEFAULT_PATH "PATH=/usr/sbin:/usr/bin:/sbin:/bin"

struct pu_run {
	/* in */
	const char *const *argv; /* argv[0]: absolute path of the program */
	const char *const *envp; /* NULL: PU_RUN_DEFAULT_PATH and LC_ALL=C only */
	const char *input;	 /* written to its stdin then closed; NULL: /dev/null */
	int64_t timeout_ms;	 /* > 0: the group is SIGKILLed at this */
	char *out_buf;		 /* optional: stdout into this buffer instead of out[] */
	size_t out_cap;		 /* its size (>= 2 to be used), NUL included */
	/* out */
	int status;	     /* exit status 0..255; 128 + signal if a signal ended it; -1 not run */
	int signal;	     /* the signal that ended it (SIGKILL at the timeout), 0 none */
	int timed_out;	     /* 1: killed at timeout_ms */
	int64_t duration_ms; /* from spawn to reaped */
	char out[PU_RUN_OUT_MAX];
	size_t out_len; /* bytes kept in out, or out_buf when given (NUL-terminated, cut at
			 * PU_RUN_OUT_MAX - 1 or out_cap - 1) */
	char err[PU_RUN_ERR_MAX];
	size_t err_len;
	int truncated; /* 1: more output came than was kept */
};

/*
 * Run r->argv and wait for it (at most r->timeout_ms).  Returns 0 when the
 * tool ran and ended by itself (see r->status: non-zero is the caller's to
 * judge); -ETIMEDOUT when it was killed at the timeout; another negative
 * errno when it could not be started (-ENOENT: no such program), with
 * r->err saying why in words.  Thread-safe; uses no signal handler (waits
 * with a pidfd-less poll loop over the pipes and waitpid(WNOHANG)), and a
 * child that exits without reading its input cannot SIGPIPE the caller.
 * The run lasts until the child has exited AND its stdout and stderr are
 * closed: a background process it left holding them keeps the run going
 * until the timeout kills the group (one that left the group with setsid()
 * is out of reach).  The final SIGKILL's waitpid() is not bounded: a child
 * stuck in the kernel (D state) holds the caller there.
 */
PU_HIDDEN int pu_run(struct pu_run *r);

/*
 * One line describing the run for a log or an action record, into buf:
 * "exit 0 in 12 ms", "exit 3 in 40 ms", "killed by signal 9", "timed out
 * after 10.0 s (killed)", "not run: ...".  Returns buf.
 */
PU_HIDDEN const char *pu_run_describe(const struct pu_run *r, char *buf, size_t len);

/*
 * Append the captured stdout and stderr to dst (size len, NUL-terminated,
 * cut to fit): "stdout:\n...\nstderr:\n..." with empty parts left out.
 */
PU_HIDDEN void pu_run_output(const struct pu_run *r, char *dst, size_t len);

#endif
