/* SPDX-License-Identifier: ISC */
/*
 * The AWS shared configuration files, for the credential chain in
 * aws_cred.c: ~/.aws/credentials ("[name]" sections) and ~/.aws/config
 * ("[default]" and "[profile name]"), INI files read as botocore reads
 * them: '#' and ';' comment lines, "key = value" or "key: value", keys in
 * any case, blanks around everything ignored, indented lines under an
 * empty value (an "s3 =" sub-section) skipped.  Values may be secrets, so
 * they are wiped when freed and a cause never quotes a line.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws_config.h"
#include "buf.h"
#include "xmalloc.h"

struct aws_config_entry {
	int	 which;
	char	*profile;
	char	*key;
	char	*value;
};

struct aws_config_section {
	int	 which;
	char	*profile;
};

struct aws_config {
	struct aws_config_entry		*e;
	size_t				 ne, ae;
	struct aws_config_section	*s;
	size_t				 ns, as;
	char				*path[2]; /* credentials, config */
};

static int	 aws_config_blank(int);
static char	*aws_config_trim(const char *, size_t);
static char	*aws_config_section(int, const char *, size_t);
static char	*aws_config_file(const char *, const char *);
static int	 aws_config_read(struct aws_config *, int, const char *,
		    char **);

/* Create an empty set of profiles. */
struct aws_config *
aws_config_create(void)
{
	return xcalloc(1, sizeof(struct aws_config));
}

/* Free the profiles, wiping every value. */
void
aws_config_free(struct aws_config *cfg)
{
	size_t	i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->ne; i++) {
		free(cfg->e[i].profile);
		free(cfg->e[i].key);
		freezero_str(cfg->e[i].value);
	}
	for (i = 0; i < cfg->ns; i++)
		free(cfg->s[i].profile);
	free(cfg->e);
	free(cfg->s);
	free(cfg->path[0]);
	free(cfg->path[1]);
	free(cfg);
}

