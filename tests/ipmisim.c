/*
 * ipmisim: OpenIPMI's ipmi_sim as a BMC on loopback for the ipmi source's
 * integration tests.  See ipmisim.h for the contract of each helper.
 *
 * The files follow the recipe measured in the IPMI groundwork notes
 * (lan.conf / .emu / .sdrs for OpenIPMI 2.0.33, upstream's
 * lanserv/ipmisim1.* being the model): ipmi_sim reads the SDR repository
 * from STATE/ipmi_sim/<name>/sdr.20.main ("persist_sdr" in mc_add), which
 * sdrcomp -8 writes, and keeps the SEL next to it.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "ipmisim.h"

#define BMC_NAME "testbmc"
#define START_TRIES 3 /* first start: fresh ports when ours were taken meanwhile */

/*
 * The test BMC.  Thresholds are raw bytes; readable masks list "unr uc unc
 * lnr lc lnc" (sensor_set_threshold's order).  Values: Inlet 25 C, CPU from
 * the file, Fan1 5000 RPM, 12V 12.00 V, PSU1 5.0 A / 300 W.
 */
const struct ipmisim_sensor ipmisim_bmc[] = {
    {IPMISIM_S_INLET_TEMP,
     "Inlet Temp",
     "Temperature",
     0x01,
     0x01,
     "degrees_C",
     1,
     0,
     "011011",
     {0, 5, 10, 40, 45, 0},
     25,
     false,
     -1},
    {IPMISIM_S_CPU_TEMP,
     "CPU Temp",
     "Temperature",
     0x01,
     0x01,
     "degrees_C",
     1,
     0,
     "111111",
     {2, 5, 10, 80, 90, 95},
     40,
     true,
     -1},
    {IPMISIM_S_FAN1,
     "Fan1",
     "Fan",
     0x04,
     0x01,
     "RPM",
     50,
     0,
     "111111",
     {10, 20, 30, 200, 220, 240},
     100,
     false,
     -1},
    {IPMISIM_S_12V,
     "12V",
     "Voltage",
     0x02,
     0x01,
     "Volts",
     6,
     -2,
     "111111",
     {160, 170, 180, 220, 230, 240},
     200,
     false,
     -1},
    {IPMISIM_S_PSU_CURRENT,
     "PSU1 Current",
     "Current",
     0x03,
     0x01,
     "Amps",
     1,
     -1,
     "111000",
     {0, 0, 0, 150, 180, 200},
     50,
     false,
     -1},
    {IPMISIM_S_PSU_POWER,
     "PSU1 Power",
     "Other_Units_Based_Sensor",
     0x0b,
     0x01,
     "Watts",
     2,
     0,
     "111000",
     {0, 0, 0, 200, 225, 250},
     150,
     false,
     -1},
    {IPMISIM_S_PSU_STATUS,
     "PSU1 Status",
     "Power_Supply",
     0x08,
     0x6f,
     NULL,
     0,
     0,
     NULL,
     {0},
     0,
     false,
     0},
    {IPMISIM_S_FAN_REDUNDANCY,
     "Fan Redundancy",
     "Fan",
     0x04,
     0x0b,
     NULL,
     0,
     0,
     NULL,
     {0},
     0,
     false,
     0},
    {IPMISIM_S_MEMORY, "Memory", "Memory", 0x0c, 0x6f, NULL, 0, 0, NULL, {0}, 0, false, -1},
    {IPMISIM_S_DRIVE0, "Drive 0", "Drive_Slot", 0x0d, 0x6f, NULL, 0, 0, NULL, {0}, 0, false, 0},
    {IPMISIM_S_CPU1_STATUS,
     "CPU1 Status",
     "Processor",
     0x07,
     0x6f,
     NULL,
     0,
     0,
     NULL,
     {0},
     0,
     false,
     7},
    {IPMISIM_S_DIMM_B1, "DIMM B1", "Memory", 0x0c, 0x6f, NULL, 0, 0, NULL, {0}, 0, false, -1},
};
const size_t ipmisim_bmc_count = sizeof ipmisim_bmc / sizeof ipmisim_bmc[0];

/* ---- small helpers ------------------------------------------------------ */

