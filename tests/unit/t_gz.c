/* SPDX-License-Identifier: ISC */
/*
 * The two inflaters must differ in speed only.  Every gzip file under
 * $TESTDATA (and the shared data, when it is there) is inflated by zlib
 * and by ISA-L, whole and in pieces of several sizes, then damaged in
 * ways that tests/badinput.sh names (cut short, a byte flipped at each of
 * a spread of offsets, garbage or a second member after it): the output
 * and the message must be the same bytes (but see "lenient" below).  Built without ISA-L, both runs
 * are zlib's and the test only proves that the harness works.
 */
#include "config.h"

#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gz.h"
#include "xmalloc.h"

struct result {
	unsigned char	*out;
	size_t		 len, size;
	char		*cause;
	int		 rv;		/* the last gz_output() status */
};

static int	 failed, ncases, nfiles;

/* Inflate in with engine e, handing it over piece bytes at a time. */
static void
t_gz_run(enum gz_engine e, const unsigned char *in, size_t inlen,
    size_t piece, struct result *r)
{
	struct gz	*g;
	const char	*out;
	size_t		 off = 0, n, len;
	int		 rv = 0;

	memset(r, 0, sizeof *r);
	g = gz_create_engine(e);
	while (rv != -1) {
		n = inlen - off < piece ? inlen - off : piece;
		gz_input(g, in + off, n);
		off += n;
		while ((rv = gz_output(g, &out, &len, &r->cause)) == 1) {
			if (r->len + len > r->size) {
				r->size = (r->len + len) * 2;
				r->out = xreallocarray(r->out, 1, r->size);
			}
			memcpy(r->out + r->len, out, len);
			r->len += len;
		}
		if (n == 0)
			break;
	}
	r->rv = rv;
	gz_free(g);
}

/* Compare the two inflaters on one input. */
static void
t_gz_case(const char *what, const unsigned char *in, size_t inlen)
{
	static const size_t	 pieces[] = { 1, 7, 4096, 256 * 1024 };
	struct result		 z, i;
	size_t			 p;
	int			 lenient;

	for (p = 0; p < sizeof pieces / sizeof pieces[0]; p++) {
		if (pieces[p] < 4096 && inlen > 64 * 1024)
			continue;	/* slow, and no different */
		ncases++;
		t_gz_run(GZ_ZLIB, in, inlen, pieces[p], &z);
		t_gz_run(GZ_ISAL, in, inlen, pieces[p], &i);
		/*
		 * ISA-L accepts incomplete Huffman codes that zlib rejects,
		 * so it may have handed out a few bytes more when zlib's
		 * message about the code set comes: a prefix is allowed there.
		 */
		lenient = z.cause != NULL && strstr(z.cause, " set)") &&
		    i.len > z.len;
		if (z.rv != i.rv || (z.len != i.len && !lenient) ||
		    (z.len > 0 && memcmp(z.out, i.out, z.len) != 0) ||
		    (z.cause == NULL) != (i.cause == NULL) ||
		    (z.cause != NULL && strcmp(z.cause, i.cause) != 0)) {
			fprintf(stderr, "%s, pieces of %zu: zlib %d, %zu "
			    "bytes, %s; isal %d, %zu bytes, %s\n", what,
			    pieces[p], z.rv, z.len, z.cause ? z.cause : "-",
			    i.rv, i.len, i.cause ? i.cause : "-");
			failed = 1;
		}
		free(z.out);
		free(z.cause);
		free(i.out);
		free(i.cause);
	}
}

/* One file: as it is, then damaged. */
static void
t_gz_file(const char *path, const unsigned char *data, size_t len)
{
	unsigned char	*copy;
	char		 what[1024];
	size_t		 k, at;

	t_gz_case(path, data, len);
	copy = xmalloc(2 * len + 16);

	/* Cut short. */
	for (k = 1; k < 8; k++) {
		snprintf(what, sizeof what, "%s cut at %zu/8", path, k);
		t_gz_case(what, data, len * k / 8);
	}
	snprintf(what, sizeof what, "%s less its last byte", path);
	t_gz_case(what, data, len - 1);

	/* A byte flipped: the header, the data, the CRC and the length. */
	for (k = 0; k < 24; k++) {
		at = k < 12 ? k : k < 20 ? (len * (k - 11)) / 9 : len - (24 - k) * 2;
		if (at >= len)
			continue;
		memcpy(copy, data, len);
		copy[at] ^= 0xff;
		snprintf(what, sizeof what, "%s byte %zu flipped", path, at);
		t_gz_case(what, copy, len);
	}

	/* Another member, garbage or zero padding after it. */
	memcpy(copy, data, len);
	memcpy(copy + len, data, len);
	snprintf(what, sizeof what, "%s twice over", path);
	t_gz_case(what, copy, 2 * len);
	memcpy(copy + len, "not gzip\n", 9);
	snprintf(what, sizeof what, "%s and garbage", path);
	t_gz_case(what, copy, len + 9);
	memset(copy + len, 0, 4);
	snprintf(what, sizeof what, "%s and zeros", path);
	t_gz_case(what, copy, len + 4);
	memcpy(copy + len, "\037\213\010", 3);
	snprintf(what, sizeof what, "%s and a cut header", path);
	t_gz_case(what, copy, len + 3);
	free(copy);
}

static int
t_gz_visit(const char *path, const struct stat *st, int type,
    struct FTW *ftw)
{
	FILE		*f;
	unsigned char	*data;
	size_t		 n, len;

	(void)ftw;
	n = strlen(path);
	if (type != FTW_F || n < 3 || strcmp(path + n - 3, ".gz") != 0)
		return 0;
	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		failed = 1;
		return 0;
	}
	len = (size_t)st->st_size;
	data = xmalloc(len + 1);
	if (fread(data, 1, len, f) != len) {
		perror(path);
		failed = 1;
	} else if (len > 0) {
		nfiles++;
		t_gz_file(path, data, len);
	}
	free(data);
	fclose(f);
	return 0;
}

int
main(void)
{
	const char	*dirs[2];
	size_t		 i;

	dirs[0] = getenv("TESTDATA");
	dirs[1] = getenv("SHARED");
	if (dirs[0] == NULL) {
		fprintf(stderr, "TESTDATA is not set\n");
		return 99;
	}
	for (i = 0; i < 2; i++) {
		if (dirs[i] != NULL)
			nftw(dirs[i], t_gz_visit, 16, 0);
	}
	if (nfiles == 0) {
		fprintf(stderr, "no gzip files under %s\n", dirs[0]);
		return 99;
	}
	printf("%d files, %d cases\n", nfiles, ncases);
	return failed;
}
