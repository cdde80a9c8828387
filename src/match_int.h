/* SPDX-License-Identifier: ISC */
/*
 * What the three files of detection items share: match.c (modifiers,
 * compiling items, walking records), match_glob.c (the wildcard engine)
 * and match_value.c (numbers, addresses, timestamps and encodings).
 * Not for other modules.
 */
#ifndef MATCH_INT_H
#define MATCH_INT_H

#include <stddef.h>
#include <stdint.h>

#define PCRE2_CODE_UNIT_WIDTH	8
#include <pcre2.h>

/* Pattern tokens: 0-255 are bytes (folded unless cased), then these. */
#define MATCH_T_ANY	0x100		/* '?': one UTF-8 character */
#define MATCH_T_DASH	0x101		/* windash: - / en, em dash, bar */
#define MATCH_T_STAR	0x102		/* '*': only while compiling */

/* The modifiers, one bit each. */
#define M_CONTAINS	(1ULL << 0)
#define M_STARTSWITH	(1ULL << 1)
#define M_ENDSWITH	(1ULL << 2)
#define M_ALL		(1ULL << 3)
#define M_RE		(1ULL << 4)
#define M_RE_I		(1ULL << 5)
#define M_RE_M		(1ULL << 6)
#define M_RE_S		(1ULL << 7)
#define M_CIDR		(1ULL << 8)
#define M_EXISTS	(1ULL << 9)
#define M_CASED		(1ULL << 10)
#define M_LT		(1ULL << 11)
#define M_LTE		(1ULL << 12)
#define M_GT		(1ULL << 13)
#define M_GTE		(1ULL << 14)
#define M_NEQ		(1ULL << 15)
#define M_FIELDREF	(1ULL << 16)
#define M_BASE64	(1ULL << 17)
#define M_BASE64OFF	(1ULL << 18)
#define M_UTF16LE	(1ULL << 19)
#define M_UTF16BE	(1ULL << 20)
#define M_UTF16		(1ULL << 21)
#define M_WIDE		(1ULL << 22)
#define M_WINDASH	(1ULL << 23)
#define M_EXPAND	(1ULL << 24)
#define M_MINUTE	(1ULL << 25)
#define M_HOUR		(1ULL << 26)
#define M_DAY		(1ULL << 27)
#define M_WEEK		(1ULL << 28)
#define M_MONTH		(1ULL << 29)
#define M_YEAR		(1ULL << 30)
#define M_ACCOUNTS	(1ULL << 31)

enum match_op {				/* how a string value compares */
	MATCH_OP_EQ,
	MATCH_OP_CONTAINS,
	MATCH_OP_STARTSWITH,
	MATCH_OP_ENDSWITH,
};

enum match_kind {
	MATCH_K_GLOB,			/* string with wildcards, or literal */
	MATCH_K_NULL,			/* absent or JSON null */
	MATCH_K_RE,
	MATCH_K_CIDR,
	MATCH_K_NUM,			/* lt..gte, and time parts */
	MATCH_K_FIELD,			/* fieldref */
	MATCH_K_EXISTS,
};

/* A run of pattern between two '*'. */
struct match_seg {
	uint16_t	*tok;
	size_t		 ntok;
	char		*lit;		/* the bytes, if no ?/dash; else NULL */
	size_t		 minw, maxw;	/* subject bytes it can span */
};

/* A wildcard pattern: segments that were separated by '*'. */
struct match_glob {
	struct match_seg *seg;
	size_t		  nseg;		/* number of '*' + 1 */
};

struct match_num {
	int		 isint;
	int64_t		 i;
	double		 d;
};

struct match_val {
	enum match_kind	  kind;
	struct match_glob *alt;		/* GLOB: any of these (base64offset) */
	size_t		  nalt;
	pcre2_code	 *re;		/* RE */
	pcre2_match_data *md;
	int		  af;		/* CIDR: AF_INET or AF_INET6 */
	unsigned char	  net[16];
	unsigned int	  plen;
	struct match_num  num;		/* NUM */
	char		 *ref;		/* FIELD: the other field's name */
	int		  exists;	/* EXISTS: true or false */
};

/* ASCII lower case; other bytes, UTF-8 included, are left alone. */
extern const unsigned char match_lower[256];

/* match_glob.c */
int		match_tokens(const char *, int, uint16_t **, size_t *);
void		match_glob_init(struct match_glob *, const uint16_t *, size_t,
		    int);
void		match_glob_clear(struct match_glob *);
int		match_glob_match(const struct match_glob *, const char *,
		    size_t, int);
int		match_eq2(const unsigned char *, const unsigned char *, size_t,
		    int);
size_t		match_glob_run(const struct match_glob *, const uint16_t **);
uint16_t	*match_wrap(const uint16_t *, size_t, enum match_op, size_t *);

/* match_value.c */
int		match_num_parse(const char *, size_t, struct match_num *);
int		match_num_cmp(const struct match_num *,
		    const struct match_num *);
int		match_ip_parse(const char *, size_t, int *, unsigned char *);
int		match_cidr_parse(const char *, struct match_val *);
int		match_time_part(const char *, size_t, uint64_t, int64_t *);
char		*match_utf16(const char *, size_t, uint64_t, size_t *);
char		*match_base64(const unsigned char *, size_t, size_t *);

#endif /* MATCH_INT_H */