static void msleep(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static void xfmt(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void xfmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	ck_assert_msg(n >= 0 && (size_t)n < len, "ipmisim: text too long: %s", fmt);
}

static void xmkdir(const char *path, mode_t mode)
{
	if (mkdir(path, mode) == -1 && errno != EEXIST)
		ck_abort_msg("ipmisim: mkdir %s: %s", path, strerror(errno));
}

/* A growing string. */
struct sbuf {
	char *p;
	size_t len, cap;
};

static void sb_add(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		ck_assert_int_ge(n, 0);
		if (b->p != NULL && (size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		b->cap = b->cap * 2 + (size_t)n + 256;
		b->p = realloc(b->p, b->cap);
		ck_assert_ptr_nonnull(b->p);
	}
}

static void write_or_abort(const char *path, const char *text)
{
	int err = write_file_str(path, text);

	if (err < 0)
		ck_abort_msg("ipmisim: write %s: %s", path, strerror(-err));
}

/* ---- ports ---------------------------------------------------------------- */

int ipmisim_free_port(int type)
{
	struct sockaddr_in a;
	socklen_t alen;
	int fd, port;

	do {
		memset(&a, 0, sizeof a);
		a.sin_family = AF_INET;
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
		ck_assert_msg(fd >= 0, "socket: %s", strerror(errno));
		alen = sizeof a;
		if (bind(fd, (struct sockaddr *)&a, sizeof a) == -1 ||
		    getsockname(fd, (struct sockaddr *)&a, &alen) == -1)
			ck_abort_msg("bind/getsockname port 0: %s", strerror(errno));
		port = ntohs(a.sin_port);
		close(fd);
	} while (port == 9623 || port == 9624); /* the demo's ports */
	return port;
}

/* The socket inode bound to 127.0.0.1:port in /proc/net/FILE (udp: state
 * 07 unconnected, tcp: 0A listening), or 0. */
static unsigned long bound_inode(const char *file, int port)
{
	char path[64], line[512];
	unsigned long inode = 0;
	FILE *f;

	xfmt(path, sizeof path, "/proc/net/%s", file);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	while (inode == 0 && fgets(line, sizeof line, f) != NULL) {
		unsigned addr, lport, st;
		unsigned long ino;

		if (sscanf(line, " %*d: %8X:%4X %*X:%*X %X %*X:%*X %*X:%*X %*X %*d %*d %lu", &addr,
			   &lport, &st, &ino) != 4)
			continue;
		if ((int)lport == port && addr == htonl(INADDR_LOOPBACK) &&
		    st == (strcmp(file, "udp") == 0 ? 0x07u : 0x0Au))
			inode = ino;
	}
	fclose(f);
	return inode;
}

/* Does process pid hold socket inode ino? */
static bool pid_has_socket(pid_t pid, unsigned long ino)
{
	char dir[64], path[320], link[128], want[64];
	struct dirent *de;
	bool found = false;
	DIR *d;

	xfmt(dir, sizeof dir, "/proc/%d/fd", (int)pid);
	xfmt(want, sizeof want, "socket:[%lu]", ino);
	if ((d = opendir(dir)) == NULL)
		return false;
	while (!found && (de = readdir(d)) != NULL) {
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		xfmt(path, sizeof path, "%s/%s", dir, de->d_name);
		n = readlink(path, link, sizeof link - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		found = strcmp(link, want) == 0;
	}
	closedir(d);
	return found;
}

static bool owns_port(pid_t pid, const char *file, int port)
{
	unsigned long ino = bound_inode(file, port);

	return ino != 0 && pid_has_socket(pid, ino);
}

/* ---- BMC definition ------------------------------------------------------- */

static void write_lan_conf(struct ipmisim *s)
{
	char path[TL_PATH_MAX + 16], text[2048];

	xfmt(text, sizeof text,
	     "# hwhealth test BMC (tests/ipmisim.c), ports chosen by the test\n"
	     "name \"" BMC_NAME "\"\n"
	     "set_working_mc 0x20\n"
	     "  startlan 1\n"
	     "    addr 127.0.0.1 %d\n"
	     "    priv_limit admin\n"
	     "    allowed_auths_callback none md2 md5 straight\n"
	     "    allowed_auths_user none md2 md5 straight\n"
	     "    allowed_auths_operator none md2 md5 straight\n"
	     "    allowed_auths_admin none md2 md5 straight\n"
	     "    guid a123456789abcdefa123456789abcdef\n"
	     "  endlan\n"
	     "user 1 true  \"\"        \"test\"    user     10       none md2 md5 straight\n"
	     "user 2 true  \"" IPMISIM_USER "\"   \"" IPMISIM_PASSWORD
	     "\" admin    10       none md2 md5 straight\n"
	     "console 127.0.0.1 %d\n",
	     s->port, s->console_port);
	xfmt(path, sizeof path, "%s/lan.conf", s->dir);
	write_or_abort(path, text);
}

/* readable[] is "unr uc unc lnr lc lnc"; thr[] is lnr lc lnc unc uc unr. */
static bool thr_readable(const struct ipmisim_sensor *x, int thr_index)
{
	static const int pos[6] = {3, 4, 5, 2, 1, 0}; /* thr index -> mask position */

	return x->readable[pos[thr_index]] == '1';
}

static void emu_sensor(struct sbuf *b, const struct ipmisim_sensor *x, const char *temp_file)
{
	/* Event support masks: bit 14 leftmost.  Thresholds: offsets 0 2 4
	 * (lower going low) and 7 9 11 (upper going high); discrete: 0-7. */
	const char *ev = x->erc == 0x01 ? "000101010010101" : "000000011111111";

	sb_add(b, "sensor_add 0x20 0 %d 0x%02x 0x%02x", x->num, x->type_code, x->erc);
	if (x->file_backed)
		sb_add(b, " poll 500 file \"%s\" div=1000", temp_file);
	sb_add(b, "\n");
	if (x->erc == 0x01)
		sb_add(b, "sensor_set_threshold 0x20 0 %d settable %s %d %d %d %d %d %d\n", x->num,
		       x->readable, x->thr[5], x->thr[4], x->thr[3], x->thr[0], x->thr[1],
		       x->thr[2]);
	sb_add(b, "sensor_set_event_support 0x20 0 %d enable scanning per-state %s %s %s %s\n",
	       x->num, ev, ev, ev, ev);
	if (x->erc == 0x01 && !x->file_backed)
		sb_add(b, "sensor_set_value 0x20 0 %d %d 0\n", x->num, x->raw);
	if (x->erc != 0x01 && x->bit >= 0)
		sb_add(b, "sensor_set_bit_clr_rest 0x20 0 %d %d 1 0\n", x->num, x->bit);
}

static void write_emu(struct ipmisim *s)
{
	struct sbuf b = {0};
	char path[TL_PATH_MAX + 16];

	sb_add(&b, "# hwhealth test BMC (tests/ipmisim.c): sensors of ipmisim_bmc[]\n"
		   "mc_setbmc 0x20\n"
		   "mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr\n"
		   "sel_enable 0x20 1000 0x0a\n");
	for (size_t i = 0; i < ipmisim_bmc_count; i++)
		emu_sensor(&b, &ipmisim_bmc[i], s->temp_file);
	if (s->extra != NULL)
		emu_sensor(&b, s->extra, s->temp_file);
	sb_add(&b, "mc_enable 0x20\n");
	xfmt(path, sizeof path, "%s/bmc.emu", s->dir);
	write_or_abort(path, b.p);
	free(b.p);
}

static void sdr_common(struct sbuf *b, const struct ipmisim_sensor *x)
{
	sb_add(b,
	       "\tsensor_owner_id\t\t0x20\n\tsensor_owner_lun\t0\n\tchannel_number\t\t0\n"
	       "\tsensor_number\t\t%d\n\tentity_id\t\tsystem_board\n\tentity_instance\t\t1\n"
	       "\tinit_scanning\t\ttrue\n\tinit_events\t\ttrue\n",
	       x->num);
}

static void sdr_full(struct sbuf *b, const struct ipmisim_sensor *x)
{
	static const char *const thr_names[6] = {"lnr", "lc", "lnc", "unc", "uc", "unr"};
	static const char *const ev_names[6] = {"lnrgl", "lcgl", "lncgl", "uncgh", "ucgh", "unrgh"};

	sb_add(b, "sdr type 1\n");
	sdr_common(b, x);
	sb_add(b, "\tinit_thresholds\t\tfalse\n\tinit_sensor_type\ttrue\n"
		  "\tdefault_event_gen_on\ttrue\n\tdefault_sensor_scan_on\ttrue\n"
		  "\tsensor_auto_rearm\ttrue\n\tsensor_hysteresis\tno\n"
		  "\tsensor_threshold_access\treadable\n\tsensor_event_msg_ctrl\tper_state\n");
	sb_add(b, "\tsensor_type\t\t%s\n\tevent_reading_type_code\t1\n", x->type);
	for (int t = 0; t < 6; t++)
		if (thr_readable(x, t))
			sb_add(b, "\tassert_%s true\n\tdeassert_%s true\n", ev_names[t],
			       ev_names[t]);
	for (int t = 0; t < 6; t++)
		sb_add(b, "\t%s_thrsh_readable %s\n", thr_names[t],
		       thr_readable(x, t) ? "true" : "false");
	sb_add(b,
	       "\tanalog_data_format\tunsigned\n\trate_unit\t\tnone\n\tmodifier_unit\t\tnone\n"
	       "\tpercentage\t\tfalse\n\tbase_unit\t\t%s\n\tmodifier_unit_code\tunspecified\n"
	       "\tlinearization\t\tlinear\n\tm\t\t\t%d\n\ttolerance\t\t0\n\tb\t\t\t0\n"
	       "\taccuracy\t\t1\n\taccuracy_exp\t\t0\n\tsensor_direction\tinput\n"
	       "\tr_exp\t\t\t%d\n\tb_exp\t\t\t0\n\tsensor_maximum\t\t255\n"
	       "\tsensor_minimum\t\t0\n",
	       x->unit, x->m, x->r_exp);
	for (int t = 0; t < 6; t++)
		sb_add(b, "\t%s_thresh\t\t%d\n", thr_names[t], thr_readable(x, t) ? x->thr[t] : 0);
	sb_add(b, "\tid_string\t\t\"%s\"\nendsdr\n\n", x->name);
}

static void sdr_compact(struct sbuf *b, const struct ipmisim_sensor *x)
{
	sb_add(b, "sdr type 2\n");
	sdr_common(b, x);
	sb_add(b, "\tinit_sensor_type\ttrue\n\tdefault_event_gen_on\ttrue\n"
		  "\tdefault_sensor_scan_on\ttrue\n\tsensor_auto_rearm\ttrue\n"
		  "\tsensor_event_msg_ctrl\tper_state\n");
	sb_add(b, "\tsensor_type\t\t%s\n\tevent_reading_type_code\t0x%02x\n", x->type, x->erc);
	for (int i = 0; i < 8; i++)
		sb_add(b,
		       "\tassert_event%d true\n\tdeassert_event%d true\n\tevent%d_state_ret true\n",
		       i, i, i);
	sb_add(b, "\tid_string\t\t\"%s\"\nendsdr\n\n", x->name);
}

static void write_sdrs(struct ipmisim *s)
{
	struct sbuf b = {0};
	char path[TL_PATH_MAX + 16];

	sb_add(&b, "# hwhealth test BMC (tests/ipmisim.c): SDRs of ipmisim_bmc[]\n"
		   "sdr type 18\n"
		   "\tdevice_slave_address\t0x20\n\tdevice_channel_number\t0\n"
		   "\tchassis\t\t\ttrue\n\tipmb_event_gen\t\tfalse\n\tipmb_event_recv\t\tfalse\n"
		   "\tfru_inventory\t\tfalse\n\tsel\t\t\ttrue\n\tsdr\t\t\ttrue\n"
		   "\tsensor\t\t\ttrue\n\tentity_id\t\tsystem_board\n\tentity_instance\t\t1\n"
		   "\tid_string\t\t\"TestBMC\"\nendsdr\n\n");
	for (size_t i = 0; i <= ipmisim_bmc_count; i++) {
		const struct ipmisim_sensor *x = i < ipmisim_bmc_count ? &ipmisim_bmc[i] : s->extra;
		if (x == NULL)
			break;
		if (x->erc == 0x01)
			sdr_full(&b, x);
		else
			sdr_compact(&b, x);
	}
	xfmt(path, sizeof path, "%s/bmc.sdrs", s->dir);
	write_or_abort(path, b.p);
	free(b.p);
}

static void compile_sdrs(struct ipmisim *s)
{
	char src[TL_PATH_MAX + 16], dst[TL_PATH_MAX + 64], mcdir[TL_PATH_MAX + 32];
	const char *argv[] = {"sdrcomp", "-8", "-o", dst, src, NULL};
	struct cmd_result r;

	xfmt(mcdir, sizeof mcdir, "%s/ipmi_sim", s->state);
	xmkdir(mcdir, 0755);
	xfmt(mcdir, sizeof mcdir, "%s/ipmi_sim/" BMC_NAME, s->state);
	xmkdir(mcdir, 0755);
	xfmt(src, sizeof src, "%s/bmc.sdrs", s->dir);
	xfmt(dst, sizeof dst, "%s/sdr.20.main", mcdir);
	if (cmd_run(argv, &r, 10000) != 0)
		ck_abort_msg("sdrcomp -8 %s failed (exit %d): %s%s", src, r.code, r.out, r.err);
	cmd_result_free(&r);
}

static void pick_ports(struct ipmisim *s)
{
	s->port = ipmisim_free_port(SOCK_DGRAM);
	s->console_port = ipmisim_free_port(SOCK_STREAM);
	xfmt(s->host, sizeof s->host, "127.0.0.1:%d", s->port);
	write_lan_conf(s);
}

void ipmisim_init(struct ipmisim *s, const char *dir)
{
	memset(s, 0, sizeof *s);
	xfmt(s->dir, sizeof s->dir, "%s/bmc", dir);
	xmkdir(s->dir, 0755);
	xfmt(s->state, sizeof s->state, "%s/state", s->dir);
	xmkdir(s->state, 0755);
	xfmt(s->temp_file, sizeof s->temp_file, "%s/cpu_temp", s->dir);
	xfmt(s->tool_cache, sizeof s->tool_cache, "%s/toolcache", s->dir);
	xmkdir(s->tool_cache, 0700);
	ipmisim_set_temp_file(s, 40000);
	pick_ports(s);
	write_emu(s);
	write_sdrs(s);
	compile_sdrs(s);
}

void ipmisim_add_sensor(struct ipmisim *s, const struct ipmisim_sensor *x)
{
	char cache[TL_PATH_MAX + 16];
	const char *argv[] = {"rm", "-rf", cache, NULL};
	struct cmd_result r;

	if (s->pid != 0)
		ck_abort_msg("ipmisim_add_sensor: stop the simulator first");
	s->extra = x;
	write_emu(s);
	write_sdrs(s);
	compile_sdrs(s);
	/* The tools refuse an out-of-date cache: theirs goes (the daemon's
	 * is the plugin's business). */
	xfmt(cache, sizeof cache, "%s/.freeipmi", s->tool_cache);
	if (cmd_run(argv, &r, 10000) != 0)
		ck_abort_msg("rm -rf %s failed: %s", cache, r.err);
	cmd_result_free(&r);
}

void ipmisim_set_temp_file(struct ipmisim *s, int millideg)
{
	char text[32];
	int fd, n;

	/* In place (ipmi_sim may keep it open); one write of a short line. */
	n = snprintf(text, sizeof text, "%d\n", millideg);
	fd = open(s->temp_file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd == -1)
		ck_abort_msg("ipmisim: open %s: %s", s->temp_file, strerror(errno));
	if (ftruncate(fd, 0) == -1 || pwrite(fd, text, (size_t)n, 0) != n)
		ck_abort_msg("ipmisim: write %s: %s", s->temp_file, strerror(errno));
	close(fd);
}

/* ---- process -------------------------------------------------------------- */

static int status_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

bool ipmisim_running(struct ipmisim *s)
{
	int status;
	pid_t r;

	if (s->pid <= 0)
		return false;
	r = waitpid(s->pid, &status, WNOHANG);
	if (r == 0)
		return true;
	s->exit_code = r == s->pid ? status_code(status) : -1;
	s->pid = 0;
	return false;
}

char *ipmisim_log(struct ipmisim *s)
{
	char path[TL_PATH_MAX + 16], *text;

	xfmt(path, sizeof path, "%s/sim.err", s->dir);
	text = read_file_str(path);
	if (text == NULL)
		text = strdup("");
	ck_assert_ptr_nonnull(text);
	return text;
}

static void child_exec(struct ipmisim *s, pid_t parent)
{
	char lan[TL_PATH_MAX + 16], emu[TL_PATH_MAX + 16], out[TL_PATH_MAX + 16],
	    err[TL_PATH_MAX + 16];
	int fd;

	/* Dies with the test process, whatever path the test takes. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	signal(SIGPIPE, SIG_IGN); /* kept across exec: early-closing console clients */
	snprintf(lan, sizeof lan, "%s/lan.conf", s->dir);
	snprintf(emu, sizeof emu, "%s/bmc.emu", s->dir);
	snprintf(out, sizeof out, "%s/sim.out", s->dir);
	snprintf(err, sizeof err, "%s/sim.err", s->dir);
	if ((fd = open("/dev/null", O_RDONLY)) >= 0 && fd != 0) {
		dup2(fd, 0);
		close(fd);
	}
	if ((fd = open(out, O_WRONLY | O_CREAT | O_APPEND, 0644)) >= 0 && fd != 1) {
		dup2(fd, 1);
		close(fd);
	}
	if ((fd = open(err, O_WRONLY | O_CREAT | O_APPEND, 0644)) >= 0 && fd != 2) {
		dup2(fd, 2);
		close(fd);
	}
	for (fd = 3; fd < 1024; fd++)
		close(fd);
	execlp("ipmi_sim", "ipmi_sim", "-c", lan, "-f", emu, "-s", s->state, "-n", (char *)NULL);
	fprintf(stderr, "exec ipmi_sim: %s\n", strerror(errno));
	_exit(127);
}

/* Spawn and wait for the ports: 0 ready, -1 exited (s->exit_code set). */
static int spawn_and_wait(struct ipmisim *s)
{
	pid_t parent = getpid();
	int64_t deadline;

	s->pid = fork();
	if (s->pid == -1) {
		s->pid = 0;
		ck_abort_msg("ipmisim: fork: %s", strerror(errno));
	}
	if (s->pid == 0)
		child_exec(s, parent);
	deadline = tl_mono_ms() + IPMISIM_START_TIMEOUT_MS;
	for (;;) {
		if (owns_port(s->pid, "udp", s->port) && owns_port(s->pid, "tcp", s->console_port))
			return 0;
		if (!ipmisim_running(s))
			return -1;
		if (tl_mono_ms() > deadline) {
			char *log = ipmisim_log(s);
			ipmisim_stop(s);
			ck_abort_msg("ipmi_sim did not bind udp %d and tcp %d within %d ms; "
				     "stderr:\n%s",
				     s->port, s->console_port, IPMISIM_START_TIMEOUT_MS, log);
		}
		msleep(5);
	}
}

void ipmisim_start(struct ipmisim *s)
{
	ck_assert_msg(s->pid == 0, "ipmisim: already running (pid %d)", (int)s->pid);
	for (int attempt = 1;; attempt++) {
		char *log;

		if (spawn_and_wait(s) == 0) {
			s->starts++;
			return;
		}
		log = ipmisim_log(s);
		/* Someone took a port between our probe and the bind: only the
		 * first start may move (a restart must keep its ports). */
		if (s->starts == 0 && attempt < START_TRIES && strstr(log, "in use") != NULL) {
			free(log);
			pick_ports(s);
			continue;
		}
		ck_abort_msg(
		    "ipmi_sim exited (code %d) before binding udp %d / tcp %d; stderr:\n%s",
		    s->exit_code, s->port, s->console_port, log);
	}
}

int ipmisim_stop(struct ipmisim *s)
{
	int64_t deadline;

	if (!ipmisim_running(s))
		return -1;
	kill(s->pid, SIGTERM);
	deadline = tl_mono_ms() + IPMISIM_STOP_TIMEOUT_MS;
	while (ipmisim_running(s)) {
		if (tl_mono_ms() > deadline) {
			int status;

			kill(s->pid, SIGKILL);
			waitpid(s->pid, &status, 0);
			s->exit_code = status_code(status);
			s->pid = 0;
			break;
		}
		msleep(2);
	}
	return s->exit_code;
}

/* ---- console -------------------------------------------------------------- */

/* Read into b until it ends with the "> " prompt (and, when need_nl, holds
 * a newline: the echo of our command).  0, or -1 at the deadline / EOF. */
static int read_prompt(int fd, struct sbuf *b, bool need_nl, int64_t deadline)
{
	char chunk[1024];

	for (;;) {
		struct pollfd pfd = {fd, POLLIN, 0};
		int64_t left = deadline - tl_mono_ms();
		ssize_t n;

		if (b->len >= 2 && memcmp(b->p + b->len - 2, "> ", 2) == 0 &&
		    (!need_nl || memchr(b->p, '\n', b->len) != NULL))
			return 0;
		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			return -1;
		n = read(fd, chunk, sizeof chunk - 1);
		if (n <= 0)
			return -1;
		chunk[n] = '\0';
		/* Telnet negotiation bytes (IAC ...) carry no text for us. */
		for (ssize_t i = 0; i < n; i++)
			if ((unsigned char)chunk[i] < 0x80 && chunk[i] != '\r' && chunk[i] != '\0')
				sb_add(b, "%c", chunk[i]);
	}
}

char *ipmisim_console(struct ipmisim *s, const char *fmt, ...)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	int64_t deadline = tl_mono_ms() + IPMISIM_CONSOLE_TIMEOUT_MS;
	struct sbuf greet = {0}, b = {0};
	char cmd[512], *out, *nl;
	va_list ap;
	int fd, n;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof cmd - 1, fmt, ap);
	va_end(ap);
	ck_assert_msg(n > 0 && (size_t)n < sizeof cmd - 1, "ipmisim: console command too long");
	a.sin_port = htons((uint16_t)s->console_port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_msg(fd >= 0, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&a, sizeof a) == -1)
		ck_abort_msg("ipmisim: console 127.0.0.1:%d: %s (simulator %s)", s->console_port,
			     strerror(errno), ipmisim_running(s) ? "running" : "not running");
	if (read_prompt(fd, &greet, false, deadline) != 0)
		ck_abort_msg("ipmisim: no console prompt on port %d", s->console_port);
	free(greet.p);
	cmd[n++] = '\n';
	if (send(fd, cmd, (size_t)n, MSG_NOSIGNAL) != n)
		ck_abort_msg("ipmisim: console send: %s", strerror(errno));
	cmd[n - 1] = '\0';
	if (read_prompt(fd, &b, true, deadline) != 0)
		ck_abort_msg("ipmisim: no prompt after console command '%s' (got '%s')", cmd,
			     b.p ? b.p : "");
	close(fd); /* we close first: TIME_WAIT stays on our side, not the console port */
	/* b = "<echo of cmd>\n<output>> " */
	b.p[b.len - 2] = '\0';
	nl = strchr(b.p, '\n');
	out = strdup(nl + 1);
	ck_assert_ptr_nonnull(out);
	free(b.p);
	if (strncmp(out, "**", 2) == 0)
		ck_abort_msg("ipmisim: console command '%s' failed: %s", cmd, out);
	return out;
}

void ipmisim_set_value(struct ipmisim *s, int num, int raw)
{
	free(ipmisim_console(s, "sensor_set_value 0x20 0 %d %d 1", num, raw));
}

void ipmisim_set_bit(struct ipmisim *s, int num, int bit, int value)
{
	free(ipmisim_console(s, "sensor_set_bit 0x20 0 %d %d %d 1", num, bit, value));
}

int ipmisim_sel_add(struct ipmisim *s, int sensor_type, int sensor_num, int event_type, int d1,
		    int d2, int d3)
{
	char *out = ipmisim_console(s,
				    "sel_add 0x20 0x02 0 0 0 0 0x20 0 0x04 0x%02x %d 0x%02x "
				    "0x%02x 0x%02x 0x%02x",
				    sensor_type, sensor_num, event_type, d1, d2, d3);
	int id;

	if (sscanf(out, "Added record %d", &id) != 1)
		ck_abort_msg("ipmisim: sel_add answered '%s'", out);
	free(out);
	return id;
}

/* ---- FreeIPMI tools -------------------------------------------------------- */

/* Run tool with the BMC's connection options, then extra (NULL-ended);
 * stdout (malloc'd), aborts the test on a non-zero exit. */
static char *run_tool(struct ipmisim *s, const char *tool, const char *const *extra)
{
	char cache[TL_PATH_MAX + 32];
	const char *argv[40];
	struct cmd_result r;
	size_t n = 0;
	char *out;

	xfmt(cache, sizeof cache, "--sdr-cache-directory=%s", s->tool_cache);
	argv[n++] = tool;
	argv[n++] = "-h";
	argv[n++] = s->host;
	argv[n++] = "-u";
	argv[n++] = IPMISIM_USER;
	argv[n++] = "-p";
	argv[n++] = IPMISIM_PASSWORD;
	argv[n++] = "-l";
	argv[n++] = "admin";
	argv[n++] = "-D";
	argv[n++] = "LAN_2_0";
	argv[n++] = "-W";
	argv[n++] = "opensesspriv";
	argv[n++] = "--session-timeout=5000";
	argv[n++] = cache;
	for (; *extra != NULL && n < sizeof argv / sizeof argv[0] - 1; extra++)
		argv[n++] = *extra;
	argv[n] = NULL;
	if (cmd_run(argv, &r, IPMISIM_TOOL_TIMEOUT_MS) != 0)
		ck_abort_msg("%s -h %s failed (exit %d):\n%s%s", tool, s->host, r.code, r.out,
			     r.err);
	out = r.out;
	r.out = NULL;
	cmd_result_free(&r);
	return out;
}

/* Split line at commas into at most max fields (the last takes the rest);
 * returns the count.  Modifies line. */
static int split_csv(char *line, char **f, int max)
{
	int n = 0;

	f[n++] = line;
	while (n < max && (line = strchr(line, ',')) != NULL) {
		*line++ = '\0';
		f[n++] = line;
	}
	return n;
}

static double num_or_nan(const char *s)
{
	char *end;
	double v;

	if (strcmp(s, "N/A") == 0)
		return NAN;
	v = strtod(s, &end);
	return end == s ? NAN : v;
}

static void copy(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", strcmp(src, "N/A") == 0 ? "" : src);
}

/* "'A' 'B'" -> "A; B"; returns the number of strings. */
static int join_quoted(const char *src, char *dst, size_t len)
{
	size_t o = 0;
	int n = 0;

	dst[0] = '\0';
	while ((src = strchr(src, '\'')) != NULL) {
		const char *end = strchr(src + 1, '\'');
		int w;

		if (end == NULL)
			break;
		w = snprintf(dst + o, len - o, "%s%.*s", n ? "; " : "", (int)(end - src - 1),
			     src + 1);
		if (w < 0 || (size_t)w >= len - o)
			break;
		o += (size_t)w;
		n++;
		src = end + 1;
	}
	return n;
}

/* The event bitmask of each line of ipmi-sensors --output-event-bitmask,
 * into the rows of the same record id. */
static void add_bitmasks(struct ipmisim *s, struct ipmisim_row *rows, int n)
{
	static const char *const extra[] = {"--output-event-bitmask", "--comma-separated-output",
					    "--no-header-output", "--quiet-cache", NULL};
	char *out = run_tool(s, "ipmi-sensors", extra), *save = NULL;

	for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *last = strrchr(line, ',');
		int id = atoi(line);

		for (int i = 0; last != NULL && i < n; i++)
			if (rows[i].id == id)
				rows[i].bitmask = (unsigned)strtoul(last + 1, NULL, 16);
	}
	free(out);
}

