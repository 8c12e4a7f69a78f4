/*
 * util: small helpers shared by the daemon and the CLI: clocks, strings,
 * paths.  No dependency on the rest of the core, so the CLI can link it.
 */
#ifndef HWH_UTIL_H
#define HWH_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define MS_PER_SEC 1000
#define US_PER_MS 1000

/* CLOCK_MONOTONIC in milliseconds / microseconds: for scheduling. */
int64_t mono_ms(void);
int64_t mono_us(void);
/* Wall clock in milliseconds since the epoch: for display and files only. */
int64_t wall_ms(void);
/* CPU time consumed by the calling thread, in microseconds. */
int64_t thread_cpu_us(void);

/* Copy src into dst of size n, always NUL-terminated (n > 0).  Returns
 * strlen(src), so truncation happened when the result is >= n. */
size_t util_strlcpy(char *dst, const char *src, size_t n);

/* "a/b" in a new string, or NULL on ENOMEM. */
char *path_join(const char *dir, const char *name);

/* mkdir -p: create dir and its parents with mode.  0 or -errno. */
int mkdir_p(const char *dir, mode_t mode);

/* Directory of the running executable (from /proc/self/exe), in buf.
 * 0 or -errno. */
int exe_dir(char *buf, size_t n);

/* Case-insensitive substring test; an empty needle matches. */
int str_icontains(const char *haystack, const char *needle);

/* The character a backslash escape stands for in configuration and rule
 * strings (\" \\ \n \t), -1 if c starts no escape. */
int util_unescape(char c);

#endif
