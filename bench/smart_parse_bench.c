/*
 * smart_parse_bench: what parsing one `smartctl --json` document costs.
 *
 *   smart_parse_bench DIR [ROUNDS]
 *
 * Reads every *.json of DIR (the real captures of shared/fixtures/smartctl)
 * into memory, then parses each ROUNDS times (default 200) with
 * smart_parse() (plugins/smart_parse.c, json-c underneath), timing each
 * parse on the thread CPU clock.  Prints "key value" lines for
 * bench/smart_bench.sh: documents, bytes, the median and worst per-document
 * cost in microseconds overall and per protocol, and a document that does
 * not parse (there must be none).  A benchmark reports; it does not judge.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "smart_internal.h"

#define MAX_DOCS 1024
#define DEFAULT_ROUNDS 200

struct doc {
	char *name;
	char *text;
	size_t len;
	enum smart_proto proto;
	double us; /* median over the rounds */
};

static double thread_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The whole file, malloc'd, or NULL. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n)) != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf != NULL)
		*len = (size_t)n;
	fclose(f);
	return buf;
}

static size_t load(const char *dir, struct doc *docs)
{
	struct dirent *de;
	char path[4096];
	size_t n = 0;
	DIR *d = opendir(dir);

	if (d == NULL) {
		perror(dir);
		exit(2);
	}
	while ((de = readdir(d)) != NULL && n < MAX_DOCS) {
		size_t l = strlen(de->d_name);
		if (l < 6 || strcmp(de->d_name + l - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if ((docs[n].text = slurp(path, &docs[n].len)) == NULL) {
			fprintf(stderr, "cannot read %s\n", path);
			exit(2);
		}
		docs[n++].name = strdup(de->d_name);
	}
	closedir(d);
	return n;
}

/* Median parse cost of one document over rounds; -1 if it does not parse. */
static double time_doc(struct doc *dc, struct smart_doc *out, double *samples, int rounds)
{
	char err[SMART_ERR_MAX];

	for (int r = 0; r < rounds; r++) {
		double t0 = thread_us();
		if (smart_parse(dc->text, dc->len, out, err, sizeof err) < 0) {
			printf("unparsed %s: %s\n", dc->name, err);
			return -1;
		}
		samples[r] = thread_us() - t0;
	}
	dc->proto = out->proto;
	qsort(samples, (size_t)rounds, sizeof *samples, cmp_double);
	return samples[rounds / 2];
}

static void report(const char *key, const struct doc *docs, size_t n, int proto)
{
	double v[MAX_DOCS], sum = 0;
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (docs[i].us >= 0 && (proto < 0 || (int)docs[i].proto == proto)) {
			v[k++] = docs[i].us;
			sum += docs[i].us;
		}
	if (k == 0)
		return;
	qsort(v, k, sizeof *v, cmp_double);
	printf("%s_docs %zu\n%s_median_us %.1f\n%s_mean_us %.1f\n%s_max_us %.1f\n", key, k, key,
	       v[k / 2], key, sum / k, key, v[k - 1]);
}

int main(int argc, char **argv)
{
	static struct doc docs[MAX_DOCS];
	struct smart_doc *out = malloc(sizeof *out);
	int rounds = argc > 2 ? atoi(argv[2]) : DEFAULT_ROUNDS;
	double *samples;
	size_t n, bytes = 0, bad = 0;

	if (argc < 2 || rounds < 1 || out == NULL) {
		fprintf(stderr, "usage: smart_parse_bench DIR [ROUNDS]\n");
		return 2;
	}
	samples = malloc((size_t)rounds * sizeof *samples);
	n = load(argv[1], docs);
	if (samples == NULL || n == 0) {
		fprintf(stderr, "no documents in %s\n", argv[1]);
		return 2;
	}
	for (size_t i = 0; i < n; i++) {
		bytes += docs[i].len;
		docs[i].us = time_doc(&docs[i], out, samples, rounds);
		bad += docs[i].us < 0;
	}
	printf("documents %zu\nbytes_mean %zu\nrounds %d\nunparsed %zu\n", n, bytes / n, rounds,
	       bad);
	report("all", docs, n, -1);
	report("ata", docs, n, SMART_PROTO_ATA);
	report("nvme", docs, n, SMART_PROTO_NVME);
	report("scsi", docs, n, SMART_PROTO_SCSI);
	for (size_t i = 0; i < n; i++) {
		free(docs[i].name);
		free(docs[i].text);
	}
	free(samples);
	free(out);
	return bad ? 1 : 0;
}
