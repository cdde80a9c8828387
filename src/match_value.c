/* SPDX-License-Identifier: ISC */
/*
 * The value forms of detection items other than text: numbers as JSON
 * and YAML write them, IPv4 and IPv6 addresses and CIDR networks, the
 * parts of a timestamp (minute to year, ISO 8601 weeks), and the UTF-16
 * and Base64 encodings behind the utf16* and base64* modifiers, and the
 * AWS account ids behind accounts.  Pure functions that match.c uses to
 * compile values and compare texts.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "match.h"
#include "match_int.h"
#include "xmalloc.h"

/*
 * A number as JSON or YAML writes it: optional sign, digits, optional
 * fraction and exponent.  Integers that fit are kept exact.
 */
int
match_num_parse(const char *s, size_t n, struct match_num *num)
{
	char	 buf[64], *end;
	size_t	 i = 0, digits = 0;
	int	 isint = 1;

	if (n == 0 || n >= sizeof buf)
		return -1;
	if (s[i] == '-' || s[i] == '+')
		i++;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		digits++;
	if (i < n && s[i] == '.') {
		isint = 0;
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			digits++;
	}
	if (digits == 0)
		return -1;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		isint = 0;
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		if (i >= n || s[i] < '0' || s[i] > '9')
			return -1;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i != n)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	num->isint = 0;
	if (isint) {
		num->i = strtoll(buf, &end, 10);
		num->isint = (num->i != INT64_MAX && num->i != INT64_MIN);
	}
	/* the C locale's decimal point: ctaudit never calls setlocale() */
	num->d = strtod(buf, &end);
	return *end == '\0' ? 0 : -1;
}

/* -1, 0 or 1 as a is less than, equal to or greater than b. */
int
match_num_cmp(const struct match_num *a, const struct match_num *b)
{
	if (a->isint && b->isint)
		return (a->i > b->i) - (a->i < b->i);
	return (a->d > b->d) - (a->d < b->d);
}

/*
 * An IPv4 address in strict dotted decimal (leading zeros are refused, as
 * Python's ipaddress does, since inet_aton() would read them as octal),
 * or an IPv6 address.  Returns the number of address bytes, or -1.
 */
int
match_ip_parse(const char *s, size_t n, int *af, unsigned char *addr)
{
	char		buf[INET6_ADDRSTRLEN + 1];
	size_t		i = 0;
	unsigned int	part, k, digits;

	if (n == 0 || n >= sizeof buf || memchr(s, '\0', n) != NULL)
		return -1;
	if (memchr(s, ':', n) != NULL) {
		memcpy(buf, s, n);
		buf[n] = '\0';
		if (inet_pton(AF_INET6, buf, addr) != 1)
			return -1;
		*af = AF_INET6;
		return 16;
	}
	for (k = 0; k < 4; k++) {
		if (k > 0 && (i >= n || s[i++] != '.'))
			return -1;
		part = digits = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9' && digits < 4) {
			part = part * 10 + (unsigned int)(s[i++] - '0');
			digits++;
		}
		if (digits == 0 || digits > 3 || part > 255 ||
		    (digits > 1 && s[i - digits] == '0'))
			return -1;
		addr[k] = (unsigned char)part;
	}
	if (i != n)
		return -1;
	*af = AF_INET;
	return 4;
}