int ipmisim_sensors(struct ipmisim *s, struct ipmisim_row **rows)
{
	static const char *const extra[] = {
	    "--output-sensor-thresholds", "--output-sensor-state", "--comma-separated-output",
	    "--no-header-output",	  "--quiet-cache",	   NULL};
	char *out = run_tool(s, "ipmi-sensors", extra), *save = NULL;
	int n = 0, cap = 0;

	*rows = NULL;
	for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct ipmisim_row *r;
		char *f[13], copy_of_line[1024];

		snprintf(copy_of_line, sizeof copy_of_line, "%s", line);
		if (split_csv(line, f, 13) != 13)
			ck_abort_msg("ipmi-sensors: unexpected line '%s'", copy_of_line);
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			*rows = realloc(*rows, (size_t)cap * sizeof **rows);
			ck_assert_ptr_nonnull(*rows);
		}
		r = &(*rows)[n++];
		memset(r, 0, sizeof *r);
		r->id = atoi(f[0]);
		copy(r->name, sizeof r->name, f[1]);
		copy(r->type, sizeof r->type, f[2]);
		snprintf(r->state, sizeof r->state, "%s", f[3]);
		r->reading = num_or_nan(f[4]);
		copy(r->units, sizeof r->units, f[5]);
		for (int t = 0; t < 6; t++)
			r->thr[t] = num_or_nan(f[6 + t]);
		r->nevents = join_quoted(f[12], r->event, sizeof r->event);
	}
	free(out);
	add_bitmasks(s, *rows, n);
	return n;
}

