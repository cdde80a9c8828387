/* SPDX-License-Identifier: ISC */
/*
 * The floor under ctaudit's throughput: read the same files the way
 * ctaudit reads them (256 KiB reads, zlib inflate into 256 KiB, gzip
 * members one after another) and do nothing else (-m 1), or also parse the
 * JSON with yajl and callbacks that do nothing (-m 2).  No record is built
 * and no rule runs, so the gap between -m 2 and ctaudit is the cost of
 * ctaudit's own work.
 *
 * With -i isal the files go through ctaudit's own gz stage (src/gz.c) with
 * ISA-L instead, member records and all, so that the gunzip row of each
 * inflater shows what ctaudit pays for it.
 *
 * usage: yajl_floor [-i zlib|isal] [-m 1|2] path ...
 * Directories are walked recursively.  A summary line goes to standard
 * output; any unreadable file is reported and makes the exit status 1.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yajl/yajl_parse.h>
#include <zlib.h>

#include "gz.h"

#define FLOOR_BUFSIZE	(256 * 1024)	/* as ctaudit's gz stage */
#define FLOOR_MAXFD	64		/* nftw(3) descriptors */

enum floor_mode {
	FLOOR_GUNZIP = 1,
	FLOOR_PARSE = 2
};

struct floor_stats {
	uint64_t	 files;
	uint64_t	 bad;
	uint64_t	 bytes_in;
	uint64_t	 bytes_json;
};

static int	floor_null(void *);
static int	floor_boolean(void *, int);
static int	floor_number(void *, const char *, size_t);
static int	floor_string(void *, const unsigned char *, size_t);
static int	floor_start_map(void *);
static int	floor_map_key(void *, const unsigned char *, size_t);
static int	floor_end_map(void *);
static int	floor_start_array(void *);
static int	floor_end_array(void *);
static int	floor_consume(yajl_handle, const unsigned char *, size_t,
		    const char *);
static int	floor_file(const char *);
static int	floor_file_gz(const char *, yajl_handle);
static int	floor_visit(const char *, const struct stat *, int,
		    struct FTW *);
static void	floor_usage(void) __attribute__((__noreturn__));

static enum floor_mode		 floor_mode = FLOOR_PARSE;
static int			 floor_isal;
static struct floor_stats	 floor_stats;
static unsigned char		*floor_inbuf;
static unsigned char		*floor_outbuf;

/* Every callback accepts the token and does nothing with it. */
static const yajl_callbacks floor_callbacks = {
	.yajl_null = floor_null,
	.yajl_boolean = floor_boolean,
	.yajl_number = floor_number,
	.yajl_string = floor_string,
	.yajl_start_map = floor_start_map,
	.yajl_map_key = floor_map_key,
	.yajl_end_map = floor_end_map,
	.yajl_start_array = floor_start_array,
	.yajl_end_array = floor_end_array,
};

static int
floor_null(void *ctx)
{
	(void)ctx;
	return 1;
}

static int
floor_boolean(void *ctx, int v)
{
	(void)ctx;
	(void)v;
	return 1;
}

static int
floor_number(void *ctx, const char *s, size_t len)
{
	(void)ctx;
	(void)s;
	(void)len;
	return 1;
}

static int
floor_string(void *ctx, const unsigned char *s, size_t len)
{
	(void)ctx;
	(void)s;
	(void)len;
	return 1;
}

static int
floor_start_map(void *ctx)
{
	(void)ctx;
	return 1;
}

static int
floor_map_key(void *ctx, const unsigned char *s, size_t len)
{
	(void)ctx;
	(void)s;
	(void)len;
	return 1;
}

static int
floor_end_map(void *ctx)
{
	(void)ctx;
	return 1;
}

static int
floor_start_array(void *ctx)
{
	(void)ctx;
	return 1;
}

static int
floor_end_array(void *ctx)
{
	(void)ctx;
	return 1;
}

/* Count a block of JSON and, in parse mode, feed it to yajl. */
static int
floor_consume(yajl_handle yh, const unsigned char *p, size_t len,
    const char *path)
{
	unsigned char	*msg;

	floor_stats.bytes_json += len;
	if (yh == NULL || yajl_parse(yh, p, len) == yajl_status_ok)
		return 0;
	msg = yajl_get_error(yh, 0, p, len);
	fprintf(stderr, "yajl_floor: %s: %s\n", path, (char *)msg);
	yajl_free_error(yh, msg);
	return -1;
}