static int
aws_config_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static char *
aws_config_trim(const char *s, size_t len)
{
	while (len > 0 && aws_config_blank((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && aws_config_blank((unsigned char)s[len - 1]))
		len--;
	return xstrndup(s, len);
}

/*
 * The profile a section header names, or NULL for a section that is not
 * a profile ("[sso-session x]" in the config file).
 */
static char *
aws_config_section(int which, const char *s, size_t len)
{
	char	*name, *p, *out;

	name = aws_config_trim(s, len);
	if (which == AWS_CONFIG_CREDENTIALS || strcmp(name, "default") == 0)
		return name;
	if (strncmp(name, "profile", 7) != 0 ||
	    !aws_config_blank((unsigned char)name[7])) {
		free(name);
		return NULL;
	}
	for (p = name + 7; aws_config_blank((unsigned char)*p); p++)
		continue;
	out = *p != '\0' ? xstrdup(p) : NULL;
	free(name);
	return out;
}

/* Add the profiles of one file's text. */
int
aws_config_parse(struct aws_config *cfg, int which, const char *name,
    const char *text, size_t len, char **cause)
{
	struct aws_config_entry	*e;
	const char		*p = text, *end = text + len, *eol, *q, *d;
	const char		*r;
	char			*profile = NULL, *k;
	unsigned long		 line = 0;
	int			 in_section = 0, nested = 0, rv = -1;
	size_t			 i;

	for (; p < end; p = eol + 1) {
		line++;
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		if (memchr(p, '\0', (size_t)(eol - p)) != NULL) {
			*cause = xprintf("%s:%lu: NUL byte", name, line);
			goto out;
		}
		for (q = p; q < eol && aws_config_blank((unsigned char)*q); q++)
			continue;
		if (q == eol || *q == '#' || *q == ';')
			continue;
		if (q != p && nested)
			continue;	/* a key of an "s3 =" sub-section */
		nested = 0;

		if (*q == '[') {
			for (d = eol; d > q && d[-1] != ']'; d--)
				continue;
			if (d == q) {
				*cause = xprintf("%s:%lu: no ']' after '['",
				    name, line);
				goto out;
			}
			for (r = d; r < eol &&
			    aws_config_blank((unsigned char)*r); r++)
				continue;
			if (r != eol && *r != '#' && *r != ';') {
				*cause = xprintf("%s:%lu: text after a "
				    "[section]", name, line);
				goto out;
			}
			free(profile);
			profile = aws_config_section(which, q + 1,
			    (size_t)(d - 1 - (q + 1)));
			in_section = 1;
			if (profile == NULL)
				continue;
			for (i = 0; i < cfg->ns; i++)
				if (cfg->s[i].which == which &&
				    strcmp(cfg->s[i].profile, profile) == 0)
					break;
			if (i == cfg->ns) {
				if (cfg->ns == cfg->as) {
					cfg->as = cfg->as ? cfg->as * 2 : 8;
					cfg->s = xreallocarray(cfg->s, cfg->as,
					    sizeof *cfg->s);
				}
				cfg->s[cfg->ns].which = which;
				cfg->s[cfg->ns++].profile = xstrdup(profile);
			}
			continue;
		}

		for (d = q; d < eol && *d != '=' && *d != ':'; d++)
			continue;
		if (d == eol || d == q) {
			*cause = xprintf("%s:%lu: expected [section] or "
			    "key = value", name, line);
			goto out;
		}
		if (!in_section) {
			*cause = xprintf("%s:%lu: key before any [section]",
			    name, line);
			goto out;
		}
		if (profile == NULL)
			continue;
		if (cfg->ne == cfg->ae) {
			cfg->ae = cfg->ae ? cfg->ae * 2 : 16;
			cfg->e = xreallocarray(cfg->e, cfg->ae, sizeof *cfg->e);
		}
		e = &cfg->e[cfg->ne++];
		e->which = which;
		e->profile = xstrdup(profile);
		e->key = aws_config_trim(q, (size_t)(d - q));
		for (k = e->key; *k != '\0'; k++)
			*k = (char)tolower((unsigned char)*k);
		e->value = aws_config_trim(d + 1, (size_t)(eol - (d + 1)));
		nested = *e->value == '\0';
	}
	rv = 0;
out:
	free(profile);
	return rv;
}

/* A value of a profile; the credentials file wins. */
const char *
aws_config_get(const struct aws_config *cfg, const char *profile,
    const char *key, int which)
{
	static const int	 order[] = {
		AWS_CONFIG_CREDENTIALS, AWS_CONFIG_CONFIG
	};
	size_t			 i, j;

	for (j = 0; j < nitems(order); j++) {
		if ((which & order[j]) == 0)
			continue;
		for (i = cfg->ne; i-- > 0;)	/* the last one wins */
			if (cfg->e[i].which == order[j] &&
			    strcmp(cfg->e[i].profile, profile) == 0 &&
			    strcmp(cfg->e[i].key, key) == 0)
				return cfg->e[i].value;
	}
	return NULL;
}

/* Whether a profile has a section anywhere. */
int
aws_config_has_profile(const struct aws_config *cfg, const char *profile)
{
	size_t	i;

	for (i = 0; i < cfg->ns; i++)
		if (strcmp(cfg->s[i].profile, profile) == 0)
			return 1;
	return 0;
}

/* The name of a file read, for messages. */
const char *
aws_config_path(const struct aws_config *cfg, int which)
{
	const char	*p;

	p = cfg->path[which == AWS_CONFIG_CREDENTIALS ? 0 : 1];
	return p != NULL ? p : "";
}

/* A file's path: the variable's value (with ~/ expanded) or ~/.aws/NAME. */
static char *
aws_config_file(const char *var, const char *base)
{
	struct passwd	*pw;
	const char	*v, *home;

	home = getenv("HOME");
	if (home == NULL || *home == '\0')
		home = (pw = getpwuid(getuid())) != NULL ? pw->pw_dir : "/";
	if ((v = getenv(var)) != NULL && *v != '\0') {
		if (v[0] == '~' && (v[1] == '/' || v[1] == '\0'))
			return xprintf("%s%s", home, v + 1);
		return xstrdup(v);
	}
	return xprintf("%s/.aws/%s", home, base);
}

static int
aws_config_read(struct aws_config *cfg, int which, const char *path,
    char **cause)
{
	struct buf	 b;
	struct stat	 st;
	char		 chunk[8192];
	ssize_t		 n;
	int		 fd, rv = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return 0;
		*cause = xprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	buf_init(&b, AWS_CONFIG_FILE_MAX);
	if (fstat(fd, &st) == -1 || S_ISDIR(st.st_mode)) {
		*cause = xprintf("%s: %s", path, S_ISDIR(st.st_mode) ?
		    "is a directory" : strerror(errno));
		goto out;
	}
	for (;;) {
		if ((n = read(fd, chunk, sizeof chunk)) == -1) {
			if (errno == EINTR)
				continue;
			*cause = xprintf("%s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		if (buf_add(&b, chunk, (size_t)n) == -1) {
			*cause = xprintf("%s: larger than %d bytes", path,
			    AWS_CONFIG_FILE_MAX);
			goto out;
		}
	}
	rv = aws_config_parse(cfg, which, path, b.data != NULL ? b.data : "",
	    b.len, cause);
out:
	explicit_bzero(chunk, sizeof chunk);
	if (b.data != NULL)
		explicit_bzero(b.data, b.size);
	buf_clear(&b);
	close(fd);
	return rv;
}

/* Read both files. */
struct aws_config *
aws_config_load(char **cause)
{
	struct aws_config	*cfg;

	cfg = aws_config_create();
	cfg->path[0] = aws_config_file("AWS_SHARED_CREDENTIALS_FILE",
	    "credentials");
	cfg->path[1] = aws_config_file("AWS_CONFIG_FILE", "config");
	if (aws_config_read(cfg, AWS_CONFIG_CREDENTIALS, cfg->path[0],
	    cause) == -1 ||
	    aws_config_read(cfg, AWS_CONFIG_CONFIG, cfg->path[1],
	    cause) == -1) {
		aws_config_free(cfg);
		return NULL;
	}
	return cfg;
}

/* Free an argv from aws_config_split(). */
void
aws_config_argv_free(char **argv)
{
	size_t	i;

	if (argv == NULL)
		return;
	for (i = 0; argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

/* Split a command into words as shlex.split() does; see aws_config.h. */
char **
aws_config_split(const char *s, char **cause)
{
	struct buf	  w;
	char		**argv;
	size_t		  n = 0;
	int		  inword = 0, quote = 0;

	argv = xcalloc(AWS_CONFIG_ARGV_MAX + 1, sizeof *argv);
	buf_init(&w, AWS_CONFIG_FILE_MAX);
	for (;; s++) {
		if (quote == '\'') {
			if (*s == '\0')
				goto unclosed;
			if (*s == '\'')
				quote = 0;
			else if (buf_addc(&w, *s) == -1)
				goto long_word;
			continue;
		}
		if (quote == '"') {
			if (*s == '\0')
				goto unclosed;
			if (*s == '"')
				quote = 0;
			else if (*s == '\\' && (s[1] == '"' || s[1] == '\\')) {
				if (buf_addc(&w, *++s) == -1)
					goto long_word;
			} else if (buf_addc(&w, *s) == -1)
				goto long_word;
			continue;
		}
		if (*s == '\0' || *s == ' ' || *s == '\t' || *s == '\n' ||
		    *s == '\r') {
			if (inword) {
				if (n == AWS_CONFIG_ARGV_MAX) {
					*cause = xprintf("more than %d words",
					    AWS_CONFIG_ARGV_MAX);
					goto fail;
				}
				argv[n++] = buf_take(&w);
				if (argv[n - 1] == NULL)
					argv[n - 1] = xstrdup("");
				inword = 0;
			}
			if (*s == '\0')
				break;
			continue;
		}
		inword = 1;
		if (*s == '\'' || *s == '"')
			quote = *s;
		else if (*s == '\\') {
			if (*++s == '\0') {
				*cause = xstrdup("a backslash at the end");
				goto fail;
			}
			if (buf_addc(&w, *s) == -1)
				goto long_word;
		} else if (buf_addc(&w, *s) == -1)
			goto long_word;
	}
	if (n == 0) {
		*cause = xstrdup("empty command");
		goto fail;
	}
	buf_clear(&w);
	return argv;

unclosed:
	*cause = xprintf("no closing %c quote", quote);
	goto fail;
long_word:
	*cause = xstrdup("a word too long");
fail:
	buf_clear(&w);
	aws_config_argv_free(argv);
	return NULL;
}