int ipmisim_sel(struct ipmisim *s, struct ipmisim_sel_rec **recs)
{
	/* -v adds the Event Direction column. */
	static const char *const extra[] = {"-v",
					    "--output-event-state",
					    "--comma-separated-output",
					    "--no-header-output",
					    "--quiet-cache",
					    NULL};
	char *out = run_tool(s, "ipmi-sel", extra), *save = NULL;
	int n = 0, cap = 0;

	*recs = NULL;
	for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct ipmisim_sel_rec *r;
		char *f[8], copy_of_line[1024];

		snprintf(copy_of_line, sizeof copy_of_line, "%s", line);
		if (split_csv(line, f, 8) != 8)
			ck_abort_msg("ipmi-sel: unexpected line '%s'", copy_of_line);
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			*recs = realloc(*recs, (size_t)cap * sizeof **recs);
			ck_assert_ptr_nonnull(*recs);
		}
		r = &(*recs)[n++];
		memset(r, 0, sizeof *r);
		r->id = atoi(f[0]);
		snprintf(r->date, sizeof r->date, "%s", f[1]);
		snprintf(r->time, sizeof r->time, "%s", f[2]);
		snprintf(r->name, sizeof r->name, "%s", f[3]);
		snprintf(r->type, sizeof r->type, "%s", f[4]);
		snprintf(r->state, sizeof r->state, "%s", f[5]);
		r->deassertion = strstr(f[6], "Deassertion") != NULL;
		snprintf(r->event, sizeof r->event, "%s", f[7]);
	}
	free(out);
	return n;
}