/* Read one file: inflate it if it starts as gzip, parse it in mode 2. */
static int
floor_file(const char *path)
{
	z_stream	 z;
	yajl_handle	 yh = NULL;
	ssize_t		 n;
	int		 fd, gz = -1, zrv, inmember = 0, rv = -1;
	unsigned char	*msg;

	memset(&z, 0, sizeof z);
	if ((fd = open(path, O_RDONLY)) == -1) {
		fprintf(stderr, "yajl_floor: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (inflateInit2(&z, 15 + 32) != Z_OK) {
		fprintf(stderr, "yajl_floor: inflateInit2 failed\n");
		exit(2);
	}
	if (floor_mode == FLOOR_PARSE) {
		if ((yh = yajl_alloc(&floor_callbacks, NULL, NULL)) == NULL) {
			fprintf(stderr, "yajl_floor: yajl_alloc failed\n");
			exit(2);
		}
		yajl_config(yh, yajl_allow_multiple_values, 1);
	}
	floor_stats.files++;
	if (floor_isal) {
		if (floor_file_gz(path, yh) == -1)
			goto out;
		goto done;
	}
	while ((n = read(fd, floor_inbuf, FLOOR_BUFSIZE)) > 0) {
		floor_stats.bytes_in += (uint64_t)n;
		if (gz == -1)
			gz = n >= 2 && floor_inbuf[0] == 0x1f &&
			    floor_inbuf[1] == 0x8b;
		if (!gz) {
			if (floor_consume(yh, floor_inbuf, (size_t)n,
			    path) == -1)
				goto out;
			continue;
		}
		z.next_in = floor_inbuf;
		z.avail_in = (uInt)n;
		while (z.avail_in > 0) {
			inmember = 1;
			z.next_out = floor_outbuf;
			z.avail_out = FLOOR_BUFSIZE;
			zrv = inflate(&z, Z_NO_FLUSH);
			if (zrv != Z_OK && zrv != Z_STREAM_END &&
			    zrv != Z_BUF_ERROR) {
				fprintf(stderr, "yajl_floor: %s: %s\n", path,
				    z.msg != NULL ? z.msg : "inflate error");
				goto out;
			}
			if (floor_consume(yh, floor_outbuf,
			    FLOOR_BUFSIZE - z.avail_out, path) == -1)
				goto out;
			/* Another gzip member may follow. */
			if (zrv == Z_STREAM_END) {
				inmember = 0;
				if (inflateReset(&z) != Z_OK)
					goto out;
			}
		}
	}
	if (n == -1) {
		fprintf(stderr, "yajl_floor: %s: %s\n", path, strerror(errno));
		goto out;
	}
	if (inmember) {
		fprintf(stderr, "yajl_floor: %s: truncated gzip member\n", path);
		goto out;
	}
done:
	if (yh != NULL && yajl_complete_parse(yh) != yajl_status_ok) {
		msg = yajl_get_error(yh, 0, NULL, 0);
		fprintf(stderr, "yajl_floor: %s: %s\n", path, (char *)msg);
		yajl_free_error(yh, msg);
		goto out;
	}
	rv = 0;
out:
	if (rv == -1)
		floor_stats.bad++;
	if (yh != NULL)
		yajl_free(yh);
	inflateEnd(&z);
	close(fd);
	return rv;
}

/* Read one file through src/gz.c with ISA-L. */
static int
floor_file_gz(const char *path, yajl_handle yh)
{
	static struct gz	*g;
	const char		*out;
	char			*cause = NULL;
	size_t			 len;
	ssize_t			 n;
	int			 fd, rv = -1, grv;

	if (g == NULL)
		g = gz_create_engine(GZ_ISAL);
	gz_reset(g);
	if ((fd = open(path, O_RDONLY)) == -1) {
		fprintf(stderr, "yajl_floor: %s: %s\n", path, strerror(errno));
		return -1;
	}
	do {
		if ((n = read(fd, floor_inbuf, FLOOR_BUFSIZE)) == -1) {
			fprintf(stderr, "yajl_floor: %s: %s\n", path,
			    strerror(errno));
			goto out;
		}
		floor_stats.bytes_in += (uint64_t)n;
		gz_input(g, floor_inbuf, (size_t)n);
		while ((grv = gz_output(g, &out, &len, &cause)) == 1) {
			if (floor_consume(yh, (const unsigned char *)out, len,
			    path) == -1)
				goto out;
		}
		if (grv == -1) {
			fprintf(stderr, "yajl_floor: %s: %s\n", path, cause);
			free(cause);
			goto out;
		}
	} while (n > 0);
	rv = 0;
out:
	close(fd);
	return rv;
}

static int
floor_visit(const char *path, const struct stat *sb, int type,
    struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (type == FTW_F)
		floor_file(path);
	else if (type == FTW_DNR || type == FTW_NS) {
		fprintf(stderr, "yajl_floor: %s: cannot read\n", path);
		floor_stats.bad++;
	}
	return 0;
}

static void
floor_usage(void)
{
	fprintf(stderr, "usage: yajl_floor [-i zlib|isal] [-m 1|2] "
	    "path ...\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	int	 ch, i;

	while ((ch = getopt(argc, argv, "i:m:")) != -1) {
		switch (ch) {
		case 'i':
			if (strcmp(optarg, "isal") == 0)
				floor_isal = 1;
			else if (strcmp(optarg, "zlib") == 0)
				floor_isal = 0;
			else
				floor_usage();
			break;
		case 'm':
			if (strcmp(optarg, "1") == 0)
				floor_mode = FLOOR_GUNZIP;
			else if (strcmp(optarg, "2") == 0)
				floor_mode = FLOOR_PARSE;
			else
				floor_usage();
			break;
		default:
			floor_usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		floor_usage();

	if ((floor_inbuf = malloc(FLOOR_BUFSIZE)) == NULL ||
	    (floor_outbuf = malloc(FLOOR_BUFSIZE)) == NULL) {
		perror("yajl_floor");
		return 2;
	}
	for (i = 0; i < argc; i++) {
		if (nftw(argv[i], floor_visit, FLOOR_MAXFD, FTW_PHYS) == -1) {
			fprintf(stderr, "yajl_floor: %s: %s\n", argv[i],
			    strerror(errno));
			floor_stats.bad++;
		}
	}
	printf("yajl_floor: mode %d: %llu files, %llu bytes read, "
	    "%llu bytes of JSON, %llu unreadable\n", (int)floor_mode,
	    (unsigned long long)floor_stats.files,
	    (unsigned long long)floor_stats.bytes_in,
	    (unsigned long long)floor_stats.bytes_json,
	    (unsigned long long)floor_stats.bad);
	free(floor_inbuf);
	free(floor_outbuf);
	return floor_stats.bad != 0;
}