/* "addr/len" or a bare address (a host); host bits are cleared. */
int
match_cidr_parse(const char *s, struct match_val *v)
{
	const char	*slash;
	size_t		 alen, i;
	unsigned int	 plen = 0;
	int		 bytes;

	slash = strchr(s, '/');
	alen = slash == NULL ? strlen(s) : (size_t)(slash - s);
	if ((bytes = match_ip_parse(s, alen, &v->af, v->net)) == -1)
		return -1;
	if (slash == NULL)
		plen = (unsigned int)bytes * 8;
	else {
		if (slash[1] == '\0' || (slash[1] == '0' && slash[2] != '\0'))
			return -1;
		for (i = 1; slash[i] != '\0'; i++) {
			if (slash[i] < '0' || slash[i] > '9' || i > 3)
				return -1;
			plen = plen * 10 + (unsigned int)(slash[i] - '0');
		}
		if (plen > (unsigned int)bytes * 8)
			return -1;
	}
	v->plen = plen;
	for (i = 0; i < (size_t)bytes; i++) {
		if (plen >= 8)
			plen -= 8;
		else {
			v->net[i] &= (unsigned char)(0xff00 >> plen);
			plen = 0;
		}
	}
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t
match_days(int64_t y, int m, int d)
{
	int64_t	era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* ISO 8601 weekday of a day number: 1 (Monday) to 7. */
static int
match_wday(int64_t days)
{
	int64_t	w = (days + 3) % 7;	/* 1970-01-01 was a Thursday */

	return (int)(w < 0 ? w + 7 : w) + 1;
}

/* Weeks in an ISO 8601 week-numbering year: 52 or 53. */
static int
match_iso_weeks(int64_t y)
{
	int	jan1 = match_wday(match_days(y, 1, 1));
	int	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return jan1 == 4 || (leap && jan1 == 3) ? 53 : 52;
}

/*
 * Extract a part of a timestamp written "YYYY-MM-DD[Thh:mm...]", as
 * written: there is no time zone conversion (Sigma says so).  The week is
 * the ISO 8601 week number.
 */
int
match_time_part(const char *s, size_t n, uint64_t part, int64_t *out)
{
	int	f[5], i, k, nf;
	int64_t	days, week, y;
	static const int	pos[5] = { 0, 5, 8, 11, 14 };
	static const int	width[5] = { 4, 2, 2, 2, 2 };

	nf = (part == M_MINUTE || part == M_HOUR) ? 5 : 3;
	if (n < (size_t)(nf == 5 ? 16 : 10) || s[4] != '-' || s[7] != '-')
		return -1;
	if (nf == 5 && ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    s[13] != ':'))
		return -1;
	for (i = 0; i < nf; i++) {
		f[i] = 0;
		for (k = 0; k < width[i]; k++) {
			if (s[pos[i] + k] < '0' || s[pos[i] + k] > '9')
				return -1;
			f[i] = f[i] * 10 + s[pos[i] + k] - '0';
		}
	}
	if (f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 ||
	    (nf == 5 && (f[3] > 23 || f[4] > 59)))
		return -1;
	switch (part) {
	case M_MINUTE:
		*out = f[4];
		break;
	case M_HOUR:
		*out = f[3];
		break;
	case M_DAY:
		*out = f[2];
		break;
	case M_MONTH:
		*out = f[1];
		break;
	case M_YEAR:
		*out = f[0];
		break;
	default:
		y = f[0];
		days = match_days(y, f[1], f[2]);
		week = (days - match_days(y, 1, 1) + 1 - match_wday(days) +
		    10) / 7;
		if (week < 1)
			week = match_iso_weeks(y - 1);
		else if (week > match_iso_weeks(y))
			week = 1;
		*out = week;
		break;
	}
	return 0;
}

/* Encode UTF-8 text as UTF-16 (utf16 adds a byte order mark, LE). */
char *
match_utf16(const char *s, size_t n, uint64_t how, size_t *outlen)
{
	const unsigned char	*p = (const unsigned char *)s;
	unsigned char		*out, *o;
	uint32_t		 c, u[2];
	size_t			 i = 0, k, nu, need;
	int			 be = how == M_UTF16BE;

	out = o = xmalloc(n * 4 + 2);
	if (how == M_UTF16) {
		*o++ = 0xff;
		*o++ = 0xfe;
	}
	while (i < n) {
		c = p[i];
		need = c < 0x80 ? 0 : c >= 0xc2 && c < 0xe0 ? 1 :
		    c >= 0xe0 && c < 0xf0 ? 2 : c >= 0xf0 && c < 0xf5 ? 3 : 4;
		if (need == 4 || n - i <= need)
			goto bad;
		if (need > 0)
			c &= 0x3f >> need;
		for (k = 1; k <= need; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				goto bad;
			c = (c << 6) | (p[i + k] & 0x3f);
		}
		if ((need == 2 && c < 0x800) || (need == 3 && c < 0x10000) ||
		    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			goto bad;
		i += need + 1;
		if (c >= 0x10000) {
			c -= 0x10000;
			u[0] = 0xd800 | (c >> 10);
			u[1] = 0xdc00 | (c & 0x3ff);
			nu = 2;
		} else {
			u[0] = c;
			nu = 1;
		}
		for (k = 0; k < nu; k++) {
			*o++ = (unsigned char)(be ? u[k] >> 8 : u[k] & 0xff);
			*o++ = (unsigned char)(be ? u[k] & 0xff : u[k] >> 8);
		}
	}
	*outlen = (size_t)(o - out);
	return (char *)out;
bad:
	free(out);
	return NULL;
}

/* Standard Base64 with padding, NUL-terminated. */
char *
match_base64(const unsigned char *p, size_t n, size_t *outlen)
{
	static const char	 b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char			*out, *o;
	size_t			 i;
	uint32_t		 v;

	out = o = xmalloc((n + 2) / 3 * 4 + 1);
	for (i = 0; i + 2 < n; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*o++ = b64[v >> 18];
		*o++ = b64[(v >> 12) & 0x3f];
		*o++ = b64[(v >> 6) & 0x3f];
		*o++ = b64[v & 0x3f];
	}
	if (i < n) {
		v = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		*o++ = b64[v >> 18];
		*o++ = b64[(v >> 12) & 0x3f];
		*o++ = i + 1 < n ? b64[(v >> 6) & 0x3f] : '=';
		*o++ = '=';
	}
	*o = '\0';
	*outlen = (size_t)(o - out);
	return out;
}

/*
 * 1 if the run of digits at s[i..j) is the account field of an ARN: a ':'
 * after it, and "arn:PARTITION:SERVICE:REGION:" before it, with the
 * partition starting "aws" and "arn" not part of a longer word.
 */
static int
match_accounts_arn(const char *s, size_t i, size_t j, size_t n)
{
	size_t	k, f, start;
	char	c;

	if (j >= n || s[j] != ':' || i == 0 || s[i - 1] != ':')
		return 0;
	k = i - 1;			/* at the ':' before the account */
	for (f = 0; f < 3; f++) {	/* region, service, partition */
		start = k;
		while (k > 0) {
			c = s[k - 1];
			if (c == ':')
				break;
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' &&
			    c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
				return 0;
			k--;
		}
		if (k == 0)
			return 0;
		if (f == 1 && k == start)
			return 0;	/* no service */
		if (f == 2 && (start - k < 3 ||
		    strncasecmp(s + k, "aws", 3) != 0))
			return 0;
		k--;			/* at the ':' before the field */
	}
	if (k < 3 || strncasecmp(s + k - 3, "arn", 3) != 0)
		return 0;
	if (k > 3) {
		c = s[k - 4];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-')
			return 0;
	}
	return 1;
}

/*
 * 1 if the run of digits at s[i..j) is a quoted string of its own: '"'
 * before it and '"' after it, possibly behind backslashes (the quotes of
 * a JSON text held in a JSON string).
 */
static int
match_accounts_quoted(const char *s, size_t i, size_t j, size_t n)
{
	if (i == 0 || s[i - 1] != '"')
		return 0;
	while (j < n && s[j] == '\\')
		j++;
	return j < n && s[j] == '"';
}

/* The account ids a text names (see match.h). */
size_t
match_accounts(const char *s, size_t n, char (*ids)[MATCH_ACCOUNT_LEN],
    size_t max)
{
	size_t	i, j, k, nids = 0;

	for (i = 0; i < n && nids < max; i = j) {
		if (s[i] < '0' || s[i] > '9') {
			j = i + 1;
			continue;
		}
		for (j = i; j < n && s[j] >= '0' && s[j] <= '9'; j++)
			;
		if (j - i != MATCH_ACCOUNT_LEN)
			continue;
		if (!(i == 0 && j == n) && !match_accounts_quoted(s, i, j, n) &&
		    !match_accounts_arn(s, i, j, n))
			continue;
		for (k = 0; k < nids; k++)
			if (memcmp(ids[k], s + i, MATCH_ACCOUNT_LEN) == 0)
				break;
		if (k == nids)
			memcpy(ids[nids++], s + i, MATCH_ACCOUNT_LEN);
	}
	return nids;
}