/* The number after "key ... : " in text, or -1. */
static long info_num(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	if (p == NULL || (p = strchr(p, ':')) == NULL)
		return -1;
	return strtol(p + 1, NULL, 10);
}

void ipmisim_sel_info(struct ipmisim *s, struct ipmisim_sel_info *info)
{
	static const char *const extra[] = {"--info", "--quiet-cache", NULL};
	char *out = run_tool(s, "ipmi-sel", extra);
	const char *p;

	info->entries = info_num(out, "Number of log entries");
	info->free_bytes = info_num(out, "Free space remaining");
	p = strstr(out, "lack of space");
	if (info->entries < 0 || info->free_bytes < 0 || p == NULL || strchr(p, ':') == NULL)
		ck_abort_msg("ipmi-sel --info: unexpected output:\n%s", out);
	p = strchr(p, ':') + 1;
	info->overflow = strncmp(p + strspn(p, " "), "Yes", 3) == 0;
	free(out);
}

void ipmisim_set_sel_time(struct ipmisim *s, const char *when)
{
	char arg[96];
	const char *extra[] = {arg, NULL};

	xfmt(arg, sizeof arg, "--set-sel-time=%s", when);
	free(run_tool(s, "bmc-device", extra));
}

const struct ipmisim_row *ipmisim_row(const struct ipmisim_row *rows, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(rows[i].name, name) == 0)
			return &rows[i];
	return NULL;
}

const struct ipmisim_sel_rec *ipmisim_sel_rec(const struct ipmisim_sel_rec *recs, int n, int id)
{
	for (int i = 0; i < n; i++)
		if (recs[i].id == id)
			return &recs[i];
	return NULL;
}

const char *ipmisim_metric_name(const char *sensor_name, char *buf, size_t len)
{
	size_t o = 0;
	bool gap = false;

	ck_assert_int_gt(len, 0);
	for (const char *p = sensor_name; *p != '\0' && o + 2 < len; p++) {
		unsigned char c = (unsigned char)*p;
		bool keep =
		    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');

		if (!keep) {
			gap = o > 0;
			continue;
		}
		if (gap)
			buf[o++] = '_';
		gap = false;
		buf[o++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	buf[o] = '\0';
	return buf;
}
